"""Argument and data checks shared by every public entry point: the one home of each rule.

Each check either returns a clean value or raises a ``ValueError``/``TypeError`` whose message names the
argument, what was expected and what was received, so that bad input never surfaces as a traceback from deep
inside NumPy (nor as a NumPy ``RuntimeWarning``: overflow is detected, not warned about).

Arguments: ``boolean``, ``integer_at_least`` (and its ``positive_int``, ``non_negative_int``), ``real_number``,
``float32_number`` (and the ``float32_scalar`` rule it adds), ``verbosity``, ``file_path``, ``existing_file``,
``instances``, ``items`` (any list), ``function`` (a callable), ``is_scheduler_address``, ``one_of`` (a choice;
``among`` asks without refusing), ``text_or_default``, unknown names and keywords. Arrays: ``numeric_array`` (the
conversion every array goes through), ``features``, ``targets``, ``sample_weights``, ``float32_values`` and
``column_statistics`` (what the float32 engine can hold; ``float32_statistics`` checks a mean and variance already
computed), ``regression_pair`` (what a loss or metric called directly
takes), ``nonfinite_index``, ``finite_results`` and ``allocatable`` (an array that fits in memory).
"""

from .arguments import (
                        FLOAT32_TINY,
                        VERBOSITY,
                        among,
                        boolean,
                        ceil_div,
                        existing_file,
                        file_path,
                        float32_number,
                        float32_scalar,
                        function,
                        instances,
                        integer_at_least,
                        is_scheduler_address,
                        items,
                        non_negative_int,
                        one_of,
                        positive_int,
                        real_number,
                        reject_unknown_kwargs,
                        text_or_default,
                        unknown_name,
                        verbosity,
)
from .arrays import (
                        FLOATX,
                        allocatable,
                        column_statistics,
                        features,
                        finite_results,
                        float32_statistics,
                        float32_values,
                        nonfinite_index,
                        numeric_array,
                        regression_pair,
                        require_finite,
                        sample_weights,
                        targets,
)

__all__ = ["FLOAT32_TINY", "FLOATX", "VERBOSITY", "allocatable", "among", "boolean", "ceil_div", "column_statistics",
           "existing_file", "features", "file_path", "finite_results", "float32_number", "float32_scalar",
           "float32_statistics", "float32_values", "function", "instances", "integer_at_least",
           "is_scheduler_address", "items", "non_negative_int", "nonfinite_index", "numeric_array", "one_of",
           "positive_int", "real_number", "regression_pair", "reject_unknown_kwargs", "require_finite",
           "sample_weights", "targets", "text_or_default", "unknown_name", "verbosity"]

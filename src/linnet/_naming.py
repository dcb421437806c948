"""The one rule that names the features and the target, wherever linnet prints or draws them.

``ols`` summaries, ``model.equation()``, ``compare_to_ols``, every plot and the CLI's ``inspect`` all name the
columns of ``x`` and the target ``y`` by the same three steps:

1. **Names given** win: ``feature_names=[...]`` (one string per feature; a single string is accepted for a
   single feature) and ``target_name="..."``.
2. Else **pandas names**: a DataFrame's column labels (as ``str``), a Series' ``name`` (for ``x``, when ``x``
   is one feature; for ``y``, always).
3. Else **the defaults**: ``"x"`` for a single feature, as the tutorials write ``y = w·x + b``, and
   ``"x1", "x2", ...`` (1-based, as statsmodels) for several; the target is ``"y"``.

So ``ols(x, y)`` on one unnamed column reports ``x`` (not ``x1``), and the equation, the plots and the
summary of the same data always agree. A model file keeps the names it was trained with
(``training_config["feature_names"]``/``["target_name"]``); a file without them gets the defaults.
"""

from __future__ import annotations

import collections
from collections.abc import Sequence
from typing import Any

from ._warnings import warn

DEFAULT_TARGET = "y"


def default_feature_names(n_features: int) -> list[str]:
    """``["x"]`` for one feature, else ``["x1", "x2", ..., "x<n_features>"]``."""
    return ["x"] if n_features == 1 else [f"x{j}" for j in range(1, n_features + 1)]


def column_labels(data: Any) -> list | None:
    """A DataFrame's column labels as they are (not converted to ``str``), or None for anything else."""
    columns = getattr(data, "columns", None)
    if columns is None or getattr(data, "ndim", 2) != 2:
        return None
    return list(columns)


def series_name(data: Any) -> str | None:
    """A named pandas Series' name as ``str``; None for arrays, lists, DataFrames and unnamed Series."""
    if not hasattr(data, "to_numpy") or getattr(data, "ndim", 1) != 1:
        return None
    name = getattr(data, "name", None)
    return None if name is None else str(name)


def pandas_feature_names(data: Any) -> list[str] | None:
    """Step 2 of the rule for ``x``: a DataFrame's column labels or ``[Series name]``, as ``str``; else None."""
    labels = column_labels(data)
    if labels is not None:
        return [str(label) for label in labels]
    name = series_name(data)
    return None if name is None else [name]


def feature_names(given: str | Sequence[str] | None, n_features: int, data: Any = None,
                  name: str = "feature_names") -> list[str]:
    """The names of the ``n_features`` columns of ``data`` by the rule above; ``given`` is checked.

    Raises ``TypeError`` when ``given`` holds something other than strings and ``ValueError`` when it does not
    give exactly one name per feature; the messages call it ``name``.
    """
    if given is None:
        found = pandas_feature_names(data)
        return found if found is not None and len(found) == n_features else default_feature_names(n_features)
    if isinstance(given, str) and n_features == 1:
        return [given]
    if isinstance(given, str) or not isinstance(given, Sequence) or not all(isinstance(s, str) for s in given):
        raise TypeError(f"{name} must be a list of strings (one per feature). Received: {name}={given!r}")
    names = given
    if len(names) != n_features:
        raise ValueError(f"{name} has {len(names)} name(s) but x has {n_features} feature(s): give one name "
                         f"per feature. Received: {name}={given!r}")
    return list(names)


def target_name(given: str | None = None, data: Any = None, name: str = "target_name") -> str:
    """``given``, else the Series name of ``data``, else ``"y"``."""
    if given is not None and not isinstance(given, str):
        raise TypeError(f"{name} must be a string. Received: {name}={given!r}")
    return given or series_name(data) or DEFAULT_TARGET


def pandas_names(x: Any, y: Any = None) -> dict[str, Any]:
    """``{"feature_names": [...], "target_name": "..."}`` with only the names that pandas objects carry (step 2),
    as ``fit`` keeps them in ``model.training_config``; ``{}`` for plain arrays."""
    names: dict[str, Any] = {}
    found = pandas_feature_names(x)
    if found is not None:
        names["feature_names"] = found
    if series_name(y) is not None or (column_labels(y) is not None and len(column_labels(y)) == 1):
        names["target_name"] = series_name(y) or str(column_labels(y)[0])
    return names


def stored_names(model: Any, n_features: int) -> tuple[list[str] | None, str | None]:
    """The feature and target names a model keeps in ``training_config`` (from ``fit`` on pandas objects, the CLI
    or a model file), or None for each it does not keep or that does not fit ``n_features``."""
    config = getattr(model, "training_config", None) or {}
    features, target = config.get("feature_names"), config.get("target_name")
    valid = isinstance(features, list) and len(features) == n_features and all(isinstance(f, str) for f in features)
    return (features if valid else None), (target if isinstance(target, str) else None)


def warn_if_columns_differ(model: Any, x: Any) -> None:
    """Warn when ``x`` is a pandas object whose columns are not the ones the model was trained on, in that order:
    a Keras model predicts by position, so reordered or other columns give other numbers without an error (the
    scikit-learn estimator refuses them; the command line reads them by name)."""
    found = pandas_feature_names(x)
    trained, _ = stored_names(model, len(found)) if found is not None else (None, None)
    _warn_if_other_columns(found, trained, "x", "the model was trained on", "x")


def warn_if_validation_columns_differ(x: Any, validation_data: Any) -> None:
    """Warn when ``fit``'s ``validation_data`` is ``(x_val, y_val[, w])`` with pandas columns other than ``x``'s,
    or in another order: the model reads them by position, so ``val_loss`` would be that of other features."""
    if isinstance(validation_data, (tuple, list)) and validation_data:
        _warn_if_other_columns(pandas_feature_names(validation_data[0]), pandas_feature_names(x),
                               "validation_data x", "x", "x_val")


def _warn_if_other_columns(found: list[str] | None, expected: list[str] | None, name: str, against: str,
                           variable: str) -> None:
    if found is None or expected is None or found == expected:
        return
    how = "its columns in another order" if sorted(found) == sorted(expected) else "other columns"
    warn(f"{name} has {how} than {against}: {found} against {expected}. The model takes its inputs by position, "
         f"as Keras does; pass {variable}[{expected!r}] to use them by name.")


def repeated(names: Sequence) -> str:
    """The names that occur more than once, quoted and comma-separated ('' when all are distinct)."""
    counts = collections.Counter(names)
    return ", ".join(repr(name) for name in sorted((name for name, count in counts.items() if count > 1), key=str))


def distinct_columns(names: Sequence, where: str) -> None:
    """Refuse columns named alike in ``where`` (a file, a header, a DataFrame): linnet reads columns by name, and
    which of two a read by name returns is the library's choice, or an error deep inside it."""
    twice = repeated(names)
    if twice:
        raise ValueError(f"{where} names the column(s) {twice} more than once; linnet reads columns by "
                         f"name: rename them.")

"""Checks of arrays: the one conversion every array goes through (``numeric_array``), features, targets and
sample weights, finiteness found without overflowing, and what the float32 engine can hold."""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from .arguments import FLOAT32_MAX, FLOAT32_TINY

FLOATX = np.float32


def shaped(name: str, array: np.ndarray) -> str:
    """What ``Received:`` shows for an array's shape: ``x.shape=(2, 3)`` for an argument's name, ``x of batch 2
    of the data source, of shape (2, 3)`` for a description."""
    if re.fullmatch(r"[\w.\[\]'\"]+", name):
        return f"{name}.shape={array.shape}"
    return f"{name}, of shape {array.shape}"


def numeric_array(data: Any, name: str, *, objects: bool = False) -> np.ndarray:
    """``data`` (list, ndarray, pandas object) as an ndarray of real numbers, dtype kept; the one conversion.

    Refused with the reason: text, sparse matrices, ragged rows, masked arrays with masked entries (their
    hidden values would be used silently), complex numbers, and other non-numeric dtypes. Object arrays are
    refused too unless ``objects`` (scikit-learn's rule), which converts them to float64.
    """
    if isinstance(data, (str, bytes)):
        raise TypeError(f"{name} must be numeric array-like, not a string. Received: {name}={data[:40]!r}")
    if hasattr(data, "toarray") and hasattr(data, "nnz"):
        raise TypeError(f"{name} is a sparse matrix, which linnet does not support; pass a dense array such "
                        f"as {name}.toarray().")
    masked = sys.modules.get("numpy.ma")  # a masked array exists only once numpy.ma is imported (~30 ms)
    if masked is not None and masked.isMaskedArray(data) and masked.getmaskarray(data).any():
        raise ValueError(f"{name} is a masked array with {int(np.ma.count_masked(data))} masked value(s), which "
                         f"linnet would otherwise use as they are; pass {name}.filled(value) to replace them or "
                         f"{name}.compressed() (or drop those rows) to leave them out.")
    if hasattr(data, "to_numpy"):  # pandas DataFrame / Series without importing pandas
        data = data.to_numpy()
    try:
        array = np.asarray(data)
    except (ValueError, TypeError) as error:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular numeric array (every row the same length); NumPy "
                         f"said: {error}") from None
    if array.dtype.kind == "c":  # scikit-learn's check_estimator expects this ValueError and its first words
        raise ValueError(f"Complex data not supported: {name} has dtype {array.dtype}; pass its real part.")
    if objects and array.dtype.kind == "O":
        try:
            return array.astype(np.float64)
        except (TypeError, ValueError) as error:
            raise type(error)(f"{name} must hold numbers; converting it to float failed: {error}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers. Received: {name}.dtype={array.dtype}"
                        + (f" (first value {array.flat[0]!r})" if array.size else ""))
    return array


def nonfinite_index(array: np.ndarray) -> tuple[int, ...] | None:
    """The index of the first NaN or infinite value of ``array``, or None when every value is finite.

    A finite sum proves every value finite without building a mask. The sum is taken in the array's own dtype
    first (no conversion pass: a float32 array is summed as float32, 3x faster than converting to float64); only
    when that overflows or meets a NaN is the elementwise check run, which then tells finite values whose sum
    overflowed from a real NaN or infinity.
    """
    if array.dtype.kind not in "fc":
        return None
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(array.sum()):
            return None
    bad = np.argwhere(~np.isfinite(array))
    return tuple(int(i) for i in bad[0]) if len(bad) else None


def require_finite(array: np.ndarray, name: str) -> None:
    """Refuse NaN and infinite values, naming the first one's index and value, and how many there are (the count
    is a second pass, taken only on the way to the error)."""
    bad = nonfinite_index(array)
    if bad is not None:
        count = int(np.count_nonzero(~np.isfinite(array)))
        raise ValueError(f"{name} contains NaN or infinite values (first at index {bad}: {array[bad]}); remove or "
                         f"impute them. Received: {shaped(name, array)}, {count} of its {array.size} values NaN or "
                         f"infinite")


def _require_non_negative(array: np.ndarray, name: str) -> None:
    if (array < 0).any():
        index = tuple(int(i) for i in np.argwhere(array < 0)[0])
        raise ValueError(f"{name} must be non-negative. Received: {array[index]:g} at index {index} of {name}")


def checked_cast(array: np.ndarray, dtype, name: str, finite: bool = True) -> np.ndarray:
    """Cast to ``dtype`` (C order), refusing values that the cast would turn into infinity (and, when
    ``finite``, NaN and infinite values)."""
    if finite:
        require_finite(array, name)
    with np.errstate(over="ignore", invalid="ignore"):  # the cast may overflow, which is refused below
        cast = np.ascontiguousarray(array, dtype=dtype)
    if cast.dtype != array.dtype and nonfinite_index(cast) is not None:
        overflowed = np.isfinite(array) & ~np.isfinite(cast)  # not a NaN or infinity the caller let through
        if overflowed.any():
            limit = np.finfo(cast.dtype).max
            raise ValueError(f"{name} has values beyond the {cast.dtype} range (|value| > {limit:.3g}, largest "
                             f"{np.abs(array[overflowed]).max():.3g}); rescale it, e.g. standardize it or change "
                             f"its units.")
    return cast


def features(x: Any, name: str = "x", *, n_features: int | None = None, dtype=FLOATX,
             finite: bool = True) -> np.ndarray:
    """Return ``x`` as a finite, non-empty 2-D array ``(n_samples, n_features)`` of ``dtype``.

    A 1-D ``x`` is one feature (Keras semantics); a scalar is one sample of one feature. ``finite=False`` leaves
    the check for NaN and infinity to a caller whose own pass over the data proves it (``require_finite``).
    """
    array = numeric_array(x, name)
    if array.ndim == 0:
        array = array.reshape(1, 1)
    elif array.ndim == 1:
        array = array.reshape(-1, 1)
    elif array.ndim != 2:
        raise ValueError(f"{name} must be 1-D (one feature) or 2-D (samples, features). "
                         f"Received: {shaped(name, array)}")
    if array.shape[0] == 0:
        raise ValueError(f"{name} is empty; at least one sample is needed. Received: {shaped(name, array)}")
    if array.shape[1] == 0:
        raise ValueError(f"{name} has no feature columns; at least one is needed. Received: {shaped(name, array)}")
    if n_features is not None and array.shape[1] != n_features:
        raise ValueError(f"{name} has {array.shape[1]} feature(s) but the model expects {n_features}. "
                         f"Received: {shaped(name, array)}")
    return checked_cast(array, dtype, name, finite)


def targets(y: Any, n_samples: int | None, name: str = "y", *, dtype=FLOATX, finite: bool = True) -> np.ndarray:
    """Return ``y`` (a number, shape ``(n,)`` or ``(n, 1)``: one output) as a finite ``(n, 1)`` array of ``dtype``,
    ``n == n_samples`` unless that is None (``finite`` as in ``features``; a NaN is named at its sample's index)."""
    array = numeric_array(y, name)
    if array.ndim > 2 or (array.ndim == 2 and array.shape[1] != 1):
        raise ValueError(f"{name} must hold one value per sample, shape (n,) or (n, 1), for a one-output "
                         f"regression. Received: {shaped(name, array)}")
    array = array.reshape(-1)
    if n_samples is not None and array.shape[0] != n_samples:
        raise ValueError(f"x and {name} must have the same number of samples: x has {n_samples}, "
                         f"{name} has {array.shape[0]}.")
    return checked_cast(array, dtype, name, finite).reshape(-1, 1)


def sample_weights(weights: Any, n_samples: int, name: str = "sample_weight") -> np.ndarray:
    """``weights`` as finite, non-negative float64 ``(n_samples,)`` with a positive sum (a weighted mean exists)."""
    array = numeric_array(weights, name).astype(np.float64)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.shape != (n_samples,):
        raise ValueError(f"{name} must have one weight per sample, shape ({n_samples},). Received: "
                         f"{shaped(name, array)}")
    require_finite(array, name)
    _require_non_negative(array, name)
    if not array.sum() > 0:
        raise ValueError(f"{name} sums to zero, so no weighted mean exists; give some sample a positive weight.")
    return array


def regression_pair(y_true: Any, y_pred: Any, sample_weight: Any = None, *,
                    finite: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """What a loss or metric called directly takes, as the float32 columns ``(B, 1)`` training passes.

    ``y_true`` and ``y_pred``: a number, a list or an array of shape ``(B,)`` or ``(B, 1)`` (one output, as
    Keras' ``squeeze_or_expand_to_same_rank`` pairs them), the same ``B >= 1``; NaN and infinity refused unless
    not ``finite``. ``sample_weight``: None, a number (every sample), or ``(B,)``/``(B, 1)``, finite and >= 0.
    """
    y_true, y_pred = targets(y_true, None, "y_true", finite=finite), targets(y_pred, None, "y_pred", finite=finite)
    if y_true.shape != y_pred.shape or not y_true.size:
        raise ValueError(f"y_true and y_pred must have the same length, at least 1. Received: lengths "
                         f"{y_true.shape[0]} and {y_pred.shape[0]}.")
    if sample_weight is None:
        return y_true, y_pred, None
    weight = targets(sample_weight, None, "sample_weight")
    _require_non_negative(weight, "sample_weight")
    if np.ndim(sample_weight) == 0:
        weight = np.broadcast_to(weight, y_true.shape)
    if weight.shape != y_true.shape:
        raise ValueError(f"sample_weight must be a number or hold one weight per sample ({y_true.shape[0]}). "
                         f"Received: {weight.shape[0]} weights.")
    return y_true, y_pred, weight


def float32_values(values: Any, name: str, *, non_negative: bool = False, tiny: bool = False) -> np.ndarray:
    """``values`` (any shape) as a float32 copy, refusing text, complex, NaN, infinity, negatives (when
    ``non_negative``) and magnitudes float32 cannot hold: above 3.4e38, or, when ``tiny``, non-zero values
    below 1.2e-38 (float32's smallest normal number), which would round to zero or lose their precision.
    """
    array = numeric_array(values, name).astype(np.float64)
    require_finite(array, name)
    if non_negative:
        _require_non_negative(array, name)
    return _in_float32_range(array, name, tiny=tiny)


def _in_float32_range(array: np.ndarray, name: str, *, tiny: bool) -> np.ndarray:
    """``array`` as float32, refusing magnitudes above float32's largest (inf included), and, when ``tiny``,
    non-zero ones below its smallest normal number."""
    bad = _beyond_float32(array, tiny)
    if np.any(bad):
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(_FLOAT32_RANGE.format(what=f"{name} at index {index}", value=array[index]))
    return array.astype(np.float32)


_FLOAT32_RANGE = (f"{{what}} is {{value:.4g}}, which float32 (linnet's precision) cannot hold: its magnitudes run "
                  f"from {FLOAT32_TINY:.3g} to {FLOAT32_MAX:.3g}. Rescale the data (standardize it or change its "
                  f"units).")


def _beyond_float32(array: np.ndarray, tiny: bool) -> np.ndarray:
    """Where ``|array|`` is above float32's largest (inf included) or, when ``tiny``, non-zero below its smallest
    normal number."""
    magnitude = np.abs(array)
    return (magnitude > FLOAT32_MAX) | ((magnitude < FLOAT32_TINY) & (magnitude > 0) if tiny else False)


def column_statistics(x: np.ndarray, name: str, columns: Sequence[str] | None = None
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Per-column mean and population variance ``mean((x - mean)²)`` of a 2-D ``x``, computed in float64 and
    checked by :func:`float32_statistics`. Returns float64 arrays; casting them to float32 is then exact up to
    rounding."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow shows up as inf, refused below
        mean = x.mean(axis=0)
        variance = np.square(x - mean).mean(axis=0)
    return float32_statistics(mean, variance, name, columns)


def float32_statistics(mean: np.ndarray, variance: np.ndarray, name: str, columns: Sequence[str] | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:
    """``(mean, variance)`` of the columns of ``name``, refused (``ValueError`` naming the column: by its name in
    ``columns``, else its number) when float32 cannot hold them: a variance above 3.4e38 (a standard deviation above
    1.8e19) or a non-zero one below 1.2e-38 (standard deviation below 1.1e-19)."""
    for statistic, values, tiny in (("mean", mean, False), ("variance", variance, True)):
        bad = np.flatnonzero(_beyond_float32(values, tiny))
        if bad.size:
            label = repr(columns[bad[0]]) if columns is not None else str(bad[0])
            raise ValueError(_FLOAT32_RANGE.format(what=f"the {statistic} of column {label} of {name}",
                                                   value=values[bad[0]]))
    return mean, variance


def allocatable(count: int, name: str, received: str, *, itemsize: int = 8) -> int:
    """``count`` if ``count`` values of ``itemsize`` bytes fit in this machine's memory, else a ValueError naming
    ``name`` and saying ``received``: an array NumPy would refuse ("Maximum allowed dimension exceeded") or fail to
    allocate, refused before it is tried."""
    memory = _machine_memory()
    if count * itemsize > memory:
        size = f"{count:,}" if count.bit_length() < 64 else f"about 10^{int(count.bit_length() * math.log10(2))}"
        raise ValueError(f"{name} asks for an array of {size} values of {itemsize} bytes, beyond this machine's "
                         f"memory ({memory / 2**30:.3g} GiB). Received: {received}")
    return count


def _machine_memory() -> int:
    """The bytes of physical memory; without ``os.sysconf`` (Windows) the most NumPy addresses."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return int(np.iinfo(np.intp).max)


def finite_results(results: dict[str, float], what: str) -> dict[str, float]:
    """``results`` unchanged when every value is finite; else a ``ValueError`` saying the computation overflowed."""
    bad = {key: value for key, value in results.items() if not math.isfinite(value)}
    if bad:
        raise ValueError(f"{what}: {', '.join(f'{k} = {v}' for k, v in bad.items())}. The predictions or their "
                         f"errors overflow float32, linnet's precision (|value| > {FLOAT32_MAX:.3g}), on this x "
                         f"and y: rescale x and y (standardize them or change their units).")
    return results

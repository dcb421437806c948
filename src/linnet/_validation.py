"""Argument and data checks shared by every public entry point.

Each check either returns a clean value or raises a ``ValueError``/``TypeError`` whose message names the
argument, what was expected and what was received, so that bad input never surfaces as a traceback from deep
inside NumPy.
"""

from __future__ import annotations

import difflib
import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

FLOATX = np.float32


def unknown_name(kind: str, name: Any, choices: Iterable[str]) -> ValueError:
    """Return the error for an unknown ``kind`` name, with a "did you mean" hint when one is close."""
    choices = sorted(choices)
    by_lower = {choice.lower(): choice for choice in choices}
    close = difflib.get_close_matches(str(name).lower(), list(by_lower), n=1)
    hint = f" Did you mean {by_lower[close[0]]!r}?" if close else ""
    return ValueError(f"Unknown {kind} {name!r}.{hint} Known {kind} names: {', '.join(choices)}.")


def reject_unknown_kwargs(kwargs: dict, where: str, allowed: Iterable[str] = ()) -> None:
    """Refuse keyword arguments ``where`` does not know, suggesting the closest known one."""
    if not kwargs:
        return
    allowed = list(allowed)
    parts = []
    for key in kwargs:
        close = difflib.get_close_matches(key, allowed, n=1)
        parts.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    raise TypeError(f"{where} got unexpected keyword argument(s): {', '.join(parts)}.")


def positive_int(value: Any, name: str, *, allow_none: bool = False) -> int | None:
    """Return ``value`` as an int >= 1, or raise naming ``name``."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer, received {value!r} ({type(value).__name__}).")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, received {value}.")
    return int(value)


def non_negative_int(value: Any, name: str) -> int:
    """Return ``value`` as an int >= 0, or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a non-negative integer, received {value!r} ({type(value).__name__}).")
    if value < 0:
        raise ValueError(f"{name} must be a non-negative integer, received {value}.")
    return int(value)


def real_number(value: Any, name: str, *, low: float | None = None, high: float | None = None,
                low_open: bool = False, high_open: bool = False) -> float:
    """Return ``value`` as a finite float inside the given bounds, or raise naming ``name``.

    ``low``/``high`` are inclusive unless ``low_open``/``high_open`` is set.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, received {value!r} ({type(value).__name__}).")
    value = float(value)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if not np.isfinite(value) or too_low or too_high:
        raise ValueError(f"{name} must be a finite number in {_interval(low, high, low_open, high_open)}, "
                         f"received {value!r}.")
    return value


def _interval(low, high, low_open, high_open) -> str:
    left = "(" if low_open or low is None else "["
    right = ")" if high_open or high is None else "]"
    return f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"


def _to_numeric_array(data: Any, name: str) -> np.ndarray:
    """Convert lists, arrays, pandas objects to a float ndarray, refusing strings and objects."""
    if isinstance(data, (str, bytes)):
        raise TypeError(f"{name} must be numeric array-like, received a string {data[:40]!r}.")
    if hasattr(data, "to_numpy"):  # pandas DataFrame / Series without importing pandas
        data = data.to_numpy()
    try:
        array = np.asarray(data)
    except (ValueError, TypeError) as error:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular numeric array; NumPy said: {error}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers, received an array of dtype {array.dtype} "
                        f"(first value {array.flat[0]!r})." if array.size else
                        f"{name} must hold numbers, received an array of dtype {array.dtype}.")
    return array


def _require_finite(array: np.ndarray, name: str) -> None:
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(array.sum()):  # a finite sum proves every value finite, without a mask of the array
            return
    if not np.isfinite(array).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        raise ValueError(f"{name} contains NaN or infinite values (first at index {bad}: "
                         f"{array[bad]}); remove or impute them.")


def _cast(array: np.ndarray, dtype, name: str) -> np.ndarray:
    """Cast to ``dtype`` (C order), refusing values that the cast would turn into infinity."""
    _require_finite(array, name)
    with np.errstate(over="ignore", invalid="ignore"):  # the cast and the sum (inf - inf) may overflow
        cast = np.ascontiguousarray(array, dtype=dtype)
        overflowed = cast.dtype != array.dtype and not np.isfinite(cast.sum()) and not np.isfinite(cast).all()
    if overflowed:
        limit = np.finfo(cast.dtype).max
        raise ValueError(f"{name} has values beyond the {cast.dtype} range (|value| > {limit:.3g}, largest "
                         f"{np.abs(array).max():.3g}); rescale it, e.g. standardize it or change its units.")
    return cast


def features(x: Any, name: str = "x", *, n_features: int | None = None, dtype=FLOATX) -> np.ndarray:
    """Return ``x`` as a finite, non-empty 2-D array ``(n_samples, n_features)`` of ``dtype``.

    A 1-D ``x`` is one feature (Keras semantics); a scalar is one sample of one feature.
    """
    array = _to_numeric_array(x, name)
    if array.ndim == 0:
        array = array.reshape(1, 1)
    elif array.ndim == 1:
        array = array.reshape(-1, 1)
    elif array.ndim != 2:
        raise ValueError(f"{name} must be 1-D (one feature) or 2-D (samples, features), "
                         f"received an array of shape {array.shape}.")
    if array.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape {array.shape}); at least one sample is needed.")
    if array.shape[1] == 0:
        raise ValueError(f"{name} has no feature columns (shape {array.shape}).")
    if n_features is not None and array.shape[1] != n_features:
        raise ValueError(f"{name} has {array.shape[1]} feature(s) but the model expects {n_features} "
                         f"(received shape {array.shape}).")
    return _cast(array, dtype, name)


def targets(y: Any, n_samples: int, name: str = "y", *, dtype=FLOATX) -> np.ndarray:
    """Return ``y`` as a finite ``(n_samples, 1)`` array; accepts shape ``(n,)`` or ``(n, 1)``."""
    array = _to_numeric_array(y, name)
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(f"{name} must have shape (n,) or (n, 1) for a one-output model, "
                         f"received shape {array.shape}.")
    if array.shape[0] != n_samples:
        raise ValueError(f"x and {name} must have the same number of samples: x has {n_samples}, "
                         f"{name} has {array.shape[0]}.")
    return _cast(array, dtype, name).reshape(-1, 1)

"""Checks of scalar arguments: booleans, integers, real numbers in an interval, ``verbose``, file paths, lists of
instances, unknown names and keywords (with "did you mean"), and ceiling division."""

from __future__ import annotations

import difflib
import math
import numbers
import os
import re
from collections.abc import Callable, Collection, Hashable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

VERBOSITY = ("auto", 0, 1, 2)
FLOAT32_MAX, FLOAT32_TINY = float(np.finfo(np.float32).max), float(np.finfo(np.float32).tiny)
SCHEDULER_ADDRESS = re.compile(r"(?:(?:tcp|tls|ucx|ws|wss)://)?(?:\[[0-9A-Fa-f:.]+\]|[\w.-]+):(?P<port>\d{1,5})"
                               r"|inproc://[^/\s]+/\d+/\d+")
"""The addresses ``distributed`` connects to: ``scheme://host:port`` (tcp, tls, ucx, ws, wss), ``host:port`` (tcp),
an IPv6 host in brackets, or an in-process ``inproc://ip/pid/n``."""


def unknown_name(kind: str, name: Any, choices: Iterable[str]) -> ValueError:
    """Return the error for an unknown ``kind`` name, with a "did you mean" hint when one is close."""
    choices = sorted(choices)
    by_lower = {choice.lower(): choice for choice in choices}
    close = difflib.get_close_matches(str(name).lower(), list(by_lower), n=1)
    hint = f" Did you mean {by_lower[close[0]]!r}?" if close else ""
    return ValueError(f"Unknown {kind} {name!r}.{hint} Known {kind} names: {', '.join(choices)}.")


def among(value: Any, choices: Collection) -> bool:
    """Whether ``value`` is one of ``choices`` (constants: names, True/False, None, numbers). A bool matches only a
    bool and a number only a number that is no bool: ``True == 1`` in Python, but ``axis=True`` is no axis 1 and
    ``shuffle=1`` no ``shuffle=True``. A list, an array or any other unhashable value is one of none: ``value in
    choices`` would compare an array element-wise, which NumPy refuses ("the truth value of an array ... is
    ambiguous") or answers for one element. So is a value whose comparison or hash fails (``pandas.NA``, whose
    truth is ambiguous; a tuple holding a list)."""
    try:
        return isinstance(value, Hashable) and any(_is_bool(value) == _is_bool(choice) and value == choice
                                                   for choice in choices)
    except (TypeError, ValueError):
        return False


def _is_bool(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_))


def one_of(value: Any, name: str, choices: Collection, message: str | None = None) -> Any:
    """``value`` if it is :func:`among` ``choices``, else a ValueError saying ``message``, by default
    ``unknown_name``'s (then ``choices`` are names)."""
    if among(value, choices):
        return value
    raise unknown_name(name, value, choices) if message is None else ValueError(message)


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


def positive_int(value: Any, name: str, *, allow_none: bool = False,
                 expected: str = "a positive integer") -> int | None:
    """Return ``value`` as an int >= 1, or raise naming ``name`` ("``name`` must be ``expected``. Received: ...")."""
    return integer_at_least(value, name, 1, allow_none=allow_none, expected=expected)


def non_negative_int(value: Any, name: str) -> int:
    """Return ``value`` as an int >= 0, or raise naming ``name``."""
    return integer_at_least(value, name, 0, expected="a non-negative integer")


def integer_at_least(value: Any, name: str, least: int, *, allow_none: bool = False,
                     expected: str | None = None) -> int | None:
    """``value`` as an int >= ``least`` (or None, when ``allow_none``): TypeError for what is not an integer (bools
    included), else ValueError, both "``name`` must be ``expected``. Received: ..." (by default ``expected`` is
    "an integer >= ``least``", with "or None" when ``allow_none``)."""
    if value is None and allow_none:
        return None
    if expected is None:
        expected = f"an integer >= {least}" + (" or None" if allow_none else "")
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {expected}. Received: {name}={value!r} ({type(value).__name__})")
    if value < least:
        raise ValueError(f"{name} must be {expected}. Received: {name}={value}")
    return int(value)


def real_number(value: Any, name: str, *, low: float | None = None, high: float | None = None,
                low_open: bool = False, high_open: bool = False) -> float:
    """Return ``value`` as a finite float inside the given bounds, or raise naming ``name``.

    ``low``/``high`` are inclusive unless ``low_open``/``high_open`` is set.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number. Received: {name}={value!r} ({type(value).__name__})")
    try:
        value = float(value)
    except OverflowError:  # an int beyond the float range, too long for str() past 4,300 digits: its size in digits
        digits = int(abs(value).bit_length() * math.log10(2)) + 1
        raise ValueError(f"{name} must be a finite number in {_interval(low, high, low_open, high_open)}. "
                         f"Received: {name}, an integer of about {digits} digits") from None
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if not np.isfinite(value) or too_low or too_high:
        raise ValueError(f"{name} must be a finite number in {_interval(low, high, low_open, high_open)}. "
                         f"Received: {name}={value!r}")
    return value


def float32_scalar(value: float, what: str | Callable[[], str], *, tiny: bool = False) -> float:
    """``value`` if float32, in which the engine computes, holds it: ``|value| <= 3.4e38`` (larger ones become
    infinite) and, when ``tiny``, 0 or ``|value| >= 1.18e-38`` (smaller ones round towards 0). ``what`` names the
    value in the refusal; a function giving the name is called only then (for a value checked every step)."""
    size = abs(value)
    if size > FLOAT32_MAX or (tiny and 0 < size < FLOAT32_TINY):
        least = f" and, unless 0, at least {FLOAT32_TINY:.3g}" if tiny else ""
        what = what() if callable(what) else what
        raise ValueError(f"{what} must be at most {FLOAT32_MAX:.3g}{least} in magnitude (float32, in which linnet "
                         f"computes, holds no other). Received: {value!r}")
    return value


def float32_number(value: Any, name: str, *, tiny: bool = False, **bounds: Any) -> float:
    """``real_number(value, name, **bounds)`` that float32 holds (``float32_scalar``): a hyper-parameter the engine
    rounds to float32."""
    return float32_scalar(real_number(value, name, **bounds), name, tiny=tiny)


def _interval(low, high, low_open, high_open) -> str:
    left = "(" if low_open or low is None else "["
    right = ")" if high_open or high is None else "]"
    return f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"


def text_or_default(value: Any, name: str, default: str) -> str:
    """``value`` if a non-empty string, ``default`` for None or ``""``; anything else (an array, a number) is refused
    naming ``name``."""
    if value is None or (isinstance(value, str) and not value):
        return default
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string. Received: {name}={value!r} ({type(value).__name__})")
    return value


def function(value: Any, name: str, expected: str, *, allow_none: bool = False) -> Callable | None:
    """``value`` if callable (or None, when ``allow_none``), else a TypeError "``name`` must be ``expected``
    (or None). Received: ...": a print_fn or progress that is not a function, refused before it is called."""
    if (value is None and allow_none) or callable(value):
        return value
    raise TypeError(f"{name} must be {expected}{', or None' if allow_none else ''}. Received: {name}={value!r:.100} "
                    f"({type(value).__name__})")


def boolean(value: Any, name: str, *, allow_none: bool = False) -> bool | None:
    """``value`` as a bool: only ``True``/``False`` (NumPy's too), not 0, 1, ``"yes"`` or an array (whose truth
    NumPy finds ambiguous); or None, when ``allow_none``."""
    if value is None and allow_none:
        return None
    if not _is_bool(value):
        raise TypeError(f"{name} must be True{', False or None' if allow_none else ' or False'}. Received: "
                        f"{name}={value!r:.100} ({type(value).__name__})")
    return bool(value)


def verbosity(value: Any, name: str = "verbose", *, auto: int | None = None) -> int:
    """Keras 3's verbosity: 0 (silent), 1 (progress bar), 2 (one line per epoch), or ``"auto"`` where allowed.

    ``"auto"`` becomes ``auto`` (1 in ``fit``/``evaluate``, 0 in ``predict``); callbacks, which have no
    ``"auto"``, pass ``auto=None`` and refuse it. ``True``/``False`` count as 1/0, as in Keras, whose checks
    are ``verbose == 1``; anything else (3, 1.0, ``"loud"``) is refused.
    """
    if isinstance(value, str) and value == "auto" and auto is not None:
        return auto
    if _is_bool(value) or (isinstance(value, numbers.Integral) and value in (0, 1, 2)):
        return int(value)
    allowed = "'auto', 0, 1 or 2" if auto is not None else "0, 1 or 2"
    raise ValueError(f"{name} must be {allowed} (True/False mean 1/0). Received: {name}={value!r} "
                     f"({type(value).__name__})")


def file_path(value: Any, name: str = "path") -> Path:
    """``value`` (a ``str`` or ``os.PathLike``, not empty) as a ``Path``; whether it exists is not checked."""
    if not isinstance(value, (str, os.PathLike)) or isinstance(os.fspath(value), bytes):
        raise TypeError(f"{name} must be a file path (str or os.PathLike). Received: {name}={value!r} "
                        f"({type(value).__name__})")
    if not os.fspath(value):
        raise ValueError(f"{name} must be a file path, not an empty string. Received: {name}={value!r}")
    return Path(value)


def existing_file(value: Any, name: str = "path") -> Path:
    """``file_path(value)`` that names an existing file (``FileNotFoundError`` if it does not exist)."""
    path = file_path(value, name)
    if not path.exists():
        raise FileNotFoundError(f"No such file: {str(path)!r}.")
    if path.is_dir():
        raise ValueError(f"{str(path)!r} is a directory; pass the path of a data file.")
    return path


def instances(value: Any, name: str, kind: type) -> list:
    """``None`` -> ``[]``, one ``kind`` -> ``[value]``, lists and tuples of them, nested at any depth -> one flat
    list in order (Keras 3's ``CallbackList`` flattens its callbacks with ``tree.flatten``)."""
    if value is None:
        return []
    items = [value] if isinstance(value, kind) else _flattened(value)
    if items is None or not all(isinstance(item, kind) for item in items):
        raise TypeError(f"{name} must be a {kind.__name__} or a list of them. Received: {name}={value!r}")
    return items


def items(value: Any, name: str, expected: str) -> list:
    """``value``'s items as a list (a list, tuple, array of at least one dimension or other iterable), else a
    TypeError "``name`` must be ``expected``. Received: ...": what is not iterable, a 0-d array, and text, whose items
    (characters, or the numbers of bytes) are no list of anything."""
    if (isinstance(value, (str, bytes, bytearray)) or (isinstance(value, np.ndarray) and value.ndim == 0)
            or not isinstance(value, Iterable)):
        raise TypeError(f"{name} must be {expected}. Received: {name}={value!r:.100} ({type(value).__name__})")
    return list(value)


def _flattened(value: Any) -> list | None:
    """The leaves of nested lists and tuples, in order; None when ``value`` is not a list or tuple."""
    if not isinstance(value, (list, tuple)):
        return None
    return [leaf for item in value for leaf in (_flattened(item) if isinstance(item, (list, tuple)) else [item])]


def ceil_div(numerator: int, denominator: int) -> int:
    """``⌈numerator / denominator⌉`` in exact integer arithmetic, e.g. the batches of n rows: ``ceil_div(n, size)``."""
    return -(-numerator // denominator)


def is_scheduler_address(text: Any) -> bool:
    """Whether ``text`` is a Dask scheduler's address (:data:`SCHEDULER_ADDRESS`, a port from 1 to 65535): what
    ``linnet.dask``'s ``scheduler=`` and the command line's ``--scheduler`` take."""
    match = SCHEDULER_ADDRESS.fullmatch(text) if isinstance(text, str) else None
    return match is not None and (match["port"] is None or 0 < int(match["port"]) < 65536)

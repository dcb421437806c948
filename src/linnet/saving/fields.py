"""Field checks for model files: every value read from a file is checked for type and range here, before it is
used or anything is allocated from it, and refused with a ``ModelFileError`` naming the member and the field.

The caps bound what a file may declare; they are far above any linear model linnet trains on one machine
(a million features is 4 MB per weight vector) and far below what would exhaust memory.
"""

from __future__ import annotations

import math
import reprlib
from typing import Any

from ..engine.layers.base import MAX_FEATURES  # what a model may take, read or built
from .container import ModelFileError

INVALID = (KeyError, IndexError, TypeError, ValueError, AttributeError)
"""What rebuilding a model from a well-formed but unexpected description raises (wrong types, missing keys)."""

MAX_LAYERS = 64
MAX_EPOCHS = 10_000_000
MAX_ITERATIONS = 2**53
"""Optimizer steps: past 2**53 a float64 no longer counts them exactly."""
MAX_TEXT = 1_000
JSON_BUDGET = 64 * 2**20
"""Bytes accepted for ``config.json`` or ``metadata.json`` (a million-feature Normalization writes ~40 MB)."""
MAX_NESTING = 4

_short = reprlib.Repr()
_short.maxstring, _short.maxother, _short.maxlist, _short.maxdict = 80, 80, 6, 6


def refuse(member: str, field: str, expected: str, value: Any) -> ModelFileError:
    """``<member>: <field> must be <expected>. Received: <value>`` (the value shortened)."""
    return ModelFileError(f"{member}: {field} must be {expected}. Received: {shortened(value)}")


def shortened(value: Any) -> str:
    """``repr(value)``, strings and containers cut short (a file's values may be huge)."""
    return _short.repr(value)


def integer(value: Any, member: str, field: str, low: int, high: int) -> int:
    """An ``int`` (not a bool) in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise refuse(member, field, f"an integer from {low} to {high}", value)
    return value


def optional_integer(value: Any, member: str, field: str, low: int, high: int) -> int | None:
    return None if value is None else integer(value, member, field, low, high)


def number(value: Any, member: str, field: str, low: float = -math.inf, high: float = math.inf) -> float:
    """A finite ``int`` or ``float`` (not a bool) in ``[low, high]``."""
    if (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
            or not low <= value <= high):
        raise refuse(member, field, f"a finite number from {low} to {high}", value)
    return value


def text(value: Any, member: str, field: str) -> str:
    """A non-empty string of at most ``MAX_TEXT`` characters."""
    if not isinstance(value, str) or not value or len(value) > MAX_TEXT:
        raise refuse(member, field, f"a non-empty string of at most {MAX_TEXT} characters", value)
    return value


def boolean(value: Any, member: str, field: str) -> bool:
    if not isinstance(value, bool):
        raise refuse(member, field, "true or false", value)
    return value


def mapping(value: Any, member: str, field: str, optional: bool = False) -> dict | None:
    if value is None and optional:
        return None
    if not isinstance(value, dict):
        raise refuse(member, field, "an object" + (" or null" if optional else ""), value)
    return value


def sequence(value: Any, member: str, field: str, most: int) -> list:
    if not isinstance(value, list) or len(value) > most:
        raise refuse(member, field, f"a list of at most {most} entries", value)
    return value


def names(value: Any, member: str, field: str, count: int) -> list[str]:
    """``count`` distinct non-empty strings (feature names)."""
    value = sequence(value, member, field, MAX_FEATURES)
    for i, name in enumerate(value):
        text(name, member, f"{field}[{i}]")
    if len(value) != count or len(set(value)) != count:
        raise refuse(member, field, f"{count} distinct names, one per input feature of the model", value)
    return value


def json_value(value: Any, member: str, field: str, depth: int = 0) -> None:
    """A logged value: null, a bool, a finite number, a short string, or a list of those (nested at most
    ``MAX_NESTING`` deep, at most ``MAX_FEATURES`` entries)."""
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, (int, float)):
        number(value, member, field)
    elif isinstance(value, str):
        text(value, member, field)
    elif isinstance(value, list) and depth < MAX_NESTING:
        sequence(value, member, field, MAX_FEATURES)
        for i, entry in enumerate(value):
            json_value(entry, member, f"{field}[{i}]", depth + 1)
    else:
        raise refuse(member, field, f"null, true/false, a finite number, a string or a list of those (nested at "
                                    f"most {MAX_NESTING} deep)", value)

"""Strict JSON for other tools: a number that is not finite is written as ``null``.

Python's ``json.dumps`` writes ``NaN``, ``Infinity`` and ``-Infinity``, which no JSON standard has: JavaScript's
``JSON.parse``, jq and ``json.loads(text, parse_constant=...)`` refuse them. ``metrics.json`` holds such numbers
where they are true (an undefined R² of a constant target, a loss ratio to a least-squares loss of 0), so
they are written as ``null``, the value JSON has for "no number". Model files keep their own format
(``saving.model_file.json_bytes``), which refuses them.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np


def finite_or_none(value: Any) -> Any:
    """``value`` with every float that is not finite, however deeply nested in dicts, lists and tuples, as None."""
    if isinstance(value, dict):
        return {key: finite_or_none(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_or_none(item) for item in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    return value


def strict_dumps(value: Any, **kwargs) -> str:
    """``json.dumps(value, **kwargs)`` with non-finite numbers as ``null`` (see the module)."""
    return json.dumps(finite_or_none(value), allow_nan=False, **kwargs)

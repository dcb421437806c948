"""Whether the rows ``fit(validation_split=...)`` holds out are a fair sample of the data."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import features, targets
from ..engine.trainer import split_validation

SORTED_TAIL_MIN_ROWS = 30
ORDER_CORRELATION = 0.5
OUT_OF_RANGE_SHARE = 0.5
_RANKED_ROWS = 10_000


def sorted_tail_warning(x: Any, y: Any, validation_split: float) -> str | None:
    """A warning when the validation rows ``fit(validation_split=...)`` holds out are not a fair sample, else None.

    Keras takes the last ``validation_split`` of the rows, before any shuffling. That tail is suspect when,
    for ``y`` or any feature,

    - more than ``OUT_OF_RANGE_SHARE`` (half) of the validation rows lie outside the training rows' range
      (a random split puts about ``2/n_train`` of them there), or
    - the column is ordered by row number: ``|Spearman ρ| > ORDER_CORRELATION`` (0.5) between its values
      and the row index, on at most 10,000 evenly spaced rows (for shuffled rows ``ρ`` is about
      ``±1/√n``).

    Data with fewer than ``SORTED_TAIL_MIN_ROWS`` (30) rows are not judged: chance orderings are common there.
    """
    names = [str(column) for column in x.columns] if hasattr(x, "columns") else None
    x = features(x, "x", dtype=None)
    y = targets(y, x.shape[0], "y", dtype=None)
    (x_train, y_train), (x_val, y_val) = split_validation(x, y, validation_split)
    n = x.shape[0]
    if n < SORTED_TAIL_MIN_ROWS:
        return None
    names = ["y"] + (names or [f"x[:, {j}]" for j in range(x.shape[1])])
    low, high, outside = (np.concatenate(parts) for parts in zip(_range_check(y_train, y_val),
                                                                   _range_check(x_train, x_val)))
    problems = [f"{outside[j]:.0%} of the validation rows have {name} outside the training range "
                f"[{low[j]:.4g}, {high[j]:.4g}]" for j, name in enumerate(names) if outside[j] > OUT_OF_RANGE_SHARE]
    step = max(1, n // _RANKED_ROWS)
    sample = np.hstack([y[::step], x[::step]])
    for j, name in enumerate(names):
        rho = _order_correlation(sample[:, j])
        if abs(rho) > ORDER_CORRELATION:
            problems.append(f"{name} is ordered by row number (Spearman ρ = {rho:.2f})")
    if not problems:
        return None
    more = f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
    return (f"validation_split={validation_split:g} holds out the last {x_val.shape[0]} of {n} rows, and they do "
            f"not look like a random sample: {'; '.join(problems[:3])}{more}. Keras takes this split before "
            f"shuffling (fit's shuffle only reorders the training rows), so shuffle the rows before fit (e.g. "
            f"order = np.random.permutation(len(x)); x, y = x[order], y[order]) or pass "
            f"validation_data=(x_val, y_val).")


def _range_check(train: np.ndarray, validation: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per column: the training minimum and maximum, and the share of validation rows outside them."""
    low, high = train.min(axis=0), train.max(axis=0)
    return low, high, ((validation < low) | (validation > high)).mean(axis=0)


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n, ties sharing their average rank (as Spearman's ρ needs)."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    return (ends - (counts - 1) / 2.0)[inverse.ravel()]


def _order_correlation(column: np.ndarray) -> float:
    """Spearman's ρ between ``column`` and the row number."""
    ranks = _average_ranks(column)
    if ranks.min() == ranks.max():
        return 0.0
    return float(np.corrcoef(ranks, np.arange(ranks.size))[0, 1])

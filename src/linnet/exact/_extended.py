"""The small, decisive steps of the state done in extended precision (``numpy.longdouble``: a 64-bit mantissa
on x86, 11 bits more than float64; elsewhere it may equal float64 and nothing is lost, only not gained).

Merging two states and un-centering a state for a no-intercept fit both re-triangularize a short stack of
rows (two factors and a mean-shift row): ``2 (p + 1) + 1`` rows, so extended precision costs little, and it
keeps the rounding of the merge from piling up over many chunks or from cancelling in the residual norm.
"""

from __future__ import annotations

import numpy as np

LONG = np.longdouble


def two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(s, e)`` with ``s = fl(a + b)`` and ``s + e = a + b`` exactly (Knuth's TwoSum)."""
    total = a + b
    part = total - a
    return total, (a - (total - part)) + (b - part)


def triangular(rows: np.ndarray) -> np.ndarray:
    """The square upper-triangular ``R`` (non-negative diagonal, ``longdouble``) with ``R'R = rows' rows``.

    Householder QR in ``longdouble``: for column ``j`` the reflection ``H = I - 2 v v' / (v'v)`` with
    ``v = a_j - alpha e_j``, ``alpha = -sign(a_jj) |a_j|``, maps the column below the diagonal to 0. Its
    exponent range (to 1e4932) also means no square overflows or underflows.
    """
    work = np.asarray(rows, dtype=LONG).copy()
    height, width = work.shape
    for j in range(min(height, width)):
        column = work[j:, j]
        norm = np.sqrt(column @ column)
        if norm == 0:
            continue
        alpha = -norm if column[0] > 0 else norm
        vector = column.copy()
        vector[0] -= alpha
        work[j:, j:] -= np.outer(vector, (vector @ work[j:, j:]) * (2 / (vector @ vector)))
        work[j + 1:, j] = 0
    factor = np.zeros((width, width), dtype=LONG)
    factor[:min(height, width)] = work[:width]
    return factor * np.where(np.diag(factor) < 0, -1, 1)[:, None]

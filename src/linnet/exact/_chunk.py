"""One chunk of rows reduced to a least-squares state: count, weight, means and a triangular factor.

For ``z = [x, y]`` (float64) with weights ``w`` the state of a chunk is its weighted column means and an
upper-triangular ``R`` with::

    R'R = sum_i w_i (z_i - mean)(z_i - mean)'

Two ways to get ``R``, both in float64:

- ``cross_product_chunk`` (fast): the Gram matrix of the shifted rows, one BLAS call, then the Cholesky
  factor of its column-scaled, centered form. Squaring ``z`` squares the condition number, so it is used only
  when every pivot of the scaled factor is at least ``FAST_PIVOT`` (each column keeps that fraction of its norm
  after projection on the previous ones); its relative rounding is then at most ``eps / FAST_PIVOT**2``.
- ``qr_chunk`` (always accurate): the Householder QR of the centered rows, each column first scaled by a power
  of two (exact) so that values near 1e300 or 1e-300 neither overflow nor underflow.
"""

from __future__ import annotations

import os
import threading
from typing import NamedTuple

import numpy as np

from ._extended import LONG, triangular, two_sum

EPS = float(np.finfo(np.float64).eps)
FAST_PIVOT = 1e-2
"""The cross-product path is kept only when every pivot of the column-scaled factor is at least this ..."""
FAST_PIVOT_X = 0.1
"""... and every pivot of x's columns at least this (NIST Longley, x pivots down to 0.03: 2 digits lost)."""
SHIFT_LIMIT = 10.0
"""... and the shift is within this many standard deviations of every column's mean (no cancellation)."""
CENTERING_SAMPLE = 1_024
"""Rows that :func:`sample_moments` looks at to choose where a first chunk's cross-products are centered."""
TINY_VARIANCE = 1e-270
"""... and every column's variance is above this (so no square underflowed)."""
RESIDUAL_GAIN = 16.0
"""A QR chunk recomputes its residual norm from its rows only when ``|y|`` (centered) exceeds it this many times."""


GRAM_ROWS = 2_048
"""Rows converted to float64 at a time for the Gram product (about 0.4 MB for 20 features: stays in L2)."""
BLOCK_ROWS = 65_536
"""Rows per block of the threaded Gram product: enough work to amortize handing a block to a thread."""


def _threads() -> int:
    """The cores this process may use, at most 8, and at most ``OMP_NUM_THREADS`` when that is set, as BLAS
    reads it: Dask's worker processes set it to 1 (their own threads are the parallelism), where a second
    thread of ours measured slower (warm ``linnet.dask.ols`` on 10M rows, 2 one-thread workers: 0.585 s against
    0.617 s)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    limit = os.environ.get("OMP_NUM_THREADS", "")
    return max(1, min(8, cores, int(limit) if limit.isdigit() and int(limit) > 0 else cores))


THREADS = _threads()
"""Threads that compute blocks at once (see ``_threads``)."""


class Chunk(NamedTuple):
    """A chunk's row count, total weight, weighted means (``mean + mean_low``, a double-double), factor and
    the factor's relative rounding."""

    n: int
    weight: float
    mean: np.ndarray
    mean_low: np.ndarray
    factor: np.ndarray
    rounding: float


def stacked(x: np.ndarray, y: np.ndarray, dtype=np.float64) -> np.ndarray:
    """``[x, y]`` as one new C-ordered array (the one copy that converts a float32 chunk)."""
    z = np.empty((x.shape[0], x.shape[1] + 1), dtype=dtype)
    z[:, :-1] = x
    z[:, -1] = y
    return z


def centering(mean: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """Where to center a chunk's cross-products, from estimates of its columns' means and variances: 0 (the
    fastest: the copy that converts subtracts nothing), unless a mean is more than ``SHIFT_LIMIT / 2`` standard
    deviations from 0, then the means.

    Around 0 such a column would cancel, :func:`cross_product_chunk` would refuse it, and the chunk would need a
    second product: data with a column such as a year (2000 +- 10) or a temperature in kelvin took two Gram
    products a chunk (30 chunks of 65,536 x 20: 0.20 s, against 0.11 s centered at once). A NaN or an overflow
    in the estimates means 0 (the product then finds the trouble).
    """
    with np.errstate(all="ignore"):
        far = mean ** 2 > (SHIFT_LIMIT / 2) ** 2 * variance
    return mean.copy() if far.any() else np.zeros_like(mean)


def sample_moments(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The means and variances of ``[x, y]`` over its first ``CENTERING_SAMPLE`` rows."""
    with np.errstate(all="ignore"):
        sample = stacked(x[:CENTERING_SAMPLE], y[:CENTERING_SAMPLE])
        return sample.mean(axis=0), sample.var(axis=0)


def cross_product_chunk(x: np.ndarray, y: np.ndarray, weights: np.ndarray | None,
                        shift: np.ndarray) -> Chunk | None:
    """The state of ``(x, y)`` from the Gram matrix of the rows minus ``shift``, or None when not accurate.

    A column of ones rides along, so one product (``GRAM_ROWS`` rows converted at a time) gives the
    weighted sums too::

        G = [z - shift, 1]' W [z - shift, 1],   d = G[:-1, -1] / G[-1, -1],   S = G[:-1, :-1] - W d d'

    and ``mean = shift + d``. The result is refused (None) on overflow or underflow, when the shift is far
    from the mean (``S`` would cancel), or when a pivot of the scaled factor is below ``FAST_PIVOT``.
    """
    gram = _shifted_gram(x, y, weights, shift)
    with np.errstate(over="ignore", invalid="ignore", under="ignore", divide="ignore"):
        total = gram[-1, -1]
        offset = gram[:-1, -1] / total
        scatter = gram[:-1, :-1] - np.outer(gram[:-1, -1], offset)
        variance = np.diag(scatter) / total
        if not (np.isfinite(gram).all() and (variance > TINY_VARIANCE).all()
                and (offset ** 2 <= SHIFT_LIMIT ** 2 * variance).all()):
            return None
    scale = np.sqrt(np.diag(scatter))
    try:
        factor = np.linalg.cholesky(scatter / np.outer(scale, scale)).T
    except np.linalg.LinAlgError:
        return None
    pivots = np.diag(factor)
    pivot = float(pivots.min())
    if not (pivots[:-1].min(initial=1.0) >= FAST_PIVOT_X and pivot >= FAST_PIVOT):
        return None
    return Chunk(x.shape[0], float(total), *two_sum(shift, offset), factor * scale, EPS / pivot ** 2)


def _shifted_gram(x, y, weights, shift) -> np.ndarray:
    """``[z - shift, 1]' W [z - shift, 1]``: the sum, in block order, of the Gram matrices of fixed blocks of
    ``BLOCK_ROWS`` rows, computed by up to ``THREADS`` threads at once.

    The blocks do not depend on the thread count, so neither does the result. NumPy's copies and BLAS release
    the GIL, and one BLAS product on ~20 columns runs on one core, so the threads add up.
    """
    starts = range(0, x.shape[0], BLOCK_ROWS)
    local = threading.local()

    def block_gram(start: int) -> np.ndarray:
        if getattr(local, "buffer", None) is None:
            local.buffer = np.ones((min(GRAM_ROWS, x.shape[0]), x.shape[1] + 3))
        rows = slice(start, start + BLOCK_ROWS)
        return _chunked_gram(x[rows], y[rows], None if weights is None else weights[rows], shift, local.buffer)

    workers = min(THREADS, len(starts))
    if workers < 2:
        return sum(map(block_gram, starts))
    from concurrent.futures import ThreadPoolExecutor  # on first use: it imports logging (~20 ms)
    with ThreadPoolExecutor(workers) as pool:
        return sum(pool.map(block_gram, starts))


def _chunked_gram(x, y, weights, shift, buffer: np.ndarray) -> np.ndarray:
    """``[z - shift, 1]' W [z - shift, 1]``, converting ``len(buffer)`` rows at a time into ``buffer``.

    The buffer's columns are ``[1, x, y, 1]``: its last ``p + 2`` columns ``B = [x, y, 1]`` and its first ``p + 2``
    columns ``A = [1, x, y]`` (``B`` with its columns rotated by one) are two views with different starts, so
    ``A'B`` is a BLAS ``gemm``, which on ~20 columns is faster than the ``syrk`` NumPy picks for ``B'B``
    (measured, CPU time for 1M x 20: 33 ms against 41 ms; twice the flops, a much better kernel). ``B'B`` is
    ``A'B`` with its rows rotated back.
    A zero ``shift`` is not subtracted: the plain float32 -> float64 copy is several times faster than a
    subtraction that converts.
    """
    p, size = x.shape[1], buffer.shape[0]
    gram = np.zeros((p + 2, p + 2))
    shifted = np.concatenate([[0.0], shift, [0.0]]) if shift.any() else None
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for start in range(0, x.shape[0], size):
            rows = buffer[:min(size, x.shape[0] - start)]
            rows[:, 1:p + 1] = x[start:start + size]
            rows[:, p + 1] = y[start:start + size]
            if shifted is not None:
                rows -= shifted
            if weights is not None:  # a new array: the buffer's column of ones stays
                rows = rows * np.sqrt(weights[start:start + size])[:, None]
            gram += rows[:, :-1].T @ rows[:, 1:]
    return np.roll(gram, -1, axis=0)


def qr_chunk(x: np.ndarray, y: np.ndarray, weights: np.ndarray | None) -> Chunk:
    """The state of ``(x, y)`` from the Householder QR of its centered, power-of-two-scaled rows.

    The mean is taken twice (the second pass corrects the first's rounding), so a column such as
    ``1e15 + [0, 1, ..., 99]`` keeps its exact deviations.
    """
    z = stacked(x, y)
    exponent = np.frexp(np.abs(z).max(axis=0))[1]
    z = np.ldexp(z, -exponent)  # exact: every column now has its largest |value| in [0.5, 1)
    total = float(z.shape[0]) if weights is None else float(weights.sum())
    mean = _weighted_mean(z, weights, total)
    z -= mean
    correction = _weighted_mean(z, weights, total)
    z -= correction
    if weights is not None:
        z *= np.sqrt(weights)[:, None]
    factor = _triangular(z)
    factor[-1, -1] = _residual_norm(z, factor)
    with np.errstate(over="ignore"):
        factor = np.ldexp(factor, exponent)
        mean, low = (np.ldexp(part, exponent) for part in two_sum(mean, correction))
    return Chunk(x.shape[0], total, mean, low, factor, EPS)


def _residual_norm(z: np.ndarray, factor: np.ndarray) -> float:
    """The chunk's residual norm: ``|z_y - Z_x b|`` in extended precision (``b = Rxx^-1 rxy``) when that is the
    more accurate, else the factor's last entry.

    The factor's entry has an absolute error of about ``eps |z_y|``. Recomputed from the rows, an error ``d``
    of ``b`` moves the norm only by ``|Z_x d|**2 / (2 |r|)`` (it is stationary at the solution), about
    ``(k eps |z_y|)**2 / |r|`` with ``k`` the condition number of the column-scaled ``Rxx``: the better
    choice when ``k**2 eps |z_y| < |r|`` (NIST Wampler3: 13.8 -> 15 digits; Filip, ``k ~ 4e9``, keeps it).
    Where ``|z_y| <= RESIDUAL_GAIN |r|`` the entry is already within a few ulps and the pass is skipped.
    """
    design, column, norm = factor[:-1, :-1], factor[:-1, -1], abs(float(factor[-1, -1]))
    total = float(np.hypot(np.linalg.norm(column), norm))
    if total <= RESIDUAL_GAIN * norm or not np.all(np.diag(design) > 0):
        return norm
    condition = np.linalg.cond(design / np.linalg.norm(design, axis=0))
    if not condition ** 2 * EPS * total < norm:
        return norm
    residual = z[:, -1].astype(LONG) - z[:, :-1].astype(LONG) @ np.linalg.solve(design, column)
    return float(np.sqrt(residual @ residual))


def _weighted_mean(z: np.ndarray, weights: np.ndarray | None, total: float) -> np.ndarray:
    if weights is None:
        return z.mean(axis=0)
    return (weights @ z) / total if total > 0 else np.zeros(z.shape[1])


def _triangular(rows: np.ndarray) -> np.ndarray:
    """The square upper-triangular ``R`` (non-negative diagonal) with ``R'R = rows' rows``."""
    width = rows.shape[1]
    if rows.shape[0] == 0:
        return np.zeros((width, width))
    factor = np.linalg.qr(rows, mode="r")
    if factor.shape[0] < width:  # fewer rows than columns: the missing rows of R are zero
        factor = np.vstack([factor, np.zeros((width - factor.shape[0], width))])
    signs = np.where(np.diag(factor) < 0, -1.0, 1.0)
    return factor * signs[:, None]


def merged_factor(factor_a: np.ndarray, factor_b: np.ndarray, shift_row: np.ndarray) -> np.ndarray:
    """The factor of two row sets from theirs and the mean-shift row ``sqrt(W_a W_b / W) (mean_b - mean_a)``.

    Stacking and re-triangularizing (in extended precision) gives ``R'R = R_a'R_a + R_b'R_b + s s'`` (Chan's
    update, in factored form).
    """
    return triangular(np.vstack([factor_a, factor_b, shift_row[None, :]]))

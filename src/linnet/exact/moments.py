"""Mergeable sufficient statistics for least squares, and the exact solve built on them.

A least-squares fit of ``y`` on ``x`` needs only the row count ``n``, the column means and the centered
cross-products of ``z = [x, y]``. These can be accumulated chunk by chunk and merged (Chan, Golub & LeVeque,
1979), so a file read in pieces gives the same answer as all rows at once, without keeping the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .. import _validation as _checks

ROWS_PER_CHUNK = 65_536
"""Rows converted to float64 at a time: bounds the extra memory to a few MB whatever the data size."""

RANK_RTOL = 1e-11
"""An eigenvalue of the correlation-scaled cross-product below ``RANK_RTOL * largest`` counts as zero."""

CONSTANT_RTOL = 1e-12
"""A column whose standard deviation is below ``CONSTANT_RTOL * |mean|`` (or exactly 0) is constant."""

NULL_WEIGHT = 1e-6
"""A column whose weight in a (unit-norm, correlation-scaled) null vector exceeds this is named collinear."""


class Moments:
    """Row count, means and centered cross-products of ``z = [x, y]``, mergeable across chunks.

    ``scatter = (z - mean)' (z - mean)``, so ``sxx = scatter[:p, :p]``, ``sxy = scatter[:p, p]`` and
    ``syy = scatter[p, p]``. Two sets of moments ``a`` and ``b`` merge exactly (Chan et al., 1979)::

        delta   = mean_b - mean_a
        mean    = mean_a + delta * n_b / n
        scatter = scatter_a + scatter_b + outer(delta, delta) * n_a * n_b / n

    Every chunk is centered on its own mean before its cross-products are taken, so no sum of raw squares
    (and no catastrophic cancellation) ever appears. All arithmetic is float64.

    Parameters
    ----------
    n_features : int, optional
        Number of columns of ``x``; taken from the first chunk when omitted.

    Examples
    --------
    >>> m = Moments().update([[1.0], [2.0]], [1.0, 2.0]).update([[3.0]], [3.0])
    >>> m.n, m.mean_x, m.sxy
    (3, array([2.]), array([2.]))
    """

    def __init__(self, n_features: int | None = None) -> None:
        self.n = 0
        self.n_features = None
        if n_features is not None:
            self._allocate(_checks.positive_int(n_features, "n_features"))

    def _allocate(self, n_features: int) -> None:
        self.n_features = n_features
        self.mean = np.zeros(n_features + 1)
        self.scatter = np.zeros((n_features + 1, n_features + 1))

    mean_x = property(lambda self: self.mean[:-1], doc="Column means of x, shape (p,).")
    mean_y = property(lambda self: float(self.mean[-1]), doc="Mean of y.")
    sxx = property(lambda self: self.scatter[:-1, :-1], doc="Centered x'x, shape (p, p).")
    sxy = property(lambda self: self.scatter[:-1, -1], doc="Centered x'y, shape (p,).")
    syy = property(lambda self: float(self.scatter[-1, -1]), doc="Centered y'y (total sum of squares).")

    def update(self, x_chunk, y_chunk) -> Moments:
        """Add the rows of ``x_chunk`` (n, p) and ``y_chunk`` (n,) in place; returns ``self``."""
        x = _checks.features(x_chunk, "x", n_features=self.n_features, dtype=None)  # keep dtype: no copy
        y = _checks.targets(y_chunk, x.shape[0], "y", dtype=None)[:, 0]  # to float64 chunk by chunk
        if self.n_features is None:
            self._allocate(x.shape[1])
        for start in range(0, x.shape[0], ROWS_PER_CHUNK):
            stop = start + ROWS_PER_CHUNK
            self._merge(*_chunk_moments(x[start:stop], y[start:stop]))
        return self

    def merge(self, other: Moments) -> Moments:
        """Add the rows summarized by ``other`` in place; returns ``self``."""
        if not isinstance(other, Moments):
            raise TypeError(f"merge expects a Moments, received {type(other).__name__}.")
        if other.n == 0:
            return self
        if self.n_features is None:
            self._allocate(other.n_features)
        if other.n_features != self.n_features:
            raise ValueError(f"Cannot merge moments of {other.n_features} feature(s) into moments of "
                             f"{self.n_features} feature(s).")
        self._merge(other.n, other.mean, other.scatter)
        return self

    def _merge(self, n_b: int, mean_b: np.ndarray, scatter_b: np.ndarray) -> None:
        n = self.n + n_b
        delta = mean_b - self.mean
        self.mean = self.mean + delta * (n_b / n)
        self.scatter = self.scatter + scatter_b + np.outer(delta, delta) * (self.n * n_b / n)
        self.n = n

    def copy(self) -> Moments:
        """An independent copy (later updates of either leave the other unchanged)."""
        twin = Moments()
        twin.n, twin.n_features = self.n, self.n_features
        if self.n_features is not None:
            twin.mean, twin.scatter = self.mean.copy(), self.scatter.copy()
        return twin

    def gram(self, fit_intercept: bool) -> np.ndarray:
        """The uncentered ``X'X`` of the design (with a leading column of ones when ``fit_intercept``)."""
        n, mean_x = self.n, self.mean_x
        gram = self.sxx + n * np.outer(mean_x, mean_x)
        if not fit_intercept:
            return gram
        column = n * mean_x
        return np.block([[np.array([[float(n)]]), column[None, :]], [column[:, None], gram]])

    def __repr__(self) -> str:
        return f"Moments(n={self.n}, n_features={self.n_features})"


def _chunk_moments(x: np.ndarray, y: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """Count, mean and centered cross-products of ``[x, y]`` for one chunk, computed in float64."""
    z = np.empty((x.shape[0], x.shape[1] + 1))
    z[:, :-1] = x
    z[:, -1] = y
    mean = z.mean(axis=0)
    z -= mean
    return x.shape[0], mean, z.T @ z


@dataclass(frozen=True)
class LeastSquares:
    """The minimum-norm least-squares solution and what its statistics need.

    ``params`` has the intercept first when fitted; ``cov_unscaled`` is the Moore-Penrose ``(X'X)^+`` of the
    design; ``constant`` and ``collinear`` are indices of the columns of ``x`` that made it rank-deficient.
    """

    params: np.ndarray
    cov_unscaled: np.ndarray
    rank: int
    ssr: float
    tss: float
    constant: list[int]
    collinear: list[int]


def solve(moments: Moments, fit_intercept: bool) -> LeastSquares:
    """Solve the normal equations held in ``moments`` without forming an inverse.

    The centered system ``sxx @ slopes = sxy`` is always solved; with an intercept it is the answer, with
    ``intercept = mean_y - mean_x @ slopes``. Without one, the uncentered ``X'X @ coef = X'y`` is solved. Each
    cross-product is scaled to a correlation matrix and pseudo-inverted through its eigen-decomposition;
    eigenvalues below ``RANK_RTOL`` of the largest are dropped. When the design is rank-deficient, the
    solution and ``(X'X)^+`` are projected onto the orthogonal complement of the design's null space, which
    gives the minimum-norm solution over all parameters (intercept included), as ``pinv`` of the design would.

    The residual sum of squares is a sum of non-negative terms, so it does not cancel even when ``y`` is far
    from zero and there is no intercept (``b0 = 0`` then, ``b`` the coefficients)::

        ssr = (syy - slopes @ sxy) + (b - slopes)' sxx (b - slopes) + n (mean_y - b0 - mean_x @ b)^2
    """
    n, mean_x, mean_y = moments.n, moments.mean_x, moments.mean_y
    varying = _invert(moments.sxx, np.flatnonzero(np.diag(moments.sxx) <= n * (CONSTANT_RTOL * mean_x) ** 2))
    slopes = varying.ginv @ moments.sxy
    if fit_intercept:  # undo the centering: X'X = L diag(n, sxx) L' with L = [[1, 0], [mean_x, I]]
        system, shift = varying, varying.ginv @ mean_x
        params = np.concatenate([[mean_y - mean_x @ slopes], slopes])
        ginv = np.block([[np.array([[1 / n + mean_x @ shift]]), -shift[None, :]], [-shift[:, None], varying.ginv]])
        null = np.vstack([-mean_x @ varying.null, varying.null])
    else:
        gram = moments.gram(fit_intercept=False)
        system = _invert(gram, np.flatnonzero(np.diag(gram) == 0))  # all-zero columns
        params, ginv, null = system.ginv @ (moments.sxy + n * mean_x * mean_y), system.ginv, system.null
    if null.shape[1]:
        basis = np.linalg.qr(null)[0]
        projector = np.eye(len(params)) - basis @ basis.T
        params, ginv = projector @ params, projector @ ginv @ projector
    intercept, coef = (params[0], params[1:]) if fit_intercept else (0.0, params)
    gap = coef - slopes
    ssr = max(moments.syy - slopes @ moments.sxy, 0.0) + gap @ moments.sxx @ gap \
        + n * (mean_y - intercept - mean_x @ coef) ** 2
    return LeastSquares(params=params, cov_unscaled=ginv, rank=len(params) - null.shape[1], ssr=float(ssr),
                        tss=moments.syy + (0.0 if fit_intercept else n * mean_y ** 2),
                        constant=system.constant.tolist(), collinear=system.collinear)


class _Inverse(NamedTuple):
    ginv: np.ndarray
    null: np.ndarray
    constant: np.ndarray
    collinear: list[int]


def _invert(cross: np.ndarray, constant: np.ndarray) -> _Inverse:
    """A symmetric generalized inverse of a PSD ``cross``, a basis of its null space, the collinear columns.

    The ``constant`` columns are treated as exactly zero (null by construction). The others are scaled,
    ``cross = D C D`` with ``D`` the root of the diagonal: ``C`` (a correlation matrix) is well scaled, so its
    eigenvalues say reliably which directions are numerically null.
    """
    is_constant = np.zeros(cross.shape[0], dtype=bool)
    is_constant[constant] = True
    active = np.flatnonzero(~is_constant)  # np.setdiff1d would import its helpers on first use (~10 ms)
    scale = np.sqrt(np.diag(cross)[active])
    outer = np.outer(scale, scale)
    eigenvalues, vectors = np.linalg.eigh(cross[np.ix_(active, active)] / outer)
    largest = eigenvalues[-1] if eigenvalues.size else 0.0
    keep = eigenvalues > RANK_RTOL * largest if largest > 0 else np.zeros(active.size, dtype=bool)
    ginv = np.zeros_like(cross)
    ginv[np.ix_(active, active)] = (vectors[:, keep] / eigenvalues[keep]) @ vectors[:, keep].T / outer
    null = np.zeros((cross.shape[0], constant.size + int((~keep).sum())))
    null[constant, np.arange(constant.size)] = 1.0
    null[active, constant.size:] = vectors[:, ~keep] / scale[:, None]
    involved = np.linalg.norm(vectors[:, ~keep], axis=1) > NULL_WEIGHT
    return _Inverse(ginv, null, constant, active[involved].tolist())

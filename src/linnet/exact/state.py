"""The state of a least-squares problem: updated chunk by chunk, merged purely, enough to solve it exactly.

A weighted least-squares fit of ``y`` on ``x`` needs only the row count, the total weight ``W``, the weighted
column means of ``z = [x, y]`` and an upper-triangular factor ``R`` of the centered, weighted rows::

    R'R = sum_i w_i (z_i - mean)(z_i - mean)'

``R`` is what a QR factorization of those rows leaves, so solving from it has QR accuracy (the normal
equations would square the condition number), and the residual norm is its last diagonal entry: never a
difference of large numbers. Two states merge exactly (tall-skinny QR and Chan et al., 1979, in one)::

    W       = W_a + W_b,    delta = mean_b - mean_a,    mean = mean_a + delta W_b / W
    R       = triangular factor of [R_a; R_b; sqrt(W_a W_b / W) delta]
"""

from __future__ import annotations

import numpy as np

from .. import _validation as _checks
from ._chunk import EPS, centering, cross_product_chunk, merged_factor, qr_chunk, sample_moments
from ._extended import LONG, two_sum

ROWS_PER_CHUNK = 8_192
"""Rows of a QR chunk (cross-products are tried only on more rows than this): bounds the extra memory
(about 1.4 MB for 20 features)."""


class LeastSquaresState:
    """Row count, weight, means and triangular factor of ``z = [x, y]``: a mergeable least-squares problem.

    ``update(x, y)`` adds rows in place (chunk by chunk, at most 8,192 rows converted to float64 at a time);
    ``a.merge(b)`` and ``a + b`` return a new state and change neither. Any chunking and any merge tree give
    the same state up to rounding. ``Moments`` is the same class under its 0.1 name.

    Parameters
    ----------
    n_features : int, optional
        Number of columns of ``x``; taken from the first chunk when omitted.

    Attributes
    ----------
    n : int
        Rows seen (rows of weight 0 included, as statsmodels counts them).
    weight : float
        Sum of the weights (``n`` when unweighted).
    mean, mean_low : ndarray, shape (p + 1,)
        Weighted means of ``[x, y]``, ``mean + mean_low`` as a double-double (``mean_low`` is the rounding
        of ``mean``, kept so that a mean updated row by row stays correctly rounded).
    factor : ndarray, shape (p + 1, p + 1)
        Upper-triangular ``R``, ``R'R`` the weighted centered cross-products of ``[x, y]`` (float64; the state
        keeps it in ``numpy.longdouble`` so that merges do not round it).
    rounding : float
        Relative rounding of ``factor``: ``eps`` from QR, ``eps / pivot**2`` where cross-products were used.
    log_weight : float
        ``sum(log w)`` (0 when unweighted), for the weighted log-likelihood.

    Examples
    --------
    >>> a = LeastSquaresState().update([[1.0], [2.0]], [1.0, 2.0])
    >>> b = LeastSquaresState().update([[3.0]], [3.0])
    >>> both = a + b
    >>> both.n, both.mean_x, both.sxy, a.n
    (3, array([2.]), array([2.]), 2)
    """

    def __init__(self, n_features: int | None = None) -> None:
        self.n = 0
        self.weight = 0.0
        self.rounding = EPS
        self.log_weight = 0.0
        self.n_features = None
        if n_features is not None:
            n_features = _checks.positive_int(n_features, "n_features")
            _checks.allocatable((n_features + 1) ** 2, "n_features", f"n_features={n_features}",
                                itemsize=np.dtype(LONG).itemsize)  # the extended-precision factor
            self._allocate(n_features)

    def _allocate(self, n_features: int) -> None:
        self.n_features = n_features
        self.mean = np.zeros(n_features + 1)
        self.mean_low = np.zeros(n_features + 1)
        self._factor = np.zeros((n_features + 1, n_features + 1), dtype=LONG)

    mean_x = property(lambda self: self.mean[:-1], doc="Weighted column means of x, shape (p,).")
    mean_y = property(lambda self: float(self.mean[-1]), doc="Weighted mean of y.")
    factor = property(lambda self: self._factor.astype(np.float64), doc="The triangular ``R`` (float64).")
    scatter = property(lambda self: self.factor.T @ self.factor,
                       doc="Weighted centered cross-products ``R'R`` of ``[x, y]`` (squares the scale).")
    sxx = property(lambda self: self.scatter[:-1, :-1], doc="Centered x'Wx, shape (p, p).")

    @property
    def weighted(self) -> bool:
        """Whether some sample weight is not 1: weights sum to ``n`` with ``sum(log w) = 0`` only when all are 1
        (``log`` is concave: ``sum(log w) <= n log(mean w)``, equal only for equal weights)."""
        return self.weight != self.n or self.log_weight != 0

    @property
    def variance_x(self) -> np.ndarray:
        """Weighted population variances of x's columns, ``|R[:, j]|**2 / W`` (inf where that leaves float64)."""
        with np.errstate(over="ignore"):
            return np.sum(self.factor[:, :-1] ** 2, axis=0) / self.weight

    sxy = property(lambda self: self.scatter[:-1, -1], doc="Centered x'Wy, shape (p,).")
    syy = property(lambda self: float(self.factor[:, -1] @ self.factor[:, -1]),
                   doc="Centered y'Wy (total sum of squares).")

    def update(self, x_chunk, y_chunk, sample_weight=None) -> LeastSquaresState:
        """Add the rows of ``x_chunk`` (n, p) and ``y_chunk`` (n,), weighted by ``sample_weight`` (n,), in place.

        Returns ``self``. The rows are not kept; a float32 ``x`` is converted at most 8,192 rows at a time.
        """
        x = _checks.features(x_chunk, "x", n_features=self.n_features, dtype=None, finite=False)  # no copy
        y = _checks.targets(y_chunk, x.shape[0], "y", dtype=None, finite=False)[:, 0]
        return self._update(x, y, checked_sample_weight(sample_weight, x.shape[0]))

    def _update(self, x: np.ndarray, y: np.ndarray, weights: np.ndarray | None) -> LeastSquaresState:
        """``update`` for checked arrays: ``x`` (n, p), ``y`` (n,), ``weights`` (n,) or None.

        Finiteness is checked here: a finite Gram matrix proves it (its diagonal sums squares), and only when
        the fast path is refused are ``x`` and ``y`` scanned for NaN and infinity.
        """
        if self.n_features is None:
            self._allocate(x.shape[1])
        fast = self._fast_chunk(x, y, weights)
        if fast is not None:
            self._absorb(*fast)
        else:
            for start in range(0, x.shape[0], ROWS_PER_CHUNK):
                rows = slice(start, start + ROWS_PER_CHUNK)
                self._absorb(*qr_chunk(x[rows], y[rows], None if weights is None else weights[rows]))
        if weights is not None:
            with np.errstate(divide="ignore"):
                self.log_weight += float(np.log(weights).sum())
        return self

    def _fast_chunk(self, x: np.ndarray, y: np.ndarray, weights: np.ndarray | None):
        """The rows' state from cross-products (``cross_product_chunk``, centered where :meth:`_centering`
        says) when that is accurate, else None (after checking that ``x`` and ``y`` are finite). Up to
        ``ROWS_PER_CHUNK`` rows, where QR costs no more than the checks, it is not tried."""
        fast = None
        if x.shape[0] > ROWS_PER_CHUNK:
            fast = cross_product_chunk(x, y, weights, self._centering(x, y))
        if fast is None:  # the guess was refused: retry centered on the mean so far (or on the first row)
            _checks.require_finite(x, "x")
            _checks.require_finite(y, "y")
            if x.shape[0] > ROWS_PER_CHUNK:
                shift = self.mean if self.n else np.append(x[0], y[0]).astype(np.float64)
                fast = cross_product_chunk(x, y, weights, shift)
        return fast

    def _centering(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Where the chunk ``(x, y)``'s cross-products are centered (``centering``), judged by the rows so far
        (their means and variances ``diag(R'R) / W``: no pass over the chunk) or, for a first chunk, by its
        first rows."""
        if self.n and self.weight > 0:
            factor = self.factor
            return centering(self.mean, np.einsum("ij,ij->j", factor, factor) / self.weight)
        return centering(*sample_moments(x, y))

    def merge(self, other: LeastSquaresState) -> LeastSquaresState:
        """A new state holding the rows of both ``self`` and ``other``; neither is changed."""
        if not isinstance(other, LeastSquaresState):
            raise TypeError(f"merge expects a LeastSquaresState (linnet.stats.Moments). "
                            f"Received: other of type {type(other).__name__}")
        if self.n_features is not None and other.n_features is not None and other.n_features != self.n_features:
            raise ValueError(f"Cannot merge moments of {other.n_features} feature(s) into moments of "
                             f"{self.n_features} feature(s).")
        merged = self.copy()
        if other.n:
            if merged.n_features is None:
                merged._allocate(other.n_features)
            merged._absorb(other.n, other.weight, other.mean, other.mean_low, other._factor, other.rounding)
            merged.log_weight += other.log_weight
        return merged

    __add__ = merge

    def _absorb(self, n_b: int, weight_b: float, mean_b: np.ndarray, low_b: np.ndarray, factor_b: np.ndarray,
                rounding_b: float) -> None:
        weight = self.weight + weight_b
        if not np.isfinite(weight):
            raise ValueError(f"The sample weights sum to more than the float64 range ({weight_b:.3g} in this chunk, "
                             f"{self.weight:.3g} before it); rescale them (only their ratios matter to the fit).")
        delta = (mean_b - self.mean) + (low_b - self.mean_low)
        share = weight_b / weight if weight > 0 else 0.0
        if self.n:  # the shift row in extended precision, from the means as double-doubles
            exact = (mean_b.astype(LONG) - self.mean) + (low_b.astype(LONG) - self.mean_low)
            shift = np.sqrt(LONG(self.weight) * weight_b / weight) if weight > 0 else LONG(0)
            factor = merged_factor(self._factor, factor_b, shift * exact)
        else:
            factor = factor_b.astype(LONG)
        with np.errstate(over="ignore"):
            finite = np.isfinite(factor.astype(np.float64)).all()
        if not finite:
            raise ValueError("The data's spread exceeds the float64 range (a column's root sum of squared "
                             f"deviations is above {np.finfo(np.float64).max:.3g}); rescale x or y, e.g. change "
                             "their units.")
        if self.n:  # the mean as a double-double: its rounding does not pile up over many small chunks
            self.mean, error = two_sum(self.mean, delta * share)
            self.mean, self.mean_low = two_sum(self.mean, self.mean_low + error)
        else:
            self.mean, self.mean_low = mean_b.copy(), low_b.copy()
        self.n, self.weight, self._factor = self.n + n_b, weight, factor
        self.rounding = max(self.rounding, rounding_b)

    def copy(self) -> LeastSquaresState:
        """An independent copy (later updates of either leave the other unchanged)."""
        twin = LeastSquaresState()
        twin.n, twin.weight, twin.rounding, twin.log_weight = self.n, self.weight, self.rounding, self.log_weight
        if self.n_features is not None:
            twin.n_features, twin._factor = self.n_features, self._factor.copy()
            twin.mean, twin.mean_low = self.mean.copy(), self.mean_low.copy()
        return twin

    def y_scaled(self, exponent: int) -> LeastSquaresState:
        """A copy holding ``y · 2**exponent`` in place of ``y``: its mean and its column of ``R`` (exact, a power of
        two, unless it leaves the float64 range)."""
        twin = self.copy()
        twin._factor[:, -1] = np.ldexp(twin._factor[:, -1], exponent)
        twin.mean[-1], twin.mean_low[-1] = np.ldexp(self.mean[-1], exponent), np.ldexp(self.mean_low[-1], exponent)
        return twin

    def uncentered_factor(self) -> np.ndarray:
        """Triangular ``U`` with ``U'U = [x, y]' W [x, y]`` (not centered): ``R`` stacked with ``sqrt(W) mean``."""
        mean = self.mean.astype(LONG) + self.mean_low
        factor = merged_factor(self._factor, np.zeros((0, self._factor.shape[1])), np.sqrt(LONG(self.weight)) * mean)
        return factor.astype(np.float64)

    def gram(self, fit_intercept: bool) -> np.ndarray:
        """The uncentered ``X'WX`` of the design (with a leading column of ones when ``fit_intercept``)."""
        mean_x, weight = self.mean_x, self.weight
        gram = self.sxx + weight * np.outer(mean_x, mean_x)
        if not _checks.boolean(fit_intercept, "fit_intercept"):
            return gram
        column = weight * mean_x
        return np.block([[np.array([[weight]]), column[None, :]], [column[:, None], gram]])

    def __repr__(self) -> str:
        return f"LeastSquaresState(n={self.n}, n_features={self.n_features})"


Moments = LeastSquaresState
"""The 0.1 name of :class:`LeastSquaresState` (``linnet.stats.Moments`` in the README)."""


def checked_sample_weight(sample_weight, n_rows: int) -> np.ndarray | None:
    if sample_weight is None:
        return None
    weights = _checks.targets(sample_weight, n_rows, "sample_weight", dtype=np.float64)[:, 0]
    if (weights < 0).any():
        raise ValueError(f"sample_weight must be >= 0. Received: {float(weights[weights < 0][0])!r} at index "
                         f"{int(np.argmax(weights < 0))} of sample_weight")
    with np.errstate(over="ignore"):
        total = weights.sum()
    if not np.isfinite(total):
        raise ValueError(f"sample_weight sums to more than the float64 range (its largest value is "
                         f"{weights.max():.3g}); rescale it: only the ratios of the weights matter to the fit.")
    if weights.size and 0 < weights.max() < np.finfo(np.float64).tiny:  # subnormal: fewer bits, fewer digits
        raise ValueError(f"sample_weight is at most {weights.max():.3g}, below the smallest normal float64 "
                         f"({np.finfo(np.float64).tiny:.3g}), where numbers keep fewer digits; rescale it: only the "
                         f"ratios of the weights matter to the fit.")
    return weights

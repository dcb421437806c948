"""Least squares solved from a :class:`~linnet.exact.state.LeastSquaresState`: parameters, their covariance
root, rank, conditioning and how many digits of the coefficients to trust (bounded in :mod:`._digits`).

The factor ``R`` of the centered ``[x, y]`` (uncentered without intercept) splits as::

    R = [[Rxx, rxy],          slopes = Rxx^-1 rxy,        ssr = rho^2,        tss = |rxy|^2 + rho^2
         [0,   rho]]

Each column of ``Rxx`` is scaled to unit norm (``Rxx = Rs D``) before anything is decided or solved, so the
rank test and the condition number are those of the scaled design, whatever the units of ``x``. And ``y`` is
scaled by a power of two (exact) to a norm of at most 1, so that no square of it leaves float64 (y near 1.8e308
has ``ssr`` near 1e617): the norms are kept in those units and a statistic is scaled back only when asked for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._chunk import EPS
from ._digits import kept_digits, solution_digits
from ._extended import LONG
from .state import LeastSquaresState

RANK_ULPS = 8
"""A singular value of the column-scaled factor below ``RANK_ULPS · (p + 1) · u`` times the largest counts as zero,
``u`` the state's rounding (``eps`` from QR: 7e-15 for 3 columns). Rounding leaves an exactly collinear design a
singular value of about ``u``; a fixed 1e-13 called a full-rank design of 30 rows with a ratio of 5e-14 (two
columns 1e-13 apart, matrix_rank 3) singular and returned a minimum-norm answer with 9% more squared error."""
NULL_WEIGHT = 1e-6
"""A column whose weight in a (unit-norm, column-scaled) null vector exceeds this is named collinear."""
EXACT_FIT = 16 * EPS
"""A residual norm below ``EXACT_FIT * (p + 1)`` times the norm of y (centered with an intercept) is rounding:
the fit is exact and ``ssr`` is 0."""
CONSTANT_Y = EPS ** 1.5
"""With an intercept, y whose centered norm is below this fraction (3.3e-24) of its norm is constant, and its
centered column is taken as 0 (slopes 0, R-squared NaN). Weighted means of a constant y round to about ``eps²``
of it per ``sqrt(rows)`` (5e-30 measured on 2e6 rows), which made R-squared of noise (1.0, 2e-5); two values of y
one unit in the last place apart give at least ``eps / (2 sqrt(rows))`` (8e-20 on 2e6 rows). ``eps**1.5`` lies
between the two up to 1e15 rows."""
NEGLIGIBLE = 1.5e-8
"""A coefficient is measured against at least this fraction (sqrt(eps)) of what it could weigh: a slope against
this fraction of |y| (centered with an intercept) per unit of its column's norm, the intercept against this
fraction of |mean(y)|. A coefficient that is 0 in truth (a column y does not use, in an exact fit) or that
cancelled has no relative digits to lose: its error is small against the fit, not against itself."""


FLOAT64 = np.finfo(np.float64)


class ResidualDegreesOfFreedomError(ValueError):
    """Raised by a statistic that needs ``df_resid > 0`` (more rows than fitted parameters)."""


@dataclass(frozen=True)
class LeastSquares:
    """The minimum-norm least-squares solution and what its statistics need.

    ``params`` has the intercept first when fitted; ``root`` is ``T`` with ``T T' = pinv(X'WX)`` (so standard
    errors are ``sqrt(scale)`` times the row norms of ``T``). The norms (``residual_norm``, ``total_norm``,
    ``explained_norm``) and ``negligible`` are those of ``y · 2**-y_exponent``, y scaled to a norm of at most 1
    (:meth:`in_y_units` scales a statistic back). ``constant`` and ``collinear`` are indices of the
    columns of ``x`` that made the design rank-deficient; ``design_condition`` is the ratio of the largest to
    the smallest singular value of the column-scaled design (centered with an intercept) and ``digits`` the
    estimated number of correct significant digits of the coefficients, each measured against at least its
    ``negligible`` size (see ``NEGLIGIBLE``).
    """

    params: np.ndarray
    root: np.ndarray
    rank: int
    residual_norm: float
    total_norm: float
    explained_norm: float
    design_condition: float
    digits: float
    constant: list[int]
    collinear: list[int]
    negligible: np.ndarray
    y_exponent: int = 0
    refined: bool = False

    @property
    def cov_unscaled(self) -> np.ndarray:
        """``pinv(X'WX)`` of the design."""
        return self.root @ self.root.T

    def in_y_units(self, values, power: int, name: str):
        """``values · 2**(power · y_exponent)``: a statistic of the scaled y (``power`` 1 for a norm or a standard
        error, 2 for a sum of squares) in y's units, refused where a normal number leaves float64's normal range:
        above 1.8e308 (inf) or below 2.2e-308 (fewer digits, or 0)."""
        values = np.asarray(values, dtype=np.float64)
        with np.errstate(over="ignore", under="ignore"):
            moved = np.ldexp(values, power * self.y_exponent)
        normal = np.isfinite(values) & (np.abs(values) >= FLOAT64.tiny)
        lost = normal & ~((np.abs(moved) >= FLOAT64.tiny) & np.isfinite(moved))
        if lost.any():
            size = _decimal(float(values[lost].flat[0]), power * self.y_exponent)
            raise ValueError(f"{name} is about {size}, beyond float64's normal range ({FLOAT64.tiny:.2g} to "
                             f"{FLOAT64.max:.2g}), where y's size puts it; multiply y by a power of two (exact), "
                             f"e.g. y * 2.0**{-self.y_exponent}, to have it (the standard errors, t, p-values and "
                             f"intervals never square y). Received: y of root sum of squares (as fitted) about "
                             f"{_decimal(self.total_norm, self.y_exponent)}")
        return moved


def solve(state: LeastSquaresState, fit_intercept: bool) -> LeastSquares:
    """Solve the problem held in ``state`` by triangular solves on its (column-scaled) factor.

    Full rank: ``slopes = Rs^-1 rxy / D`` and ``T = [[1/sqrt(W), -mean_x' Rxx^-1], [0, Rxx^-1]]`` with an
    intercept (``Rxx^-1`` alone without). Rank-deficient: the same through the SVD of ``Rs`` with the null
    directions dropped, then the parameters and ``T`` are projected onto the orthogonal complement of the
    design's null space (intercept included): the minimum-norm solution and ``pinv``, as statsmodels gives. All of
    it on ``y · 2**-e`` (:func:`_y_exponent`); the parameters are scaled back.
    """
    exponent = _y_exponent(state)
    state = state.y_scaled(-exponent)
    factor = state.factor if fit_intercept else state.uncentered_factor()
    design, rxy, rho = factor[:-1, :-1], factor[:-1, -1], abs(float(factor[-1, -1]))
    total = stable_norm(factor[:, -1])
    if fit_intercept and y_is_constant(state):
        rxy, rho, total = np.zeros_like(rxy), 0.0, 0.0  # what is left is the rounding of its mean
    scale = np.array([stable_norm(column) for column in design.T])
    tolerance = RANK_ULPS * factor.shape[0] * state.rounding
    with np.errstate(over="ignore", invalid="ignore"):
        slopes, inverse, null, condition, collinear, reached = _scaled_solve(design, rxy, scale, tolerance)
    _require_representable(slopes, inverse, scale)
    rho = math.hypot(rho, stable_norm(rxy - reached))  # rank-deficient: the part no column reaches is residual
    if rho <= EXACT_FIT * factor.shape[0] * total:
        rho = 0.0
    constant = np.flatnonzero(scale == 0)
    if fit_intercept:
        mean_x = state.mean_x
        low = state.mean_low
        means = state.mean.astype(LONG) + low  # the intercept cancels: in extended precision
        params = np.concatenate([[float(means[-1] - means[:-1] @ slopes)], slopes])
        inverse = np.block([[np.array([[1 / math.sqrt(state.weight)]]), -(mean_x @ inverse)[None, :]],
                            [np.zeros((len(slopes), 1)), inverse]])
        null = np.vstack([-mean_x @ null, null])
    else:
        params = slopes
    if null.shape[1]:
        basis = np.linalg.qr(null)[0]
        projector = np.eye(len(params)) - basis @ basis.T
        params, inverse = projector @ params, projector @ inverse
    negligible = _negligible(state, scale, total, fit_intercept)
    digits = 0.0
    if null.shape[1] == 0:
        with np.errstate(over="ignore", invalid="ignore"):
            size = np.abs(params[int(fit_intercept):] * scale).sum() + math.hypot(stable_norm(rxy), rho)
        digits = min(solution_digits(state.rounding, params, inverse, scale, size, rho, negligible, fit_intercept),
                     kept_digits(params, negligible, exponent))
    in_y_units = _params_in_y_units(params, exponent, fit_intercept, total)
    return LeastSquares(in_y_units, inverse, len(params) - null.shape[1], rho, total, stable_norm(reached), condition,
                        digits, constant.tolist(), collinear, negligible, exponent)


def y_is_constant(state: LeastSquaresState) -> bool:
    """Whether the root mean square of y's deviations is below ``CONSTANT_Y`` of y's: y is constant, and its
    centered column is the rounding of its mean (formed from means, so neither side leaves float64)."""
    deviation = stable_norm(state.factor[:, -1]) / math.sqrt(state.weight)
    return deviation <= CONSTANT_Y * math.hypot(deviation, state.mean_y)


def _y_exponent(state: LeastSquaresState) -> int:
    """The ``e`` with ``|y|_W <= 2**e``, ``|y|_W = sqrt(|R_y|**2 + W mean_y**2)`` the weighted root sum of squares
    of y (the norm of its column of ``R`` uncentered), about ``2**(e - 1)``: from the exponents of its terms, so
    it cannot overflow (``R_y``, ``W`` and ``mean_y`` are each finite)."""
    terms = [(stable_norm(state.factor[:, -1]), 0), (state.mean_y, math.frexp(math.sqrt(state.weight))[1])]
    return max((math.frexp(term)[1] + extra for term, extra in terms if term), default=0)


def _params_in_y_units(params: np.ndarray, exponent: int, fit_intercept: bool, total: float) -> np.ndarray:
    """``params · 2**exponent``, refused where that is beyond float64 (a coefficient above 1.8e308: y too large for
    x's units). Below float64's normal numbers a coefficient keeps IEEE's rounding: one that small is mostly
    negligible against the fit (see ``NEGLIGIBLE``)."""
    with np.errstate(over="ignore"):
        moved = np.ldexp(params, exponent)
    if np.isfinite(moved).all():
        return moved
    names = ["the intercept"] * int(fit_intercept) + [f"x's column {j}" for j in range(params.size - fit_intercept)]
    beyond = [f"{name} (about {_decimal(value, exponent)})" for name, value, scaled in zip(names, params, moved)
              if not np.isfinite(scaled)]
    raise ValueError(f"The least-squares coefficient(s) of {', '.join(beyond)} are beyond float64 (above "
                     f"{FLOAT64.max:.2g}): y is too large for x's units; rescale y or x. Received: y of root sum of "
                     f"squares (as fitted) about {_decimal(total, exponent)}")


def _decimal(value: float, exponent: int) -> str:
    """``value · 2**exponent`` in decimal with 3 significant digits, even beyond float64 (``value`` not 0)."""
    power = math.log10(abs(value)) + exponent * math.log10(2)
    whole = math.floor(power)
    return f"{math.copysign(10 ** (power - whole), value):.3g}e{whole:+03d}"


def _require_representable(slopes: np.ndarray, inverse: np.ndarray, scale: np.ndarray) -> None:
    """Refuse coefficients (or their root ``T``) beyond float64: columns of x spanning so little (subnormal
    numbers, ~1e-320) that a slope, the change in y per unit of x, exceeds 1.8e308."""
    if np.isfinite(slopes).all() and np.isfinite(inverse).all():
        return
    small = [j for j in range(scale.size) if not (np.isfinite(slopes[j]) and np.isfinite(inverse[j]).all())]
    raise ValueError(f"The least-squares coefficients of x's column(s) {small} are beyond float64 (above 1.8e308): "
                     f"those columns span too little (deviations of {scale[small].min():.3g}); rescale them, e.g. "
                     f"multiply by 1e300. Received: x with column norms {scale[small].tolist()!r:.80}")


def _negligible(state: LeastSquaresState, scale: np.ndarray, total: float, fit_intercept: bool) -> np.ndarray:
    """Per parameter, the size a smaller coefficient is measured against (``NEGLIGIBLE``): ``NEGLIGIBLE |y| / D_i``
    for a slope (``D_i`` its column's norm, ``|y|`` the norm of y as fitted), ``NEGLIGIBLE |mean(y)|`` for the
    intercept."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        slopes = np.where(scale > 0, NEGLIGIBLE * total / np.where(scale > 0, scale, 1.0), 0.0)
    return np.concatenate([[NEGLIGIBLE * abs(state.mean_y)], slopes]) if fit_intercept else slopes


def _scaled_solve(design: np.ndarray, rxy: np.ndarray, scale: np.ndarray, tolerance: float):
    """Slopes, ``Rxx^+`` (as a root), null basis (original units), condition number, collinear columns, and the
    projection of ``rxy`` on the range of ``Rxx`` (``rxy`` itself at full rank).

    ``R'R`` gives ``y'y - (X'y)' pinv(X'X) X'y = rho**2 + |(I - P) rxy|**2`` with ``P`` the projection on the
    range of ``Rxx``: at full rank ``P = I`` and the residual norm is the factor's last entry; with a constant or
    collinear column the factor's rows that QR left unreduced hold part of the residual, which this returns."""
    active = np.flatnonzero(scale > 0)
    p = design.shape[1]
    scaled = design[:, active] / scale[active]
    left, singular, right_t = np.linalg.svd(scaled, full_matrices=False)
    keep = singular > tolerance * singular[0] if singular.size and singular[0] > 0 else np.zeros(0, dtype=bool)
    inverse = np.zeros((p, p))
    slopes = np.zeros(p)
    if keep.all() and active.size == p:
        inverse = np.linalg.inv(scaled) / scale[:, None]
        slopes = np.linalg.solve(scaled, rxy) / scale
    elif keep.any():
        roots = right_t[keep].T / singular[keep]
        inverse[np.ix_(active, np.flatnonzero(keep))] = roots / scale[active, None]
        slopes[active] = roots @ (left[:, keep].T @ rxy) / scale[active]
    constant = np.flatnonzero(scale == 0)
    null = np.zeros((p, constant.size + int((~keep).sum())))
    null[constant, np.arange(constant.size)] = 1.0
    null[active, constant.size:] = right_t[~keep].T / scale[active, None]
    involved = np.linalg.norm(right_t[~keep], axis=0) > NULL_WEIGHT
    condition = float(singular[0] / singular[-1]) if keep.all() and keep.size and active.size == p else math.inf
    if keep.all() and active.size == p:
        reached = rxy
    else:
        reached = left[:, keep] @ (left[:, keep].T @ rxy) if keep.any() else np.zeros_like(rxy)
    return slopes, inverse, null, condition, active[involved].tolist(), reached


def stable_norm(vector: np.ndarray) -> float:
    """Euclidean norm without overflow or underflow (scaled by the largest entry first)."""
    largest = float(np.abs(vector).max()) if vector.size else 0.0
    return largest * float(np.linalg.norm(vector / largest)) if largest > 0 else 0.0

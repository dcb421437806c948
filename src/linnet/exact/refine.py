"""One pass of iterative refinement for data that can be read again (arrays, files).

With ``b`` the solution from the factor and ``W`` the weights, one pass over the rows in extended precision
(``numpy.longdouble``, 64-bit mantissa on x86) accumulates, on rows centered on the means ``m`` of x (``m = 0``
without an intercept) and with ``a = b_0 + m' b`` the intercept at the means::

    r = y - a - (x - m) b,      g = (x - m)' W r,      t = 1' W r,      s = r' W r

and the correction solves the semi-normal equations with the factor (``T_x = Rxx^-1``, the slopes' block of the
covariance root)::

    d = T_x T_x' g,      b <- b + d,      b_0 <- b_0 + t / W - m' d,      ssr <- s - t**2 / W - d' g

Centered, the gradient does not cancel: on the rows themselves (``[1, x]' W r``) the intercept's row of the root,
``-m' Rxx^-1``, rounded to float64, met a gradient that cancels, and the pass made 5% of random ill-conditioned
fits worse, by up to 3 digits. The pass divides the coefficients' error by about ``1 / (eps k**2)`` (``k`` the
scaled condition number); where ``2 eps k**2 >= 1`` it would not halve it, and only ``ssr`` is taken from it. The
correction's own rounding (:func:`_correction_error`) bounds what it can prove: the error before it, at most
``|d| + E``. That is a second bound on the error the solution's own estimate already bounds, and the tighter of
the two is kept: on wide, nearly collinear designs ``E`` made the pass report fewer digits than before it.
It runs on ``y · 2**-y_exponent``, the solution's units, so that ``s`` neither overflows nor
underflows (y near 1e308 or 1e-300) where ``numpy.longdouble`` is float64.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ._chunk import EPS
from ._digits import digits_of, first_order_error, in_scaled_units, kept_digits
from ._extended import LONG
from .solve import LeastSquares
from .state import LeastSquaresState

ROWS_PER_CHUNK = 8_192
LONG_ROUNDING = float(np.finfo(LONG).eps) / 2
"""The unit roundoff of the pass (``2**-64`` on x86; float64's where ``longdouble`` is float64)."""


def refine_solution(solution: LeastSquares, state: LeastSquaresState, x: np.ndarray, y: np.ndarray,
                    weights: np.ndarray | None, fit_intercept: bool) -> LeastSquares:
    """``solution`` after one pass of iterative refinement over the rows ``(x, y)`` (weighted by ``weights``) that
    ``state`` holds. Where the correction could not halve the error (``2 eps k**2 >= 1``: Filip, a rank-deficient
    design) the coefficients are kept, and only their residual norm is taken from the pass."""
    shift, k = -solution.y_exponent, int(fit_intercept)
    params = np.ldexp(solution.params.astype(LONG), shift)
    center = state.mean_x.astype(LONG) + state.mean_low[:-1] if fit_intercept else np.zeros(x.shape[1], LONG)
    level = params[0] + center @ params[k:] if fit_intercept else LONG(0)
    total, gradient, squares, norms = _pass(x, y, weights, center, level, params[k:], shift)
    if 2 * EPS * solution.design_condition ** 2 >= 1:
        return dataclasses.replace(solution, residual_norm=math.sqrt(float(squares)) if solution.residual_norm else 0.0)
    inverse = solution.root[k:, k:].astype(LONG)
    step = inverse @ (inverse.T @ gradient)
    weight = LONG(state.weight)
    delta = np.concatenate([[total / weight - center @ step], step]) if fit_intercept else step
    ssr = squares - step @ gradient - (total ** 2 / weight if fit_intercept else 0)
    refined = (params + delta).astype(np.float64)
    error = _correction_error(solution, norms, math.sqrt(state.weight) * abs(float(level)), params[k:],
                              math.sqrt(max(float(squares), 0.0)), x.shape[0], fit_intercept)
    units = in_scaled_units(np.ones(refined.size), norms[:-1], fit_intercept)  # compared in the units of b_s
    before = units * (np.abs(delta.astype(np.float64)) + EPS * np.abs(refined)) + 2 * error
    digits = digits_of(before, units * refined, units * solution.negligible)
    return dataclasses.replace(solution, params=np.ldexp(refined, -shift), refined=True,
                               residual_norm=math.sqrt(max(float(ssr), 0.0)) if solution.residual_norm else 0.0,
                               digits=max(solution.digits, min(digits, kept_digits(refined, solution.negligible,
                                                                                     -shift))))


def _pass(x: np.ndarray, y: np.ndarray, weights: np.ndarray | None, center: np.ndarray, level, slopes: np.ndarray,
          shift: int):
    """``t = 1' W r``, ``g = (x - center)' W r``, ``s = r' W r`` and the weighted norms of the columns of
    ``[x - center, y]`` (y scaled by ``2**shift``), in one pass of extended precision over the rows."""
    total, squares = LONG(0), LONG(0)
    gradient, norms = np.zeros(x.shape[1], LONG), np.zeros(x.shape[1] + 1, LONG)
    for start in range(0, x.shape[0], ROWS_PER_CHUNK):
        rows = slice(start, start + ROWS_PER_CHUNK)
        columns = np.column_stack([x[rows].astype(LONG) - center, np.ldexp(y[rows].astype(LONG), shift)])
        residual = columns[:, -1] - level - columns[:, :-1] @ slopes
        weight = np.ones(columns.shape[0], LONG) if weights is None else weights[rows].astype(LONG)
        weighted = residual * weight
        total, squares = total + weighted.sum(), squares + residual @ weighted
        gradient += columns[:, :-1].T @ weighted
        norms += weight @ columns ** 2
    return total, gradient, squares, np.sqrt(norms).astype(np.float64)


def _correction_error(solution: LeastSquares, norms: np.ndarray, level: float, slopes: np.ndarray, residual: float,
                      rows: int, fit_intercept: bool) -> np.ndarray:
    """Per parameter, a bound on the correction's own rounding, by the first-order bound of the solve
    (:func:`linnet.exact._digits.first_order_error`) with the pass's roundoff ``u_L``: each residual takes ``p + 2``
    roundings on terms as large as ``|y| + |a| + |x - m||b|`` (columnwise: ``|y| + sqrt(W) |a| + sum |b_j| D_j``,
    ``level`` the middle term), and each sum of the gradient ``n_c + n / n_c`` of ``|x - m||r|`` (``n_c`` rows a
    chunk)."""
    p, sizes = slopes.size, norms[:-1]
    size = (p + 2) * (norms[-1] + level + float(np.abs(slopes.astype(np.float64)) @ sizes))
    sums = min(rows, ROWS_PER_CHUNK) + rows / ROWS_PER_CHUNK
    return LONG_ROUNDING * first_order_error(solution.root, sizes, size, sums * math.sqrt(p) * residual,
                                             fit_intercept)

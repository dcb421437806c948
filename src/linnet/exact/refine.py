"""One pass of iterative refinement for data that can be read again (arrays, files).

With ``b`` the solution from the factor, ``X`` the design and ``W`` the weights, one pass over the rows in
extended precision (``numpy.longdouble``, 64-bit mantissa on x86) accumulates::

    r = y - X b,      g = X' W r,      s = r' W r

and the correction solves the semi-normal equations with the factor's root ``T`` (``T T' = (X'WX)^-1``)::

    delta = T T' g,      b <- b + delta,      ssr <- s - delta' g

The pass divides the coefficients' error by about ``1 / (eps k**2)`` (``k`` the scaled condition number),
down to float64's own rounding, and the size of ``delta`` measures the error before it. It runs on
``y · 2**-y_exponent``, the solution's units, so that ``s`` neither overflows nor underflows (y near 1e308 or
1e-300) where ``numpy.longdouble`` is float64.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ._chunk import EPS
from .solve import MAX_DIGITS, LeastSquares, kept_digits

ROWS_PER_CHUNK = 8_192


def refine_solution(solution: LeastSquares, x: np.ndarray, y: np.ndarray, weights: np.ndarray | None,
                    fit_intercept: bool) -> LeastSquares:
    """``solution`` after one pass of iterative refinement over the rows ``(x, y)`` (weighted by ``weights``)."""
    shift = -solution.y_exponent
    params = np.ldexp(solution.params.astype(np.longdouble), shift)
    gradient = np.zeros(params.size, dtype=np.longdouble)
    squares = np.longdouble(0.0)
    for start in range(0, x.shape[0], ROWS_PER_CHUNK):
        rows = slice(start, start + ROWS_PER_CHUNK)
        design = x[rows].astype(np.longdouble)
        if fit_intercept:
            design = np.column_stack([np.ones(design.shape[0], dtype=np.longdouble), design])
        residual = np.ldexp(y[rows].astype(np.longdouble), shift) - design @ params
        weighted = residual if weights is None else residual * weights[rows]
        gradient += design.T @ weighted
        squares += residual @ weighted
    root = solution.root.astype(np.longdouble)
    delta = root @ (root.T @ gradient)
    ssr = max(float(squares - delta @ gradient), 0.0)
    refined = (params + delta).astype(np.float64)
    size = np.maximum(np.abs(refined), solution.negligible)  # as in solve: a coefficient near 0 has no digits
    return dataclasses.replace(solution, params=np.ldexp(refined, -shift), refined=True,
                               residual_norm=math.sqrt(ssr) if solution.residual_norm else 0.0,
                               digits=min(_digits_after(solution, np.abs(delta.astype(np.float64)), size),
                                          kept_digits(refined, solution.negligible, -shift)))


def _digits_after(solution: LeastSquares, correction: np.ndarray, size: np.ndarray) -> float:
    """Digits the correction proves: ``-log10(max_j |delta_j / b_j|)``, the error the solution had before.

    The refined solution is at least that good (usually better: the pass divides the error by about
    ``1 / (eps k**2)``), so this is a conservative report. Where ``eps k**2 >= 1`` the correction is itself
    unreliable and the first estimate is kept.
    """
    error = float((correction[size > 0] / size[size > 0]).max(initial=0.0))
    if EPS * solution.design_condition ** 2 >= 1:
        return solution.digits
    return MAX_DIGITS if error == 0 else float(np.clip(-math.log10(error), solution.digits, MAX_DIGITS))

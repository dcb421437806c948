"""The exact optimum of a regularized linear model: ridge in closed form, lasso and elastic net by coordinate
descent, from a least-squares state (no second pass over the rows).

The objective is Keras' loss of a ``Dense(1)`` with ``kernel_regularizer``/``bias_regularizer`` on the whole data
(``docs/regularization.md``): with ``n`` rows, weights ``wᵢ`` (1 unweighted), ``θ = (b, c)``::

    J(c, b) = (1/n) Σ wᵢ (yᵢ - xᵢ·c - b)²  +  Σⱼ (l1ⱼ |cⱼ| + l2ⱼ cⱼ²)  +  bias_l1 |b| + bias_l2 b²

Per-coefficient ``l1``/``l2`` let a penalty on the kernel of a normalized input be written in the units of ``x``.
Conversion to scikit-learn (unweighted): ``Ridge(alpha = n·l2)`` and
``ElasticNet(alpha = l1/2 + l2, l1_ratio = (l1/2) / (l1/2 + l2))`` minimize ``n·J`` and ``J/2``.

With an unpenalized bias the problem is solved on the centered factor (``b = ȳ - x̄·c`` at the optimum); else on
a triangular factor ``U`` of ``[1, x, y]``. Writing ``G = UθθᵀUθθ / n`` and ``g = Uθθᵀ uθy / n``,
``J = θᵀGθ - 2gᵀθ + const + penalty``:

- ridge (no l1): ``min ||Uθθ θ - uθy||²/n + Σ l2ⱼθⱼ²``, a least-squares problem solved by ``lstsq`` on
  ``[Uθθ/√n; diag(√l2)]`` with equilibrated columns (no normal equations; ``_ridge``);
- with l1: coordinate descent, ``θⱼ ← S(gⱼ - Σ_{k≠j} Gⱼₖθₖ, l1ⱼ/2) / (Gⱼⱼ + l2ⱼ)`` with the soft threshold
  ``S(z, t) = sign(z)·max(|z| - t, 0)``, swept until no coordinate moves by more than ``tol`` relative.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import _validation as check
from .solve import stable_norm, y_is_constant
from .state import LeastSquaresState

MAX_SWEEPS = 100_000


@dataclass(frozen=True)
class Penalty:
    """Keras-scaled penalties: ``l1``, ``l2`` per coefficient (scalars broadcast), and on the intercept."""

    l1: np.ndarray | float = 0.0
    l2: np.ndarray | float = 0.0
    bias_l1: float = 0.0
    bias_l2: float = 0.0

    def __bool__(self) -> bool:
        return bool(np.any(self.l1) or np.any(self.l2) or self.bias_l1 or self.bias_l2)

    def value(self, coef, intercept) -> np.ndarray | float:
        """``Σⱼ l1ⱼ|cⱼ| + l2ⱼcⱼ² + bias_l1|b| + bias_l2 b²`` for ``coef`` (..., p) and ``intercept`` (...)."""
        coef, intercept = np.asarray(coef, dtype=np.float64), np.asarray(intercept, dtype=np.float64)
        total = np.sum(np.asarray(self.l1) * np.abs(coef) + _squares(self.l2, coef), axis=-1)
        total = total + self.bias_l1 * np.abs(intercept) + _squares(self.bias_l2, intercept)
        return float(total) if total.ndim == 0 else total


def _squares(l2, values: np.ndarray) -> np.ndarray:
    """``l2·values²`` as ``(√l2·values)²``, which leaves float64 only when the product does (``values²`` alone
    would for |values| > 1.3e154), and 0 where ``l2`` is 0 (no penalty, not ``0·inf = NaN``)."""
    l2 = np.asarray(l2, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):  # an infinite penalized square is the caller's to refuse
        return np.where(l2 == 0, 0.0, (np.sqrt(l2) * values) ** 2)


@dataclass(frozen=True)
class PenalizedResult:
    """The penalized optimum: ``coef_`` (p,), ``intercept_``, ``mse`` (the data term ``(1/n) Σ wᵢ rᵢ²``),
    ``objective`` (``mse`` + penalty, the loss Keras logs at the optimum on the whole data), ``sweeps`` of
    coordinate descent (0 for ridge) and the ``penalty``."""

    coef_: np.ndarray
    intercept_: float
    mse: float
    objective: float
    penalty: Penalty
    nobs: int
    rsquared: float
    sweeps: int = 0
    fit_intercept: bool = True

    @property
    def ssr(self) -> float:
        """``Σ wᵢ rᵢ²`` at the optimum (``mse·n``), as ``OLSResult.ssr``."""
        return self.mse * self.nobs


def penalized(state: LeastSquaresState, penalty: Penalty, fit_intercept: bool = True, *,
              tol: float = 1e-12) -> PenalizedResult:
    """The minimum of ``J`` (module docstring) for the rows summarized by ``state``.

    Examples
    --------
    Ridge on ``y = x`` with ``l2 = 1``: ``(Sxx/n + 1) c = Sxy/n`` gives ``c = (2/3)/(2/3 + 1) = 0.4``.

    >>> state = LeastSquaresState().update([[0.0], [1.0], [2.0]], [0.0, 1.0, 2.0])
    >>> round(penalized(state, Penalty(l2=1.0)).coef_[0], 12)
    0.4
    """
    if not isinstance(state, LeastSquaresState) or not state.n:
        raise ValueError(f"penalized needs a LeastSquaresState holding rows. Received: {state!r}")
    p, n, fit_intercept = state.n_features, state.n, check.boolean(fit_intercept, "fit_intercept")
    l1, l2 = _per_coefficient(penalty.l1, "l1", p), _per_coefficient(penalty.l2, "l2", p)
    for name in ("bias_l1", "bias_l2"):
        check.real_number(getattr(penalty, name), f"penalty {name}", low=0.0)
    with_bias = fit_intercept and bool(penalty.bias_l1 or penalty.bias_l2)
    if with_bias:
        l1, l2 = np.append(penalty.bias_l1, l1), np.append(penalty.bias_l2, l2)
    with np.errstate(over="ignore", invalid="ignore"):  # numbers beyond float64 are refused below
        factor = _factor(state, fit_intercept, with_bias) / np.sqrt(n)
        if fit_intercept and not with_bias and y_is_constant(state):
            factor[:, -1] = 0.0  # centered y: the rounding of a constant y's mean (solve.CONSTANT_Y)
        design, target = factor[:-1, :-1], factor[:-1, -1]
        if l1.any():
            theta, sweeps = _coordinate_descent(design.T @ design, design.T @ target, l1, l2, tol)
        else:
            theta, sweeps = _ridge(design, target, l2), 0
        residual = design @ theta - target
        residual_rms = stable_norm(np.append(residual, factor[-1, -1]))  # √mse, without overflow or underflow
        mse = residual_rms * residual_rms  # inf when it leaves float64 (refused below); ** would raise
        coef = theta[1:] if with_bias else theta
        intercept = float(theta[0]) if with_bias else (state.mean_y - float(state.mean_x @ coef) if fit_intercept
                                                        else 0.0)
        objective = mse + penalty.value(coef, intercept)
    if not np.isfinite([*coef, intercept, objective]).all():
        raise ValueError(f"The penalized least-squares objective of these rows (mean squared error {mse:.3g} + "
                         f"penalty) leaves float64: the values of y or x are too large for their squares; rescale "
                         f"them, e.g. standardize them. Received: y of mean {state.mean_y:.3g}")
    return PenalizedResult(coef, intercept, mse, objective, penalty, n,
                           _rsquared(state, residual_rms, fit_intercept), sweeps, fit_intercept)


def _rsquared(state: LeastSquaresState, residual_rms: float, fit_intercept: bool) -> float:
    """``1 − n·mse / Σ(y − ȳ)²`` (``Σ y²`` without an intercept), formed from root mean squares so that neither
    sum leaves float64 (y near 1e154 squares beyond it, near 1e-170 below it); NaN when y is constant."""
    column = state.factor[:, -1] if fit_intercept else state.uncentered_factor()[:, -1]
    spread = stable_norm(column) / math.sqrt(state.n)  # root mean square of y's deviations
    constant = not spread > 0 or (fit_intercept and y_is_constant(state))
    ratio = math.nan if constant else residual_rms / spread
    return 1.0 - ratio * ratio


def _per_coefficient(value, name: str, p: int) -> np.ndarray:
    """The penalty ``value`` (a number, or one per coefficient) as ``p`` checked numbers >= 0."""
    values = np.ravel(np.asarray(value, dtype=object))
    if np.ndim(value) > 1 or values.size not in (1, p):
        raise ValueError(f"penalty {name} must be a number or a list of one number per coefficient ({p}). "
                         f"Received: {name}={value!r}")
    checked = [check.real_number(v, f"penalty {name}", low=0.0) for v in values]
    return np.broadcast_to(np.array(checked, dtype=np.float64), (p,))


def _factor(state: LeastSquaresState, fit_intercept: bool, with_bias: bool) -> np.ndarray:
    """Triangular ``U`` with ``UᵀU`` = the cross-products of ``[θ-columns, y]``: centered ``[x, y]`` when the
    intercept is free, ``[1, x, y]`` when it is penalized, ``[x, y]`` without an intercept."""
    if not fit_intercept:
        return state.uncentered_factor()
    if not with_bias:
        return state.factor
    rows = np.vstack([np.hstack([np.zeros((state.factor.shape[0], 1)), state.factor]),
                      np.sqrt(state.weight) * np.append(1.0, state.mean)])
    return np.linalg.qr(rows, mode="r")


def _ridge(design: np.ndarray, target: np.ndarray, l2: np.ndarray) -> np.ndarray:
    """``argmin ||design·θ - target||² + Σⱼ l2ⱼθⱼ²``, accurate for penalties of any size.

    With the columns scaled to unit norm by ``c``, ``design/c = U S Vᵀ``; singular values below ``p·eps·max S``
    are rounding (collinear columns) and set to 0, so that the penalty alone decides those directions (a tiny
    penalty there would otherwise amplify the rounding). ``[S Vᵀ; diag(√l2/c)]·(cθ) ≈ [Uᵀ target; 0]`` is then
    solved by ``lstsq`` with its columns scaled to unit norm again: its cut-off is relative to the largest
    singular value, which a huge penalty on one coefficient would otherwise make drown the others.
    """
    norms = _unit(np.linalg.norm(design, axis=0))
    u, s, vt = np.linalg.svd(design / norms, full_matrices=False)
    s = np.where(s > s.size * np.finfo(np.float64).eps * s.max(initial=0.0), s, 0.0)
    stacked = np.vstack([s[:, None] * vt, np.diag(np.sqrt(l2) / norms)])
    scale = _unit(np.linalg.norm(stacked, axis=0))
    solution = np.linalg.lstsq(stacked / scale, np.append(u.T @ target, np.zeros(l2.size)), rcond=None)[0]
    return solution / scale / norms


def _unit(norms: np.ndarray) -> np.ndarray:
    """Column norms to divide by, 1 for a zero column."""
    return np.where(norms > 0, norms, 1.0)


def _coordinate_descent(gram: np.ndarray, target: np.ndarray, l1: np.ndarray, l2: np.ndarray,
                        tol: float) -> tuple[np.ndarray, int]:
    """Minimize ``θᵀGθ - 2gᵀθ + Σ l1ⱼ|θⱼ| + l2ⱼθⱼ²`` by cyclic coordinate descent (module docstring)."""
    theta = np.zeros(target.size)
    curvature = np.diag(gram) + l2
    for sweep in range(1, MAX_SWEEPS + 1):
        largest_step = 0.0
        for j in range(target.size):
            if curvature[j] <= 0:  # a constant-zero column with no l2: its coefficient stays 0
                continue
            z = target[j] - gram[j] @ theta + gram[j, j] * theta[j]
            new = np.sign(z) * max(abs(z) - l1[j] / 2.0, 0.0) / curvature[j]
            largest_step = max(largest_step, abs(new - theta[j]))
            theta[j] = new
        if largest_step <= tol * max(1.0, float(np.abs(theta).max())):
            return theta, sweep
    raise ArithmeticError(f"Coordinate descent did not converge in {MAX_SWEEPS} sweeps (the features are nearly "
                          f"collinear and the l2 penalty too small to separate them); standardize x or raise l2.")


def penalized_fit(x, y, penalty: Penalty, fit_intercept: bool = True, *, sample_weight=None) -> PenalizedResult:
    """:func:`penalized` on the rows ``x`` (n, p), ``y`` (n,), optionally weighted by ``sample_weight`` (n,)."""
    return penalized(LeastSquaresState().update(x, y, sample_weight), penalty, fit_intercept)

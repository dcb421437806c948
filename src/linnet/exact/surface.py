"""The loss surface: the mean squared error of ``y ≈ x @ coef + intercept`` as a function of the parameters.

It comes in closed form from a :class:`~linnet.exact.state.LeastSquaresState`, with no pass over the rows::

    mse(c, b) = mse* + (c - c*)' S (c - c*) + (mean(x) @ (c - c*) + b - b*)**2

where ``(c*, b*)`` is the least-squares answer, ``mse* = ssr / W`` its (weighted) MSE and ``S = Sxx / W`` the
(population) covariance of ``x``. This holds because least-squares residuals have mean 0 and are uncorrelated
with ``x``; written so, the gap ``mse - mse*`` is a sum of squares, never negative and free of cancellation.

With a ``penalty`` (:class:`~linnet.exact.penalized.Penalty`, a regularized model) the surface is Keras' loss
``mse + penalty`` and its ``optimum`` the penalized one: ``gap`` is then measured from that optimum.
"""

from __future__ import annotations

import numpy as np

from .penalized import Penalty, penalized
from .results import OLSResult
from .state import LeastSquaresState


class LossSurface:
    """The MSE over (coef, intercept) of the rows summarized by ``state``, and its geometry for one feature.

    ``least_squares`` is ``OLSResult.from_moments(state)`` when the caller has already solved it (with an
    intercept, on the same rows): it is reused, not solved (and warned about) again.

    Examples
    --------
    >>> surface = LossSurface(LeastSquaresState().update([[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0]))
    >>> float(surface.mse([[1.0]], [1.0])[0])  # y = 2x + 1 exactly: a slope of 1 misses by 0, 1, 2
    1.6666666666666667
    """

    def __init__(self, state: LeastSquaresState, penalty: Penalty | None = None, *,
                 least_squares: OLSResult | None = None) -> None:
        self.optimum = self._least_squares = _solved(state, least_squares)
        self.mse_min = self.optimum.ssr / state.weight
        self.mean_x = state.mean_x.copy()
        self.cov_x = state.sxx / state.weight
        self.var_y = state.syy / state.weight
        self.penalty, self._floor = penalty or None, 0.0
        if self.penalty is not None:
            self.optimum = penalized(state, penalty)
            self._floor = self._data_gap(self.optimum.coef_, self.optimum.intercept_) + penalty.value(
                self.optimum.coef_, self.optimum.intercept_)
            self.mse_min += self._floor

    def gap(self, coef, intercept) -> np.ndarray:
        """``mse(coef, intercept) - mse*`` for ``coef`` of shape (..., p) and ``intercept`` of shape (...); with a
        ``penalty``, ``mse + penalty`` minus its value at the penalized optimum."""
        gap = self._data_gap(coef, intercept)
        if self.penalty is None:
            return gap
        return gap + self.penalty.value(coef, intercept) - self._floor

    def _data_gap(self, coef, intercept) -> np.ndarray:
        """The MSE above least squares' (a sum of squares, module docstring)."""
        step = np.asarray(coef, dtype=np.float64) - self._least_squares.coef_
        spread = np.einsum("...i,ij,...j->...", step, self.cov_x, step)
        shift = step @ self.mean_x + (np.asarray(intercept, dtype=np.float64) - self._least_squares.intercept_)
        return spread + shift ** 2

    def mse(self, coef, intercept) -> np.ndarray:
        """The mean squared error ``mse* + gap`` at the given parameters (``mse + penalty`` with a penalty)."""
        return self.mse_min + self.gap(coef, intercept)

    def half_widths(self, gap: float) -> np.ndarray:
        """Half the (slope, intercept) box around the ellipse ``gap(a, b) <= gap`` of a one-feature model."""
        variance, mean = self.cov_x[0, 0], self.mean_x[0]
        return np.sqrt(gap / variance * np.array([1.0, variance + mean ** 2]))

    def valley(self, slopes: np.ndarray) -> np.ndarray:
        """Intercepts on the valley's axis (the surface's flattest direction through the optimum) at ``slopes``;
        with a penalty, L2's curvature counts (``l2·c² + bias_l2·b²`` adds ``diag(l2, bias_l2)`` to Hessian / 2)."""
        mean = self.mean_x[0]
        curvature = np.array([[self.cov_x[0, 0] + mean ** 2, mean], [mean, 1.0]])  # MSE's Hessian / 2
        if self.penalty is not None:
            curvature += np.diag([float(np.ravel(self.penalty.l2)[0]), self.penalty.bias_l2])
        flattest = np.linalg.eigh(curvature)[1][:, 0]
        return self.optimum.intercept_ + (slopes - self.optimum.coef_[0]) * flattest[1] / flattest[0]

    @property
    def scale(self) -> float:
        """var(y), or 1 for a constant y: the unit a plot's window and floor are measured in."""
        return self.var_y if self.var_y > 0 else 1.0


def _solved(state: LeastSquaresState, least_squares: OLSResult | None) -> OLSResult:
    """``least_squares`` when it is the intercept model of ``state``'s rows, solved when None."""
    if least_squares is None:
        return OLSResult.from_moments(state)
    if (not isinstance(least_squares, OLSResult) or not least_squares.fit_intercept
            or least_squares.nobs != state.n or least_squares.coef_.size != state.n_features):
        raise ValueError(f"least_squares must be the OLSResult with an intercept of the state's {state.n} rows and "
                         f"{state.n_features} feature(s). Received: {least_squares!r}")
    return least_squares

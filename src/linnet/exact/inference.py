"""Inference on the parameters of a least-squares fit: covariance, standard errors, t, p-values, intervals.

A mixin of :class:`~linnet.exact.results.OLSResult`, which provides ``params``, ``df_resid``, ``nobs``, ``rank``,
the solution's covariance root ``T`` (``T T' = pinv(X'X)``) and ``_scaled_std``, ``resid_std`` of y scaled by
``2**-y_exponent``: the standard errors are ``resid_std`` times the row norms of ``T``, never the square roots of a
formed inverse, and are formed in those units then scaled back, so y near 1.8e308 squares nothing.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from .. import _validation as _checks
from .solve import LeastSquares, ResidualDegreesOfFreedomError, stable_norm


class ParameterInference:
    """statsmodels' inference on ``params`` (nonrobust covariance), computed on first access."""

    def cov_params(self) -> np.ndarray:
        """Covariance matrix of ``params``: ``scale * pinv(X'X)`` (a ``ValueError`` where beyond float64)."""
        solution = self._solution
        return solution.in_y_units(self._scaled_std ** 2 * solution.cov_unscaled, 2, "cov_params")

    @cached_property
    def bse(self) -> np.ndarray:
        """Standard errors of ``params``: ``resid_std`` times the row norms of ``T`` (``T T' = pinv(X'X)``)."""
        solution = self._solution
        rows = np.array([stable_norm(row) for row in solution.root])
        return solution.in_y_units(self._scaled_std * rows, 1, "bse")

    @cached_property
    def tvalues(self) -> np.ndarray:
        """``params / bse`` (NaN where both are 0, e.g. an all-zero column)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.params / self.bse

    @cached_property
    def pvalues(self) -> np.ndarray:
        """Two-sided p-values of the t-tests ``param = 0`` with ``df_resid`` degrees of freedom."""
        from scipy import stats
        return 2 * stats.t.sf(np.abs(self.tvalues), self.df_resid)

    def conf_int(self, alpha: float = 0.05) -> np.ndarray:
        """``(k, 2)`` array of ``1 - alpha`` confidence intervals ``params -/+ t(1 - alpha/2, df_resid) bse``."""
        from scipy import stats
        alpha = _checks.real_number(alpha, "alpha", low=0, high=1, low_open=True, high_open=True)
        half_width = stats.t.ppf(1 - alpha / 2, self._df_resid()) * self.bse
        return np.column_stack([self.params - half_width, self.params + half_width])

    def _df_resid(self) -> int:
        if self.df_resid <= 0:
            raise ResidualDegreesOfFreedomError(
                "Statistics that divide by df_resid (standard errors, t, p-values, confidence intervals, adjusted "
                f"R-squared, F) need more rows than fitted parameters, but there are {self.nobs} row(s) for rank "
                f"{self.rank}: the coefficients fit exactly and their uncertainty is undefined. "
                "Add rows or remove features.")
        return self.df_resid


def exact_zeros(solution: LeastSquares) -> np.ndarray:
    """The solution's parameters, those of an exact fit within the solve's error bound of 0 set to 0: rounding
    (e.g. 2e-18) of a coefficient that is 0 in truth, a column y does not use, not an estimate with a standard error
    of 0 (t = 2e-18 / 0 = inf, p = 0). A coefficient below its ``negligible`` size (in y's units,
    :data:`linnet.exact.solve.NEGLIGIBLE`) is correct to ``10**-digits`` of that size (``digits`` as measured by
    :func:`linnet.exact._digits.digits_of`), so one no larger is indistinguishable from 0."""
    if solution.residual_norm != 0:
        return solution.params
    rounding = np.ldexp(solution.negligible, solution.y_exponent) * 10.0 ** -solution.digits
    return np.where(np.abs(solution.params) <= rounding, 0.0, solution.params)

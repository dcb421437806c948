"""The exact least-squares answer and its classical statistics, like statsmodels' ``OLS``/``WLS(...).fit()``.

``ols(x, y)`` accumulates a mergeable :class:`~linnet.exact.state.LeastSquaresState` (a triangular factor of
the centered data, so the solve has QR accuracy) and solves from it, so the same answer comes from all rows at
once or from chunks merged later. Statistics are computed lazily, the first time they are read.
"""

from __future__ import annotations

import math
from functools import cached_property

import numpy as np

from .. import _html, _naming, _sources
from .. import _validation as _checks
from .advice import warn_if_few_digits, warn_if_rank_deficient
from .inference import ParameterInference, exact_zeros
from .refine import refine_solution
from .solve import ResidualDegreesOfFreedomError, solve
from .state import LeastSquaresState, Moments, checked_sample_weight
from .summary import constant_y, exact_fit_why, render_summary

__all__ = ["LeastSquaresState", "Moments", "OLSResult", "ResidualDegreesOfFreedomError", "ols"]

WARN_BELOW_DIGITS = 6
"""``ols`` warns when fewer significant digits of the coefficients than this are reliable."""
REFINE_BELOW_DIGITS = 10
"""``ols(refine=None)`` refines when fewer digits than this are estimated reliable. The pass costs about 10x the
fit (1M x 20: 0.5 s against 0.04 s), spent only on hard data: NIST Wampler1/3/4, estimated 8.4/8.0/6.2, go from
9.3/9.4/8.2 correct digits to 13.9/13.5/12.0; fits estimated at 10 digits or more (most data) are not touched."""


class OLSResult(ParameterInference):
    """A fitted (weighted) least-squares model: coefficients plus statistics computed on first access.

    ``params``, ``bse``, ``tvalues``, ``pvalues`` and ``conf_int()`` are ordered intercept first (when fitted),
    then the features. Statistics follow statsmodels' definitions (``WLS`` when weighted: ``ssr`` and ``tss``
    weighted, R-squared centered on the weighted mean): with an intercept, R-squared is centered and
    ``df_model = rank - 1``; without one it is uncentered and ``df_model = rank``.

    Build one with :func:`ols` or :meth:`from_moments`.

    Attributes
    ----------
    digits : float
        Estimated correct significant digits of the worst coefficient: a first-order bound per parameter, ``u``
        (the state's rounding) times its row of the covariance root times the size of the scaled problem, plus
        what a large residual adds; a safe lower bound in practice, at most 2.3 digits below the measured ones on
        NIST. See ``linnet.exact._digits.solution_digits``.
    refined : bool
        Whether a pass of iterative refinement (residuals in extended precision) improved the coefficients.

    Notes
    -----
    When the design is rank-deficient (a constant or collinear column), the minimum-norm least-squares
    solution is used, ``rank`` says how many directions were determined, and the parameter covariance is
    ``scale * pinv(X'X)``, as statsmodels does. A design is rank-deficient when a singular value of its
    column-scaled form is below ``8 (p + 1) u`` of the largest (:data:`linnet.exact.solve.RANK_ULPS`, ``u`` the
    state's rounding, ``eps`` from QR), i.e. numerically singular, not merely ill-conditioned. With no more rows
    than parameters (``df_resid <= 0``) the coefficients, R-squared and log-likelihood are available, but
    statistics that divide by ``df_resid`` raise :class:`ResidualDegreesOfFreedomError`. A residual norm at the
    rounding level of y's (the design fits y exactly) is reported as 0 (``exact_fit``): ``ssr = 0``, standard
    errors 0, R-squared 1, and t, F and ``llf`` infinite, their limits as the residuals shrink to 0 (statsmodels
    reports the rounding instead: standard errors near 1e-15, t near 1e15); ``summary()`` and ``repr`` say so.
    """

    def __init__(self, state: LeastSquaresState, fit_intercept: bool, feature_names: list[str],
                 solution=None) -> None:
        self._state = state
        self.fit_intercept = fit_intercept
        self.feature_names = feature_names
        self.target_name = "y"  # ols sets a pandas Series' name
        self._solution = solution = solve(state, fit_intercept) if solution is None else solution
        self.params = exact_zeros(solution)
        self.rank = solution.rank
        self.nobs = state.n
        self.k_constant = int(fit_intercept)
        self.df_model = self.rank - self.k_constant
        self.df_resid = self.nobs - self.rank
        self.digits = solution.digits
        self.refined = solution.refined

    @classmethod
    def from_moments(cls, moments: LeastSquaresState, fit_intercept: bool = True,
                     feature_names: list[str] | None = None, *, warn: bool = True) -> OLSResult:
        """Solve the least-squares problem held in ``moments`` (a state; it is copied, not kept).

        Warns (``UserWarning``) naming the constant and collinear columns when the design is rank-deficient,
        and when fewer than 6 digits of the coefficients are reliable; ``warn=False`` is for a caller that uses
        only the least loss ``ssr`` and the loss surface around it, which neither condition makes inexact (a
        rank-deficient design leaves the minimizer, not the minimum, undetermined).
        """
        return cls._fit(moments, fit_intercept, feature_names, warn=warn)

    @classmethod
    def _fit(cls, state, fit_intercept, feature_names, refine_with=None, warn: bool = True) -> OLSResult:
        if not isinstance(state, LeastSquaresState):
            raise TypeError(f"moments must be a linnet LeastSquaresState (linnet.stats.Moments). "
                            f"Received: moments of type {type(state).__name__}")
        if state.n < 2:
            raise ValueError(f"Least squares needs at least 2 rows. Received: {state.n} row(s)")
        if not state.weight > 0:
            raise ValueError(f"The sample weights of all {state.n} rows are 0: no row counts in the fit. Give some "
                             f"rows a positive weight.")
        fit_intercept, warn = _checks.boolean(fit_intercept, "fit_intercept"), _checks.boolean(warn, "warn")
        names = _naming.feature_names(feature_names, state.n_features)
        solution = solve(state, fit_intercept)
        if refine_with is not None:
            solution = refine_with(solution, state)
        result = cls(state.copy(), fit_intercept, names, solution)
        if warn:
            warn_if_rank_deficient(result, solution)
            warn_if_few_digits(result, solution, WARN_BELOW_DIGITS)
        return result

    # --- coefficients -----------------------------------------------------------------------------------------
    coef_ = property(lambda self: self.params[self.k_constant:], doc="Feature coefficients, shape (p,).")
    intercept_ = property(lambda self: float(self.params[0]) if self.fit_intercept else 0.0,
                          doc="The intercept (0.0 when not fitted).")

    @property
    def param_names(self) -> list[str]:
        """``["const", *feature_names]`` with an intercept, else the feature names."""
        return ["const"] * self.k_constant + list(self.feature_names)

    # --- goodness of fit ---------------------------------------------------------------------------------------
    @cached_property
    def ssr(self) -> float:
        """(Weighted) residual sum of squares, the square of the factor's last diagonal entry; a ``ValueError``
        where that is beyond float64 (y near 1e300 or 1e-300)."""
        solution = self._solution
        return float(solution.in_y_units(solution.residual_norm ** 2, 2, "ssr (the residual sum of squares)"))

    @property
    def exact_fit(self) -> bool:
        """Whether the (weighted) residuals are 0: y fitted exactly, to float64's rounding (a residual norm below
        ``EXACT_FIT (p + 1)`` of y's, :data:`linnet.exact.solve.EXACT_FIT`, is rounding). Then ``ssr`` and the
        standard errors are 0, and t, F and ``llf`` are infinite: the limits they reach as the residuals shrink
        (weighted, a row of weight 0 keeps its residual)."""
        return self._solution.residual_norm == 0

    weighted = property(lambda self: self._state.weighted, doc="Whether some sample weight is not 1.")

    @cached_property
    def rsquared(self) -> float:
        """``1 - ssr / tss``; ``tss`` is centered with an intercept, uncentered without (NaN if ``tss = 0``).

        With ``tss = ess + ssr`` (``ess = |rxy|**2`` from the factor), computed as ``ess / tss`` when that is
        the smaller term (R-squared below 1/2), where ``1 - ssr / tss`` would magnify ``ssr``'s rounding by
        ``(1 - R2) / R2`` (NIST Wampler5: 13.1 -> 14 digits).
        """
        solution = self._solution
        if not solution.total_norm > 0:
            return math.nan
        unexplained = (solution.residual_norm / solution.total_norm) ** 2
        if unexplained <= 0.5:
            return 1 - unexplained
        return (solution.explained_norm / solution.total_norm) ** 2

    @cached_property
    def rsquared_adj(self) -> float:
        """``1 - (nobs - k_constant) / df_resid * (1 - rsquared)``."""
        return 1 - (self.nobs - self.k_constant) / self._df_resid() * (1 - self.rsquared)

    @cached_property
    def scale(self) -> float:
        """Residual variance ``ssr / df_resid`` (a ``ValueError`` where beyond float64, as ``ssr``)."""
        return float(self._solution.in_y_units(self._scaled_std ** 2, 2, "scale (the residual variance)"))

    @cached_property
    def resid_std(self) -> float:
        """Standard error of the regression, ``sqrt(ssr / df_resid)``."""
        return float(self._solution.in_y_units(self._scaled_std, 1, "resid_std"))

    @cached_property
    def _scaled_std(self) -> float:
        """``resid_std`` of the solution's scaled y, ``y · 2**-y_exponent``: its residual norm over
        ``sqrt(df_resid)``, never squared."""
        return self._solution.residual_norm / math.sqrt(self._df_resid())

    @cached_property
    def fvalue(self) -> float:
        """F-statistic ``(ess / df_model) / (ssr / df_resid)``, ``ess = tss - ssr = |P rxy|**2``.

        From the ratio of the two norms, ``(|P rxy| / rho)**2``, not ``R2 / (1 - R2)``, which rounded to inf
        wherever R-squared rounds to 1 (residuals of 1e-13 on y near 30: F 3e28). NaN when the model is the
        intercept alone (``df_model = 0``) or y has no variation; inf for an exact fit (``exact_fit``), its limit.
        """
        if not self.df_model or math.isnan(self.rsquared):
            return math.nan
        solution = self._solution
        ratio = solution.explained_norm / solution.residual_norm if not self.exact_fit else math.inf
        return ratio * ratio * self._df_resid() / self.df_model

    @cached_property
    def f_pvalue(self) -> float:
        """P-value of the F-statistic (upper tail of F(df_model, df_resid))."""
        from scipy import stats
        if self.df_model == 0:
            return math.nan
        return float(stats.f.sf(self.fvalue, self.df_model, self.df_resid))

    @cached_property
    def llf(self) -> float:
        """Gaussian profile log-likelihood ``-n/2 * (log(2 pi) + log(ssr / n) + 1) + sum(log w) / 2``."""
        solution = self._solution
        if self.exact_fit:
            return math.inf
        log_ssr = 2 * (math.log(solution.residual_norm) + solution.y_exponent * math.log(2))
        return -self.nobs / 2 * (math.log(2 * math.pi) + log_ssr - math.log(self.nobs) + 1) \
            + self._state.log_weight / 2

    aic = property(lambda self: -2 * self.llf + 2 * self.rank, doc="Akaike: ``-2 llf + 2 rank``.")
    bic = property(lambda self: -2 * self.llf + math.log(self.nobs) * self.rank,
                   doc="Bayes: ``-2 llf + log(nobs) rank``.")

    @cached_property
    def condition_number(self) -> float:
        """Ratio of the largest to smallest singular value of the design (constant column included).

        Matches statsmodels' ``condition_number``: the singular values are those of the design's triangular
        factor (``[[sqrt(W), sqrt(W) mean_x], [0, Rxx]]`` with an intercept). Rank-deficient designs report
        ``inf``.
        """
        if self.rank < len(self.params):
            return math.inf
        state = self._state
        if self.fit_intercept:
            design = state.factor[:-1, :-1]
            top = np.sqrt(state.weight) * np.append(1.0, state.mean_x)
            factor = np.vstack([top, np.column_stack([np.zeros(design.shape[0]), design])])
        else:  # y's column (beyond float64 for y near 1e308) is left out of x's
            factor = state.y_scaled(-self._solution.y_exponent).uncentered_factor()[:-1, :-1]
        singular = np.linalg.svd(factor, compute_uv=False)
        return float(singular[0] / singular[-1]) if singular[-1] > 0 else math.inf

    def summary(self, dep_variable: str | None = None) -> str:
        """statsmodels' OLS summary as text (a ``Summary``, a ``str``; tables in a notebook), without date and
        time; the dependent variable is ``dep_variable``, default ``target_name`` (a Series' name, else ``"y"``)."""
        return render_summary(self, _checks.text_or_default(dep_variable, "dep_variable", self.target_name))

    def __repr__(self) -> str:
        rsquared = (f"nan (undefined: {constant_y(self.fit_intercept)})" if math.isnan(self.rsquared)
                    else f"{self.rsquared:.6g}" + (f" ({exact_fit_why(self.weighted)})" if self.exact_fit else ""))
        return (f"OLSResult(nobs={self.nobs}, n_features={len(self.feature_names)}, "
                f"fit_intercept={self.fit_intercept}, rank={self.rank}, rsquared={rsquared})")

    _repr_html_ = _html.html  # the summary's tables (linnet.notebook.display)


def ols(x, y, fit_intercept: bool = True, *, sample_weight=None, feature_names: list[str] | None = None,
        refine: bool | None = None) -> OLSResult:
    """(Weighted) least squares of ``y`` on ``x``: the exact answer and its statistics.

    Parameters
    ----------
    x : array-like, shape (n, p) or (n,)
        Features; a 1-D ``x`` is one feature. Any real dtype; all arithmetic is float64, done at most 8,192 rows at a
        time so a float32 ``x`` is never copied whole.
    y : array-like, shape (n,) or (n, 1)
        Target.
    fit_intercept : bool, default True
        Add a constant column (reported as ``"const"``, first in ``params``).
    sample_weight : array-like, shape (n,), optional
        Non-negative weights: minimizes ``sum(w (y - X b)**2)``, as statsmodels' ``WLS(y, X, weights=w)``.
    feature_names : list of str, optional
        Names for the summary and warnings; default the DataFrame's columns, else ``x`` (one feature) or
        ``x1, x2, ...`` (the rule of :mod:`linnet._naming`).
    refine : bool, optional
        Run one pass of iterative refinement over the rows (residuals accumulated in extended precision):
        ``True`` always, ``False`` never, ``None`` (default) when fewer than 10 digits are estimated reliable;
        not where it could not halve the error (``2 eps k**2 >= 1``, ``k`` the scaled condition number: NIST Filip).

    Examples
    --------
    >>> fit = ols([[1.0], [2.0], [3.0]], [1.0, 2.0, 4.0])
    >>> fit.intercept_, fit.coef_
    (-0.666..., array([1.5]))
    """
    for accepts, ols_of_them in _sources.SOURCES.values():  # e.g. Dask collections, reduced on their cluster
        if accepts(x):
            return ols_of_them(x, y, fit_intercept, sample_weight=sample_weight, feature_names=feature_names,
                               refine=refine)
    feature_names = _naming.pandas_feature_names(x) if feature_names is None else feature_names
    target_name = _naming.target_name(None, y)
    refine = _checks.boolean(refine, "refine", allow_none=True)
    x = _checks.features(x, "x", dtype=None, finite=False)  # the state's pass over the data checks finiteness
    y = _checks.targets(y, x.shape[0], "y", dtype=None, finite=False)[:, 0]
    weights = checked_sample_weight(sample_weight, x.shape[0])

    def refine_with(solution, state):
        wanted = refine if refine is not None else solution.digits < REFINE_BELOW_DIGITS
        return refine_solution(solution, state, x, y, weights, bool(fit_intercept)) if wanted else solution

    result = OLSResult._fit(Moments()._update(x, y, weights), fit_intercept, feature_names, refine_with)
    result.target_name = target_name
    return result

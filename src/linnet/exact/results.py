"""The exact least-squares answer and its classical statistics, like statsmodels' ``OLS(...).fit()``.

``ols(x, y)`` accumulates mergeable sufficient statistics (:class:`linnet._moments.Moments`) and solves the
normal equations from them, so the same answer comes from all rows at once or from chunks merged later.
Statistics are computed lazily, the first time they are read.
"""

from __future__ import annotations

import warnings
from functools import cached_property

import numpy as np

from .. import _naming
from .. import _validation as _checks
from .moments import Moments, solve


class ResidualDegreesOfFreedomError(ValueError):
    """Raised by a statistic that needs ``df_resid > 0`` (more rows than fitted parameters)."""


class OLSResult:
    """A fitted ordinary least-squares model: coefficients plus statistics computed on first access.

    ``params``, ``bse``, ``tvalues``, ``pvalues`` and ``conf_int()`` are ordered intercept first (when fitted),
    then the features. Statistics follow statsmodels' definitions: with an intercept, R-squared is centered
    and ``df_model = rank - 1``; without one it is uncentered and ``df_model = rank``.

    Build one with :func:`ols` or :meth:`from_moments`.

    Notes
    -----
    When the design is rank-deficient (a constant or collinear column), the minimum-norm least-squares
    solution is used, ``rank`` says how many directions were determined, and the parameter covariance is
    ``scale * pinv(X'X)``, as statsmodels does. With no more rows than parameters (``df_resid <= 0``) the
    coefficients, R-squared and log-likelihood are available, but statistics that divide by ``df_resid``
    raise :class:`ResidualDegreesOfFreedomError`.

    Everything is computed from the moments (``n``, means, centered cross-products), never from the rows, so
    the residual sum of squares carries a relative error of about ``1e-16 * syy / ssr`` (``syy`` centered):
    negligible unless the fit is almost perfect (centered R-squared within ~1e-8 of 1). Columns count as
    collinear when an eigenvalue of their correlation matrix is below ``1e-11`` of the largest
    (``_moments.RANK_RTOL``; roughly, one column is explained by the others up to ``1 - R^2 < 1e-11``).
    statsmodels' SVD cut-off would keep such a column and return coefficients dominated by rounding; there,
    and for ``condition_number`` of rank-deficient designs (``inf`` here, ~1e16 there), the two differ.
    """

    def __init__(self, moments: Moments, fit_intercept: bool, feature_names: list[str]) -> None:
        self._moments = moments
        self.fit_intercept = fit_intercept
        self.feature_names = feature_names
        self._solution = solution = solve(moments, fit_intercept)
        self.params = solution.params
        self.rank = solution.rank
        self.nobs = moments.n
        self.ssr = solution.ssr
        self.k_constant = int(fit_intercept)
        self.df_model = self.rank - self.k_constant
        self.df_resid = self.nobs - self.rank

    @classmethod
    def from_moments(cls, moments: Moments, fit_intercept: bool = True,
                     feature_names: list[str] | None = None) -> OLSResult:
        """Solve the least-squares problem summarized by ``moments`` (which is copied, not kept).

        Warns (``UserWarning``) naming the constant and collinear columns when the design is rank-deficient.
        """
        return cls._fit(moments, fit_intercept, feature_names, warning_stacklevel=4)

    @classmethod
    def _fit(cls, moments, fit_intercept, feature_names, warning_stacklevel: int) -> OLSResult:
        if not isinstance(moments, Moments):
            raise TypeError(f"moments must be a linnet Moments, received {type(moments).__name__}.")
        if moments.n < 2:
            raise ValueError(f"Least squares needs at least 2 rows, received {moments.n}.")
        fit_intercept = _checks.boolean(fit_intercept, "fit_intercept")
        names = _naming.feature_names(feature_names, moments.n_features)
        result = cls(moments.copy(), bool(fit_intercept), names)
        result._warn_if_rank_deficient(warning_stacklevel)
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
    def rsquared(self) -> float:
        """``1 - ssr / tss``; ``tss`` is centered with an intercept, uncentered without (NaN if ``tss = 0``)."""
        tss = self._solution.tss
        return 1 - self.ssr / tss if tss > 0 else float("nan")

    @cached_property
    def rsquared_adj(self) -> float:
        """``1 - (nobs - k_constant) / df_resid * (1 - rsquared)``."""
        return 1 - (self.nobs - self.k_constant) / self._df_resid() * (1 - self.rsquared)

    @cached_property
    def scale(self) -> float:
        """Residual variance ``ssr / df_resid``."""
        return self.ssr / self._df_resid()

    resid_std = property(lambda self: float(np.sqrt(self.scale)),
                         doc="Standard error of the regression, ``sqrt(ssr / df_resid)``.")

    @cached_property
    def fvalue(self) -> float:
        """F-statistic ``(ess / df_model) / (ssr / df_resid)``, ``ess = tss - ssr``.

        NaN when the model is the intercept alone (``df_model = 0``), inf for a perfect fit.
        """
        explained = (self._solution.tss - self.ssr) / self.df_model if self.df_model else float("nan")
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.float64(explained) / self.scale)

    @cached_property
    def f_pvalue(self) -> float:
        """P-value of the F-statistic (upper tail of F(df_model, df_resid))."""
        from scipy import stats
        if self.df_model == 0:
            return float("nan")
        return float(stats.f.sf(self.fvalue, self.df_model, self.df_resid))

    @cached_property
    def llf(self) -> float:
        """Gaussian profile log-likelihood ``-n/2 * (log(2 pi) + log(ssr / n) + 1)``."""
        with np.errstate(divide="ignore"):  # a perfect fit has llf = +inf
            return float(-self.nobs / 2 * (np.log(2 * np.pi) + np.log(self.ssr / self.nobs) + 1))

    aic = property(lambda self: -2 * self.llf + 2 * self.rank, doc="Akaike: ``-2 llf + 2 rank``.")
    bic = property(lambda self: -2 * self.llf + np.log(self.nobs) * self.rank,
                   doc="Bayes: ``-2 llf + log(nobs) rank``.")

    @cached_property
    def condition_number(self) -> float:
        """Ratio of the largest to smallest singular value of the design (constant column included).

        Matches statsmodels' ``condition_number``. The singular values are those of a Cholesky factor of
        the column-scaled ``X'X``, with the scale put back, so they are accurate even when ``X'X`` itself is
        badly conditioned. Rank-deficient designs report ``inf``.
        """
        gram = self._moments.gram(self.fit_intercept)
        scale = np.sqrt(np.diag(gram))
        if self.rank < len(self.params) or not scale.all():
            return float("inf")
        try:
            factor = np.linalg.cholesky(gram / np.outer(scale, scale)).T * scale
        except np.linalg.LinAlgError:
            return float("inf")
        singular_values = np.linalg.svd(factor, compute_uv=False)
        return float(singular_values[0] / singular_values[-1])

    # --- inference on the parameters ---------------------------------------------------------------------------
    def cov_params(self) -> np.ndarray:
        """Covariance matrix of ``params``: ``scale * pinv(X'X)``."""
        return self.scale * self._solution.cov_unscaled

    @cached_property
    def bse(self) -> np.ndarray:
        """Standard errors of ``params``."""
        return np.sqrt(np.clip(np.diag(self.cov_params()), 0, None))

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

    # --- helpers -----------------------------------------------------------------------------------------------
    def _df_resid(self) -> int:
        if self.df_resid <= 0:
            raise ResidualDegreesOfFreedomError(
                "Statistics that divide by df_resid (standard errors, t, p-values, confidence intervals, adjusted "
                f"R-squared, F) need more rows than fitted parameters, but there are {self.nobs} row(s) for rank "
                f"{self.rank}: the coefficients fit exactly and their uncertainty is undefined. "
                "Add rows or remove features.")
        return self.df_resid

    def _warn_if_rank_deficient(self, stacklevel: int) -> None:
        if self.rank == len(self.params):
            return
        solution, names = self._solution, self.feature_names
        problems = [f"x[:, {j}] ({names[j]!r}) is {'constant' if self.fit_intercept else 'all zeros'}"
                    for j in solution.constant]
        if solution.collinear:
            listed = [f"x[:, {j}] ({names[j]!r})" for j in solution.collinear]
            problems.append(f"columns {', '.join(listed[:-1])} and {listed[-1]} are collinear")
        if self.nobs < len(self.params):
            problems.append(f"there are fewer rows ({self.nobs}) than parameters ({len(self.params)})")
        warnings.warn(f"The design is rank-deficient (rank {self.rank} of {len(self.params)} parameters): "
                      f"{'; '.join(problems)}. Using the minimum-norm least-squares solution.",
                      UserWarning, stacklevel=stacklevel)

    def summary(self, dep_variable: str = "y") -> str:
        """A text table like statsmodels' OLS summary (without date and time, so it is reproducible)."""
        return _render_summary(self, dep_variable)

    def __repr__(self) -> str:
        return (f"OLSResult(nobs={self.nobs}, n_features={len(self.feature_names)}, "
                f"fit_intercept={self.fit_intercept}, rank={self.rank}, rsquared={self.rsquared:.6g})")


def ols(x, y, fit_intercept: bool = True, *, feature_names: list[str] | None = None) -> OLSResult:
    """Ordinary least squares of ``y`` on ``x``: the exact answer and its statistics.

    Parameters
    ----------
    x : array-like, shape (n, p) or (n,)
        Features; a 1-D ``x`` is one feature. Any real dtype; all arithmetic is float64, done 65,536 rows at a
        time so a float32 ``x`` is never copied whole.
    y : array-like, shape (n,) or (n, 1)
        Target.
    fit_intercept : bool, default True
        Add a constant column (reported as ``"const"``, first in ``params``).
    feature_names : list of str, optional
        Names for the summary and warnings; default the DataFrame's columns, else ``x`` (one feature) or
        ``x1, x2, ...`` (the rule of :mod:`linnet._naming`).

    Returns
    -------
    OLSResult

    Examples
    --------
    >>> fit = ols([[1.0], [2.0], [3.0]], [1.0, 2.0, 4.0])
    >>> fit.intercept_, fit.coef_
    (-0.666..., array([1.5]))
    """
    feature_names = _naming.pandas_feature_names(x) if feature_names is None else feature_names
    return OLSResult._fit(Moments().update(x, y), fit_intercept, feature_names, warning_stacklevel=4)


def _render_summary(result: OLSResult, dep_variable: str) -> str:
    """Lay out ``result`` as statsmodels does: model statistics in two columns, then one row per parameter."""
    def value(statistic: str, fmt: str) -> str:
        try:
            return format(getattr(result, statistic), fmt)
        except ResidualDegreesOfFreedomError:
            return "n/a"

    left = [("Dep. Variable:", dep_variable), ("Model:", "OLS"), ("Method:", "Least Squares"),
            ("No. Observations:", str(result.nobs)), ("Df Residuals:", str(result.df_resid)),
            ("Df Model:", str(result.df_model)), ("Covariance Type:", "nonrobust")]
    right = [("R-squared:", value("rsquared", ".3f")), ("Adj. R-squared:", value("rsquared_adj", ".3f")),
             ("F-statistic:", value("fvalue", ".4g")), ("Prob (F-statistic):", value("f_pvalue", ".3g")),
             ("Log-Likelihood:", value("llf", ".5g")), ("AIC:", value("aic", ".4g")), ("BIC:", value("bic", ".4g"))]
    name_width = max(12, 2 + max(len(name) for name in result.param_names))
    width = name_width + 66
    lines = ["OLS Regression Results".center(width), "=" * width]
    lines += [f"{a:<20}{b:>19}   {c:<20}{d:>{width - 62}}" for (a, b), (c, d) in zip(left, right)]
    lines += ["=" * width, f"{'':<{name_width}}{'coef':>12}{'std err':>11}{'t':>11}{'P>|t|':>11}"
                           f"{'[0.025':>11}{'0.975]':>10}", "-" * width]
    try:
        rows = zip(result.params, result.bse, result.tvalues, result.pvalues, *result.conf_int().T)
        lines += [f"{name:<{name_width}}{coef:>12.4f}{se:>11.3f}{t:>11.3f}{p:>11.3f}{low:>11.3f}{high:>10.3f}"
                  for name, (coef, se, t, p, low, high) in zip(result.param_names, rows)]
    except ResidualDegreesOfFreedomError:
        lines += [f"{name:<{name_width}}{coef:>12.4f}{'n/a':>11}{'n/a':>11}{'n/a':>11}{'n/a':>11}{'n/a':>10}"
                  for name, coef in zip(result.param_names, result.params)]
    lines += ["=" * width, f"{'Rank:':<20}{result.rank:>19}   {'Cond. No.:':<20}"
                           f"{result.condition_number:>{width - 62}.3g}"]
    return "\n".join(lines)

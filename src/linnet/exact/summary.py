"""``OLSResult.summary()``: the statistics laid out as statsmodels' OLS summary (without date and time)."""

from __future__ import annotations

from .solve import ResidualDegreesOfFreedomError


def render_summary(result, dep_variable: str) -> str:
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
    lines += ["=" * width, (f"{'':<{name_width}}{'coef':>12}{'std err':>11}{'t':>11}{'P>|t|':>11}"
                            f"{'[0.025':>11}{'0.975]':>10}"), "-" * width]
    try:
        rows = zip(result.params, result.bse, result.tvalues, result.pvalues, *result.conf_int().T)
        lines += [f"{name:<{name_width}}{coef:>12.4f}{se:>11.3f}{t:>11.3f}{p:>11.3f}{low:>11.3f}{high:>10.3f}"
                  for name, (coef, se, t, p, low, high) in zip(result.param_names, rows)]
    except ResidualDegreesOfFreedomError:
        lines += [f"{name:<{name_width}}{coef:>12.4f}{'n/a':>11}{'n/a':>11}{'n/a':>11}{'n/a':>11}{'n/a':>10}"
                  for name, coef in zip(result.param_names, result.params)]
    lines += ["=" * width, (f"{'Rank:':<20}{result.rank:>19}   {'Cond. No.:':<20}"
                            f"{result.condition_number:>{width - 62}.3g}")]
    return "\n".join(lines)

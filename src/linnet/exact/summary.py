"""``OLSResult.summary()``: the statistics laid out as statsmodels' OLS summary (without date and time)."""

from __future__ import annotations

import math
import textwrap

import numpy as np

from .. import _html
from .solve import ResidualDegreesOfFreedomError

PARAMETER_HEADER = ("coef", "std err", "t", "P>|t|", "[0.025", "0.975]")


class Summary(str):
    """The summary's text (it *is* that ``str``), with its three tables kept as cells for the notebook display.

    ``info`` holds the model statistics as rows ``(label, value, label, value)``, ``parameters`` one row per
    parameter ``(name, coef, std err, t, P>|t|, [0.025, 0.975])`` of formatted numbers (``"n/a"`` where
    ``df_resid <= 0``), ``footer`` the rank and condition number row and ``notes`` what the tables cannot say
    (why a statistic is undefined). ``repr`` is the text itself, so a notebook or a REPL shows the table rather
    than a one-line string full of ``\\n``.
    """

    info: tuple[tuple[str, str, str, str], ...]
    parameters: tuple[tuple[str, ...], ...]
    footer: tuple[str, str, str, str]
    notes: tuple[str, ...]

    def __new__(cls, text: str, info=(), parameters=(), footer=("", "", "", ""), notes=()) -> Summary:
        summary = super().__new__(cls, text)
        summary.info, summary.parameters, summary.footer = tuple(info), tuple(parameters), footer
        summary.notes = tuple(notes)
        return summary

    __repr__ = str.__str__
    _repr_html_ = _html.html


def constant_y(fit_intercept: bool) -> str:
    """Why R² is NaN: y's total sum of squares, about its mean (about 0 without an intercept), is 0."""
    return "y is constant" if fit_intercept else "y is 0 in every row"


def exact_fit_why(weighted: bool) -> str:
    """Why an exact fit's standard errors are 0 and its t, F and log-likelihood infinite (the summary's note, the
    repr): weighted, only the weighted residuals are 0 (a row of weight 0 keeps its residual)."""
    return f"exact fit: the {'weighted ' if weighted else ''}residuals are 0"


def statistic(value: float, fmt: str) -> str:
    """``value`` formatted, or ``"undefined"`` for NaN: R², adjusted R² and F where y has no variation (0/0), F
    and its p-value of the intercept alone (no regressor), t and its p-value of a coefficient and standard error
    both 0 (0/0). An infinite value prints as ``inf``: the limit of an exact fit (see ``_exact_fit``)."""
    return "undefined" if math.isnan(value) else format(value, fmt)


def _info(result, dep_variable: str) -> list[tuple[str, str, str, str]]:
    """The model statistics in statsmodels' two columns, formatted."""
    def value(name: str, fmt: str) -> str:
        try:
            return statistic(getattr(result, name), fmt)
        except ResidualDegreesOfFreedomError:
            return "n/a"

    left = [("Dep. Variable:", dep_variable), ("Model:", "OLS"), ("Method:", "Least Squares"),
            ("No. Observations:", str(result.nobs)), ("Df Residuals:", str(result.df_resid)),
            ("Df Model:", str(result.df_model)), ("Covariance Type:", "nonrobust")]
    right = [("R-squared:", value("rsquared", ".3f")), ("Adj. R-squared:", value("rsquared_adj", ".3f")),
             ("F-statistic:", value("fvalue", ".4g")), ("Prob (F-statistic):", value("f_pvalue", ".3g")),
             ("Log-Likelihood:", value("llf", ".5g")), ("AIC:", value("aic", ".4g")), ("BIC:", value("bic", ".4g"))]
    return [(a, b, c, d) for (a, b), (c, d) in zip(left, right)]


def _parameters(result) -> list[tuple[str, ...]]:
    """One row per parameter: name, coefficient (4 digits), then five statistics (3 digits) or ``n/a``."""
    try:
        rows = zip(result.params, result.bse, result.tvalues, result.pvalues, *result.conf_int().T)
        return [(name, _digits(coef, 4), _digits(se, 3), _digits(t, 3), statistic(p, ".3f"), _digits(low, 3),
                 _digits(high, 3)) for name, (coef, se, t, p, low, high) in zip(result.param_names, rows)]
    except ResidualDegreesOfFreedomError:
        return [(name, _digits(coef, 4), *["n/a"] * 5) for name, coef in zip(result.param_names, result.params)]


def _digits(value: float, digits: int) -> str:
    """statsmodels' ``forg``: ``digits`` decimals, or ``digits`` significant digits for ``|value|`` from 1e4 up or
    below 1e-4 (1e307 is not 308 digits wide, 1e-300 not 0.000)."""
    return statistic(value, f".{digits}g" if abs(value) >= 1e4 or abs(value) < 1e-4 else f".{digits}f")


def _notes(result) -> list[str]:
    """What the tables cannot say: why a statistic is undefined, or 0 or infinite."""
    notes = (_constant_y(result), _exact_fit(result), _zero_over_zero(result))
    return [note for note in notes if note]


def _constant_y(result) -> str | None:
    if not math.isnan(result.rsquared):
        return None
    return (f"R-squared, Adj. R-squared and the F-statistic are undefined: {constant_y(result.fit_intercept)}, so "
            f"there is no variation for the model to explain.")


def _exact_fit(result) -> str | None:
    """The residuals are 0 (``exact_fit``): the standard errors are 0 and t, F and the log-likelihood infinite,
    printed as the limits they are (``(ess/df_model) / (ssr/df_resid)`` and ``-n/2 log(ssr/n)`` grow without
    bound as ``ssr -> 0``). Names only what the tables show: no t or F without residual degrees of freedom (n/a),
    no t of a coefficient that is 0 too (0/0), no F where y has no variation."""
    if not result.exact_fit:
        return None
    inference = result.df_resid > 0
    t = inference and bool(np.isinf(result.tvalues).any())
    f = inference and math.isinf(result.fvalue)
    infinite = [name for name, shown in (("t", t), ("F", f)) if shown] + ["the log-likelihood"]
    zero = [name for name, shown in (("P>|t|", t), ("Prob(F)", f)) if shown]
    why = exact_fit_why(result.weighted)
    where = " in every row of positive weight" if result.weighted else ""
    return (f"{why[0].upper()}{why[1:]} (y is fitted exactly{where}, to float64's rounding). So "
            f"{'the standard errors are 0, and ' if inference else ''}{_listed(infinite)} "
            f"{'are' if len(infinite) > 1 else 'is'} infinite (the limit as the residuals shrink to 0): "
            f"{_listed(zero) + (' are 0, ' if len(zero) > 1 else ' is 0, ') if zero else ''}AIC and BIC -inf.")


def _zero_over_zero(result) -> str | None:
    """t (and its p-value) of a coefficient that is 0 with a standard error of 0: an all-zero column, a column
    an exact fit does not use."""
    names = [name for name, t in zip(result.param_names, result.tvalues) if math.isnan(t)] \
        if result.df_resid > 0 else []
    if not names:
        return None
    return (f"t and P>|t| of {_listed(names)} are undefined: the coefficient and its standard error are both 0 "
            f"(0/0).")


def _listed(names: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]


def render_summary(result, dep_variable: str) -> Summary:
    """Lay out ``result`` as statsmodels does: model statistics in two columns, then one row per parameter, then
    the notes (statsmodels' "Notes: [1] ...")."""
    info, parameters, notes = _info(result, dep_variable), _parameters(result), _notes(result)
    footer = ("Rank:", str(result.rank), "Cond. No.:", f"{result.condition_number:.3g}")
    name_width = max(12, 2 + max(len(name) for name in result.param_names))
    width = name_width + 66
    lines = ["OLS Regression Results".center(width), "=" * width]
    lines += [f"{a:<20}{b:>19}   {c:<20}{d:>{width - 62}}" for a, b, c, d in info]
    lines += ["=" * width, f"{'':<{name_width}}" + "".join(f"{head:>{w}}" for head, w in
                                                            zip(PARAMETER_HEADER, (12, 11, 11, 11, 11, 10))),
              "-" * width]
    lines += [f"{name:<{name_width}}{coef:>12}{se:>11}{t:>11}{p:>11}{low:>11}{high:>10}"
              for name, coef, se, t, p, low, high in parameters]
    lines += ["=" * width, f"{footer[0]:<20}{footer[1]:>19}   {footer[2]:<20}{footer[3]:>{width - 62}}"]
    if notes:
        lines += ["", "Notes:"] + [textwrap.fill(note, width, initial_indent=f"[{i}] ", subsequent_indent="    ")
                                   for i, note in enumerate(notes, 1)]
    return Summary("\n".join(lines), info, parameters, footer, notes)

"""Correct significant digits on the NIST StRD linear least-squares datasets: ``python benchmarks/accuracy.py``.

For each dataset and statistic (coefficients, standard errors, residual SD, R²) it prints NIST's log relative
error (the smallest over the entries, capped at 15) of ``linnet.ols`` (all rows at once; streamed one row at a
time; with ``refine=True``) beside ``numpy.linalg.lstsq``, scikit-learn's ``LinearRegression`` and statsmodels'
``OLS`` fitted with ``method="pinv"`` and ``method="qr"``. lstsq and scikit-learn give no standard errors; their
residual SD and R² are computed from their coefficients' residuals. The table is Markdown (docs/accuracy.md).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "exact"))
import nist

PEERS = ("linnet", "linnet 1 row", "linnet refine", "lstsq", "sklearn", "sm pinv", "sm qr")
PEER_NAMES = ("lstsq", "sklearn", "sm pinv", "sm qr")


def fits(data) -> dict[str, list]:
    """``[params, bse or None, resid_std, rsquared]`` for every peer."""
    import statsmodels.api as sm
    from sklearn.linear_model import LinearRegression

    import linnet
    from linnet.exact import LeastSquaresState, OLSResult

    design = sm.add_constant(data.x, has_constant="add") if data.fit_intercept else data.x
    results = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, refine in (("linnet", False), ("linnet refine", True)):
            fit = linnet.ols(data.x, data.y, data.fit_intercept, refine=refine)
            results[name] = [fit.params, fit.bse, fit.resid_std, fit.rsquared]
        state = LeastSquaresState()
        for row in range(len(data.y)):
            state.update(data.x[row:row + 1], data.y[row:row + 1])
        fit = OLSResult.from_moments(state, data.fit_intercept)
        results["linnet 1 row"] = [fit.params, fit.bse, fit.resid_std, fit.rsquared]
        results["lstsq"] = _from_params(np.linalg.lstsq(design, data.y, rcond=None)[0], design, data)
        model = LinearRegression(fit_intercept=data.fit_intercept).fit(data.x, data.y)
        params = np.append(model.intercept_, model.coef_) if data.fit_intercept else model.coef_
        results["sklearn"] = _from_params(params, design, data)
        for method in ("pinv", "qr"):
            fit = sm.OLS(data.y, design, hasconst=data.fit_intercept).fit(method=method)
            results[f"sm {method}"] = [fit.params, fit.bse, np.sqrt(fit.mse_resid), fit.rsquared]
    return results


def _from_params(params, design, data) -> list:
    residual = data.y - design @ params
    centered = data.y - data.y.mean() if data.fit_intercept else data.y
    return [params, None, np.sqrt(residual @ residual / (len(data.y) - design.shape[1])),
            1 - (residual @ residual) / (centered @ centered)]


def table() -> str:
    """The Markdown digits table: one row per (dataset, statistic), one column per peer."""
    lines = ["| dataset | statistic | " + " | ".join(PEERS) + " | linnet − best peer |",
             "|---|---|" + "---:|" * (len(PEERS) + 1)]
    for name in nist.NAMES:
        data = nist.load(name)
        results = fits(data)
        for index, statistic in enumerate(nist.STATISTICS):
            certified = data.certified()[statistic]
            digits = {peer: None if results[peer][index] is None else nist.lre(results[peer][index], certified)
                      for peer in PEERS}
            best = max(digits[peer] for peer in PEER_NAMES if digits[peer] is not None)
            cells = ["—" if digits[peer] is None else f"{digits[peer]:.1f}" for peer in PEERS]
            lines.append(f"| {name} | {statistic} | " + " | ".join(cells) + f" | {digits['linnet'] - best:+.1f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())

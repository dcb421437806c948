"""statsmodels' ``OLS`` with a constant column (pseudo-inverse of the design)."""

import _harness


def import_framework():
    import statsmodels.api

    return statsmodels


def train(statsmodels, spec, x, y, clock) -> dict:
    if spec.kind != "ols":
        raise _harness.Unsupported("only the exact solve is compared with statsmodels")
    sm = statsmodels.api
    with clock:
        params = sm.OLS(y, sm.add_constant(x)).fit().params
    return {"coef": params[1:], "intercept": params[0]}


if __name__ == "__main__":
    _harness.main(import_framework, train)

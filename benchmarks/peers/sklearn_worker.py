"""scikit-learn's ``LinearRegression`` (SciPy's ``lstsq`` on the centered data)."""

import _harness


def import_framework():
    import sklearn.linear_model

    return sklearn


def train(sklearn, spec, x, y, clock) -> dict:
    if spec.kind != "ols":
        raise _harness.Unsupported("only the exact solve is compared with scikit-learn")
    with clock:
        model = sklearn.linear_model.LinearRegression().fit(x, y)
    return {"coef": model.coef_, "intercept": model.intercept_}


if __name__ == "__main__":
    _harness.main(import_framework, train)

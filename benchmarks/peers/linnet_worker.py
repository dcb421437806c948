"""linnet: the neuron through its Keras-compatible API, and the exact solve with ``linnet.ols``."""

import sys

import _harness
import _keras_api


def import_framework():
    import linnet

    if sys.argv[1].partition("@")[0] == "ols":  # linnet.ols loads on first use; the other ols peers import
        # their solver's module here too, before the fit's clock
        import linnet.exact.results
    return linnet


def train(linnet, spec, x, y, clock) -> dict:
    if spec.kind == "fit":
        return _keras_api.train(linnet, spec, x, y, clock)
    with clock:
        result = linnet.ols(x, y)
    return {"coef": result.coef_, "intercept": result.intercept_}


if __name__ == "__main__":
    _harness.main(import_framework, train)

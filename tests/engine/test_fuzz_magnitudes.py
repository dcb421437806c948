"""Fuzzing extreme finite magnitudes (1e-45 to 3.4e38, and float64 beyond) through fit, evaluate and predict.

Only the documented errors may escape (``ValueError``/``TypeError``, and ``DivergenceError`` from ``fit``), no
NumPy ``RuntimeWarning`` may be emitted, ``evaluate`` never returns inf, and a refused prediction names a row
whose prediction (or a product forming it) really is beyond float32, checked in float64.
"""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import linnet
from linnet import keras

pytestmark = [pytest.mark.filterwarnings("error::RuntimeWarning"),
              pytest.mark.filterwarnings("ignore:The learning rate .* is above the largest stable:UserWarning"),
              pytest.mark.filterwarnings("ignore:The validation rows:UserWarning")]
SCALE = int(os.environ.get("LINNET_FUZZ_EXAMPLES", "60")) / 60
FUZZ = settings(max_examples=int(80 * SCALE), deadline=None, suppress_health_check=[HealthCheck.too_slow])
FLOAT32_MAX = float(np.finfo(np.float32).max)


def magnitudes(largest: float = FLOAT32_MAX):
    """Finite values of every scale: signed powers of ten from 1e-45 to ``largest``, their float32 edges, 0."""
    powers = st.integers(-45, int(np.log10(largest))).map(lambda k: 10.0 ** k)
    edges = st.sampled_from([FLOAT32_MAX, float(np.finfo(np.float32).tiny), 1.8e19, 0.0])
    return st.tuples(st.one_of(powers, edges), st.sampled_from([1.0, -1.0]),
                     st.floats(1.0, 9.99)).map(lambda t: min(t[0] * t[2], largest) * t[1])


@st.composite
def extreme_data(draw):
    n, d = draw(st.integers(1, 6)), draw(st.integers(1, 2))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    largest = FLOAT32_MAX if dtype == np.float32 else 1e300
    x = draw(hnp.arrays(dtype, (n, d), elements=magnitudes(largest)))
    y = draw(hnp.arrays(dtype, n, elements=magnitudes(largest)))
    return x, y


def model_for(d, weights):
    model = keras.Sequential([keras.Input((d,)), keras.layers.Dense(1)])
    model.set_weights([np.full((d, 1), weights[0], np.float32), np.array([weights[1]], np.float32)])
    return model


WEIGHTS = st.tuples(magnitudes(), magnitudes())


@FUZZ
@given(data=extreme_data(), weights=WEIGHTS, optimizer=st.sampled_from(["sgd", "adam", "rmsprop"]),
       validation_split=st.sampled_from([0.0, 0.5]))
def test_fit_on_extreme_magnitudes_raises_only_documented_errors(data, weights, optimizer, validation_split):
    x, y = data
    model = model_for(x.shape[1], weights)
    model.compile(optimizer, "mse", metrics=["mae"])
    try:
        history = model.fit(x, y, epochs=2, verbose=0, validation_split=validation_split if len(y) > 1 else 0.0)
    except (ValueError, TypeError, linnet.DivergenceError) as error:
        assert str(error)
        return
    assert all(np.isfinite(w).all() for w in model.get_weights())
    assert np.isfinite(history.history["loss"]).all()


@FUZZ
@given(data=extreme_data(), weights=WEIGHTS)
def test_evaluate_on_extreme_magnitudes_is_finite_or_refused(data, weights):
    x, y = data
    model = model_for(x.shape[1], weights)
    model.compile("sgd", "mse", metrics=["mae"])
    try:
        loss, mae = model.evaluate(x, y, verbose=0)
    except (ValueError, TypeError) as error:
        assert str(error)
        return
    assert np.isfinite(loss) and np.isfinite(mae)
    terms = [*(x.astype(np.float32).astype(np.float64) * np.float32(weights[0])).T, np.float32(weights[1]) + 0 * y,
             -y.astype(np.float32).astype(np.float64)]
    errors = np.sum(terms, axis=0)  # the float64 residuals; float32 rounds each term's sum by up to ~eps·Σ|term|
    slack = 4 * np.finfo(np.float32).eps * np.sum(np.abs(terms), axis=0) + 1e-38
    bound = np.mean(2 * np.abs(errors) * slack + slack ** 2)
    underflow = float(np.finfo(np.float32).tiny)  # squares below float32's normal range are lost, as in Keras
    assert abs(loss - np.mean(errors ** 2)) <= bound + 1e-5 * np.mean(errors ** 2) + underflow


@FUZZ
@given(data=extreme_data(), weights=WEIGHTS)
def test_predict_on_extreme_magnitudes_is_finite_or_names_an_overflowing_row(data, weights):
    x, _ = data
    model = model_for(x.shape[1], weights)
    with np.errstate(over="ignore", invalid="ignore"):  # float64 x beyond float32 gives inf (refused by the model)
        terms = x.astype(np.float32).astype(np.float64) * np.float32(weights[0])  # the products x_ij·w
        exact = terms.sum(axis=1) + np.float32(weights[1])
    possible, certain = ((np.abs(terms).max(axis=1) > limit) | ~(np.abs(exact) <= limit)
                         for limit in (FLOAT32_MAX * (1 - 1e-6), FLOAT32_MAX * (1 + 1e-6)))  # float32 rounding
    try:
        prediction = model.predict(x)
    except ValueError as error:
        assert np.abs(x).max() > FLOAT32_MAX or "The prediction for x row" in str(error)
        if "The prediction for x row" in str(error):
            row = int(str(error).split("x row ")[1].split()[0])
            assert possible[row] and not certain[:row].any()  # that row overflows, and is the first one
        return
    assert prediction.dtype == np.float32 and np.isfinite(prediction).all() and not certain.any()

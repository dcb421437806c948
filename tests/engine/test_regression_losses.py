"""MeanAbsolutePercentageError ("mape") and MeanSquaredLogarithmicError ("msle"), and Keras' loss functions, against
numbers recorded from Keras 3.15.1 (TensorFlow backend) by ``tests/tools/record_keras_regression_losses.py``.

Before, linnet had neither loss ("mape" was an unknown loss name) nor Keras' functions (``mean_squared_error``, ...).
Keras computes in float32, and so does linnet: values and gradients agree to a few float32 roundings.
"""

import math
import warnings

import numpy as np
import pytest

import linnet
from linnet.diagnostics import stable_learning_rate
from linnet.engine import losses
from linnet.engine.optimizers import SGD
from linnet.keras import losses as keras_losses

# y = 0 (MAPE divides by max(|y|, 1e-7)), y = p (no gradient), negatives (MSLE clips them to 1e-7), large values
Y = [1.0, 2.0, 0.0, -3.0, 0.5, 250.0, 2.0]
P = [1.5, -1.0, 0.5, -2.0, 0.0, 240.0, 2.0]
W = [1.0, 2.0, 0.5, 0.0, 1.5, 3.0, 1.0]

# loss(Y, P, sample_weight) and its gradient with respect to P (tf.GradientTape), each (B, 1)
KERAS_LOSSES = {
    "mape": {"plain": (71428616.0, [14.285715103149414, -7.142857551574707, 142857152.0, 4.761905193328857,
                                    -28.571430206298828, -0.05714286118745804, -0.0]),
             "weighted": (35714360.0, [14.285715103149414, -14.285715103149414, 71428576.0, 0.0, -42.857147216796875,
                                       -0.1714285910129547, -0.0]),
             "weight 2": (142857232.0, [28.571430206298828, -14.285715103149414, 285714304.0, 9.523810386657715,
                                        -57.142860412597656, -0.11428572237491608, -0.0]),
             "overflow": {"beyond float32": math.inf, "zero target, large prediction": math.inf}},
    "msle": {"plain": (0.22674264013767242, [0.025502124801278114, 0.0, 0.07723142951726913, 0.0, 0.0,
                                             -4.8199279262917116e-05, 0.0]),
             "weighted": (0.3996361792087555, [0.025502124801278114, 0.0, 0.03861571475863457, 0.0, 0.0,
                                               -0.00014459784142673016, 0.0]),
             "weight 2": (0.45348528027534485, [0.05100424960255623, 0.0, 0.15446285903453827, 0.0, 0.0,
                                                -9.639855852583423e-05, 0.0]),
             "overflow": {"beyond float32": 7849.4013671875, "zero target, large prediction": 7849.4013671875}},
}
OVERFLOW = {"beyond float32": ([3e38], [-3e38]), "zero target, large prediction": ([0.0], [3e38])}
KERAS_CONFIG = {"mape": {"name": "mean_absolute_percentage_error", "reduction": "sum_over_batch_size"},
                "msle": {"name": "mean_squared_logarithmic_error", "reduction": "sum_over_batch_size"}}
# keras.losses.<function>(Y (B, 1), P (B, 1)): the per-sample losses
KERAS_FUNCTIONS = {
    "mean_squared_error": [0.25, 9.0, 0.25, 1.0, 0.25, 100.0, 0.0],
    "mean_absolute_error": [0.5, 3.0, 0.5, 1.0, 0.5, 10.0, 0.0],
    "mean_absolute_percentage_error": [50.0, 150.0, 500000000.0, 33.333335876464844, 100.0, 4.0, 0.0],
    "mean_squared_logarithmic_error": [0.0497930571436882, 1.2069487571716309, 0.1644018441438675, 0.0,
                                       0.1644018441438675, 0.00165291759185493, 0.0],
    "huber": [0.125, 2.5, 0.125, 0.5, 0.125, 9.5, 0.0],
    "log_cosh": [0.12011450529098511, 2.309328556060791, 0.12011450529098511, 0.4337807893753052,
                 0.12011444568634033, 9.306852340698242, 0.0],
}
KERAS_HUBER_HALF = [0.125, 1.375, 0.125, 0.375, 0.125, 4.875, 0.0]  # keras.losses.huber(..., delta=0.5)


def column(values):
    return np.array(values, np.float32).reshape(-1, 1)


@pytest.mark.parametrize("name", KERAS_LOSSES)
@pytest.mark.parametrize("case, weights", [("plain", None), ("weighted", W), ("weight 2", 2.0)])
def test_value_and_gradient_match_keras(name, case, weights):
    value, gradient = KERAS_LOSSES[name][case]
    loss = losses.get(name)
    weight = None if weights is None else np.broadcast_to(column(weights), (len(Y), 1))
    ours, grad = loss.value_and_grad(column(Y), column(P), weight)
    assert ours == pytest.approx(value, rel=1e-6)
    assert grad.dtype == np.float32 and grad.shape == (len(Y), 1)
    np.testing.assert_allclose(grad.ravel(), gradient, rtol=2e-6, atol=1e-12)
    assert loss(Y, P, sample_weight=weights) == pytest.approx(value, rel=1e-6)


@pytest.mark.parametrize("name", KERAS_LOSSES)
def test_zero_targets_negatives_and_overflow_give_keras_values_without_a_warning(name):
    """MAPE divides a zero target's error by 1e-7 and MSLE clips negatives to 1e-7, as Keras does: no division by
    zero, no log of a negative, no RuntimeWarning (the values above hold a zero target and negatives)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for case, (y, p) in OVERFLOW.items():
            assert losses.get(name)(y, p) == KERAS_LOSSES[name]["overflow"][case]
        losses.get(name)(Y, P)


@pytest.mark.parametrize("name", KERAS_FUNCTIONS)
def test_keras_loss_functions_give_the_per_sample_losses(name):
    function = getattr(keras_losses, name)
    assert function is losses.FUNCTIONS[name]
    values = function(column(Y), column(P))
    assert values.dtype == np.float32 and values.shape == (len(Y),)
    np.testing.assert_allclose(values, KERAS_FUNCTIONS[name], rtol=2e-6, atol=1e-12)
    # one output: a 1-D pair is B samples here (Keras would read one sample of B outputs and return their mean)
    np.testing.assert_array_equal(function(Y, P), values)


def test_huber_function_takes_delta():
    np.testing.assert_allclose(keras_losses.huber(column(Y), column(P), delta=0.5), KERAS_HUBER_HALF)


@pytest.mark.parametrize("identifier, cls", [
    ("mape", losses.MeanAbsolutePercentageError), ("MAPE", losses.MeanAbsolutePercentageError),
    ("mean_absolute_percentage_error", losses.MeanAbsolutePercentageError),
    ("MeanAbsolutePercentageError", losses.MeanAbsolutePercentageError),
    (keras_losses.mean_absolute_percentage_error, losses.MeanAbsolutePercentageError),
    (keras_losses.MeanAbsolutePercentageError, losses.MeanAbsolutePercentageError),
    ("msle", losses.MeanSquaredLogarithmicError), ("MSLE", losses.MeanSquaredLogarithmicError),
    ("mean_squared_logarithmic_error", losses.MeanSquaredLogarithmicError),
    ("MeanSquaredLogarithmicError", losses.MeanSquaredLogarithmicError),
    (keras_losses.mean_squared_logarithmic_error, losses.MeanSquaredLogarithmicError),
    (keras_losses.log_cosh, losses.LogCosh), (keras_losses.mean_squared_error, losses.MeanSquaredError),
])
def test_names_functions_and_classes_resolve_as_keras_resolves_them(identifier, cls):
    assert type(losses.get(identifier)) is cls
    model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1)])
    model.compile("sgd", loss=identifier)
    assert type(model.loss) is cls


@pytest.mark.parametrize("name", KERAS_CONFIG)
def test_config_round_trips_and_reads_keras_config(name):
    loss = losses.get(name)
    assert loss.get_config() == {**KERAS_CONFIG[name], "dtype": None}
    assert type(losses.deserialize(losses.serialize(loss))) is type(loss)
    assert type(type(loss).from_config(KERAS_CONFIG[name])) is type(loss)  # Keras writes no dtype
    envelope = {"module": "keras.losses", "class_name": type(loss).__name__, "config": KERAS_CONFIG[name],
                "registered_name": None}
    assert type(losses.get(envelope)) is type(loss)
    with pytest.raises(ValueError, match=rf"always named '{KERAS_CONFIG[name]['name']}'. Received: name='other'"):
        type(loss).from_config({**KERAS_CONFIG[name], "name": "other"})
    with pytest.raises(ValueError, match="does not support Keras' reduction.*Received: reduction='sum'"):
        type(loss).from_config({**KERAS_CONFIG[name], "reduction": "sum"})


def test_bad_input_is_refused_by_name():
    with pytest.raises(ValueError, match="Did you mean 'mape'"):
        losses.get("mapee")
    with pytest.raises(ValueError, match=r"Received: y_true.shape=\(2, 2\)"):
        losses.MeanSquaredLogarithmicError()(np.ones((2, 2)), np.ones((2, 2)))
    with pytest.raises(TypeError, match="y_pred must hold numbers"):
        losses.MeanAbsolutePercentageError()([1.0], ["a"])
    with pytest.raises(ValueError, match="sample_weight must be non-negative"):
        losses.MeanAbsolutePercentageError()([1.0, 2.0], [1.0, 2.0], sample_weight=[1.0, -1.0])


def test_a_loss_function_that_is_not_linnets_is_refused_with_the_reason():
    """linnet trains with the gradients its losses define; Keras would differentiate any function."""
    def my_loss(y_true, y_pred):
        return (y_true - y_pred) ** 2

    model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1)])
    with pytest.raises(ValueError, match=r"must be one of linnet's: mean_squared_error, .*Received: <function"):
        model.compile("sgd", loss=my_loss)
    with pytest.raises(ValueError, match=r"Received: \{'class_name': 'function', 'config': 'my_loss'\}"):
        losses.loss_function({"class_name": "function", "config": "my_loss"})


def fit_data():
    """What the recording script fits: 24 rows, y = 2x + 1 + noise > 0, and weights (float32)."""
    rng = np.random.default_rng(18)
    x = rng.uniform(0.5, 3.0, size=(24, 1)).astype(np.float32)
    y = (2.0 * x[:, 0] + 1.0 + 0.2 * rng.normal(size=24)).astype(np.float32)
    return x, y, rng.uniform(0.0, 2.0, size=24).astype(np.float32)


# ----- what the diagnostics make of them -----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["mape", "msle"])
def test_no_constant_curvature_so_no_learning_rate_is_derived(name):
    """MAPE is piecewise linear in the prediction (as MAE); MSLE's curvature grows with the target. Both declare 0:
    learning_rate="auto" refuses them, the stability limit is infinite (their gradients are bounded, so no rate
    makes the steps explode) and fit warns nothing at a large SGD rate."""
    assert losses.get(name).curvature() == 0.0
    assert stable_learning_rate([1.0, 2.0, 3.0], loss=name).learning_rate == math.inf
    x, y, _ = fit_data()
    model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1, kernel_initializer="zeros")])
    model.compile(SGD(learning_rate="auto"), loss=name)
    with pytest.raises(ValueError, match=r"a loss with curvature .*Received: 1 layer\(s\), loss "
                                         rf"{type(model.loss).__name__}"):
        model.fit(x, y, verbose=0)
    model.compile(SGD(50.0), loss=name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(x, y, epochs=2, verbose=0)

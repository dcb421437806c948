"""MeanAbsolutePercentageError ("mape") and MeanSquaredLogarithmicError ("msle"), and Keras' loss functions, against
numbers recorded from Keras 3.15.1 (TensorFlow backend) by ``tests/tools/record_keras_regression_losses.py``.

Before, linnet had neither loss ("mape" was an unknown loss name) nor Keras' functions (``mean_squared_error``, ...).
Keras computes in float32, and so does linnet: values and gradients agree to a few float32 roundings.
"""

import math
import warnings

import numpy as np
import pytest
from regression_cases import FITS, OVERFLOW, START, P, W, Y, fit_data, loss, metric

import linnet
from linnet.diagnostics import stable_learning_rate
from linnet.engine import losses
from linnet.engine.optimizers import SGD
from linnet.keras import losses as keras_losses
from linnet.keras import metrics as keras_metrics
from linnet.keras import optimizers as keras_optimizers

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
    assert function is getattr(keras_metrics, name) is losses.FUNCTIONS[name]  # keras.metrics has them too
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


# ----- training ------------------------------------------------------------------------------------------------
DATA_SUMS = (44.18205761909485, 112.48509621620178, 26.833975087851286)  # of x, y, w as recorded (checks the generator)
# model.fit(x, y, shuffle=False, ...) of regression_cases.FITS: the running loss after each batch
# (on_train_batch_end), History, final weights and evaluate(x, y), recorded from Keras 3.15.1
KERAS_FITS = {
    "mape by name, SGD": {
        "batch_losses": [79.55371856689453, 73.8082504272461, 69.1567153930664, 63.830589294433594, 60.96390914916992,
                         29.75591278076172, 24.113161087036133, 19.634096145629883, 16.082988739013672,
                         14.42141056060791, 10.662675857543945, 6.11857271194458, 6.232378005981445, 6.611004829406738,
                         5.901751518249512],
        "history": {"LogCoshError": [2.2019901275634766, 0.24407535791397095, 0.03571751341223717], "log_cosh_error":
                    [2.2019901275634766, 0.24407535791397095, 0.03571751341223717], "loss": [60.96390914916992,
                    14.42141056060791, 5.901751518249512], "mean_absolute_percentage_error": [60.96390914916992,
                    14.42141056060791, 5.901751518249512], "msle": [0.5440413951873779, 0.024389756843447685,
                    0.0035334841813892126], "val_LogCoshError": [0.609022319316864, 0.08939626067876816,
                    0.030140355229377747], "val_log_cosh_error": [0.609022319316864, 0.08939626067876816,
                    0.030140355229377747], "val_loss": [25.9693660736084, 7.542273998260498, 6.619638919830322],
                    "val_mean_absolute_percentage_error": [25.9693660736084, 7.542273998260498, 6.619638919830322],
                    "val_msle": [0.058680903166532516, 0.005528803449124098, 0.003177815116941929]},
        "weights": [[1.979577660560608], [1.0339289903640747]],
        "evaluate": {"LogCoshError": 0.014459283091127872, "log_cosh_error": 0.014459283091127872, "loss":
                     3.5057361125946045, "mean_absolute_percentage_error": 3.5057361125946045, "msle":
                     0.0014172164956107736},
    },
    "msle from negative predictions, SGD": {
        "batch_losses": [2.214448928833008, 1.2147740125656128, 0.8292693495750427, 0.6415286660194397,
                         0.5212008953094482, 0.4378146231174469, 0.008744079619646072, 0.013734628446400166,
                         0.011003497987985611, 0.014623054303228855, 0.013191635720431805, 0.014134126715362072,
                         0.002250180346891284, 0.003763926215469837, 0.003020750591531396, 0.006879840046167374,
                         0.0060292938724160194, 0.008341205306351185],
        "history": {"loss": [0.4378146231174469, 0.014134126715362072, 0.008341205306351185], "mape":
                    [38.71098327636719, 12.99493408203125, 9.606762886047363], "wrapped_mape": [38.71098327636719,
                    12.99493408203125, 9.606762886047363]},
        "weights": [[1.563858985900879], [1.6595137119293213]],
        "evaluate": {"loss": 0.007264288142323494, "mape": 8.762499809265137, "wrapped_mape": 8.762499809265137},
    },
    "MeanAbsolutePercentageError weighted, Adam": {
        "batch_losses": [41.79836654663086, 63.923545837402344, 74.4557113647461, 78.49823760986328, 35.26422882080078,
                         53.932273864746094, 62.88902282714844, 65.81010437011719],
        "history": {"loss": [78.49823760986328, 65.81010437011719], "mape": [73.67675018310547, 61.767940521240234],
                    "msle": [0.8330163359642029, 0.48961493372917175], "val_loss": [85.70270538330078,
                    68.61158752441406], "val_mape": [65.01895141601562, 52.05265808105469], "val_msle":
                    [0.5315079689025879, 0.296492338180542]},
        "weights": [[0.8842423558235168], [0.4916726350784302]],
        "evaluate": {"loss": 54.317626953125, "mape": 54.317626953125, "msle": 0.3468833863735199},
    },
    "MeanSquaredLogarithmicError, RMSprop": {
        "batch_losses": [1.0346379280090332, 0.9560561776161194, 0.9149869084358215, 0.8476418852806091,
                         0.6557719707489014, 0.6357102990150452, 0.6277633309364319, 0.5920619368553162],
        "history": {"MeanSquaredLogarithmicError": [0.8476418852806091, 0.5920619368553162], "logcosh":
                    [2.7610976696014404, 2.405346155166626], "loss": [0.8476418852806091, 0.5920619368553162]},
        "weights": [[0.7611331939697266], [0.3568577766418457]],
        "evaluate": {"MeanSquaredLogarithmicError": 0.5047846436500549, "logcosh": 2.251835584640503, "loss":
                     0.5047846436500549},
    },
}
KERAS_EVALUATE_ZERO_TARGET = {"loss": 18891996.0, "msle": 1.0079405307769775}  # y[3] = 0, weights START, "mape"


def test_the_data_are_the_recorded_data():
    np.testing.assert_allclose([a.sum(dtype=np.float64) for a in fit_data()], DATA_SUMS, rtol=1e-6)


def compiled(case):
    model = linnet.keras.Sequential([linnet.keras.Input((1,)), linnet.keras.layers.Dense(1)])
    kernel, bias = case.get("start", START)
    model.set_weights([np.array(kernel, np.float32), np.array(bias, np.float32)])
    name, config = case["optimizer"]
    model.compile(getattr(keras_optimizers, name)(**config), loss(case["loss"], keras_losses),
                  metrics=[metric(m, keras_losses, keras_metrics) for m in case["metrics"]],
                  weighted_metrics=case.get("weighted_metrics"))
    return model


class BatchLosses(linnet.keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.losses = []

    def on_train_batch_end(self, batch, logs=None):
        self.losses.append(logs["loss"])


@pytest.mark.parametrize("name", KERAS_FITS)
def test_fit_matches_keras_batch_by_batch(name):
    case, recorded, (x, y, w) = FITS[name], KERAS_FITS[name], fit_data()
    model, batches = compiled(case), BatchLosses()
    arguments = dict(case["fit"])
    if arguments.pop("sample_weight", False):
        arguments["sample_weight"] = w
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no stability warning either: these losses have no constant curvature
        history = model.fit(x, y, shuffle=False, verbose=0, callbacks=[batches], **arguments).history
        evaluated = model.evaluate(x, y, verbose=0, return_dict=True)
    np.testing.assert_allclose(batches.losses, recorded["batch_losses"], rtol=2e-5)
    assert sorted(history) == sorted(recorded["history"])
    for key, values in recorded["history"].items():
        np.testing.assert_allclose(history[key], values, rtol=2e-5, err_msg=key)
    for ours, theirs in zip(model.get_weights(), recorded["weights"], strict=True):
        np.testing.assert_allclose(ours.ravel(), theirs, rtol=2e-5)
    assert evaluated == pytest.approx(recorded["evaluate"], rel=2e-5)


def test_evaluate_with_a_zero_target_gives_keras_huge_value_without_a_warning():
    x, y, _ = fit_data()
    y[3] = 0.0
    model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1)])
    model.set_weights([np.array(START[0], np.float32), np.array(START[1], np.float32)])
    model.compile("sgd", "mape", metrics=["msle"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert model.evaluate(x, y, verbose=0, return_dict=True) == pytest.approx(KERAS_EVALUATE_ZERO_TARGET,
                                                                                    rel=1e-6)


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

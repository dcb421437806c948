"""Keras 3's MeanAbsolutePercentageError, MeanSquaredLogarithmicError, LogCoshError, Mean, Sum and MeanMetricWrapper
metrics, against numbers recorded from Keras 3.15.1 by ``tests/tools/record_keras_regression_losses.py``.

Before, none of these classes existed, and "mape", "msle" and "log_cosh_error" were unknown metric names. Fits that
log them under Keras' names are in ``test_regression_losses.py``.
"""

import warnings

import numpy as np
import pytest
from regression_cases import NAMED, REDUCTIONS, P, W, Y, metric

import linnet
from linnet.engine import metrics
from linnet.keras import losses as keras_losses
from linnet.keras import metrics as keras_metrics


def wrapper_envelope(name, fn, **kwargs):
    return {"module": "keras.metrics", "class_name": "MeanMetricWrapper",
            "config": {"name": name, "dtype": "float32", "fn": {"module": "builtins", "class_name": "function",
                                                                 "config": fn, "registered_name": "function"},
                       **kwargs}, "registered_name": None}


def envelope(class_name, name):
    return {"module": "keras.metrics", "class_name": class_name, "config": {"name": name, "dtype": "float32"},
            "registered_name": None}


# update_state(Y[:4], P[:4]) then result ("first"); update_state(Y[4:], P[4:], W[4:]) then result ("both");
# keras.metrics.serialize(metric)
KERAS_METRICS = {
    "MeanAbsolutePercentageError": (125000056.0, 52631620.0,
                                    envelope("MeanAbsolutePercentageError", "mean_absolute_percentage_error")),
    "MeanSquaredLogarithmicError": (0.3552859127521515, 0.17607422173023224,
                                    envelope("MeanSquaredLogarithmicError", "mean_squared_logarithmic_error")),
    "LogCoshError": (0.7458345890045166, 3.2720072269439697, envelope("LogCoshError", "logcosh")),
    "MeanMetricWrapper(mape)": (125000056.0, 52631620.0,
                                wrapper_envelope("wrapped", "mean_absolute_percentage_error")),
    "MeanMetricWrapper(huber, delta=0.5)": (0.5, 1.769736886024475, wrapper_envelope("h", "huber", delta=0.5)),
}
BUILT = {
    "MeanAbsolutePercentageError": keras_metrics.MeanAbsolutePercentageError,
    "MeanSquaredLogarithmicError": keras_metrics.MeanSquaredLogarithmicError,
    "LogCoshError": keras_metrics.LogCoshError,
    "MeanMetricWrapper(mape)": lambda: keras_metrics.MeanMetricWrapper(keras_losses.mean_absolute_percentage_error,
                                                                       name="wrapped"),
    "MeanMetricWrapper(huber, delta=0.5)": lambda: keras_metrics.MeanMetricWrapper(keras_losses.huber, name="h",
                                                                                   delta=0.5),
}
# Mean and Sum after regression_cases.REDUCTIONS, then result(); after reset_state: 0
KERAS_REDUCTIONS = {
    "Mean": {"list": 4.0, "list weighted": 2.0, "number": 3.5, "number weight": 4.0, "rows": 4.0,
             "rows weighted by row": 4.9285712242126465, "rows weighted each": 3.0,
             "column weighted": 2.142857074737549, "two calls": 6.599999904632568},
    "Sum": {"list": 16.0, "list weighted": 4.0, "number": 7.0, "number weight": 32.0, "rows": 24.0,
            "rows weighted by row": 34.5, "rows weighted each": 10.5, "column weighted": 7.5, "two calls": 33.0},
}
# compile(metrics=regression_cases.NAMED) then evaluate(return_dict=True): the keys Keras logs (functions by their
# names, an unnamed MeanMetricWrapper as mean_metric_wrapper, LogCoshError() as logcosh)
KERAS_KEYS = ["MAPE", "MSLE", "MeanAbsolutePercentageError", "log_cosh", "log_cosh_error", "logcosh", "loss",
              "mean_absolute_percentage_error", "mean_metric_wrapper", "mean_squared_logarithmic_error"]
KERAS_ERRORS = {  # what Keras raised, at the first evaluate, for compile(metrics=[name])
    "mean": "TypeError: Mean.update_state() got multiple values for argument 'sample_weight'",
    "sum": "TypeError: Sum.update_state() got multiple values for argument 'sample_weight'",
    "mean_metric_wrapper": "TypeError: MeanMetricWrapper.__init__() missing 1 required positional argument: 'fn'"}


@pytest.mark.parametrize("name", KERAS_METRICS)
def test_streamed_values_and_config_match_keras(name):
    first, both, keras_envelope = KERAS_METRICS[name]
    metric = BUILT[name]()
    metric.update_state(Y[:4], P[:4])
    assert metric.result() == pytest.approx(first, rel=1e-6)
    metric.update_state(Y[4:], P[4:], sample_weight=W[4:])
    assert metric.result() == pytest.approx(both, rel=1e-6)
    assert metrics.serialize(metric) == keras_envelope
    again = metrics.deserialize(keras_envelope)  # Keras' own envelope
    assert type(again) is type(metric) and again.get_config() == metric.get_config()
    again.update_state(Y[:4], P[:4])
    assert again.result() == pytest.approx(first, rel=1e-6)
    metric.reset_state()
    assert metric.result() == 0.0


@pytest.mark.parametrize("cls", [keras_metrics.Mean, keras_metrics.Sum])
@pytest.mark.parametrize("case", REDUCTIONS)
def test_mean_and_sum_reduce_values_as_keras(cls, case):
    metric = cls()
    for values, weights in REDUCTIONS[case]:
        metric.update_state(values, sample_weight=weights)
    assert metric.result() == pytest.approx(KERAS_REDUCTIONS[cls.__name__][case], rel=1e-6)
    metric.reset_state()
    assert metric.result() == 0.0


@pytest.mark.parametrize("cls, name", [(keras_metrics.Mean, "mean"), (keras_metrics.Sum, "sum")])
def test_mean_and_sum_config_round_trips(cls, name):
    assert metrics.serialize(cls()) == envelope(cls.__name__, name)
    renamed = metrics.deserialize(envelope(cls.__name__, "total_loss"))
    assert type(renamed) is cls and renamed.name == "total_loss"
    with pytest.raises(ValueError, match="does not support Keras' dtype.*Received: dtype='float64'"):
        cls.from_config({"name": name, "dtype": "float64"})


@pytest.mark.parametrize("values, weights, error, message", [
    (["a", "b"], None, TypeError, "values must hold numbers"),
    ([1.0, np.nan], None, ValueError, r"values contains NaN or infinite values \(first at index \(1,\): nan\)"),
    ([1.0, 2.0], [1.0, -1.0], ValueError, "sample_weight must be non-negative"),
    ([1.0, 2.0], [1.0, 2.0, 3.0], ValueError, r"one per value of values \(2,\). Received: sample_weight.shape=\(3,\)"),
])
def test_mean_and_sum_refuse_bad_input_by_name(values, weights, error, message):
    for cls in (keras_metrics.Mean, keras_metrics.Sum):
        metric = cls()
        with pytest.raises(error, match=message):
            metric.update_state(values, sample_weight=weights)
        assert metric.result() == 0.0  # nothing was added


def model(metrics_=(), weighted=None):
    built = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1, kernel_initializer="ones")])
    built.compile("sgd", "mse", metrics=list(metrics_), weighted_metrics=weighted)
    return built


def test_compiled_metrics_are_logged_under_keras_names():
    x = np.arange(1.0, 7.0)
    compiled = model([metric(name, keras_losses, keras_metrics) for name in NAMED])
    logs = compiled.evaluate(x, 2 * x, verbose=0, return_dict=True)
    assert sorted(logs) == sorted(KERAS_KEYS)
    assert logs["MAPE"] == logs["mean_absolute_percentage_error"] == pytest.approx(50.0)  # ŷ = x, y = 2x
    assert logs["log_cosh"] == logs["log_cosh_error"] == logs["logcosh"] == pytest.approx(logs["mean_metric_wrapper"])


@pytest.mark.parametrize("name", KERAS_ERRORS)
def test_metrics_of_values_are_refused_by_compile_where_keras_fails_at_the_first_batch(name):
    """Keras 3 accepts compile(metrics=["mean"]) and fails in fit or evaluate (recorded); linnet says why at once
    (MeanMetricWrapper without its fn as every constructor does: naming the class and what it received)."""
    assert KERAS_ERRORS[name].startswith("TypeError: ")
    match = (r"^MeanMetricWrapper: missing a required argument: 'fn'.*Received: " if name.endswith("wrapper")
             else rf"metrics must hold metrics of \(y_true, y_pred\).*MeanMetricWrapper\). Received: "
                  rf"metrics=\['{name}'\]")
    with pytest.raises(TypeError, match=match):
        model([name])
    with pytest.raises(TypeError, match=r"weighted_metrics must hold metrics of \(y_true, y_pred\)"):
        model(weighted=[keras_metrics.Mean()])


def test_a_function_of_your_own_is_wrapped_and_logged_under_its_name():
    """As Keras: compile(metrics=[fn]) is MeanMetricWrapper(fn) named fn.__name__; fn gets float32 columns."""
    seen = []

    def squared(y_true, y_pred):
        seen.append((y_true.shape, y_pred.dtype))
        return (y_true - y_pred) ** 2

    x, weights = np.arange(1.0, 7.0), np.array([0.0, 1.0, 2.0, 0.0, 1.0, 1.0])
    fitted = model([squared], weighted=[squared, "mse"])
    logs = fitted.evaluate(x, 2 * x, sample_weight=weights, verbose=0, return_dict=True)
    assert logs["squared"] == pytest.approx(np.mean(x ** 2))
    assert logs["weighted_squared"] == pytest.approx(logs["mse"]) == pytest.approx(weights @ x ** 2 / weights.sum())
    assert seen[0] == ((6, 1), np.float32)
    assert isinstance(fitted.metrics[0], keras_metrics.MeanMetricWrapper)


def test_mean_metric_wrapper_refusals_name_what_is_wrong():
    with pytest.raises(TypeError, match=r"fn must be a function of \(y_true, y_pred\).*Received: fn='mape'"):
        keras_metrics.MeanMetricWrapper("mape")
    with pytest.raises(ValueError, match="compute in float32. Received: dtype='float64'"):
        keras_metrics.MeanMetricWrapper(keras_losses.huber, dtype="float64")
    with pytest.raises(ValueError, match=r"a config stores a function's name, not its code.*'config': 'my_fn'"):
        metrics.deserialize(wrapper_envelope("mine", "my_fn"))
    with pytest.raises(TypeError, match=r"the values of bad's fn must hold numbers"):
        keras_metrics.MeanMetricWrapper(lambda y, p: np.array(["x"] * len(y)), name="bad").update_state([1.0], [2.0])


def test_an_unnamed_wrapper_gets_keras_unique_name():
    first, second = (keras_metrics.MeanMetricWrapper(keras_losses.log_cosh) for _ in range(2))
    assert first.name.startswith("mean_metric_wrapper") and second.name != first.name


@pytest.mark.parametrize("identifier, cls, name", [
    ("mape", metrics.MeanOfLoss, "mape"), ("MSLE", metrics.MeanOfLoss, "MSLE"),
    ("log_cosh_error", metrics.LogCoshError, "log_cosh_error"), ("LogCoshError", metrics.LogCoshError, "LogCoshError"),
    ("MeanAbsolutePercentageError", metrics.MeanAbsolutePercentageError, "MeanAbsolutePercentageError"),
    ("Mean", metrics.Mean, "Mean"), ("sum", metrics.Sum, "sum"),
    (metrics.LogCoshError, metrics.LogCoshError, "logcosh"),
    (keras_losses.MeanSquaredLogarithmicError, metrics.MeanOfLoss, "mean_squared_logarithmic_error"),
    (keras_losses.huber, metrics.MeanOfLoss, "huber"),
])
def test_get_resolves_names_classes_and_functions_as_keras(identifier, cls, name):
    metric = metrics.get(identifier)
    assert type(metric) is cls and metric.name == name


def test_the_new_metrics_give_keras_values_without_a_warning_on_a_zero_target_or_an_overflow():
    """A target of 0 against 1: MAPE 100·1/1e-7 (Keras' function gives 5e8 for 0.5, recorded in
    test_regression_losses). 3e38 against -3e38: MAPE inf, MSLE 7849.4013671875 (Keras' loss, recorded there),
    log-cosh NaN (Keras 3.15.1, recorded in test_losses). No RuntimeWarning."""
    cases = [(keras_metrics.MeanAbsolutePercentageError, [0.0], [1.0], 1e9),
             (keras_metrics.MeanAbsolutePercentageError, [3e38], [-3e38], np.inf),
             (keras_metrics.MeanSquaredLogarithmicError, [3e38], [-3e38], 7849.4013671875),
             (keras_metrics.LogCoshError, [3e38], [-3e38], np.nan)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for cls, y_true, y_pred, expected in cases:
            metric = cls()
            metric.update_state(y_true, y_pred)
            assert metric.result() == pytest.approx(expected, rel=1e-6, nan_ok=True)


def test_mean_metric_wrapper_refuses_options_its_function_does_not_take_when_built():
    """MeanMetricWrapper(huber, foo=3.0) was taken, and failed at the first batch with a raw TypeError."""
    with pytest.raises(TypeError, match=r"fn huber does not take these keyword arguments .*'foo'.*Received: "
                                        r"\{'foo': 3\.0\}"):
        metrics.MeanMetricWrapper(keras_losses.huber, foo=3.0)
    with pytest.raises(TypeError, match=r"does not take these keyword arguments .*Received: \{'bar': 1\}"):
        metrics.MeanMetricWrapper(lambda y_true, y_pred: y_true, bar=1)
    assert metrics.MeanMetricWrapper(keras_losses.huber, delta=0.5).fn_kwargs == {"delta": 0.5}


@pytest.mark.parametrize("fn, message", [
    (lambda y_true, y_pred: np.ones(1), r"must hold one value per sample, 3 for this batch\. Received: shape \(1,\)"),
    (lambda y_true, y_pred: np.full(y_true.shape[0], np.nan), r"hold NaN \(first for sample 0\): the function"),
], ids=["one value", "NaN"])
def test_mean_metric_wrapper_refuses_what_its_function_returns_wrongly(fn, message):
    """One value for 3 rows was averaged as if it were the batch's (1.0 logged); a NaN became the logged value,
    or in evaluate an untrue 'the predictions overflow float32 ... rescale x and y'."""
    metric = metrics.MeanMetricWrapper(fn, name="mine")
    with pytest.raises(ValueError, match=message):
        metric.update_state([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])


def test_a_metrics_name_must_be_a_string_and_mean_and_sum_take_keras_dtype():
    """Mean(name=5) logged under the key 5; Mean(dtype=...) and Sum(dtype=...) (Keras' argument) raised a raw
    TypeError."""
    with pytest.raises(TypeError, match=r"name must be a non-empty string .*Received: name=5"):
        metrics.Mean(name=5)
    assert metrics.Mean(dtype="float32").result() == 0.0 and metrics.Sum(dtype=None).result() == 0.0
    with pytest.raises(ValueError, match=r"compute in float32\. Received: dtype='float64'"):
        metrics.Sum(dtype="float64")


class _Mine(metrics.Metric):
    """A metric written for linnet's earlier (name, dtype) order."""

    def __init__(self):
        super().__init__("mine")

    def reset_state(self):
        self.total = 0.0

    def result(self):
        return self.total


def test_a_name_given_first_to_metric_is_told_keras_order_and_the_keyword_call():
    """super().__init__("mine") gave only "linnet's metrics compute in float32. Received: dtype='mine'"."""
    with pytest.raises(ValueError, match=r"^linnet's metrics compute in float32\. Received: dtype='mine', which is no "
                                         r"dtype name: a Metric's arguments are Keras' \(dtype, name\), not linnet's "
                                         r"earlier \(name, dtype\); give the name by keyword, "
                                         r"super\(\)\.__init__\(name='mine'\)\.$"):
        _Mine()
    for dtype in ("float64", "int8", "bfloat16", "mixed_float16", 64,  # a dtype (Keras' too) is only refused, and
                  "int", "float", "double", "f4", "float8_e4m3fn"):  # the names NumPy or Keras parse (review)
        with pytest.raises(ValueError) as raised:
            metrics.Mean(dtype=dtype)
        assert str(raised.value) == f"linnet's metrics compute in float32. Received: dtype={dtype!r}"

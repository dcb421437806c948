import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from linnet.engine import losses

ALL = [losses.MeanSquaredError(), losses.MeanAbsoluteError(), losses.Huber(delta=0.7), losses.LogCosh()]


def test_hand_computed_values():
    y, p = np.array([[1.0], [2.0], [3.0]], np.float32), np.array([[2.0], [2.0], [0.0]], np.float32)
    assert losses.get("mse")(y, p) == pytest.approx((1 + 0 + 9) / 3)
    assert losses.get("mae")(y, p) == pytest.approx((1 + 0 + 3) / 3)
    # Huber delta 1: 0.5*1, 0, 1*(3 - 0.5)
    assert losses.get("huber")(y, p) == pytest.approx((0.5 + 0 + 2.5) / 3)
    assert losses.get("log_cosh")(y, p) == pytest.approx(np.mean(np.log(np.cosh([1.0, 0.0, -3.0]))), rel=1e-6)


@pytest.mark.parametrize("loss", ALL, ids=repr)
@settings(max_examples=40, deadline=None)
@given(data=arrays(np.float64, (5, 2), elements=st.floats(-5, 5)))
def test_gradient_matches_finite_differences(loss, data):
    y, p = data[:, :1], data[:, 1:]
    error = p - y
    if isinstance(loss, losses.MeanAbsoluteError):  # not differentiable at 0
        p = np.where(np.abs(error) < 1e-3, p + 0.01, p)
    if isinstance(loss, losses.Huber):  # kink at |e| = delta
        p = np.where(np.abs(np.abs(p - y) - loss.delta) < 1e-3, p + 0.01, p)
    _, grad = loss.value_and_grad(y, p)
    h = 1e-6
    for i in range(5):
        up, down = p.copy(), p.copy()
        up[i] += h
        down[i] -= h
        numeric = (loss.value_and_grad(y, up)[0] - loss.value_and_grad(y, down)[0]) / (2 * h)
        assert grad[i, 0] == pytest.approx(numeric, abs=1e-5)


def test_log_cosh_is_stable_for_large_errors():
    value = losses.LogCosh()(np.zeros((1, 1)), np.full((1, 1), 1000.0))
    assert value == pytest.approx(1000 - np.log(2), rel=1e-6)


def test_log_cosh_is_float32_and_zero_at_zero_as_in_keras():
    """log 2 was subtracted in float64: log_cosh(0) was 1.9e-9 (Keras 3.15.1: 0.0, recorded) and the per-sample
    values float64. Keras' log_cosh of an error of 1 is 0.4337807893753052 (recorded)."""
    values, slopes = losses.LogCosh().pointwise(np.array([[0.0], [1.0]], np.float32))
    assert values.dtype == slopes.dtype == np.float32
    assert values[0, 0] == 0.0 and values[1, 0] == pytest.approx(0.4337807893753052, rel=2e-7)
    assert losses.LogCosh()([2.0], [2.0]) == 0.0


def test_names_and_errors():
    assert isinstance(losses.get("mean_squared_error"), losses.MeanSquaredError)
    assert losses.get({"class_name": "Huber", "config": {"delta": 2.0}}).delta == 2.0
    with pytest.raises(ValueError, match="Did you mean 'mse'"):
        losses.get("msee")
    with pytest.raises(ValueError, match="delta"):
        losses.Huber(delta=0)
    with pytest.raises(TypeError):
        losses.get(3)
    with pytest.raises(ValueError, match="same length"):
        losses.get("mse")([1, 2], [1, 2, 3])


def test_a_mistyped_keyword_of_a_loss_gets_the_hint_its_own_parameters_give():
    """Huber(detla=1.0) said "Huber got unexpected keyword argument(s): 'detla'." without a hint: the base class
    checked the keywords against its own (reduction, name, dtype) only, not Huber's delta."""
    with pytest.raises(TypeError, match=r"^Huber got unexpected keyword argument\(s\): 'detla' \(did you mean "
                                        r"'delta'\?\)\.$"):
        losses.Huber(detla=1.0)
    with pytest.raises(TypeError, match=r"^MeanSquaredError got unexpected keyword argument\(s\): 'reducton' "
                                        r"\(did you mean 'reduction'\?\)\.$"):
        losses.MeanSquaredError(reducton="sum_over_batch_size")


@pytest.mark.parametrize("loss", ALL, ids=repr)
def test_calling_a_loss_on_bad_input_is_a_named_error(loss):
    """Empty arrays raised ZeroDivisionError, text NumPy's unnamed "could not convert string to float"."""
    with pytest.raises(ValueError, match=r"same length, at least 1. Received: lengths 0 and 0"):
        loss([], [])
    with pytest.raises(TypeError, match="y_pred must hold numbers"):
        loss([1.0], ["a"])
    with pytest.raises(ValueError, match=r"y_true has values beyond the float32 range"):
        loss([1e39], [1.0])


@pytest.mark.parametrize("loss, expected", list(zip(ALL, [math.inf, math.inf, math.inf, math.nan])), ids=repr)
def test_an_error_beyond_float32_gives_keras_value_without_a_warning(loss, expected):
    """An error of -6e38 is -inf in float32: Keras 3.15.1 gives inf, and NaN for log_cosh (-inf + softplus(inf)),
    recorded; linnet leaked NumPy's overflow RuntimeWarning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert loss([3e38], [-3e38]) == pytest.approx(expected, nan_ok=True)


@pytest.mark.parametrize("loss", ALL, ids=repr)
@pytest.mark.parametrize("kind", [list, np.float64, np.float32], ids=["list", "float64", "float32"])
@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_a_nan_or_infinity_given_to_a_loss_is_refused_whatever_its_container(loss, kind, bad):
    """As fit and the metrics refuse it (Keras 3.15.1 returns nan or inf). A float32 array gave nan or inf, a list
    or float64 array holding NaN was refused as 'beyond the float32 range (..., largest nan)', which is untrue."""
    y_true = [1.0, bad] if kind is list else np.array([1.0, bad], kind)
    with pytest.raises(ValueError, match=rf"y_true contains NaN or infinite values \(first at index \(1,\): "
                                         rf"{bad}\); remove or impute them"):
        loss(y_true, [1.0, 2.0])


def test_huber_delta_float32_cannot_hold_is_refused_by_name():
    with pytest.raises(ValueError, match=r"^delta must be at most 3.4e\+38"):
        losses.Huber(delta=1e39)


# Recorded from Keras 3.15.1: loss()(y_true (4,), y_pred (4, 1), sample_weight) with y = [1, 2, 3, 0.5],
# p = [2, 2, 0, 0.25], and weights [1, 2, 0.5, 0] as (4,) or (4, 1) (both give the same), or the number 2.
# The weighted sum is divided by B = 4, not by Σw = 3.5 (MSE: (1 + 0 + 4.5 + 0) / 4 = 1.375).
# Keras' 1-D y_true and 1-D y_pred are one sample of four outputs (MSE with those weights gives 2.201171875:
# the mean 2.515625 times Σw / 4); linnet's losses have one output, so a 1-D y is four samples, as fit reads it.
KERAS_WEIGHTED = {"mean_squared_error": (1.375, 5.03125), "mean_absolute_error": (0.625, 2.125),
                  "huber": (0.4375, 1.515625), "log_cosh": (0.39711126685142517, 1.3870195150375366)}


@pytest.mark.parametrize("name", KERAS_WEIGHTED)
@pytest.mark.parametrize("weights", [[1.0, 2.0, 0.5, 0.0], np.array([[1.0], [2.0], [0.5], [0.0]])],
                         ids=["(B,)", "(B,1)"])
def test_calling_a_loss_with_sample_weight_is_keras_sum_over_batch_size(name, weights):
    """loss(y_true, y_pred, sample_weight=...) was a TypeError."""
    y, p = np.array([1.0, 2.0, 3.0, 0.5]), np.array([[2.0], [2.0], [0.0], [0.25]])
    by_weights, by_two = KERAS_WEIGHTED[name]
    loss = losses.get(name)
    assert loss(y, p, sample_weight=weights) == pytest.approx(by_weights, rel=1e-6)
    assert loss(list(y), p.ravel(), sample_weight=weights) == pytest.approx(by_weights, rel=1e-6)
    assert loss(y, p, sample_weight=2.0) == pytest.approx(by_two, rel=1e-6)
    assert loss(y, p, sample_weight=None) == pytest.approx(by_two / 2, rel=1e-6)


@pytest.mark.parametrize("weights, message", [
    ([1.0, 1.0, 1.0], r"sample_weight must be a number or hold one weight per sample \(2\). Received: 3 weights"),
    ([np.nan, 1.0], r"sample_weight contains NaN or infinite values \(first at index \(0,\): nan\)"),
    ([-1.0, 1.0], "sample_weight must be non-negative"),
    (np.ones((2, 2)), r"sample_weight must hold one value per sample.*Received: sample_weight.shape=\(2, 2\)"),
])
def test_calling_a_loss_with_bad_sample_weight_is_a_named_error(weights, message):
    with pytest.raises(ValueError, match=message):
        losses.MeanSquaredError()([1.0, 2.0], [2.0, 0.0], sample_weight=weights)


def test_calling_a_loss_refuses_more_than_one_output():
    """A (B, 2) target was flattened into 2B samples; linnet's losses are for one output."""
    with pytest.raises(ValueError, match=r"Received: y_true.shape=\(2, 2\)"):
        losses.MeanSquaredError()(np.ones((2, 2)), np.ones((2, 2)))


LOSS_CLASSES = [losses.MeanSquaredError, losses.MeanAbsoluteError, losses.Huber, losses.LogCosh,
                losses.MeanAbsolutePercentageError, losses.MeanSquaredLogarithmicError]


@pytest.mark.parametrize("cls", LOSS_CLASSES)
def test_a_loss_takes_keras_reduction_name_and_dtype_at_linnets_values(cls):
    """MeanSquaredError(reduction="sum_over_batch_size") stopped on Python's "takes no arguments"."""
    loss = cls(reduction="sum_over_batch_size", name=cls.keras_name or cls.name, dtype="float32")
    assert loss.get_config() == cls().get_config() and cls(name=cls.name, dtype=None).name == cls.name
    assert loss(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0


@pytest.mark.parametrize("cls", LOSS_CLASSES)
@pytest.mark.parametrize(("keywords", "error", "message"), [
    ({"reduction": "sum"}, ValueError, r"does not support Keras' reduction: it must be 'sum_over_batch_size'. "
                                       r"Received: reduction='sum'"),
    ({"name": "my_loss"}, ValueError, r"is always named '\w+'. Received: name='my_loss'"),
    ({"dtype": "float64"}, ValueError, r"does not support Keras' dtype: it must be None. Received: dtype='float64'"),
    ({"reductoin": "sum"}, TypeError, r"got unexpected keyword argument\(s\): 'reductoin' \(did you mean "
                                      r"'reduction'\?\)")])
def test_a_loss_refuses_other_keras_values_and_unknown_keywords_by_name(cls, keywords, error, message):
    with pytest.raises(error, match=rf"{cls.__name__} {message}" if error is TypeError else message):
        cls(**keywords)

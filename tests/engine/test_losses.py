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

"""Regularizers: Keras 3's published tests ported (keras/src/regularizers/regularizers_test.py, keras 3.15.1),
the gradient against finite differences, the penalty in the logged loss (hand-computed), configs, and where
weight decay and an L2 penalty agree (plain SGD) and differ (momentum, Adam/AdamW)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linnet.engine import optimizers, regularizers
from linnet.engine.layers import Dense, Input
from linnet.engine.sequential import Sequential

VALUE = np.random.default_rng(0).random((4, 4)).astype(np.float32)  # Keras': np.random.random((4, 4))


# ----- Keras' regularizers_test.py ----------------------------------------------------------------------------
def test_l1_l2_and_l1l2_are_keras_formulas():
    assert regularizers.L1(0.1)(VALUE) == pytest.approx(0.1 * np.sum(np.abs(VALUE)), rel=1e-6)
    assert regularizers.L2(0.1)(VALUE) == pytest.approx(0.1 * np.sum(np.square(VALUE)), rel=1e-6)
    assert regularizers.L1L2(l1=0.1, l2=0.2)(VALUE) == pytest.approx(
        0.1 * np.sum(np.abs(VALUE)) + 0.2 * np.sum(np.square(VALUE)), rel=1e-6)


def test_zero_weights_zero_coefficients_and_signs_as_keras():
    zeros, ones = np.zeros((4, 4), np.float32), np.ones((4, 4), np.float32)
    assert regularizers.L1(0.1)(zeros) == 0.0 and regularizers.L2(0.1)(zeros) == 0.0
    assert regularizers.L1L2(0.1, 0.2)(zeros) == 0.0
    assert regularizers.L1(0.0)(VALUE) == 0.0 and regularizers.L2(0.0)(VALUE) == 0.0
    assert regularizers.L1L2(0.0, 0.0)(VALUE) == 0.0
    assert regularizers.L1(0.1)(ones) == regularizers.L1(0.1)(-ones)
    assert regularizers.L2(1.0)(10 * ones) > regularizers.L1(1.0)(10 * ones)
    assert regularizers.L2(1.0)(0.1 * ones) < regularizers.L1(1.0)(0.1 * ones)
    assert regularizers.L1L2(l1=0.0, l2=0.1)(VALUE) == pytest.approx(regularizers.L2(0.1)(VALUE))


def test_get_as_keras():
    assert isinstance(regularizers.get("l1l2"), regularizers.L1L2)
    assert isinstance(regularizers.get("l1"), regularizers.L1) and isinstance(regularizers.get("l2"), regularizers.L2)
    assert regularizers.get(None) is None
    with pytest.raises(ValueError, match="typo"):
        regularizers.get("typo")


def test_string_defaults_are_keras_documented_ones():
    assert regularizers.get("l1").get_config() == {"l1": 0.01}
    assert regularizers.get("l2").get_config() == {"l2": 0.01}
    assert regularizers.get("l1_l2").get_config() == {"l1": 0.01, "l2": 0.01}
    assert regularizers.get("L1L2").get_config() == {"l1": 0.0, "l2": 0.0}


def test_l1l2_config_round_trip_as_keras():
    reg = regularizers.L1L2(l1=0.01, l2=0.02)
    config = reg.get_config()
    assert config == {"l1": 0.01, "l2": 0.02}
    assert regularizers.L1L2.from_config(config).get_config() == config
    for reg in (regularizers.L1(0.1), regularizers.L2(0.1), regularizers.L1L2(0.1, 0.2)):
        again = regularizers.deserialize(regularizers.serialize(reg))
        assert type(again) is type(reg) and again.get_config() == reg.get_config()
    assert regularizers.serialize(regularizers.L2(0.1)) == {"module": "keras.regularizers", "class_name": "L2",
                                                            "config": {"l2": 0.1}, "registered_name": None}


@pytest.mark.parametrize("value", ["not_a_number", float("nan"), float("inf"), -float("inf"), -1, -0.001, [0.1]])
def test_validate_float_arg_cases_of_keras(value):
    with pytest.raises(ValueError, match=r"Invalid value for argument l2: expected a non-negative float. Received"):
        regularizers.L2(value)


@pytest.mark.parametrize("value, expected", [(1, 1.0), (1.0, 1.0), (0, 0.0), (1e-10, 1e-10), (1e6, 1e6)])
def test_valid_factors_become_floats(value, expected):
    factor = regularizers.L1L2(l1=value).l1
    assert factor == expected and isinstance(factor, float)


# ----- gradient ------------------------------------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(l1=st.floats(0, 3), l2=st.floats(0, 3), seed=st.integers(0, 1000))
def test_the_gradient_is_the_derivative(l1, l2, seed):
    w = np.random.default_rng(seed).normal(size=(3, 1))
    w = np.where(np.abs(w) < 1e-3, 0.5, w)  # away from the kink of |w|
    reg, step = regularizers.L1L2(l1, l2), 1e-6
    numeric = [(reg(w + step * e) - reg(w - step * e)) / (2 * step) for e in np.eye(3)[:, :, None]]
    np.testing.assert_allclose(reg.gradient(w).ravel(), numeric, rtol=1e-6, atol=1e-7)


# ----- in a model ----------------------------------------------------------------------------------------------
def model(optimizer, kernel_regularizer=None, bias_regularizer=None, weights=((0.5, -1.0), 0.25)):
    net = Sequential([Input((2,)), Dense(1, kernel_regularizer=kernel_regularizer,
                                         bias_regularizer=bias_regularizer)])
    net.set_weights([np.array(weights[0], np.float32).reshape(2, 1), np.array([weights[1]], np.float32)])
    net.compile(optimizer=optimizer, loss="mse")
    return net


def test_the_logged_loss_and_evaluate_include_the_penalty_hand_computed():
    x, y = np.array([[1.0, 2.0], [0.0, 1.0]]), np.array([0.0, 1.0])
    net = model(optimizers.SGD(0.1), regularizers.L1L2(0.1, 0.2), regularizers.L1(0.3))
    # prediction 0.5 - 2 + 0.25 = -1.25 and -1 + 0.25 = -0.75: mse = (1.5625 + 3.0625)/2 = 2.3125;
    # penalty 0.1·1.5 + 0.2·1.25 + 0.3·0.25 = 0.475
    assert net.evaluate(x, y, verbose=0) == pytest.approx(2.3125 + 0.475, rel=1e-6)
    history = net.fit(x, y, batch_size=2, verbose=0, shuffle=False)
    assert history.history["loss"] == [pytest.approx(2.7875, rel=1e-6)]
    # gradient: data 2/B·eᵀ[x, 1] with e = (-1.25, -1.75): kernel (-1.25, -4.25), bias -3.0, plus the penalties'
    kernel = np.array([0.5, -1.0]) - 0.1 * (np.array([-1.25, -4.25]) + 0.1 * np.array([1, -1]) + 0.4 * np.array(
        [0.5, -1.0]))
    np.testing.assert_allclose(net.get_weights()[0].ravel(), kernel, rtol=1e-6)
    assert net.get_weights()[1][0] == pytest.approx(0.25 - 0.1 * (-3.0 + 0.3), rel=1e-6)


def test_a_dense_config_with_regularizers_round_trips():
    dense = Dense(1, kernel_regularizer="l2", bias_regularizer=regularizers.L1L2(0.1, 0.2))
    again = Dense.from_config(dense.get_config())
    assert again.get_config()["kernel_regularizer"] == {"module": "keras.regularizers", "class_name": "L2",
                                                        "config": {"l2": 0.01}, "registered_name": None}
    assert again.bias_regularizer.get_config() == {"l1": 0.1, "l2": 0.2}
    assert Dense(1).get_config()["kernel_regularizer"] is None


def test_a_wrong_regularizer_is_refused_naming_it():
    with pytest.raises(TypeError, match=r"regularizer must be a name such as 'l2'.*Received: 3"):
        Dense(1, kernel_regularizer=3)


# ----- weight decay against an L2 penalty (docs/regularization.md) ----------------------------------------------
X = np.random.default_rng(1).normal(size=(32, 2))
Y = X @ [2.0, -1.0] + 0.5


def sgd_with_weight_decay(lr, wd, **kwargs):
    optimizer = optimizers.SGD(lr, weight_decay=wd, **kwargs)
    net = model(optimizer)
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    return net


def test_plain_sgd_weight_decay_equals_an_l2_penalty_of_half_the_decay():
    lr, wd = 0.05, 0.3
    decayed = sgd_with_weight_decay(lr, wd)
    penalized = model(optimizers.SGD(lr), regularizers.L2(wd / 2))
    for net in (decayed, penalized):
        net.fit(X, Y, batch_size=8, epochs=5, shuffle=False, verbose=0)
    for ours, theirs in zip(decayed.get_weights(), penalized.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=2e-6, atol=1e-7)


def test_with_momentum_weight_decay_and_l2_differ():
    lr, wd = 0.05, 0.3
    decayed = sgd_with_weight_decay(lr, wd, momentum=0.9)
    penalized = model(optimizers.SGD(lr, momentum=0.9), regularizers.L2(wd / 2))
    for net in (decayed, penalized):
        net.fit(X, Y, batch_size=8, epochs=5, shuffle=False, verbose=0)
    assert np.abs(decayed.get_weights()[0] - penalized.get_weights()[0]).max() > 1e-2


def test_adam_with_l2_reaches_ridge_and_adamw_does_not():
    # Full batch: Adam on mse + l2·||k||² converges to the ridge optimum; AdamW's decay is not scaled by Adam's
    # 1/sqrt(v), so its fixed point is elsewhere.
    from linnet.exact.penalized import Penalty, penalized_fit
    ridge = penalized_fit(X, Y, Penalty(l2=0.15)).coef_
    adam = model(optimizers.Adam(0.05), regularizers.L2(0.15))
    adamw = model(optimizers.AdamW(0.05, weight_decay=0.3))
    adamw.optimizer.exclude_from_weight_decay(var_names=["bias"])
    for net in (adam, adamw):
        net.fit(X, Y, batch_size=32, epochs=2000, shuffle=False, verbose=0)
    np.testing.assert_allclose(adam.get_weights()[0].ravel(), ridge, rtol=1e-5)
    assert np.abs(adamw.get_weights()[0].ravel() - ridge).max() > 0.1


def test_a_regularized_model_file_keeps_its_penalty(tmp_path):
    net = model(optimizers.SGD(0.1), regularizers.L1L2(0.1, 0.2))
    net.fit(X, Y, verbose=0)
    net.save(tmp_path / "m.linnet")
    from linnet.saving import load_model
    again = load_model(tmp_path / "m.linnet")
    assert again.layers[0].kernel_regularizer.get_config() == {"l1": 0.1, "l2": 0.2}
    assert again.evaluate(X, Y, verbose=0) == net.evaluate(X, Y, verbose=0)


@pytest.mark.parametrize("make, name", [(lambda: regularizers.L1(1e39), "l1"), (lambda: regularizers.L2(1e300), "l2"),
                                        (lambda: regularizers.L1L2(0.0, 1e39), "l2")])
def test_a_factor_float32_cannot_hold_is_refused_by_name(make, name):
    """L2(1e300) was taken; its float32 gradient then overflowed to inf with a leaked RuntimeWarning."""
    with pytest.raises(ValueError, match=rf"^{name} must be at most 3.4e\+38"):
        make()

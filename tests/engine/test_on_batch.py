"""train_on_batch and test_on_batch: Keras 3.15.1's numbers (recorded below), a hand-computed step, refusals."""

import numpy as np
import pytest

from linnet.engine import optimizers
from linnet.engine.layers import Dense, Input
from linnet.engine.sequential import Sequential
from linnet.engine.trainer import DivergenceError

RNG = np.random.default_rng(0)
X = RNG.normal(size=(23, 2))
Y = X @ [1.5, -2.0] + 0.3 + 0.1 * RNG.normal(size=23)
W = RNG.uniform(0, 2, 23)


def plane(optimizer=None, metrics=("mae",)):
    model = Sequential([Input((2,)), Dense(1)])
    model.compile(optimizer=optimizer or optimizers.SGD(0.05), loss="mse", metrics=list(metrics))
    model.set_weights([np.array([[0.8], [-0.6]]), np.array([0.5])])
    return model


def test_a_sequence_of_calls_matches_keras():
    """Recorded with keras 3.15.1 (TensorFlow backend): the same four calls on the same model, then the kernel."""
    model = plane()
    np.testing.assert_allclose(model.train_on_batch(X[:5], Y[:5]), [0.48454728722572327, 0.6027151942253113],
                               rtol=1e-6)
    logs = model.train_on_batch(X[5:9], Y[5:9], sample_weight=W[5:9], return_dict=True)
    assert list(logs) == ["loss", "mae"]
    np.testing.assert_allclose(list(logs.values()), [0.7378448247909546, 0.6814945936203003], rtol=1e-6)
    np.testing.assert_allclose(model.test_on_batch(X, Y), [1.0825910568237305, 0.8135219216346741], rtol=1e-6)
    logs = model.test_on_batch(X, Y, sample_weight=W, return_dict=True)
    np.testing.assert_allclose(list(logs.values()), [1.3268001079559326, 0.8135219216346741], rtol=1e-6)
    np.testing.assert_allclose(model.get_weights()[0].ravel(), [0.8855680823326111, -0.6319186091423035], rtol=1e-6)


def test_one_step_is_the_loss_before_it_and_a_gradient_step_after_it():
    """Loss ``|e|²/B`` with ``e = Xw + b - y`` before the step; then ``w ← w - lr·(2/B)·Xᵀe``, ``b ← b - lr·(2/B)·Σe``;
    momentum carries over to the next call (the optimizer keeps its state between calls)."""
    x, y, lr = np.array([[1.0, 2.0], [3.0, -1.0]]), np.array([1.0, 2.0]), 0.05
    model = plane(optimizers.SGD(lr, momentum=0.5), metrics=())
    kernel, bias = np.array([0.8, -0.6]), 0.5
    velocity = np.zeros(3)
    for _ in range(2):
        errors = x @ kernel + bias - y
        assert model.train_on_batch(x, y) == pytest.approx(np.mean(errors ** 2), rel=1e-6)
        velocity = 0.5 * velocity - lr * np.r_[2 / 2 * x.T @ errors, 2 / 2 * errors.sum()]
        kernel, bias = kernel + velocity[:2], bias + velocity[2]
    np.testing.assert_allclose(model.get_weights()[0].ravel(), kernel, rtol=1e-6)
    assert model.get_weights()[1][0] == pytest.approx(bias, rel=1e-6)


def test_bad_calls_are_refused_and_a_diverging_step_leaves_the_weights():
    model = plane()
    with pytest.raises(ValueError, match=r"Weight the rows with sample_weight .* Received: class_weight=\{0: 1\.0\}"):
        model.train_on_batch(X, Y, class_weight={0: 1.0})
    with pytest.raises(ValueError, match="x and y must have the same number of samples: x has 23, y has 3"):
        model.train_on_batch(X, Y[:3])
    with pytest.raises(ValueError, match="sample_weight must be non-negative"):
        model.test_on_batch(X, Y, sample_weight=-W)
    uncompiled = Sequential([Input((2,)), Dense(1)])
    with pytest.raises(ValueError, match="train_on_batch: compile the model first"):
        uncompiled.train_on_batch(X, Y)
    before = model.get_weights()
    with pytest.raises(DivergenceError, match="the weights were left as they were"):
        model.train_on_batch(X * 1e20, Y * 1e20)
    np.testing.assert_array_equal(model.get_weights()[0], before[0])

"""Full-batch training from the least-squares state equals Keras' batch_size=n training (linnet's own path)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from fullbatch_cases import regression_data
from hypothesis import given, settings
from hypothesis import strategies as st

import linnet
from linnet.engine.fullbatch import FullBatch
from linnet.exact import LeastSquaresState

OPTIMIZERS = {"sgd": lambda: linnet.optimizers.SGD(0.05), "momentum": lambda: linnet.optimizers.SGD(0.05, 0.9),
              "rmsprop": lambda: linnet.optimizers.RMSprop(0.05), "adam": lambda: linnet.optimizers.Adam(0.05)}


def _run(x, y, optimizer, batch_size, epochs=40, **fit):
    model = linnet.Sequential([linnet.Input((x.shape[1],)), linnet.layers.Dense(1, kernel_initializer="ones")])
    model.compile(optimizer, "mse")
    history = model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0, seed=3, **fit)
    return history.history, model.get_weights()


def _close_in_float32(a, b, scale):
    """Equal up to float32 round-off of the problem's scale (the first loss, the largest weight)."""
    np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-5 * scale)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_full_batch_from_the_state_equals_batch_size_n(name):
    x, y = regression_data(0, 700, 4)
    full, weights_full = _run(x, y, OPTIMIZERS[name](), "full")
    rows, weights_rows = _run(x, y, OPTIMIZERS[name](), x.shape[0])
    _close_in_float32(full["loss"], rows["loss"], rows["loss"][0])
    for a, b in zip(weights_full, weights_rows):
        _close_in_float32(a, b, np.abs(b).max())
    assert rows["loss"][-1] < 0.2 * rows["loss"][0]  # it trained: the comparison is not of two idle runs


KERAS = json.loads((Path(__file__).parent / "keras_fullbatch.json").read_text())
"""Keras 3.15.1 (TensorFlow 2.21, CPU) fit(batch_size=700) on regression_data(0, 700, 4), by
tests/tools/record_keras_fullbatch.py."""


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_full_batch_from_the_state_equals_recorded_keras(name):
    x, y = regression_data(0, 700, 4)
    history, (kernel, bias) = _run(x, y, OPTIMIZERS[name](), "full")
    keras = KERAS[name]
    _close_in_float32(history["loss"], keras["loss"], keras["loss"][0])
    _close_in_float32(kernel.ravel(), keras["kernel"], np.abs(keras["kernel"]).max())
    _close_in_float32(bias[0], keras["bias"], np.abs(keras["kernel"]).max())


def test_validation_split_trains_on_the_head_and_reports_the_tail():
    x, y = regression_data(1, 300, 2)
    full, _ = _run(x, y, OPTIMIZERS["adam"](), "full", epochs=5, validation_split=0.2)
    rows, _ = _run(x, y, OPTIMIZERS["adam"](), 240, epochs=5, validation_split=0.2)
    _close_in_float32(full["val_loss"], rows["val_loss"], rows["val_loss"][0])


def test_the_first_step_by_hand():
    """x = [1, 2, 3], y = 2x, kernel 1, bias 0: loss = (1+4+9)/3, gradient (2/3)·(Σ(x·(−x)), Σ(−x)) = (−28/3, −4)."""
    model = linnet.Sequential([linnet.Input((1,)), linnet.layers.Dense(1, kernel_initializer="ones")])
    model.compile(linnet.optimizers.SGD(0.1), "mse")
    history = model.fit([[1.0], [2.0], [3.0]], [2.0, 4.0, 6.0], batch_size="full", epochs=1, verbose=0)
    assert history.history["loss"][0] == pytest.approx(14 / 3, rel=1e-6)
    kernel, bias = model.get_weights()
    assert kernel[0, 0] == pytest.approx(1 + 0.1 * 28 / 3, rel=1e-6)
    assert bias[0] == pytest.approx(0.4, rel=1e-6)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), n=st.integers(2, 60), p=st.integers(1, 5), offset=st.floats(-50, 50))
def test_the_gradient_from_the_state_is_the_gradient_from_the_rows(seed, n, p, offset):
    """(2/n)(DᵀD·θ − Dᵀy) from p + 2 rows equals the fused step on all n rows (float64 oracle)."""
    x, y = regression_data(seed, n, p)
    x += np.float32(offset)
    theta = np.random.default_rng(seed + 1).normal(size=p + 1)
    design = np.hstack([x, np.ones((n, 1))]).astype(np.float64)
    residual = design @ theta - y
    batch = next(FullBatch(LeastSquaresState().update(x, y)).design_batches().epoch(None))
    compressed = batch[0].astype(np.float64) @ theta - batch[1][:, 0]
    scale = np.abs(design).max() * (np.abs(theta).sum() + np.abs(y).max())
    assert compressed @ compressed / (p + 2) == pytest.approx(residual @ residual / n, rel=1e-4, abs=1e-5 * scale ** 2)
    np.testing.assert_allclose(2 / (p + 2) * compressed @ batch[0], 2 / n * residual @ design, rtol=1e-4,
                               atol=1e-5 * scale * np.abs(design).max())


def test_other_models_and_bad_arguments_are_refused():
    x, y = regression_data(2, 50, 2)
    model = linnet.Sequential([linnet.Input((2,)), linnet.layers.Dense(1)])
    model.compile("sgd", "mse", metrics=["mae"])
    with pytest.raises(ValueError, match="one Dense unit with a bias"):
        model.fit(x, y, batch_size="full", verbose=0)
    with pytest.raises(TypeError, match="batch_size must be a positive integer"):
        model.fit(x, y, batch_size="all", verbose=0)
    with pytest.raises(TypeError, match="LeastSquaresState. Received: ndarray"):
        FullBatch(x)
    with pytest.raises(ValueError, match="at least one row"):
        FullBatch(LeastSquaresState(2))

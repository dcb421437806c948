"""fit(sample_weight, validation_freq, validation_batch_size) and evaluate(sample_weight): closed forms, Keras'
rules, and clear refusals. (Real Keras numbers: test_keras_fit_arguments.py.)"""

import re

import numpy as np
import pytest

from linnet.engine import optimizers
from linnet.engine.callbacks import Callback
from linnet.engine.layers import Dense, Input
from linnet.engine.sequential import Sequential
from linnet.engine.sources import ArrayBatches

X = np.arange(10, dtype=np.float64).reshape(-1, 1)
Y = 2 * X[:, 0] + 1


def line(**compile_kwargs):
    model = Sequential([Input((1,)), Dense(1)])
    model.set_weights([np.array([[1.0]], np.float32), np.array([0.0], np.float32)])
    model.compile(optimizer=optimizers.SGD(0.001), loss="mse", **compile_kwargs)
    return model


def test_evaluate_with_sample_weight_is_the_weighted_sum_over_n():
    weights = np.linspace(0, 2, 10)
    errors = (X[:, 0] - Y) ** 2  # kernel 1, bias 0
    assert line().evaluate(X, Y, sample_weight=weights, verbose=0) == pytest.approx(weights @ errors / 10, rel=1e-6)


def test_zero_weights_drop_rows_from_the_gradient():
    weights = np.r_[np.ones(5), np.zeros(5)]
    weighted, cut = line(), line()
    weighted.fit(X, Y, sample_weight=weights, batch_size=10, shuffle=False, verbose=0)
    cut.fit(X[:5], Y[:5], batch_size=5, shuffle=False, verbose=0)
    # (1/10)·Σ_{5 rows} vs (1/5)·Σ_{5 rows}: the same direction at half the step
    start = np.array([1.0, 0.0])
    step_weighted = np.r_[weighted.get_weights()[0].ravel(), weighted.get_weights()[1]] - start
    step_cut = np.r_[cut.get_weights()[0].ravel(), cut.get_weights()[1]] - start
    np.testing.assert_allclose(step_weighted, step_cut / 2, rtol=1e-5)


def test_the_validation_tail_keeps_its_weights():
    weights = np.r_[np.ones(8), 3.0, 0.0]
    model = line(weighted_metrics=["mse"])
    history = model.fit(X, Y, sample_weight=weights, validation_split=0.2, batch_size=8, shuffle=False,
                        verbose=0).history
    kernel, bias = (w.ravel()[0] for w in model.get_weights())
    errors = (kernel * X[8:, 0] + bias - Y[8:]) ** 2
    assert history["val_loss"] == [pytest.approx(3.0 * errors[0] / 2, rel=1e-5)]
    assert history["val_mse"] == [pytest.approx(3.0 * errors[0] / 3, rel=1e-5)]  # a weighted mean: Σ w·l / Σ w


class Epochs(Callback):
    def __init__(self):
        super().__init__()
        self.validated = []

    def on_epoch_end(self, epoch, logs=None):
        self.validated.append("val_loss" in logs)


@pytest.mark.parametrize("freq, expected", [(1, [True] * 5), (2, [False, True, False, True, False]),
                                            ([1, 5], [True, False, False, False, True]), (7, [False] * 5)])
def test_validation_runs_at_keras_epochs(freq, expected):
    seen = Epochs()
    history = line().fit(X, Y, epochs=5, validation_split=0.2, validation_freq=freq, callbacks=[seen],
                         verbose=0).history
    assert seen.validated == expected and len(history.get("val_loss", [])) == sum(expected)


def test_validation_batch_size_sets_the_validation_batches_not_the_loss():
    losses = []
    for size in (None, 1, 3):
        model = line()
        losses.append(model.fit(X, Y, validation_split=0.5, validation_batch_size=size, shuffle=False,
                                verbose=0).history["val_loss"][0])
    assert losses[1] == pytest.approx(losses[0], rel=1e-6) and losses[2] == pytest.approx(losses[0], rel=1e-6)


class Source:
    n_features = 1

    def epoch(self, rng):
        yield X, Y


@pytest.mark.parametrize("kwargs, error, message", [
    ({"validation_freq": 0}, ValueError, "validation_freq must be a positive integer"),
    ({"validation_freq": 1.5}, TypeError, r"validation_freq must be a positive int or a list .* Received: "
                                          r"validation_freq=1.5"),
    ({"validation_freq": [1, 0]}, ValueError, "each epoch in validation_freq must be a positive integer"),
    ({"validation_batch_size": 0, "validation_split": 0.2}, ValueError, "validation_batch_size must be a positive"),
    ({"sample_weight": np.ones(9)}, ValueError, "x and sample_weight must have the same number of samples"),
    ({"sample_weight": -np.ones(10)}, ValueError, r"sample_weight must be non-negative. Received: a smallest value "
                                                  r"of -1 at row 0"),
    ({"sample_weight": np.r_[np.ones(9), np.nan]}, ValueError, "sample_weight .*NaN"),
    ({"validation_data": (X, Y, -np.ones(10))}, ValueError, "validation_data sample_weight must be non-negative"),
    ({"validation_data": (X,)}, ValueError, r"validation_data must be a tuple \(x_val, y_val\) or \(x_val, y_val, "
                                            r"sample_weight_val\)"),
    ({"validation_data": Source(), "validation_batch_size": 4}, ValueError,
     "validation_batch_size cannot be used when validation_data is a data source"),
])
def test_bad_fit_arguments_are_refused(kwargs, error, message):
    with pytest.raises(error, match=message):
        line().fit(X, Y, verbose=0, **kwargs)


@pytest.mark.parametrize("shuffle", [1, 0, 1.0, np.int64(1)])
def test_a_number_is_no_shuffle_flag(shuffle):
    """fit(shuffle=1) shuffled and shuffle=0 did not: ``1 == True``, and the choice was checked with ``in``, while
    shuffle=2 was refused. Keras 3 tests ``if shuffle`` (any truthy value shuffles, even 2, "yes" or a mistyped
    "Batch"); linnet takes only what Keras documents, True, False or "batch", as every other flag takes only
    True/False (``boolean``), so 1 and 0 are refused as 2 is, naming the type."""
    with pytest.raises(ValueError, match=rf"^shuffle must be True, False or 'batch'\. Received: "
                                         rf"shuffle={re.escape(repr(shuffle))} \({type(shuffle).__name__}\)$"):
        line().fit(X, Y, shuffle=shuffle, verbose=0)


def test_a_number_is_no_shuffle_flag_for_a_data_source_either():
    """A generator took shuffle=1 as True (the default it must be left at), and refused shuffle=0."""
    with pytest.raises(ValueError, match=r"shuffle cannot be used when x is a data source.* Received: shuffle=1"):
        line().fit(Source(), shuffle=1, verbose=0)


def test_sample_weight_with_a_source_is_refused_not_ignored():
    with pytest.raises(ValueError, match="sample_weight cannot be used when x is a data source"):
        line().fit(Source(), sample_weight=np.ones(10), verbose=0)
    with pytest.raises(ValueError, match="sample_weight cannot be used when x is a data source"):
        line().evaluate(Source(), sample_weight=np.ones(10), verbose=0)


def test_inputs_are_not_mutated_and_weighted_array_batches_keep_rows_together():
    weights = np.linspace(0, 1, 10)
    copy = weights.copy()
    line().fit(X, Y, sample_weight=weights, verbose=0)
    np.testing.assert_array_equal(weights, copy)
    source = ArrayBatches(X.astype(np.float32), Y.reshape(-1, 1).astype(np.float32), 4, True,
                          weights.reshape(-1, 1).astype(np.float32))
    for xb, _, wb in source.epoch(np.random.default_rng(0)):
        np.testing.assert_allclose(wb[:, 0], xb[:, 0] / 9, rtol=1e-6)  # the weights moved with their rows

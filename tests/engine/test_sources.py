"""The public data-source seam: a tiny source written here trains, validates and evaluates through it.

Oracles: the same fit on arrays with ``shuffle=False`` (same batches, same order), NumPy's mean squared error
of the final weights, and hand-computed weighted steps (Keras' ``sum_over_batch_size``: ``Σ wᵢ·lᵢ / B``).
"""

import io

import numpy as np
import pytest

from linnet.engine import optimizers, progress
from linnet.engine.layers import Dense, Input
from linnet.engine.sequential import Sequential
from linnet.engine.sources import ArrayBatches, is_source, source_length


class Chunks:
    """Yields ``(x, y)`` chunks of in-memory arrays in order, as a file reader would: no ``__len__``."""

    def __init__(self, x, y, rows, weights=None):
        self.x, self.y, self.rows, self.weights = np.asarray(x), np.asarray(y), rows, weights
        self.n_features = 1 if self.x.ndim == 1 else self.x.shape[1]
        self.epochs = 0

    def epoch(self, rng):
        self.epochs += 1
        for start in range(0, len(self.x), self.rows):
            rows = slice(start, start + self.rows)
            if self.weights is None:
                yield self.x[rows], self.y[rows]
            else:
                yield self.x[rows], self.y[rows], self.weights[rows]


class SizedChunks(Chunks):
    def __len__(self):
        return (len(self.x) + self.rows - 1) // self.rows


def line_model(optimizer="adam", kernel=0.5, bias=0.1, **compile_kwargs):
    model = Sequential([Input((1,)), Dense(1)])
    model.set_weights([np.array([[kernel]], np.float32), np.array([bias], np.float32)])
    model.compile(optimizer=optimizer, loss="mse", **compile_kwargs)
    return model


def mse(model, x, y):
    kernel, bias = (w.astype(np.float64) for w in model.get_weights())
    return float(np.mean((np.asarray(x, np.float64).reshape(-1, 1) @ kernel + bias - np.ravel(y)[:, None]) ** 2))


def test_a_source_without_length_trains_to_the_weights_of_the_arrays(rooms):
    x, y = rooms
    arrays, chunked = line_model(optimizers.Adam(0.1)), line_model(optimizers.Adam(0.1))
    expected = arrays.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    source = Chunks(x, y, 16)
    history = chunked.fit(source, epochs=3, verbose=0)
    np.testing.assert_allclose(history.history["loss"], expected.history["loss"], rtol=1e-6)
    for got, want in zip(chunked.get_weights(), arrays.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    assert source.epochs == 3 and history.params["steps"] == 26  # 404 rows: 25 chunks of 16 and one of 4


def test_validation_from_a_source_is_the_mse_of_the_end_of_epoch_weights(rooms):
    x, y = rooms
    model = line_model(optimizers.SGD(0.01))
    history = model.fit(x[:300], y[:300], epochs=2, verbose=0, validation_data=Chunks(x[300:], y[300:], 7))
    assert history.history["val_loss"][-1] == pytest.approx(mse(model, x[300:], y[300:]), rel=1e-5)
    arrays = line_model(optimizers.SGD(0.01))
    expected = arrays.fit(x[:300], y[:300], epochs=2, verbose=0, shuffle=False, validation_data=(x[300:], y[300:]))
    model = line_model(optimizers.SGD(0.01))
    history = model.fit(x[:300], y[:300], epochs=2, verbose=0, shuffle=False,
                        validation_data=Chunks(x[300:], y[300:], 7))
    np.testing.assert_allclose(history.history["val_loss"], expected.history["val_loss"], rtol=1e-5)


def test_evaluate_on_a_source_equals_numpy_and_the_arrays(rooms):
    x, y = rooms
    model = line_model(metrics=["mae"])
    logs = model.evaluate(Chunks(x, y, 50), verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(mse(model, x, y), rel=1e-5)
    kernel, bias = model.get_weights()
    assert logs["mae"] == pytest.approx(np.mean(np.abs(x * kernel[0, 0] + bias[0] - y)), rel=1e-5)
    assert logs == pytest.approx(model.evaluate(x, y, verbose=0, return_dict=True), rel=1e-6)


def test_weighted_batches_follow_keras_sum_over_batch_size():
    # x = 1, y = 0, kernel 1, bias 0: every prediction is 1. Weights (1, 0, 2): L = (1 + 0 + 2)/3 = 1,
    # dL/dp = 2·w·(p - y)/3 = (2/3, 0, 4/3), so dL/dk = dL/db = 2 and SGD(0.1) moves to k = 0.8, b = -0.2.
    model = line_model(optimizers.SGD(0.1), kernel=1.0, bias=0.0)
    source = Chunks(np.ones(3), np.zeros(3), 3, weights=np.array([1.0, 0.0, 2.0]))
    assert model.evaluate(source, verbose=0) == pytest.approx(1.0)
    history = model.fit(source, verbose=0)
    assert history.history["loss"] == [pytest.approx(1.0)]
    kernel, bias = model.get_weights()
    assert kernel[0, 0] == pytest.approx(0.8, rel=1e-6) and bias[0] == pytest.approx(-0.2, rel=1e-6)


def test_weights_summing_to_zero_give_zero_loss_and_no_step():
    model = line_model(optimizers.SGD(0.1), kernel=1.0, bias=0.0)
    history = model.fit(Chunks(np.ones(4), np.zeros(4), 2, weights=np.zeros(4)), epochs=2, verbose=0)
    assert history.history["loss"] == [0.0, 0.0]
    np.testing.assert_array_equal(model.get_weights()[0], [[1.0]])


def test_weighted_batches_weight_the_weighted_metrics_only():
    # Keras 3: compile(metrics=) ignores sample weights, weighted_metrics= uses them: Σ w|e| / Σ w.
    model = line_model(optimizers.SGD(0.1), kernel=1.0, bias=0.0, metrics=["mae"], weighted_metrics=["mae"])
    x, weights = np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 0.0, 3.0, 0.0])
    logs = model.evaluate(Chunks(x, np.zeros(4), 2, weights=weights), verbose=0, return_dict=True)
    assert logs["mae"] == pytest.approx(2.5)
    assert logs["weighted_mae"] == pytest.approx((1 * 1 + 3 * 3) / 4)
    assert logs["loss"] == pytest.approx((1 * 1 + 3 * 9) / 4)


@pytest.mark.parametrize("batch, error, message", [
    (np.ones(3), TypeError, r"must yield \(x, y\) or \(x, y, sample_weight\) tuples; batch 1 .* ndarray"),
    ((np.ones((2, 2)), np.ones(2)), ValueError, r"x of batch 1 of the data source has 2 feature\(s\) but the model"),
    ((np.ones(2), np.ones(3)), ValueError, r"x has 2, y of batch 1 of the data source has 3"),
    ((np.array([1.0, np.nan]), np.ones(2)), ValueError, r"x of batch 1 .* NaN or infinite"),
    ((np.ones(2), np.ones(2), np.array([1.0, -1.0])), ValueError, r"sample_weight of batch 1 .* non-negative"),
    ((np.array(["a", "b"]), np.ones(2)), TypeError, r"x of batch 1 of the data source must hold numbers"),
])
def test_a_wrong_batch_is_refused_naming_the_batch(batch, error, message):
    class OneBatch:
        n_features = 1

        def epoch(self, rng):
            yield batch

    with pytest.raises(error, match=message):
        line_model().fit(OneBatch(), verbose=0)


def test_an_empty_source_and_a_wrong_n_features_are_refused():
    with pytest.raises(ValueError, match=r"training data source .* yielded no batch"):
        line_model().fit(Chunks(np.empty(0), np.empty(0), 4), verbose=0)
    wide = Chunks(np.ones((4, 3)), np.ones(4), 2)
    with pytest.raises(ValueError, match=r"n_features=3 but the model expects 1"):
        line_model().fit(wide, verbose=0)
    with pytest.raises(TypeError, match="n_features"):
        line_model().evaluate(type("Bad", (), {"epoch": lambda self, rng: iter(()), "n_features": "1"})())


@pytest.mark.parametrize("kwargs", [{"y": np.ones(4)}, {"batch_size": 2}, {"validation_split": 0.5},
                                    {"shuffle": False}])
def test_array_arguments_with_a_source_are_refused_not_ignored(kwargs):
    name = next(iter(kwargs))
    with pytest.raises(ValueError, match=f"{name} cannot be used when x is a data source.*Received: {name}="):
        line_model().fit(Chunks(np.ones(4), np.ones(4), 2), verbose=0, **kwargs)


def test_an_unbuilt_model_is_built_from_the_source():
    model = Sequential([Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(Chunks(np.ones((6, 2)), np.ones(6), 4), verbose=0)
    assert model.get_weights()[0].shape == (2, 1)


def test_progress_without_a_length_counts_the_first_epoch(rooms, capsys):
    x, y = rooms
    line_model().fit(Chunks(x, y, 32), epochs=2, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[1].startswith("13/13 - ") and lines[3].startswith("13/13 - ")


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_the_live_bar_shows_unknown_steps_until_the_count_is_known(rooms, monkeypatch):
    x, y = rooms
    screen = Terminal()
    monkeypatch.setattr(progress, "REDRAW_INTERVAL", 0.0)
    monkeypatch.setattr("sys.stdout", screen)
    line_model().fit(Chunks(x, y, 101), epochs=2, verbose=1)
    first, second = screen.getvalue().split("Epoch 2/2")
    assert "      1/Unknown \x1b[1m0s\x1b[0m" in first and "4/4" in first  # 404 rows in chunks of 101
    assert "Unknown" not in second and "1/4" in second


def test_sized_sources_report_their_length_and_arrays_are_sources():
    source = SizedChunks(np.ones(10), np.ones(10), 4)
    assert source_length(source) == 3 and source_length(Chunks(np.ones(10), np.ones(10), 4)) is None
    assert is_source(source) and is_source(ArrayBatches(np.ones((2, 1)), np.ones((2, 1))))
    assert not is_source(np.ones(3)) and not is_source((np.ones(3), np.ones(3)))
    history = line_model().fit(source, verbose=0)
    assert history.params["steps"] == 3


def test_design_batches_are_the_same_rows_with_a_column_of_ones():
    x = np.arange(10, dtype=np.float32).reshape(5, 2)
    arrays = ArrayBatches(x, np.arange(5, dtype=np.float32).reshape(-1, 1), batch_size=2)
    plain = list(arrays.epoch(np.random.default_rng(3)))
    design = list(arrays.design_batches().epoch(np.random.default_rng(3)))
    for (xb, yb), (db, eb) in zip(plain, design):
        np.testing.assert_array_equal(db, np.column_stack([xb, np.ones(len(xb))]))
        np.testing.assert_array_equal(eb, yb)

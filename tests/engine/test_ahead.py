"""The first epoch's shuffle drawn ahead on a background thread (``linnet.engine.ahead``).

Oracles: ``rng.permutation(n)`` drawn in order from a generator in the same state (the permutation, and the state
the draw leaves), ``fit`` with drawing ahead switched off (``AHEAD_MIN_ROWS`` above the data), and
``threading.enumerate()`` after ``fit`` returns or raises.
"""

import threading

import numpy as np
import pytest

import linnet
from linnet.engine import ahead
from linnet.engine.ahead import Background, ShuffleAhead, shuffle_ahead

ROWS = ahead.AHEAD_MIN_ROWS + 17


def _state(rng: np.random.Generator) -> dict:
    return rng.bit_generator.state


def test_the_shuffle_and_the_generator_after_it_are_those_of_a_draw_in_order():
    drawn, expected = np.random.default_rng(5), np.random.default_rng(5)
    shuffle = shuffle_ahead(drawn, ROWS)
    assert _state(drawn) == _state(np.random.default_rng(5))  # the generator is not touched until taken
    np.testing.assert_array_equal(shuffle.take(drawn, ROWS), expected.permutation(ROWS))
    assert _state(drawn) == _state(expected)
    assert drawn.integers(1 << 60) == expected.integers(1 << 60)


def test_another_generator_in_the_same_state_takes_it():
    """``fit(seed=3)`` makes a new generator for the trainer: equal state, not the same object."""
    shuffle = shuffle_ahead(np.random.default_rng(3), ROWS)
    trainer_rng, expected = np.random.default_rng(3), np.random.default_rng(3)
    np.testing.assert_array_equal(shuffle.take(trainer_rng, ROWS), expected.permutation(ROWS))
    assert _state(trainer_rng) == _state(expected)


@pytest.mark.parametrize("interfere", [lambda rng: rng.random(), lambda rng: rng.permutation(3)])
def test_a_draw_in_between_makes_it_unusable_and_leaves_the_generator_alone(interfere):
    rng = np.random.default_rng(11)
    shuffle = shuffle_ahead(rng, ROWS)
    interfere(rng)
    state = _state(rng)
    assert shuffle.take(rng, ROWS) is None
    assert _state(rng) == state


def test_another_row_count_is_not_served():
    rng = np.random.default_rng(0)
    shuffle = shuffle_ahead(rng, ROWS)
    assert shuffle.take(rng, ROWS - 1) is None
    assert _state(rng) == _state(np.random.default_rng(0))


def test_small_shuffles_and_other_bit_generators_are_drawn_in_order():
    assert shuffle_ahead(np.random.default_rng(0), ahead.AHEAD_MIN_ROWS - 1) is None
    assert shuffle_ahead(np.random.Generator(np.random.MT19937(0)), ROWS) is None
    assert isinstance(shuffle_ahead(np.random.default_rng(0), ahead.AHEAD_MIN_ROWS), ShuffleAhead)
    assert isinstance(shuffle_ahead(3, ROWS), ShuffleAhead)  # a seed: fit's generator for it
    assert shuffle_ahead(-1, ROWS) is None and shuffle_ahead("3", ROWS) is None  # refused later, by fit


def test_background_returns_the_value_or_raises_the_error():
    assert Background(sum, [1, 2, 3]).result() == 6
    failing = Background(int, "not a number")
    failing.wait()  # waiting does not raise
    with pytest.raises(ValueError, match="not a number"):
        failing.result()


def _data(rows: int = ROWS, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 3)).astype(np.float32)
    return x, x @ np.array([1.0, -2.0, 0.5], np.float32) + 0.25


class DrawOnTrainBegin(linnet.callbacks.Callback):
    """Draws from linnet's generator between the start of ``fit`` and its first epoch."""

    def on_train_begin(self, logs=None):
        linnet.random.generator().random()


def _fit(seed, built: bool, callbacks=(), epochs: int = 2, **kwargs):
    """Losses, weights and the next draw of linnet's generator after a fit from ``set_random_seed(4)``."""
    x, y = _data()
    linnet.utils.set_random_seed(4)
    model = linnet.Sequential([linnet.Input((3,)), linnet.layers.Dense(1)])
    if built:
        model.build()
    model.compile(linnet.optimizers.SGD(0.01), "mse")
    history = model.fit(x, y, batch_size=512, epochs=epochs, verbose=0, seed=seed, callbacks=list(callbacks),
                        **kwargs)
    return history.history["loss"], [w.copy() for w in model.get_weights()], linnet.random.generator().random()


@pytest.mark.parametrize("seed", [None, 7, "generator"])
@pytest.mark.parametrize("built", [True, False])
@pytest.mark.parametrize("callbacks", [(), (DrawOnTrainBegin(),)])
def test_fit_is_bit_for_bit_the_fit_that_draws_in_order(monkeypatch, seed, built, callbacks):
    def fitted():
        return _fit(np.random.default_rng(9) if seed == "generator" else seed, built, callbacks)

    taken = []
    original = ShuffleAhead.take
    monkeypatch.setattr(ShuffleAhead, "take", lambda self, rng, n: _record(taken, original(self, rng, n)))
    loss, weights, after = fitted()
    assert taken == [not (callbacks and seed is None)]  # unusable once the callback drew from the fit's generator
    monkeypatch.setattr(ahead, "AHEAD_MIN_ROWS", 10 * ROWS)  # every shuffle drawn in order
    in_order = fitted()
    assert loss == in_order[0] and after == in_order[2]
    for left, right in zip(weights, in_order[1]):
        np.testing.assert_array_equal(left, right)


def _record(taken: list, order):
    taken.append(order is not None)
    return order


def _shuffle_threads() -> list:
    return [thread for thread in threading.enumerate() if thread.name == "linnet-shuffle"]


class Refuse(linnet.callbacks.Callback):
    def on_train_begin(self, logs=None):
        raise RuntimeError("refused")


def test_no_thread_is_left_when_fit_raises_before_its_first_epoch():
    x, y = _data()
    model = linnet.Sequential([linnet.Input((3,)), linnet.layers.Dense(1)])
    model.build()
    model.compile("sgd", "mse")
    bad = x.copy()
    bad[-1, 0] = np.nan
    with pytest.raises(ValueError, match="NaN|finite"):
        model.fit(bad, y, batch_size=512, verbose=0, seed=0)  # refused while its shuffle is drawn
    assert not _shuffle_threads()
    with pytest.raises(RuntimeError, match="refused"):
        model.fit(x, y, batch_size=512, verbose=0, seed=0, callbacks=[Refuse()])
    assert not _shuffle_threads()

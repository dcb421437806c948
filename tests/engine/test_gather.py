"""Shuffled in-memory epochs gathered a block ahead in a background thread (``linnet.engine.gather``).

Oracles: the plain path (one ``take`` per batch, ``background=False``) for the same seed, element for element,
and ``fit``'s weights with the background gather switched off; ``threading.active_count()`` before and after.
"""

import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import linnet
from linnet.engine import gather, sources
from linnet.engine.sources import ArrayBatches


def _arrays(n: int, d: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    y = (x @ np.arange(1, d + 1, dtype=np.float32) + 0.5).reshape(-1, 1).astype(np.float32)
    return x, y


def _epoch(batches: ArrayBatches, seed: int) -> list:
    """Every batch of an epoch, each copied before the next is asked for (batches may be views of reused blocks)."""
    return [tuple(a.copy() for a in batch) for batch in batches.epoch(np.random.default_rng(seed))]


def _same(a: list, b: list) -> None:
    assert len(a) == len(b)
    for left, right in zip(a, b):
        assert len(left) == len(right)
        for u, v in zip(left, right):
            assert u.shape == v.shape and u.dtype == v.dtype
            np.testing.assert_array_equal(u, v)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 700), batch=st.integers(1, 70), block=st.integers(1, 200), seed=st.integers(0, 2**32 - 1),
       shuffle=st.sampled_from([True, "batch"]), weighted=st.booleans(), reuse=st.booleans())
def test_background_batches_equal_the_plain_batches(n, batch, block, seed, shuffle, weighted, reuse):
    x, y = _arrays(n)
    weight = np.random.default_rng(seed).random((n, 1)).astype(np.float32) if weighted else None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(gather, "BLOCK_ROWS", block)  # small blocks: many of them, partial last blocks
        background = _epoch(ArrayBatches(x, y, batch, shuffle, weight), seed)
        reused = _epoch(ArrayBatches(x, y, batch, shuffle, weight, reuse=True), seed)  # two sets of blocks in turn
        design = _epoch(ArrayBatches(x, y, batch, shuffle, reuse=reuse).design_batches(), seed)  # [x, 1] per block
    plain = _epoch(ArrayBatches(x, y, batch, shuffle, weight, background=False), seed)
    _same(background, plain)
    _same(reused, plain)
    _same(design, _epoch(ArrayBatches(x, y, batch, shuffle, background=False).design_batches(), seed))
    assert sum(b[0].shape[0] for b in plain) == n


def test_the_background_path_is_taken_for_a_large_epoch(monkeypatch):
    x, y = _arrays(3 * gather.BLOCK_ROWS + 5)
    calls = []
    original = gather._gather
    monkeypatch.setattr(gather, "_gather",
                        lambda arrays, rows, blocks: calls.append(len(rows)) or original(arrays, rows, blocks))
    background = _epoch(ArrayBatches(x, y, 256), 7)
    assert calls == [gather.block_rows(256)] * 3 + [x.shape[0] - 3 * gather.block_rows(256)]
    _same(background, _epoch(ArrayBatches(x, y, 256, background=False), 7))
    calls.clear()
    _epoch(ArrayBatches(x, y, gather.BACKGROUND_MAX_BATCH + 1), 7)  # larger batches: gathered batch by batch
    assert calls == []


def test_reused_blocks_are_two_sets_of_buffers_taken_in_turn():
    x, y = _arrays(5 * gather.BLOCK_ROWS)
    size = gather.block_rows(256)
    bases = [batch[0].base for batch in ArrayBatches(x, y, 256, reuse=True).epoch(np.random.default_rng(1))]
    firsts = [bases[k * size // 256] for k in range(5)]
    assert firsts[0] is firsts[2] is firsts[4] and firsts[1] is firsts[3] and firsts[0] is not firsts[1]
    kept = [batch[0].base for batch in ArrayBatches(x, y, 256).epoch(np.random.default_rng(1))]
    assert len({id(base) for base in kept}) == 5  # without reuse: a block of its own each (batches can be kept)


@pytest.mark.parametrize("batch_size", [32, 250, gather.BACKGROUND_MAX_BATCH])
def test_fit_weights_are_bit_for_bit_those_of_the_plain_path(monkeypatch, batch_size):
    x, y = _arrays(2 * gather.BLOCK_ROWS + 123, d=4)

    def trained():
        model = linnet.Sequential([linnet.Input((4,)), linnet.layers.Dense(1, kernel_initializer="zeros")])
        model.compile(linnet.optimizers.SGD(0.01), "mse")
        history = model.fit(x, y, batch_size=batch_size, epochs=2, verbose=0, seed=3)
        return history.history["loss"], [w.copy() for w in model.get_weights()]

    calls = []
    original = gather._gather
    monkeypatch.setattr(gather, "_gather", lambda arrays, rows, blocks: calls.append(
        blocks[0].shape[1] == arrays[0].shape[1] + 1) or original(arrays, rows, blocks))  # whether rows are [x, 1]
    threads = threading.active_count()
    loss, weights = trained()
    assert threading.active_count() == threads  # the gather thread ended with the epoch
    assert calls == [True] * 2 * 3  # 3 blocks per epoch of the fused step's [x, 1] rows, 2 epochs
    monkeypatch.setattr(sources, "in_background", lambda size, rows: False)  # every epoch on the plain path
    plain_loss, plain_weights = trained()
    assert loss == plain_loss
    for left, right in zip(weights, plain_weights):
        np.testing.assert_array_equal(left, right)
    assert loss[-1] < 0.5 * loss[0]  # it did train (y is an exact plane)


class Boom(linnet.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        if batch == 5:
            raise RuntimeError("boom")


class Stop(linnet.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        if batch == 5:
            self.model.stop_training = True


@pytest.mark.parametrize("callback, raised", [(Boom(), RuntimeError), (Stop(), None)])
def test_no_thread_is_left_when_fit_raises_or_stops_mid_epoch(callback, raised):
    x, y = _arrays(2 * gather.BLOCK_ROWS + 1)
    model = linnet.Sequential([linnet.Input((3,)), linnet.layers.Dense(1)])
    model.compile("sgd", "mse")
    threads = threading.active_count()
    if raised is None:
        model.fit(x, y, batch_size=32, epochs=3, verbose=0, callbacks=[callback], seed=0)
    else:
        with pytest.raises(raised, match="boom"):
            model.fit(x, y, batch_size=32, epochs=3, verbose=0, callbacks=[callback], seed=0)
    assert threading.active_count() == threads
    assert not [t for t in threading.enumerate() if t.name.startswith("linnet-gather")]

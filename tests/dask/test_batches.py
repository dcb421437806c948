"""Training on Dask: partitions shuffled on the workers, a new order every epoch, equal to the same batches in
memory; full-batch training from the state reduced on the cluster."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import linnet

da = pytest.importorskip("dask.array", reason="the Dask tests need pip install 'linnet[dask]'")
import linnet.dask as ld  # noqa: E402
from linnet.dask import batches as batches_module  # noqa: E402


def _data(seed=0, n=1_037, p=2):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p)).astype(np.float32)
    y = (x @ np.arange(1.0, p + 1) + 0.5 + 0.1 * rng.normal(size=n)).astype(np.float32)
    return x, y


class _InMemoryReplay:
    """The documented epoch, written independently: partition order, then each partition's seeded permutation,
    concatenated and cut into consecutive batches."""

    def __init__(self, x, y, bounds, batch_size):
        self.x, self.y, self.bounds, self.batch_size, self.n_features = x, y, bounds, batch_size, x.shape[1]

    def epoch(self, rng):
        order = rng.permutation(len(self.bounds))
        seeds = rng.integers(0, 2**63 - 1, size=len(self.bounds))
        rows = np.concatenate([start + np.random.default_rng(int(seeds[i])).permutation(stop - start)
                               for i in order for start, stop in [self.bounds[i]]])
        for begin in range(0, len(rows), self.batch_size):
            chosen = rows[begin:begin + self.batch_size]
            yield self.x[chosen], self.y[chosen, None]


def _model(p, optimizer="sgd"):
    model = linnet.Sequential([linnet.Input((p,)), linnet.layers.Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer, "mse")
    return model


def test_sgd_on_dask_equals_sgd_on_the_same_batches_in_memory(client):
    x, y = _data()
    chunks = (300, 250, 187, 300)  # batches of 64 span partitions; the last batch of an epoch is short
    bounds = list(zip(np.cumsum((0, *chunks[:-1])), np.cumsum(chunks)))
    on_dask = _model(2, linnet.optimizers.SGD(0.1))
    history = on_dask.fit(ld.DaskBatches(da.from_array(x, chunks=(chunks, 2)), da.from_array(y, chunks=(chunks,)),
                                         batch_size=64, scheduler=client), epochs=3, verbose=0, seed=7)
    in_memory = _model(2, linnet.optimizers.SGD(0.1))
    expected = in_memory.fit(_InMemoryReplay(x, y, bounds, 64), epochs=3, verbose=0, seed=7)
    assert history.history["loss"] == expected.history["loss"]
    for a, b in zip(on_dask.get_weights(), in_memory.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert history.history["loss"][-1] < 0.05 * history.history["loss"][0]


def test_each_epoch_has_a_new_partition_order_and_all_rows():
    x, y = _data(1, n=100)
    source = ld.DaskBatches(da.from_array(x, chunks=10), da.from_array(y, chunks=10), batch_size=7,
                            scheduler="sync")
    rng = np.random.default_rng(0)
    epochs = [np.concatenate([batch[0] for batch in source.epoch(rng)]) for _ in range(2)]
    for rows in epochs:
        assert sorted(map(tuple, rows)) == sorted(map(tuple, x))
    assert not np.array_equal(epochs[0], epochs[1])
    unshuffled = ld.DaskBatches(da.from_array(x, chunks=10), da.from_array(y, chunks=10), batch_size=7,
                                shuffle=False, scheduler="sync")
    batches = list(unshuffled.epoch(rng))
    assert [len(batch[0]) for batch in batches] == [7] * 14 + [2]
    np.testing.assert_array_equal(np.concatenate([batch[0] for batch in batches]), x)


@settings(max_examples=60, deadline=None)
@given(sizes=st.lists(st.integers(0, 30), min_size=1, max_size=8), size=st.integers(1, 25))
def test_batches_are_cut_across_partitions_in_order(sizes, size):
    rows = np.arange(sum(sizes))
    starts = np.cumsum([0, *sizes])
    pieces = [(rows[a:b], -rows[a:b]) for a, b in itertools.pairwise(starts)]
    batches = list(batches_module._cut(iter(pieces), size))
    assert [len(batch[0]) for batch in batches] == [size] * (len(rows) // size) + [len(rows) % size] * bool(
        len(rows) % size)
    if batches:
        np.testing.assert_array_equal(np.concatenate([batch[0] for batch in batches]), rows)
        np.testing.assert_array_equal(np.concatenate([batch[1] for batch in batches]), -rows)


def test_the_client_holds_at_most_prefetch_plus_one_partitions(monkeypatch):
    calls = []
    monkeypatch.setattr(batches_module, "compute", lambda tasks, options: calls.append(tasks[0]) or tasks)
    stream = batches_module._prefetched(list(range(10)), {}, prefetch=2)
    for taken, piece in enumerate(stream, start=1):
        assert piece == taken - 1
        assert len(calls) <= taken + 2  # the current partition and at most 2 ahead
    assert calls == list(range(10))


def test_weighted_dataframe_partitions_and_validation_from_a_second_source(client):
    pandas = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    x, y = _data(2, n=400)
    frame = pandas.DataFrame({"a": x[:, 0], "b": x[:, 1], "y": y, "w": np.linspace(0.5, 1.5, 400)})
    train = dd.from_pandas(frame.iloc[:300], npartitions=3)
    validation = dd.from_pandas(frame.iloc[300:], npartitions=2)
    model = _model(2, "adam")
    history = model.fit(ld.DaskBatches(train, target="y", features=["a", "b"], sample_weight="w", scheduler=client),
                        validation_data=ld.DaskBatches(validation, target="y", features=["a", "b"], shuffle=False,
                                                       batch_size=1_000, scheduler=client),
                        epochs=2, verbose=0, seed=1)
    expected = model.evaluate(x[300:], y[300:], verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(expected, rel=1e-6)


def test_full_batch_from_the_cluster_equals_batch_size_n_in_memory(client):
    x, y = _data(3, n=800, p=3)
    on_dask = _model(3, linnet.optimizers.Adam(0.05))
    on_dask.fit(ld.full_batch(da.from_array(x, chunks=150), da.from_array(y, chunks=150), scheduler=client),
                epochs=30, verbose=0)
    in_memory = _model(3, linnet.optimizers.Adam(0.05))
    in_memory.fit(x, y, batch_size=800, epochs=30, verbose=0)
    for a, b in zip(on_dask.get_weights(), in_memory.get_weights()):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-5)


def test_a_mistyped_keyword_is_refused_naming_dask_batches():
    with pytest.raises(TypeError, match=r"^DaskBatches got unexpected keyword argument\(s\): 'batchsize' "
                                        r"\(did you mean 'batch_size'\?\)"):
        ld.DaskBatches(batchsize=3)

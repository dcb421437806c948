"""Generators, generator factories, re-iterables and PyDataset through fit and ols; the finite-generator trap.

Oracles: the same fit on arrays with ``shuffle=False`` and ``batch_size`` equal to the generator's (same batches,
same order: same weights to float32 round-off); ``linnet.exact.ols`` on all rows; Keras 3's PyDataset contract
(hooks called once per epoch, batch order a permutation when shuffled).
"""

import threading
import tracemalloc

import numpy as np
import pytest

import linnet
from linnet.data.sources import GeneratorSource, PyDataset, PyDatasetSource
from linnet.engine import optimizers
from linnet.engine.layers import Dense, Input
from linnet.engine.sequential import Sequential

RNG = np.random.default_rng(7)
X = RNG.normal(size=(96, 3)).astype(np.float32)
Y = (X @ np.array([1.0, -2.0, 0.5]) + 0.25 + 0.1 * RNG.normal(size=96)).astype(np.float32)


def model():
    net = Sequential([Input((3,)), Dense(1)])
    net.set_weights([np.full((3, 1), 0.1, np.float32), np.zeros(1, np.float32)])
    net.compile(optimizers.SGD(0.05), "mse")
    return net


def chunks(rows=16):
    for start in range(0, len(X), rows):
        yield X[start:start + rows], Y[start:start + rows]


def reference(epochs=3, rows=16):
    net = model()
    history = net.fit(X, Y, batch_size=rows, epochs=epochs, shuffle=False, verbose=0)
    return net, history.history["loss"]


@pytest.mark.parametrize("data", [chunks, GeneratorSource(list(chunks()))], ids=["factory", "list"])
def test_a_factory_or_a_reiterable_trains_like_the_arrays_in_order(data):
    expected, losses = reference()
    net = model()
    history = net.fit(data, epochs=3, verbose=0)
    np.testing.assert_allclose(history.history["loss"], losses, rtol=1e-5)
    for got, want in zip(net.get_weights(), expected.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


def test_a_one_shot_generator_trains_one_epoch_and_is_refused_for_two_with_the_fix():
    _, losses = reference(epochs=1)
    net = model()
    np.testing.assert_allclose(net.fit(chunks(), verbose=0).history["loss"], losses, rtol=1e-5)
    with pytest.raises(ValueError, match="read only once.*3 epochs.*function that returns a new generator"):
        model().fit(chunks(), epochs=3, verbose=0)


def test_steps_per_epoch_continues_an_endless_generator_across_epochs_as_keras_does():
    def endless():
        while True:
            yield from chunks()

    expected, _ = reference(epochs=2)  # 6 batches per pass: two epochs of 3 batches = one pass
    net = model()
    history = net.fit(endless(), epochs=4, steps_per_epoch=3, verbose=0)
    assert len(history.history["loss"]) == 4
    for got, want in zip(net.get_weights(), expected.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


def test_a_generator_that_runs_out_before_steps_per_epoch_is_refused():
    with pytest.raises(ValueError, match=r"ran out of data after 2 batch\(es\) of an epoch.*steps_per_epoch=4"):
        model().fit(chunks(), epochs=2, steps_per_epoch=4, verbose=0)


def test_bad_batches_are_named():
    def wrong_width():
        yield X[:8], Y[:8]
        yield X[:8, :2], Y[:8]

    with pytest.raises(ValueError, match=r"batch 2 of the data source has 2 feature.*Received: x of batch 2 of the "
                                         r"data source, of shape \(8, 2\)$"):
        model().fit(wrong_width, verbose=0)

    def nan_mid_epoch():
        yield X[:8], Y[:8]
        bad = Y[8:16].copy()
        bad[3] = np.nan
        yield X[8:16], bad

    with pytest.raises(ValueError, match="y of batch 2 of the data source contains NaN"):
        model().fit(nan_mid_epoch, verbose=0)
    with pytest.raises(ValueError, match="yielded no batch"):
        GeneratorSource(iter([]))
    with pytest.raises(TypeError, match=r"yield \(x, y\).*Received: 3"):
        GeneratorSource([3])
    with pytest.raises(TypeError, match="must take no arguments"):
        GeneratorSource(lambda rows: chunks(rows))


def test_ols_on_a_generator_equals_ols_on_the_arrays():
    expected = linnet.exact.ols(X, Y)
    for data in (chunks(), chunks, lambda: chunks(7)):
        np.testing.assert_allclose(linnet.ols(data).params, expected.params, rtol=1e-12)
    weights = RNG.uniform(0.5, 2.0, size=96)
    weighted = linnet.exact.ols(X, Y, sample_weight=weights)
    batches = [(X[s:s + 10], Y[s:s + 10], weights[s:s + 10]) for s in range(0, 96, 10)]
    np.testing.assert_allclose(linnet.ols(GeneratorSource(batches)).params, weighted.params, rtol=1e-12)


class Houses(PyDataset):
    def __init__(self, rows=16, **kwargs):
        super().__init__(**kwargs)
        self.rows, self.calls, self.seen = rows, [], []

    def __len__(self):
        return -(-len(X) // self.rows)

    def __getitem__(self, index):
        self.seen.append(index)
        return X[index * self.rows:(index + 1) * self.rows], Y[index * self.rows:(index + 1) * self.rows]

    def on_epoch_begin(self):
        self.calls.append("begin")

    def on_epoch_end(self):
        self.calls.append("end")


class CountedHouses(Houses):
    """Houses that count, in this process, how often they are pickled."""

    pickled = 0

    def __getstate__(self):
        CountedHouses.pickled += 1
        return self.__dict__


def test_worker_processes_get_the_pydataset_once_an_epoch_not_with_every_batch():
    """A task sends its batch index only: the dataset (and the rows it holds) goes to each worker process once an
    epoch, as Keras' OrderedEnqueuer gives it, where it used to be pickled with every one of the 6 batches."""
    data = CountedHouses(workers=2, use_multiprocessing=True, max_queue_size=2)
    _, losses = reference(epochs=2)
    net = model()
    CountedHouses.pickled = 0
    history = net.fit(data, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], losses, rtol=1e-5)
    assert CountedHouses.pickled <= 2 * 2  # at most once per worker and epoch (none where workers are forked)


class BigHouses(Houses):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.everything = np.ones((1_000_000, 4))  # 32 MB that the batches could come from


def test_checking_that_a_pydataset_pickles_makes_no_copy_of_its_rows():
    """The check pickled the dataset into bytes: a second copy of all it holds at every fit, even where the
    workers are forked and nothing is sent."""
    data = BigHouses(workers=2, use_multiprocessing=True)
    tracemalloc.start()
    try:
        PyDatasetSource(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4e6


@pytest.mark.parametrize("workers, processes", [(1, False), (3, False), (2, True)])
def test_a_pydataset_without_shuffle_trains_like_the_arrays_and_its_hooks_run_each_epoch(workers, processes):
    expected, losses = reference(epochs=2)
    data = Houses(workers=workers, use_multiprocessing=processes, max_queue_size=2)
    net = model()
    history = net.fit(data, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], losses, rtol=1e-5)
    np.testing.assert_allclose(net.get_weights()[0], expected.get_weights()[0], rtol=1e-5)
    assert data.calls == ["begin", "end"] * 2


def test_shuffle_permutes_a_pydatasets_batch_order_each_epoch_from_the_seed():
    data = Houses()
    PyDatasetSource(data)  # reads batch 0 for n_features
    source = PyDatasetSource(data, shuffle=True)
    data.seen.clear()
    orders = []
    for _ in range(2):
        list(source.epoch(np.random.default_rng(3)))
        orders.append(data.seen[-6:])
    assert sorted(orders[0]) == list(range(6)) and orders[0] != list(range(6))
    assert orders[0] == orders[1]  # same seed, same order
    assert linnet.keras.utils.PyDataset is PyDataset


def test_a_pydataset_that_skips_super_init_or_is_endless_without_steps_is_refused():
    class NoInit(PyDataset):
        def __init__(self):
            pass

        def __len__(self):
            return 1

        def __getitem__(self, index):
            return X, Y

    with pytest.raises(TypeError, match=r"super\(\)\.__init__"):
        model().fit(NoInit(), verbose=0)

    class Endless(Houses):
        @property
        def num_batches(self):
            return None

    with pytest.raises(ValueError, match="endless.*steps_per_epoch"):
        model().fit(Endless(), verbose=0)
    assert len(model().fit(Endless(), steps_per_epoch=2, epochs=2, verbose=0).history["loss"]) == 2


def test_steps_per_epoch_with_arrays_is_taken_and_shuffle_with_a_generator_is_refused():
    """steps_per_epoch with arrays was refused; it now bounds each epoch as in Keras (tests/engine/test_steps.py)."""
    assert model().fit(X, Y, steps_per_epoch=2, verbose=0).params["steps"] == 2  # of the 3 batches of 32
    with pytest.raises(ValueError, match="shuffle cannot be used when x is a data source"):
        model().fit(chunks, shuffle=False, verbose=0)
    with pytest.raises(ValueError, match=r"shuffle cannot be used .* Received: shuffle=array"):  # was NumPy's
        model().fit(chunks, shuffle=np.array([True, False]), verbose=0)  # "truth value ... is ambiguous"


def test_ols_refuses_a_batch_that_is_not_a_tuple_instead_of_reading_its_rows_as_x_and_y():
    """A bare array among the batches used to be unpacked by its rows: three junk rows absorbed silently."""
    batches = [(X[:, :1], Y), np.array([[0.0, 1, 2], [9.0, 9, 9]])]
    with pytest.raises(TypeError, match=r"Batch 2 of .*must yield \(x, y\) or \(x, y, sample_weight\) tuples"):
        linnet.ols(lambda: iter(batches))


def test_bad_factories_ragged_batches_and_progress_callbacks_are_named():
    with pytest.raises(TypeError, match="A generator factory must return a new iterator .* returned NoneType"):
        model().fit(lambda: None, verbose=0)
    with pytest.raises(ValueError, match="x of batch 1 of the generator must be an array of numbers; its rows have "
                                         "different lengths"):
        linnet.ols(lambda: iter([([[1.0, 2.0], [3.0]], [1.0, 2.0])]))
    with pytest.raises(TypeError, match="progress must be a function .* Received: 'x'"):
        linnet.ols(chunks, progress="x")


def test_the_advice_for_a_one_shot_generator_works_as_written():
    with pytest.raises(ValueError, match=r"GeneratorSource\(batches\)") as refused:
        model().fit(chunks(), epochs=2, verbose=0)
    assert "re-iterable" not in str(refused.value)
    _, losses = reference(epochs=2)
    got = model().fit(GeneratorSource(list(chunks())), epochs=2, verbose=0).history["loss"]
    np.testing.assert_allclose(got, losses, rtol=1e-6)


class Sized(PyDataset):
    def __init__(self, length, **kwargs):
        super().__init__(**kwargs)
        self.length = length

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        return X[16 * index:16 * index + 16], Y[16 * index:16 * index + 16]


@pytest.mark.parametrize("length, error", [(-1, ValueError), (2.5, TypeError)])
def test_a_pydataset_whose_len_is_not_a_count_is_named(length, error):
    with pytest.raises(error, match=r"The PyDataset's __len__ must return its number of batches, an int >= 0: .* "
                                    r"Received: Sized"):
        model().fit(Sized(length), verbose=0)


def test_fit_shuffle_on_a_pydataset_must_be_a_boolean():
    with pytest.raises(TypeError, match="shuffle"):
        model().fit(Sized(6), shuffle="no", verbose=0)
    model().fit(Sized(6), shuffle=False, verbose=0)


def test_an_endless_pydataset_as_validation_data_is_told_what_works():
    class Endless(Sized):
        num_batches = None
    with pytest.raises(ValueError, match="to validate or evaluate on it, give a PyDataset with a length"):
        model().fit(Sized(6), validation_data=Endless(0), verbose=0)


class Locked(Houses):
    """A dataset holding a lock, which does not pickle."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.lock = threading.Lock()


def test_a_pydataset_that_cannot_be_pickled_for_worker_processes_is_a_type_error_before_training():
    """workers=2, use_multiprocessing=True on a class defined in a function (or holding a lock or a generator)
    raised the pool's raw "AttributeError: Can't pickle local object ..." (or TypeError: cannot pickle '_thread.lock'
    object) from inside the first epoch."""
    class Local(Houses):
        pass

    generator = Houses(workers=2, use_multiprocessing=True)
    generator.rows_left = (row for row in X)
    for data, why in ((Local(workers=2, use_multiprocessing=True), "Can't pickle local object"),
                      (Locked(workers=2, use_multiprocessing=True), "cannot pickle '_thread.lock' object"),
                      (generator, "cannot pickle 'generator' object")):
        name = type(data).__qualname__
        with pytest.raises(TypeError) as raised:
            model().fit(data, epochs=1, verbose=0)
        assert str(raised.value).startswith(f"The PyDataset {name} cannot be sent to worker processes: "
                                            f"use_multiprocessing=True pickles the dataset for them, and pickling it "
                                            f"failed (")
        assert why in str(raised.value) and "Define the class at module level" in str(raised.value)
        assert "or pass use_multiprocessing=False (the workers are then threads)" in str(raised.value)
        assert str(raised.value).endswith(f"Received: {name}(workers=2, use_multiprocessing=True)")
        assert data.calls == []  # refused before the first epoch began
    threads = Local(workers=2, use_multiprocessing=False)  # the fix the message gives
    model().fit(threads, epochs=1, verbose=0)
    assert threads.calls == ["begin", "end"]

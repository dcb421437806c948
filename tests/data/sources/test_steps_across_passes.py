"""``fit(source, steps_per_epoch=N)`` on a source that knows how to start a pass (a ``PyDataset``, a data source, a
generator factory): each epoch takes the next ``N`` batches, going on through the passes, as Keras 3 does,
rather than re-reading the first ``N`` every epoch (linnet did); an epoch that reaches the end of a pass goes on
into the next, where Keras 3.15.1 ends it short and warns "Your input ran out of data; interrupting training".

Oracle: Keras 3.15.1 (TensorFlow backend) on ``keras.utils.PyDataset`` of 5 batches of 2 rows of the data of
``tests/engine/test_steps.py`` (kernel 0.5, bias 0.1, SGD(0.1), loss "mse", shuffle=False, steps_per_epoch=2).
"""

import numpy as np
import pytest

from linnet.data.sources import PyDataset
from linnet.engine import optimizers
from linnet.engine.layers import Dense, Input
from linnet.engine.sequential import Sequential

X = (np.arange(10, dtype=np.float32) / 4).reshape(-1, 1)
NOISE = np.array([0.1, -0.2, 0.3, 0, -0.1, 0.2, -0.3, 0.1, 0, 0.05], dtype=np.float32)
Y = 2 * X[:, 0] + 1 + NOISE
BATCHES = [(X[i:i + 2], Y[i:i + 2]) for i in range(0, 10, 2)]

# Recorded from Keras 3.15.1, fit(dataset, epochs=4, steps_per_epoch=2, shuffle=False): epoch losses, then kernel
# and bias. An endless dataset (num_batches None, batch i % 5) is read 0 1 | 2 3 | 4 0 | 1 2: the passes go on.
KERAS_ENDLESS = ([2.0939316749572754, 2.484745740890503, 0.32681578397750854, 0.02725813537836075],
                 [1.821630597114563, 1.2892205715179443])
# The same 5 batches with a length: 0 1 | 2 3 | 4 (short: the pass ends, Keras warns) | 0 1 (a new pass).
KERAS_FIVE_BATCHES = ([2.0939316749572754, 2.484745740890503, 0.44802039861679077, 0.11352336406707764],
                      [1.8312360048294067, 1.3015607595443726])


class Batches(PyDataset):
    """5 batches of 2 rows; ``endless`` makes it a dataset without a length that repeats them."""

    def __init__(self, endless=False):
        super().__init__()
        self.endless, self.read, self.hooks = endless, [], []

    def __len__(self):
        return 5

    @property
    def num_batches(self):
        return None if self.endless else 5

    def __getitem__(self, index):
        self.read.append(index)
        return BATCHES[index % 5]

    def on_epoch_begin(self):
        self.hooks.append("begin")

    def on_epoch_end(self):
        self.hooks.append("end")


def line():
    model = Sequential([Input((1,)), Dense(1)])
    model.set_weights([np.array([[0.5]], np.float32), np.array([0.1], np.float32)])
    model.compile(optimizer=optimizers.SGD(0.1), loss="mse")
    return model


def assert_keras(model, history, recorded):
    assert history.history["loss"] == pytest.approx(recorded[0], rel=1e-5)
    np.testing.assert_allclose([w.item() for w in model.get_weights()], recorded[1], rtol=1e-5)


@pytest.mark.parametrize("endless", [True, False])
def test_steps_per_epoch_goes_on_through_a_pydataset_as_keras_reads_an_endless_one(endless):
    """Endless: Keras' numbers. With a length: the same, where Keras ends its third epoch short (one step)."""
    data, model = Batches(endless), line()
    history = model.fit(data, epochs=4, steps_per_epoch=2, shuffle=False, verbose=0)
    assert_keras(model, history, KERAS_ENDLESS)
    assert data.read[-8:] == (list(range(8)) if endless else [0, 1, 2, 3, 4, 0, 1, 2])
    assert data.hooks == ["begin", "end"] * 4  # around every epoch, as Keras calls them
    assert history.history["loss"][:2] == pytest.approx(KERAS_FIVE_BATCHES[0][:2], rel=1e-5)
    assert history.history["loss"][2] != pytest.approx(KERAS_FIVE_BATCHES[0][2], rel=1e-2)  # Keras': batch 4 alone


def test_a_shuffled_pydataset_with_steps_per_epoch_reads_each_batch_once_a_pass():
    data = Batches()
    line().fit(data, epochs=5, steps_per_epoch=2, shuffle=True, verbose=0, seed=0)
    passes = data.read[-10:]
    assert sorted(passes[:5]) == sorted(passes[5:]) == list(range(5)) and passes[:5] != passes[5:]


class Source:
    """A data source of the 5 batches (no length) that records when a pass starts and finishes."""

    n_features = 1

    def __init__(self):
        self.events = []

    def epoch(self, rng):
        self.events.append("start")
        yield from BATCHES
        self.events.append("finish")


class Sized(Source):
    """The same that knows its length."""

    def __len__(self):
        return 5


@pytest.mark.parametrize("make", [Sized, Source, lambda: (lambda: iter(BATCHES))],
                         ids=["source with a length", "source without", "generator factory"])
def test_steps_per_epoch_goes_on_through_the_passes_of_a_source(make):
    """Every epoch 2 steps, the third going on into a new pass: Keras' endless numbers."""
    data, model = make(), line()
    history = model.fit(data, epochs=4, steps_per_epoch=2, verbose=0)
    assert_keras(model, history, KERAS_ENDLESS)
    if isinstance(data, Sized):  # the second pass ended with fit; the first finished when its last batch was read
        assert data.events == ["start", "finish", "start"]


def test_a_sized_pass_finishes_with_the_epoch_that_reads_its_last_batch():
    data = Sized()
    line().fit(data, epochs=5, steps_per_epoch=2, verbose=0)  # 10 batches: exactly 2 passes
    assert data.events == ["start", "finish", "start", "finish"]


"""``PyDataset``: Keras 3's indexed dataset (``keras.utils.PyDataset``), and its adapter to the source protocol.

A subclass implements ``__getitem__(index) -> (x, y)`` or ``(x, y, sample_weight)`` and ``__len__`` (or the
``num_batches`` property; None means endless, and ``fit`` then needs ``steps_per_epoch``); ``on_epoch_begin`` and
``on_epoch_end`` are called around every epoch. ``workers``, ``use_multiprocessing`` and ``max_queue_size`` go to
the constructor, as in Keras: with ``workers > 1`` batches are built by a pool of that many threads (processes
with ``use_multiprocessing=True``, each given the dataset once an epoch; the dataset must then pickle, and one that
does not, such as a class defined inside a function or one holding a lock, is a ``TypeError`` before training), at
most ``max_queue_size`` ahead, and are yielded in order. ``fit(shuffle=True)``, the default, shuffles the order of
the batch indices every pass over them (every epoch, without ``steps_per_epoch``; the rows inside a batch are the
dataset's business), drawn from the run's seeded generator.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import pickle
from collections import deque
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..._validation import boolean, non_negative_int, positive_int
from .generators import batch_width


class PyDataset:
    """Base class of an indexed dataset, as ``keras.utils.PyDataset`` (subclass it; call ``super().__init__``)."""

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10):
        self.workers = non_negative_int(workers, "workers")
        self.use_multiprocessing = boolean(use_multiprocessing, "use_multiprocessing")
        self.max_queue_size = positive_int(max_queue_size, "max_queue_size")

    def __getitem__(self, index: int):
        raise NotImplementedError("A PyDataset subclass must implement __getitem__(index) returning (x, y).")

    @property
    def num_batches(self) -> int | None:
        """The number of batches (``len(self)``); None for an endless dataset."""
        if hasattr(self, "__len__"):
            return len(self)
        raise NotImplementedError("A PyDataset subclass must implement __len__ or the num_batches property.")

    def on_epoch_begin(self) -> None:
        """Called before every epoch."""

    def on_epoch_end(self) -> None:
        """Called after every epoch (e.g. to reshuffle rows)."""

    def __iter__(self) -> Iterator:
        indices = range(self.num_batches) if self.num_batches is not None else itertools.count()
        return (self[index] for index in indices)


def is_pydataset(data: Any) -> bool:
    """A linnet or Keras ``PyDataset`` (by its protocol: ``__getitem__``, ``num_batches``, ``on_epoch_end``)."""
    return all(hasattr(type(data), name) for name in ("__getitem__", "num_batches", "on_epoch_end"))


class PyDatasetSource:
    """A ``PyDataset`` as a data source: batch order shuffled per pass when ``shuffle``; ``steps_per_epoch``
    batches per epoch when given (required for an endless dataset), the next ones of the passes over the indices,
    as in Keras 3: epochs of 2 steps over 5 batches read ``[0, 1], [2, 3], [4, 0], [1, 2]`` (an epoch that reaches
    the end of a pass goes on into the next, where Keras 3.15.1 ends it short, ``[4]``, and warns). The dataset's
    ``on_epoch_begin`` and ``on_epoch_end`` are called around every epoch, as Keras does."""

    def __init__(self, dataset: Any, shuffle: bool = True, steps_per_epoch: int | None = None):
        self.dataset, self.shuffle = dataset, boolean(shuffle, "shuffle")
        if not hasattr(dataset, "workers"):
            raise TypeError(f"The PyDataset was not initialized: its __init__ must call super().__init__(**kwargs). "
                            f"Received: {type(dataset).__name__}")
        self.steps_per_epoch = positive_int(steps_per_epoch, "steps_per_epoch", allow_none=True)
        try:
            count = dataset.num_batches
        except (TypeError, ValueError) as error:  # Python's own complaint about a bad __len__
            raise type(error)(f"The PyDataset's __len__ must return its number of batches, an int >= 0: {error}. "
                              f"Received: {type(dataset).__name__}") from None
        if count is None and self.steps_per_epoch is None:
            raise ValueError("The PyDataset is endless (num_batches is None): to train on it give fit "
                             "steps_per_epoch; to validate or evaluate on it, give a PyDataset with a length.")
        if count is not None and positive_int(count, "the PyDataset's len()") < (self.steps_per_epoch or 0):
            raise ValueError(f"steps_per_epoch={self.steps_per_epoch} is more than the PyDataset's {count} batches.")
        self._count = count
        self._stream: Iterator[int] | None = None  # the indices of the passes, with steps_per_epoch
        if dataset.workers > 0 and dataset.use_multiprocessing:
            _refuse_unpicklable(dataset)
        self.n_features = batch_width(dataset[0])

    def __len__(self) -> int:
        return self.steps_per_epoch or self._count

    def epoch(self, rng: np.random.Generator) -> Iterator[tuple]:
        """``on_epoch_begin``, the batches (in a shuffled index order when ``shuffle``), ``on_epoch_end``."""
        dataset, indices = self.dataset, self._indices(rng)
        dataset.on_epoch_begin()
        if dataset.workers > 1 or (dataset.workers > 0 and dataset.use_multiprocessing):
            yield from _pooled(dataset, indices)
        else:
            for index in indices:
                yield dataset[index]
        dataset.on_epoch_end()

    def _indices(self, rng: np.random.Generator) -> list[int]:
        """One pass's indices, or with ``steps_per_epoch`` the next ones of the passes (as Keras 3 reads them)."""
        if self.steps_per_epoch is None:
            return self._pass(rng)
        if self._stream is None:
            self._stream = (itertools.count() if self._count is None
                            else itertools.chain.from_iterable(self._pass(rng) for _ in itertools.count()))
        return list(itertools.islice(self._stream, self.steps_per_epoch))

    def _pass(self, rng: np.random.Generator) -> list[int]:
        """The indices of one pass over a dataset with a length: shuffled when ``shuffle``."""
        return (rng.permutation(self._count) if self.shuffle else np.arange(self._count)).tolist()


def _refuse_unpicklable(dataset: Any) -> None:
    """Refuse, before training, a dataset worker processes cannot be sent: ``_pooled`` gives it to each of them
    (pickled where processes are spawned, not forked). (Keras 3 forks its workers on Linux and sends them nothing,
    so there it takes such a dataset; where processes are spawned, it too must pickle it.)"""
    try:
        pickle.Pickler(_Discard(), protocol=5, buffer_callback=lambda buffer: False).dump(dataset)
    except Exception as error:  # PicklingError, or the AttributeError or TypeError of the part that does not pickle
        name = type(dataset).__qualname__
        raise TypeError(f"The PyDataset {name} cannot be sent to worker processes: use_multiprocessing=True pickles "
                        f"the dataset for them, and pickling it failed ({error}). Define the class at module level "
                        f"(not inside a function) and keep no lock, open file or generator in its attributes, or pass "
                        f"use_multiprocessing=False (the workers are then threads). Received: {name}(workers="
                        f"{dataset.workers}, use_multiprocessing=True)") from None


class _Discard:
    """A file that keeps nothing: pickling into it (arrays' buffers out of band, not copied) checks that a dataset
    pickles without a second copy of its rows."""

    def write(self, data: bytes) -> int:
        return len(data)


def _pooled(dataset: Any, indices) -> Iterator[tuple]:
    """``dataset[i]`` for ``i`` in ``indices``, in order, built by ``dataset.workers`` threads or processes with
    at most ``max_queue_size`` batches in flight.

    A process pool is made for each epoch and given the dataset once per process, as it is after ``on_epoch_end``
    (Keras 3's ``OrderedEnqueuer`` does the same): a task sends only its index, not the dataset with its rows.
    """
    if dataset.use_multiprocessing:
        pool = concurrent.futures.ProcessPoolExecutor(max(dataset.workers, 1), initializer=_hold,
                                                      initargs=(dataset,))
        item = _held_item
    else:
        pool = concurrent.futures.ThreadPoolExecutor(max(dataset.workers, 1))
        item = dataset.__getitem__
    with pool:
        pending: deque = deque()
        for index in indices:
            pending.append(pool.submit(item, index))
            if len(pending) >= dataset.max_queue_size:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


_HELD: Any = None
"""In a worker process of ``_pooled``: the dataset it builds batches of."""


def _hold(dataset: Any) -> None:
    global _HELD
    _HELD = dataset


def _held_item(index: int):
    return _HELD[index]

"""Training on a Dask collection: the cluster decodes and shuffles, the trainer steps, prefetch overlaps them.

One epoch of :class:`DaskBatches` (``fit(x=DaskBatches(...))``), with the run's generator ``rng``::

    order = rng.permutation(P)                    # a new partition order every epoch (P partitions)
    seeds = rng.integers(0, 2**63 - 1, size=P)    # drawn after the order; partition i is shuffled with seeds[i]
    rows of partition i, on a worker:  numpy.random.default_rng(seeds[i]).permutation(b_i)

The shuffled partitions are concatenated in ``order`` and cut into consecutive batches of ``batch_size`` rows
(a batch may span two partitions; only the epoch's last batch is shorter), exactly as in-memory rows in that
order would be. It is not a uniform permutation of all rows: rows of one partition stay together within an
epoch, as with any out-of-core shuffle whose buffer is one partition. With ``shuffle=False`` the partitions are
read in order, unshuffled.

The next ``prefetch`` partitions are computed on the scheduler while the trainer steps through the current
one, so the client holds at most ``prefetch + 1`` partitions (and less than one batch carried between them).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from .. import _validation as _checks
from .._serialization import CheckedKeywords
from ..engine.fullbatch import FullBatch
from . import _tasks
from ._partitions import partitions
from ._scheduler import compute, compute_options
from .reduce import SPLIT_EVERY, least_squares_state


class DaskBatches(CheckedKeywords):
    """A data source of shuffled mini-batches streamed from a Dask array or DataFrame (see the module docstring).

    Parameters
    ----------
    x, y, target, features, sample_weight
        The collection, as for :func:`linnet.dask.ols`.
    batch_size : int, default 32
        Rows per batch.
    shuffle : bool, default True
        Shuffle the partition order and the rows within each partition (on the workers) every epoch.
    prefetch : int, default 2
        Partitions computed ahead of the one being trained on.
    scheduler : None, str or distributed.Client
        Where to compute (see :mod:`linnet.dask`).

    Examples
    --------
    >>> import dask.array as da, linnet
    >>> x = da.random.default_rng(0).normal(size=(1000, 2), chunks=250)
    >>> y = x @ da.from_array([[1.0], [2.0]], chunks=-1)
    >>> model = linnet.Sequential([linnet.Input((2,)), linnet.layers.Dense(1)])
    >>> model.compile("sgd", "mse")
    >>> history = model.fit(DaskBatches(x, y, batch_size=64), epochs=2, verbose=0)
    """

    def __init__(self, x: Any, y: Any = None, *, target: str | None = None, features: list[str] | None = None,
                 sample_weight: Any = None, batch_size: int = 32, shuffle: bool = True, prefetch: int = 2,
                 scheduler: Any = None) -> None:
        self.partitions = partitions(x, y, target=target, features=features, sample_weight=sample_weight)
        if not len(self.partitions):
            raise ValueError("The Dask collection has no partitions, so no rows to train on.")
        self.batch_size = _checks.positive_int(batch_size, "batch_size")
        self.shuffle = _checks.boolean(shuffle, "shuffle")
        self.prefetch = _checks.positive_int(prefetch, "prefetch")
        self.scheduler = scheduler
        self.n_features = self.partitions.n_features

    def epoch(self, rng: np.random.Generator) -> Iterator[tuple]:
        """Yield the batches of one epoch: ``(x, y)`` or ``(x, y, sample_weight)``, float32."""
        count = len(self.partitions)
        order = rng.permutation(count) if self.shuffle else np.arange(count)
        seeds = rng.integers(0, 2**63 - 1, size=count) if self.shuffle else [None] * count
        tasks = [self.partitions.task(int(i), "rows", _tasks.shuffled, None if seeds[i] is None else int(seeds[i]),
                                      int(i)) for i in order]
        with compute_options(self.scheduler) as options:
            yield from _cut(self._said(_prefetched(tasks, options, self.prefetch)), self.batch_size)

    def _said(self, results: Iterator[tuple]) -> Iterator[tuple]:
        """The rows of each task's result ``(rows, beyond)``, warning on the client of the integer columns its read
        found beyond 2**53 (``Partitions.say``) before they are trained on."""
        for rows, beyond in results:
            self.partitions.say(beyond)
            yield rows

    def __repr__(self) -> str:
        return (f"DaskBatches(partitions={len(self.partitions)}, n_features={self.n_features}, "
                f"batch_size={self.batch_size}, shuffle={self.shuffle})")


def _prefetched(tasks: list, options: dict, prefetch: int) -> Iterator[tuple]:
    """The tasks' results in order, ``prefetch`` of them computing in background threads ahead of the current."""
    pool = ThreadPoolExecutor(max_workers=prefetch, thread_name_prefix="linnet-dask-prefetch")
    try:
        pending = deque(pool.submit(compute, [task], options) for task in tasks[:prefetch])
        for ahead in range(prefetch, len(tasks) + prefetch):
            piece = pending.popleft().result()[0]
            if ahead < len(tasks):
                pending.append(pool.submit(compute, [tasks[ahead]], options))
            yield piece
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _cut(pieces: Iterator[tuple], size: int) -> Iterator[tuple]:
    """Consecutive batches of ``size`` rows across the pieces (tuples of equally long arrays), in order."""
    held: list[tuple] = []
    count = 0
    for piece in pieces:
        start, rows = 0, piece[0].shape[0]
        if count:
            start = min(size - count, rows)
            held.append(tuple(column[:start] for column in piece))
            count += start
            if count < size:
                continue
            yield tuple(np.concatenate(columns) for columns in zip(*held))
            held, count = [], 0
        for begin in range(start, rows - size + 1, size):
            yield tuple(column[begin:begin + size] for column in piece)
        rest = start + (rows - start) // size * size
        if rest < rows:
            held, count = [tuple(column[rest:] for column in piece)], rows - rest
    if count:
        yield tuple(np.concatenate(columns) for columns in zip(*held))


def full_batch(x: Any, y: Any = None, *, target: str | None = None, features: list[str] | None = None,
               sample_weight: Any = None, split_every: int = SPLIT_EVERY, scheduler: Any = None) -> FullBatch:
    """The collection reduced once on the cluster, as a source for full-batch training (``fit(x=...)``).

    Every later epoch is one full-batch step computed from the state in O(p²), whatever the number of rows
    (:class:`linnet.engine.fullbatch.FullBatch`); the arguments are those of :func:`linnet.dask.ols`.
    """
    return FullBatch(least_squares_state(x, y, target=target, features=features, sample_weight=sample_weight,
                                         split_every=split_every, scheduler=scheduler))

"""Shuffled in-memory batches gathered in a background thread while the trainer steps: both cores busy.

An epoch over a permutation ``order`` of the rows is cut into blocks of ``block_rows`` rows (a multiple of the
batch size, so no batch spans two blocks)::

    block k = a.take(order[k·R : (k+1)·R], axis=0)        for every array a (x, y[, sample_weight])
    batches of block k = block k[j·B : (j+1)·B]            views, no copy

Block ``k + 1`` is gathered by one background thread while the batches of block ``k`` are stepped through
(NumPy's ``take`` releases the GIL on numeric arrays, so the gather and the step run on two cores). The batches
are the same arrays, element for element, as ``a.take(order[j·B : (j+1)·B])`` one batch at a time, so training
is bit-for-bit the same. The thread is stopped when the epoch's iterator ends or is closed (``fit`` finishing,
``break`` or an exception), never left running.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np

BLOCK_ROWS = 65_536
"""Rows gathered per background task, rounded down to a multiple of the batch size (at least one batch): a few
MB per block (two are alive at a time), large enough that the hand-over (~50 µs) is negligible."""


def block_rows(batch_size: int) -> int:
    """Rows per block for ``batch_size``: ``BLOCK_ROWS`` rounded down to a multiple of it, at least one batch."""
    return max(BLOCK_ROWS // batch_size, 1) * batch_size


def _gather(arrays: tuple, rows: np.ndarray) -> tuple:
    return tuple(a.take(rows, axis=0) for a in arrays)


def gathered(arrays: tuple, order: np.ndarray, batch_size: int) -> Iterator[tuple]:
    """The batches ``tuple(a[order[j·B:(j+1)·B]] for a in arrays)`` in order, block ``k + 1`` gathered in a
    background thread while block ``k``'s batches are yielded (see the module)."""
    size = block_rows(batch_size)
    starts = range(0, order.shape[0], size)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="linnet-gather")
    try:
        ahead = pool.submit(_gather, arrays, order[:size])
        for start in starts:
            block = ahead.result()
            if start + size < order.shape[0]:
                ahead = pool.submit(_gather, arrays, order[start + size:start + 2 * size])
            for begin in range(0, block[0].shape[0], batch_size):
                yield tuple(a[begin:begin + batch_size] for a in block)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # at most one gather of a block to wait for

"""Shuffled in-memory batches gathered in a background thread while the trainer steps: both cores busy.

An epoch over a permutation ``order`` of the rows is cut into blocks of ``block_rows`` rows (a multiple of the
batch size, so no batch spans two blocks)::

    block k = a.take(order[k·R : (k+1)·R], axis=0)        for every array a (x, y[, sample_weight])
    batches of block k = block k[j·B : (j+1)·B]            views, no copy

For batches of at most ``BACKGROUND_MAX_BATCH`` rows, block ``k + 1`` is gathered by one background thread while
the batches of block ``k`` are stepped through (NumPy's ``take`` releases the GIL on numeric arrays, so the gather
and the step run on two cores); for the fused one-neuron step that thread also appends the column of ones, so
the design ``[x, 1]`` is never copied whole. The batches are the same arrays, element for element, as
``a.take(order[j·B : (j+1)·B])`` one batch at a time, so training is bit-for-bit the same. The thread is stopped
when the epoch's iterator ends or is closed (``fit`` finishing, ``break`` or an exception), never left running.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

BLOCK_ROWS = 65536
"""Rows gathered per background task, rounded down to a multiple of the batch size (at least one batch): a few
MB per block (two are alive at a time), large enough that the hand-over (~50 µs) is negligible."""


BACKGROUND_MAX_BATCH = 256
"""Batches of at most this many rows are gathered in the background. Larger batches are gathered by the trainer's
own thread, just before their step: the step then reads a batch that is hot in its core's cache, which on the
2-core development machine beat the overlap (1M × 20 float32, batch 1024: ~40 ms an epoch in the thread against
~50 ms gathered ahead; batch 32: ~240 ms against ~200 ms; the two paths cross between 256 and 512 rows)."""


def in_background(batch_size: int, n_rows: int) -> bool:
    """Whether a shuffled epoch of ``n_rows`` rows in batches of ``batch_size`` is gathered in the background:
    small batches (``BACKGROUND_MAX_BATCH``) of more than one block of rows."""
    return batch_size <= BACKGROUND_MAX_BATCH and n_rows > block_rows(batch_size)


def block_rows(batch_size: int) -> int:
    """Rows per block for ``batch_size``: ``BLOCK_ROWS`` rounded down to a multiple of it, at least one batch."""
    return max(BLOCK_ROWS // batch_size, 1) * batch_size


def _gather(arrays: tuple, rows: np.ndarray, ones: bool) -> tuple:
    taken = [a.take(rows, axis=0) for a in arrays]
    if ones:  # the design rows [x, 1], built here rather than as a copy of all of x up front
        x = taken[0]
        design = np.empty((x.shape[0], x.shape[1] + 1), dtype=x.dtype)
        design[:, :-1] = x
        design[:, -1] = 1
        taken[0] = design
    return tuple(taken)


def gathered(arrays: tuple, order: np.ndarray, batch_size: int, ones: bool = False) -> Iterator[tuple]:
    """The batches ``tuple(a[order[j·B:(j+1)·B]] for a in arrays)`` in order, block ``k + 1`` gathered in a
    background thread while block ``k``'s batches are yielded (see the module). With ``ones`` the first array's
    batches are the design rows ``[x, 1]`` (the column of ones appended by the gather thread)."""
    size = block_rows(batch_size)
    starts = range(0, order.shape[0], size)
    from concurrent.futures import ThreadPoolExecutor  # on first use: it imports logging
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="linnet-gather")
    try:
        ahead = pool.submit(_gather, arrays, order[:size], ones)
        for start in starts:
            block = ahead.result()
            if start + size < order.shape[0]:
                ahead = pool.submit(_gather, arrays, order[start + size:start + 2 * size], ones)
            for begin in range(0, block[0].shape[0], batch_size):
                yield tuple(a[begin:begin + batch_size] for a in block)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # at most one gather of a block to wait for

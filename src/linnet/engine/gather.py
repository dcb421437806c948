"""Shuffled in-memory batches gathered in a background thread while the trainer steps: both cores busy.

An epoch over a permutation ``order`` of the rows is cut into blocks of ``block_rows`` rows (a multiple of the
batch size, so no batch spans two blocks)::

    block k = a.take(order[k·R : (k+1)·R], axis=0)        for every array a (x, y[, sample_weight])
    batches of block k = block k[j·B : (j+1)·B]            views, no copy

For batches of at most ``BACKGROUND_MAX_BATCH`` rows, block ``k + 1`` is gathered by a background thread while
the batches of block ``k`` are stepped through (NumPy's ``take`` releases the GIL on numeric arrays, so the gather
and the step run on two cores); for the fused one-neuron step that thread also appends the column of ones, so
the design ``[x, 1]`` is never copied whole. The batches are the same arrays, element for element, as
``a.take(order[j·B : (j+1)·B])`` one batch at a time, so training is bit-for-bit the same. The thread is stopped
when the epoch's iterator ends or is closed (``fit`` finishing, ``break`` or an exception), never left running.

Each block has a thread of its own (``engine.ahead.Background``) rather than one pooled worker: batch 256 took
~77 ms an epoch so against ~93 ms with a ``ThreadPoolExecutor`` (Linux seems to start a new thread on the idle
core but to wake a sleeping worker beside the thread that woke it), and ``concurrent.futures`` is not imported
(with ``logging``, ~2.7 ms of a first ``fit``).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .ahead import Background

BLOCK_ROWS = 65536
"""Rows gathered per background task, rounded down to a multiple of the batch size (at least one batch): a few
MB per block (two are alive at a time), large enough that starting its thread (~50 µs) is negligible."""


BACKGROUND_MAX_BATCH = 1024
"""Batches of at most this many rows are gathered in the background. Larger batches are gathered by the trainer's
own thread, just before their step, which then reads a batch hot in its core's cache: with few, long steps that
beats the overlap. One epoch of 1M × 20 float32 on the 2-core development machine, quiet, in the thread against
in the background (ms, medians): batch 32: 248 / 215, 256: 61 / 57, 1024: 46 / 41, 2048: 39.5 / 39, 4096: 38 / 42.
On a machine whose other core is busy the background thread has no core of its own and the overlap is lost
(an earlier measurement under load had batch 1024 at ~40 ms in the thread against ~50 ms in the background)."""


def in_background(batch_size: int, n_rows: int) -> bool:
    """Whether a shuffled epoch of ``n_rows`` rows in batches of ``batch_size`` is gathered in the background:
    small batches (``BACKGROUND_MAX_BATCH``) of more than one block of rows."""
    return batch_size <= BACKGROUND_MAX_BATCH and n_rows > block_rows(batch_size)


def block_rows(batch_size: int) -> int:
    """Rows per block for ``batch_size``: ``BLOCK_ROWS`` rounded down to a multiple of it, at least one batch."""
    return max(BLOCK_ROWS // batch_size, 1) * batch_size


def _blocks(arrays: tuple, rows: int, ones: bool) -> tuple:
    """Empty blocks of ``rows`` rows, one per array; with ``ones`` the first is the design ``[x, 1]``, its column
    of ones written here once (the gather fills the other columns)."""
    x = arrays[0]
    design = np.empty((rows, x.shape[1] + ones), dtype=x.dtype)
    if ones:
        design[:, -1] = 1
    return (design, *(np.empty((rows, *a.shape[1:]), dtype=a.dtype) for a in arrays[1:]))


def _gather(arrays: tuple, rows: np.ndarray, blocks: tuple) -> tuple:
    """``a[rows]`` of every array written into the first ``len(rows)`` rows of its block (``mode="clip"`` lets
    ``take`` write there directly: the rows of a permutation are all in range, so nothing is clipped)."""
    taken = tuple(block[:rows.shape[0]] for block in blocks)
    for a, block in zip(arrays, taken):
        np.take(a, rows, axis=0, out=block[:, :a.shape[1]], mode="clip")
    return taken


def gathered(arrays: tuple, order: np.ndarray, batch_size: int, ones: bool = False,
             reuse: bool = False) -> Iterator[tuple]:
    """The batches ``tuple(a[order[j·B:(j+1)·B]] for a in arrays)`` of 2-D arrays in order, block ``k + 1``
    gathered in a background thread while block ``k``'s batches are yielded (see the module). With ``ones`` the
    first array's batches are the design rows ``[x, 1]`` (the column of ones appended by the gather thread).

    With ``reuse`` the blocks are gathered into two sets of buffers in turn, so a batch is valid only until the
    next one is asked for (the trainer steps on each before it asks): no new memory to fault in for each block
    (a first ``fit`` at batch 1024 spent ~4 ms faulting in its first blocks)."""
    size = block_rows(batch_size)
    kept: list = [None, None]  # with reuse: the two sets of buffers, made by the gathers of blocks 0 and 1

    def gather(k: int) -> tuple:  # on the background thread
        rows = order[k * size:(k + 1) * size]
        if not reuse:
            return _gather(arrays, rows, _blocks(arrays, rows.shape[0], ones))
        if kept[k % 2] is None:
            kept[k % 2] = _blocks(arrays, size, ones)
        return _gather(arrays, rows, kept[k % 2])  # over block k - 2, whose batches have all been used

    count = -(-order.shape[0] // size)
    ahead = Background(gather, 0, name="linnet-gather")
    try:
        for k in range(count):
            block = ahead.result()
            if k + 1 < count:
                ahead = Background(gather, k + 1, name="linnet-gather")
            for begin in range(0, block[0].shape[0], batch_size):
                yield tuple(a[begin:begin + batch_size] for a in block)
    finally:
        ahead.wait()  # at most one gather of a block to wait for

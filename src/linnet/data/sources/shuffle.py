"""Out-of-core shuffling and batching: chunks of rows (row groups, file blocks) in, training batches out.

``batches(chunks, batch_size, buffer_rows, rng)`` cuts a stream of 2-D chunks of rows (a file source's rows hold
``x``, a column of ones and ``y`` side by side, so that one gather moves a whole sample) into batches of
``batch_size`` rows. With ``buffer_rows = 0`` the rows keep their order (views of the chunks where possible). With a
shuffle buffer it follows tf.data's ``shuffle(buffer_size)``: the buffer is filled with the first ``buffer_rows``
rows; then each incoming row takes the slot of a row drawn uniformly from the buffer (one draw per row, with
replacement, as tf.data draws); at the end the rest of the buffer is emptied in a random order. Together with the
order of the pieces (row groups, CSV files, memory-map slices) shuffled every epoch (the file sources do that), this
mixes rows from across the file, **but it is not a uniform permutation**: a row can only leave the buffer after it
entered, so rows of chunks read early tend to come out early, and rows closer than ``buffer_rows`` in the stream
stay correlated. The wider the buffer relative to a chunk, the closer to uniform. The draws are made a batch at a
time (``batch_size`` slots, one gather and one scatter); a slot drawn twice within a batch gives, the second time,
the row that took it the first time, as the row-by-row rule does (``_redrawn``).

Memory: the buffer (``buffer_rows`` rows, or the rows there are if fewer) plus one chunk; nothing else grows with
the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

FIRST_ROWS = 1 << 20
"""Rows the shuffle buffer holds at first; a larger buffer grows (doubling) as rows arrive, so that a buffer or a
batch larger than the data costs the data's size, not what was asked (``--shuffle-buffer 1e14``: 218 TiB)."""


def batches(chunks: Iterable[np.ndarray], batch_size: int, buffer_rows: int = 0,
            rng: np.random.Generator | None = None) -> Iterator[np.ndarray]:
    """Batches of ``batch_size`` rows (the last may be smaller) from ``chunks``, through a shuffle buffer of
    ``buffer_rows`` rows (rounded up to whole batches) when ``buffer_rows > 0``."""
    if buffer_rows <= 0:
        return _in_order(chunks, batch_size)
    capacity = -(-buffer_rows // batch_size) * batch_size  # whole batches: as many batches out as in
    return _shuffled(_in_order(chunks, batch_size), capacity, batch_size, rng)


def _in_order(chunks: Iterable[np.ndarray], batch_size: int) -> Iterator[np.ndarray]:
    """Consecutive batches of ``batch_size`` rows: views of a chunk, or a copy where a batch spans chunks."""
    carry: list[np.ndarray] = []
    carried = 0
    for rows in chunks:
        start = 0
        if carried:
            start = min(batch_size - carried, rows.shape[0])
            carry.append(rows[:start])
            carried += start
            if carried < batch_size:
                continue
            yield np.concatenate(carry)
            carry, carried = [], 0
        stop = start + (rows.shape[0] - start) // batch_size * batch_size
        for begin in range(start, stop, batch_size):
            yield rows[begin:begin + batch_size]
        if stop < rows.shape[0]:
            carry, carried = [rows[stop:]], rows.shape[0] - stop
    if carried:
        yield np.concatenate(carry)


def _shuffled(incoming: Iterator[np.ndarray], capacity: int, batch_size: int,
              rng: np.random.Generator) -> Iterator[np.ndarray]:
    """tf.data's shuffle buffer over a stream of batches (see the module): batch in, random batch out."""
    buffer, filled, tail, stamp, order = None, 0, None, None, None
    for rows in incoming:
        if buffer is None:
            buffer = np.empty((min(capacity, FIRST_ROWS), *rows.shape[1:]), rows.dtype)
        if filled < capacity:  # whole batches fill the buffer exactly (its capacity is a multiple of them)
            if filled + rows.shape[0] > buffer.shape[0]:
                buffer = _grown(buffer, filled, min(capacity, max(2 * buffer.shape[0], filled + rows.shape[0])))
            buffer[filled:filled + rows.shape[0]] = rows
            filled += rows.shape[0]
        elif rows.shape[0] < batch_size:  # the last, partial batch: mixed into the final drain
            tail = rows
        else:
            slots = rng.integers(0, capacity, batch_size)
            out = buffer.take(slots, axis=0)  # a copy: the slots are reused
            buffer[slots] = rows  # a slot drawn twice keeps its last row, as drawing row by row leaves it
            stamp = np.zeros(capacity, np.int32) if stamp is None else stamp  # once the buffer is full
            order = np.arange(batch_size, dtype=np.int32) if order is None else order  # once a whole batch came
            stamp[slots] = order  # the last draw of each slot: a repeated slot's earlier draws lose
            last = stamp[slots]
            if not np.array_equal(last, order):
                _redrawn(slots, out, rows, np.flatnonzero(last != order))
            yield out
    if buffer is None:
        return
    yield from _drained(buffer[:filled], tail, batch_size, rng)


def _redrawn(slots: np.ndarray, out: np.ndarray, rows: np.ndarray, stale: np.ndarray) -> None:
    """Give the next draw ``k > j`` of the slot of each ``stale`` draw ``j`` (a slot drawn again later in the batch)
    the row that took the slot at ``j``, ``rows[j]``: the batch's one gather read the slot before it was there."""
    for j in stale:
        k = j + 1 + int(np.flatnonzero(slots[j + 1:] == slots[j])[0])
        out[k] = rows[j]


def _grown(buffer: np.ndarray, filled: int, rows: int) -> np.ndarray:
    """A buffer of ``rows`` rows holding the first ``filled`` rows of ``buffer``."""
    larger = np.empty((rows, *buffer.shape[1:]), buffer.dtype)
    larger[:filled] = buffer[:filled]
    return larger


def _drained(buffer: np.ndarray, tail: np.ndarray | None, batch_size: int,
             rng: np.random.Generator) -> Iterator[np.ndarray]:
    """The buffer's rows and the last partial batch (``tail``) in one random order, without copying the buffer."""
    filled = buffer.shape[0]
    tail = buffer[:0] if tail is None else tail
    order = rng.permutation(filled + tail.shape[0])
    for start in range(0, order.shape[0], batch_size):
        rows = order[start:start + batch_size]
        late = rows >= filled
        if not late.any():
            yield buffer.take(rows, axis=0)
            continue
        batch = np.empty((rows.shape[0], *buffer.shape[1:]), buffer.dtype)
        batch[~late] = buffer.take(rows[~late], axis=0)
        batch[late] = tail.take(rows[late] - filled, axis=0)
        yield batch

"""Out-of-core shuffling and batching: chunks (row groups, file blocks) in, training batches out.

``batches(chunks, batch_size, buffer_rows, rng)`` cuts a stream of ``(x, y)`` chunks into batches of
``batch_size`` rows. With ``buffer_rows = 0`` the rows keep their order (views of the chunks where possible).
With a shuffle buffer it follows tf.data's ``shuffle(buffer_size)``: the buffer is filled with the first
``buffer_rows`` rows; then for every ``batch_size`` incoming rows a batch is drawn from ``batch_size`` distinct
random slots of the buffer and those slots take the incoming rows; at the end the rest of the buffer is emptied
in a random order. Together with the chunk order shuffled every epoch (the file sources do that), this mixes
rows from across the file, **but it is not a uniform permutation**: a row can only leave the buffer after it
entered, so rows of chunks read early tend to come out early, and rows closer than ``buffer_rows`` in the
stream stay correlated. The wider the buffer relative to a chunk, the closer to uniform. (tf.data draws one
slot per row; drawing a batch of distinct slots at a time is the same rule, done ``batch_size`` rows at once.)

Memory: the buffer (``buffer_rows`` rows) plus one chunk; nothing else grows with the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

Chunk = tuple[np.ndarray, np.ndarray]


def batches(chunks: Iterable[Chunk], batch_size: int, buffer_rows: int = 0,
            rng: np.random.Generator | None = None) -> Iterator[Chunk]:
    """Batches of ``batch_size`` rows (the last may be smaller) from ``chunks``, through a shuffle buffer of
    ``buffer_rows`` rows (rounded up to whole batches) when ``buffer_rows > 0``."""
    if buffer_rows <= 0:
        return _in_order(chunks, batch_size)
    capacity = -(-buffer_rows // batch_size) * batch_size  # whole batches: as many batches out as in
    return _shuffled(_in_order(chunks, batch_size), capacity, batch_size, rng)


def _in_order(chunks: Iterable[Chunk], batch_size: int) -> Iterator[Chunk]:
    """Consecutive batches of ``batch_size`` rows: views of a chunk, or a copy where a batch spans chunks."""
    carry: list[Chunk] = []
    carried = 0
    for x, y in chunks:
        start = 0
        if carried:
            start = min(batch_size - carried, x.shape[0])
            carry.append((x[:start], y[:start]))
            carried += start
            if carried < batch_size:
                continue
            yield _joined(carry)
            carry, carried = [], 0
        stop = start + (x.shape[0] - start) // batch_size * batch_size
        for begin in range(start, stop, batch_size):
            yield x[begin:begin + batch_size], y[begin:begin + batch_size]
        if stop < x.shape[0]:
            carry, carried = [(x[stop:], y[stop:])], x.shape[0] - stop
    if carried:
        yield _joined(carry)


def _joined(parts: list[Chunk]) -> Chunk:
    if len(parts) == 1:
        return parts[0]
    return np.concatenate([x for x, _ in parts]), np.concatenate([y for _, y in parts])


def _shuffled(incoming: Iterator[Chunk], capacity: int, batch_size: int,
              rng: np.random.Generator) -> Iterator[Chunk]:
    """tf.data's shuffle buffer over a stream of batches (see the module): batch in, random batch out."""
    buffer_x = buffer_y = None
    filled, tail = 0, None
    for x, y in incoming:
        if buffer_x is None:
            buffer_x = np.empty((capacity, *x.shape[1:]), x.dtype)
            buffer_y = np.empty((capacity, *y.shape[1:]), y.dtype)
        if filled < capacity:  # whole batches fill the buffer exactly (its capacity is a multiple of them)
            buffer_x[filled:filled + x.shape[0]], buffer_y[filled:filled + x.shape[0]] = x, y
            filled += x.shape[0]
        elif x.shape[0] < batch_size:  # the last, partial batch: mixed into the final drain
            tail = x, y
        else:
            slots = rng.choice(capacity, batch_size, replace=False)
            out = buffer_x.take(slots, axis=0), buffer_y.take(slots, axis=0)  # copies: the slots are reused
            buffer_x[slots], buffer_y[slots] = x, y
            yield out
    if buffer_x is None:
        return
    yield from _drained(buffer_x[:filled], buffer_y[:filled], tail, batch_size, rng)


def _drained(buffer_x: np.ndarray, buffer_y: np.ndarray, tail: Chunk | None, batch_size: int,
             rng: np.random.Generator) -> Iterator[Chunk]:
    """The buffer's rows and the last partial batch (``tail``) in one random order, without copying the buffer."""
    filled = buffer_x.shape[0]
    tail_x, tail_y = tail if tail is not None else (buffer_x[:0], buffer_y[:0])
    order = rng.permutation(filled + tail_x.shape[0])
    for start in range(0, order.shape[0], batch_size):
        rows = order[start:start + batch_size]
        held, late = rows[rows < filled], rows[rows >= filled] - filled
        if not late.size:
            yield buffer_x.take(held, axis=0), buffer_y.take(held, axis=0)
        else:
            yield (np.concatenate([buffer_x.take(held, axis=0), tail_x.take(late, axis=0)]),
                   np.concatenate([buffer_y.take(held, axis=0), tail_y.take(late, axis=0)]))

"""The out-of-core batching and shuffle buffer: every row exactly once, Keras' batch count, tf.data's buffer rule.

Oracles: the multiset of rows (each row carries its index), ``ceil(n / batch_size)`` batches, the rows in their
original order without a buffer, and tf.data's rule written a row at a time.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linnet.data.sources.prefetch import prefetched
from linnet.data.sources.shuffle import batches


def indexed_chunks(sizes):
    """Chunks of rows ``[i, -i]``: each row carries its index twice, so a torn row shows."""
    start = 0
    for size in sizes:
        index = np.arange(start, start + size, dtype=np.float32)
        yield np.stack([index, -index], axis=1)
        start += size


@settings(max_examples=60, deadline=None)
@given(sizes=st.lists(st.integers(1, 50), min_size=1, max_size=12), batch_size=st.integers(1, 17),
       buffer_rows=st.integers(0, 120), seed=st.integers(0, 2**32 - 1))
def test_every_row_comes_out_once_in_ceil_n_over_b_batches(sizes, batch_size, buffer_rows, seed):
    n = sum(sizes)
    out = list(batches(indexed_chunks(sizes), batch_size, buffer_rows, np.random.default_rng(seed)))
    assert len(out) == -(-n // batch_size)
    assert all(len(batch) == batch_size for batch in out[:-1]) and 1 <= len(out[-1]) <= batch_size
    rows = np.concatenate([batch[:, 0] for batch in out])
    assert sorted(rows.tolist()) == list(range(n))
    assert all(np.array_equal(batch[:, 0], -batch[:, 1]) for batch in out)  # rows move whole
    if buffer_rows == 0:
        assert rows.tolist() == list(range(n))


def test_the_buffer_mixes_rows_across_chunks_but_is_not_a_uniform_permutation():
    rng = np.random.default_rng(0)
    first_positions = []
    for _ in range(200):
        out = np.concatenate([batch[:, 0] for batch in batches(indexed_chunks([100] * 10), 10, 100, rng)])
        first_positions.append(np.flatnonzero(out < 100).mean())  # where the first chunk's rows end up
    # uniform would put them around position 500 on average; the buffer releases them early (tf.data semantics)
    assert 40 < np.mean(first_positions) < 200


def row_by_row(chunks, batch_size, buffer_rows, rng):
    """tf.data's ``shuffle`` one row at a time: each incoming row takes the slot of the row it draws (uniform,
    with replacement); then the rest leaves in a random order. The slots are drawn from ``rng`` as linnet draws
    them (a batch of draws per incoming batch), so that the two can be compared batch for batch."""
    capacity = -(-buffer_rows // batch_size) * batch_size
    buffer, out, tail = [], [], []
    for rows in batches(chunks, batch_size, 0):  # in order (tested above)
        if len(buffer) < capacity:
            buffer.extend(rows)
        elif len(rows) < batch_size:
            tail = list(rows)
        else:
            batch = []
            for row, slot in zip(rows, rng.integers(0, capacity, batch_size)):
                batch.append(buffer[slot])
                buffer[slot] = row
            out.append(np.array(batch))
    rest = buffer + tail
    order = rng.permutation(len(rest))
    return out + [np.array([rest[i] for i in order[start:start + batch_size]])
                  for start in range(0, len(order), batch_size)]


@settings(max_examples=80, deadline=None)
@given(sizes=st.lists(st.integers(1, 40), min_size=1, max_size=10), batch_size=st.integers(1, 9),
       buffer_rows=st.integers(1, 24), seed=st.integers(0, 2**32 - 1))
def test_the_buffer_gives_the_rows_tf_data_gives_drawing_a_row_at_a_time(sizes, batch_size, buffer_rows, seed):
    """Small buffers, so that a batch often draws a slot twice: the second draw gets the row that took the slot."""
    got = list(batches(indexed_chunks(sizes), batch_size, buffer_rows, np.random.default_rng(seed)))
    expected = row_by_row(indexed_chunks(sizes), batch_size, buffer_rows, np.random.default_rng(seed))
    assert len(got) == len(expected)
    for batch, reference in zip(got, expected):
        np.testing.assert_array_equal(batch, reference)


def test_a_row_can_leave_in_the_batch_it_arrives_with_as_in_tf_data():
    """A buffer of one batch of 4: the second batch's draws repeat a slot (seed 3), so a row of the second batch
    leaves at once; the rows of the first batch that were not drawn leave at the end."""
    out = list(batches(indexed_chunks([4, 4]), 4, 4, np.random.default_rng(3)))
    first = out[0][:, 0]
    assert (first >= 4).any() and len(set(first.tolist())) == 4
    assert sorted(np.concatenate([batch[:, 0] for batch in out]).tolist()) == list(range(8))


def test_prefetch_yields_in_order_and_raises_the_readers_error_at_its_item():
    def items():
        yield 1
        yield 2
        raise OSError("disk gone")

    got = []
    with pytest.raises(OSError, match="disk gone"):
        for item in prefetched(items(), depth=2):
            got.append(item)
    assert got == [1, 2]
    assert list(prefetched(iter(range(50)), depth=3)) == list(range(50))
    stream = prefetched(iter(range(10**6)), depth=2)
    assert next(stream) == 0
    stream.close()  # stopping early stops the reader thread


@settings(max_examples=40, deadline=None)
@given(sizes=st.lists(st.integers(1, 50), min_size=1, max_size=12), batch_size=st.integers(1, 17),
       buffer_rows=st.integers(1, 400), seed=st.integers(0, 2**32 - 1))
def test_a_buffer_that_grows_as_rows_arrive_gives_the_same_batches(sizes, batch_size, buffer_rows, seed):
    """The buffer starts at ``FIRST_ROWS`` rows and doubles while it fills: the batches are those of a buffer
    allocated whole (here 4 rows at first, against one of every row)."""
    from linnet.data.sources import shuffle
    whole = list(batches(indexed_chunks(sizes), batch_size, buffer_rows, np.random.default_rng(seed)))
    try:
        shuffle.FIRST_ROWS = 4
        grown = list(batches(indexed_chunks(sizes), batch_size, buffer_rows, np.random.default_rng(seed)))
    finally:
        shuffle.FIRST_ROWS = 1 << 20
    assert len(grown) == len(whole)
    for got, expected in zip(grown, whole):
        np.testing.assert_array_equal(got, expected)


def test_a_batch_larger_than_the_data_costs_the_datas_size():
    """linnet train --stream --batch-size 100000000000 stopped on a raw traceback, 'Unable to allocate 373. GiB for
    an array with shape (100000000000,)': the shuffle's batch index was allocated before any row came."""
    chunks = [np.arange(12.0).reshape(6, 2), np.arange(12.0, 20.0).reshape(4, 2)]
    out = list(batches(iter(chunks), 10**11, 10**6, np.random.default_rng(0)))
    assert len(out) == 1 and sorted(out[0][:, 0]) == list(range(0, 20, 2))

"""The out-of-core batching and shuffle buffer: every row exactly once, Keras' batch count, tf.data's buffer rule.

Oracles: the multiset of rows (each row carries its index), ``ceil(n / batch_size)`` batches, the rows in their
original order without a buffer, and a hand-worked buffer of one batch (its first output is the first batch).
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


def test_a_buffer_of_one_batch_outputs_the_first_batch_first_when_the_second_arrives():
    rng = np.random.default_rng(1)
    out = list(batches(indexed_chunks([4, 4]), 4, 4, rng))
    assert sorted(out[0][:, 0].tolist()) == [0, 1, 2, 3]  # the only rows in the buffer
    assert sorted(out[1][:, 0].tolist()) == [4, 5, 6, 7]


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

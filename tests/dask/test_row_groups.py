"""An unchanged collection of linnet.dask.read_parquet is reduced straight from its row groups' Arrow columns: the
same state as through the pandas frame (the general path, which any changed collection takes), the same errors."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest

import linnet

pa = pytest.importorskip("pyarrow", reason="Parquet needs pyarrow")
pq = pytest.importorskip("pyarrow.parquet", reason="Parquet needs pyarrow")
dd = pytest.importorskip("dask.dataframe", reason="the Dask tests need pip install 'linnet[dask]'")
distributed = pytest.importorskip("distributed", reason="the Dask tests need pip install 'linnet[dask]'")
import linnet.dask as ld  # noqa: E402
from linnet.dask import _tasks, parquet  # noqa: E402
from linnet.dask._partitions import partitions  # noqa: E402


def _write(path, groups: list[dict]) -> None:
    """A Parquet file with one row group per dict of columns (written by pyarrow: NaN stays NaN, not null)."""
    tables = [pa.table(group) for group in groups]
    with pq.ParquetWriter(path, tables[0].schema) as writer:
        for table in tables:
            writer.write_table(table)


def _groups(sizes=(300, 0, 450, 250), seed=0) -> list[dict]:
    """Row groups of float32, float64 and int64 features, a float32 target and a weight; one may be empty."""
    rng = np.random.default_rng(seed)
    groups = []
    for size in sizes:
        a = rng.normal(size=size).astype(np.float32)
        b = 1e3 + rng.normal(size=size)
        count = rng.integers(0, 50, size=size)
        y = (2 * a + 0.01 * b - 0.5 * count + rng.normal(size=size)).astype(np.float32)
        groups.append({"a": a, "y": y, "b": b, "count": count, "w": rng.uniform(0.1, 2, size=size)})
    return groups


def _general(collection):
    """The same collection changed only in its expression (a projection of every column): the general path."""
    changed = collection[list(collection.columns)]
    assert partitions(changed, target=collection.columns[0]).read is _tasks.frame_rows
    return changed


CASES = {"every other column": {"target": "y", "features": ["a", "b", "count", "w"]},
         "a subset, reordered, target not last": {"target": "y", "features": ["count", "a"]},
         "a weight column": {"target": "y", "features": ["b", "a"], "sample_weight": "w"},
         "an int64 target, float64 features": {"target": "count", "features": ["b", "w"]}}


@pytest.mark.parametrize("case", list(CASES))
def test_both_paths_give_the_same_state_and_the_in_memory_answer(tmp_path, case):
    _write(tmp_path / "t.parquet", _groups())
    collection = ld.read_parquet(tmp_path / "t.parquet")
    assert collection.npartitions == 4 and partitions(collection, target="y").read is _tasks.row_group_rows
    fast = ld.least_squares_state(collection, scheduler="sync", split_every=2, **CASES[case])
    general = ld.least_squares_state(_general(collection), scheduler="sync", split_every=2, **CASES[case])
    assert fast.n == general.n == 1_000 and fast.weight == pytest.approx(general.weight, rel=1e-15)
    for name in ("mean", "factor"):
        np.testing.assert_allclose(getattr(fast, name), getattr(general, name), rtol=1e-15, atol=0)
    table = pq.read_table(tmp_path / "t.parquet").to_pandas()
    kwargs = CASES[case]
    weights = None if "sample_weight" not in kwargs else table[kwargs["sample_weight"]]
    expected = linnet.ols(table[kwargs["features"]], table[kwargs["target"]], sample_weight=weights)
    fit = ld.ols(collection, scheduler="sync", **kwargs)
    np.testing.assert_allclose(fit.params, expected.params, rtol=1e-12)
    assert fit.param_names == expected.param_names


def test_a_changed_collection_is_not_recognized(tmp_path):
    _write(tmp_path / "t.parquet", _groups((20, 30)))
    read = lambda: ld.read_parquet(tmp_path / "t.parquet")
    path = lambda frame: partitions(frame, target="y", features=["a"]).read
    assert path(read()) is path(read()) is _tasks.row_group_rows  # the same name: the same row groups, read alike
    in_place, renamed = read(), read()
    in_place["a"] = in_place["a"] * 2
    renamed.columns = ["a", "y", "b", "count", "z"]
    for changed in (in_place, renamed, read()[["a", "y"]], read()[read()["a"] > 0], read().assign(a=1.0),
                    read().astype("float64"), read().fillna(0), read().repartition(npartitions=1),
                    read().persist(scheduler="sync"), ld.read_parquet(tmp_path / "t.parquet", columns=["a", "y"])[
                        ["a", "y"]], dd.read_parquet(tmp_path / "t.parquet")):
        assert path(changed) is _tasks.frame_rows
    doubled = ld.ols(in_place, target="y", features=["a"], scheduler="sync").params
    np.testing.assert_allclose(doubled[1] * 2, ld.ols(read(), target="y", features=["a"], scheduler="sync").params[1],
                               rtol=1e-12)


def test_only_the_last_collections_are_remembered(tmp_path, monkeypatch):
    monkeypatch.setattr(parquet, "REMEMBERED", 1)
    monkeypatch.setattr(parquet, "_READ", {})
    _write(tmp_path / "t.parquet", _groups((20, 30)))
    first = ld.read_parquet(tmp_path / "t.parquet")
    second = ld.read_parquet(tmp_path / "t.parquet", columns=["a", "y"])
    assert partitions(first, target="y").read is _tasks.frame_rows  # forgotten: the general path, the same answer
    assert partitions(second, target="y").read is _tasks.row_group_rows


def test_nan_and_nulls_are_named_as_on_the_general_path(tmp_path):
    groups = _groups((300, 300, 300))
    groups[1]["b"][7] = np.nan  # a NaN, not a null: the columns are read straight
    _write(tmp_path / "nan.parquet", groups)
    for collection in (ld.read_parquet(tmp_path / "nan.parquet"), _general(ld.read_parquet(tmp_path / "nan.parquet"))):
        with pytest.raises(ValueError, match=r"x of partition 1 contains NaN or infinite values \(first at index "
                                             r"\(7, 1\)"):
            ld.ols(collection, target="y", features=["a", "b"], scheduler="sync")
    groups = _groups((300, 300))
    groups[1]["count"] = pa.array(groups[1]["count"], mask=np.arange(300) == 5)  # a null: pandas makes it NaN
    _write(tmp_path / "null.parquet", groups)
    with pytest.raises(ValueError, match=r"y of partition 1 contains NaN or infinite values \(first at index \(5,\)"):
        ld.ols(ld.read_parquet(tmp_path / "null.parquet"), target="count", features=["a"], scheduler="sync")


def test_a_file_changed_after_reading_is_named(tmp_path):
    """The general path fails too, naming the row group and the column (pyarrow alone would leave it out)."""
    _write(tmp_path / "t.parquet", _groups((20, 30)))
    collection = ld.read_parquet(tmp_path / "t.parquet")
    _write(tmp_path / "t.parquet", [{"a": group["a"], "y": group["y"]} for group in _groups((20, 30))])
    with pytest.raises(ValueError, match=r"Partition [01] has no column 'b' \(its columns: \['a', 'y'\]\).*"
                                         r"different schemas"):
        ld.ols(collection, target="y", features=["a", "b"], scheduler="sync")
    with pytest.raises(ValueError, match=r"Row group [01] of .*t.parquet' has no column\(s\) \['b'\] \(its columns: "
                                         r"\['a', 'y'\]\): the file changed"):
        ld.ols(_general(collection), target="y", features=["a", "b"], scheduler="sync")
    _write(tmp_path / "t.parquet", [{**group, "b": group["b"].astype(str)} for group in _groups((20, 30))])
    for frame in (collection, _general(collection)):
        with pytest.raises(TypeError, match="Column 'b' of partition [01] must be numeric"):
            ld.ols(frame, target="y", features=["a", "b"], scheduler="sync")


def test_pandas_extension_dtypes_and_booleans_go_through_the_frame():
    """Pandas metadata asking for Int64, a null, a boolean: the partition's frame is built, as on the general path."""
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame({"a": pandas.array([1, 2, 4, 5], "Int64"), "flag": [True, False, True, True],
                              "y": [1.0, 2.5, 3.0, 5.5]})
    table = pa.Table.from_pandas(frame)
    assert not _tasks._plain(table, ["a", "y"]) and not _tasks._plain(table, ["flag", "y"])
    assert _tasks._plain(table, ["y"]) and _tasks._plain(pa.table({"a": [1, 2]}), ["a"])
    assert not _tasks._plain(pa.table({"a": [1, None]}), ["a"])


class _SlowStates(distributed.WorkerPlugin):
    """A worker plugin holding each of linnet's state tasks for 0.2 s as it starts, so that a pass lasts long enough
    to lose a worker in the middle of it."""

    name = "linnet-test-slow-states"

    def transition(self, key, start, finish, **kwargs):
        if finish == "executing" and str(key).startswith("linnet-state"):
            time.sleep(0.2)


def test_a_worker_killed_mid_pass_is_retried_and_the_answer_is_complete(client, tmp_path):
    _write(tmp_path / "t.parquet", _groups((100,) * 14))
    collection = ld.read_parquet(tmp_path / "t.parquet")
    expected = ld.ols(_general(collection), target="y", scheduler="sync")
    client.register_plugin(_SlowStates())
    try:
        result = {}
        thread = threading.Thread(target=lambda: result.update(fit=ld.ols(collection, target="y", scheduler=client)))
        thread.start()
        time.sleep(0.6)
        assert thread.is_alive()  # mid-pass (14 states of at least 0.2 s on 2 workers)
        os.kill(next(iter(client.run(os.getpid).values())), signal.SIGKILL)
        thread.join(timeout=120)
    finally:
        client.unregister_worker_plugin(_SlowStates.name)
    assert result["fit"].nobs == expected.nobs == 1_400
    np.testing.assert_allclose(result["fit"].params, expected.params, rtol=1e-15)


@pytest.mark.parametrize("dtype", ["int64", "uint64"])
def test_an_integer_column_beyond_2_53_is_named_once_from_the_footers(tmp_path, dtype):
    """The streamed and in-memory readers warned of an integer column that float64 rounds; ld.read_parquet did not.
    It now reads the range from the column statistics of the footers it reads anyway (no pass over the data):
    one warning per column, naming the first file, on the user's line; a column within 2**53 and a float column
    are not named."""
    import warnings

    import pyarrow as pa
    import pyarrow.parquet as pq
    x = np.arange(8.0)
    for name, ids in (("a", [2**53 + 1, 3] * 4), ("b", [2**60, 1] * 4)):
        pq.write_table(pa.table({"id": np.array(ids, dtype=dtype), "small": np.arange(8), "x": x * 1e300, "y": x}),
                       tmp_path / f"{name}.parquet", row_group_size=2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = ld.read_parquet(tmp_path)
    said = [w for w in caught if "2**53" in str(w.message)]
    assert [str(w.message).split(" in magnitude")[0] for w in said] == [
        f"'{tmp_path / 'a.parquet'}': the integer column 'id' holds values beyond 2**53"]
    assert said[0].filename == __file__ and len(caught) == 1 and frame.npartitions == 8
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ld.read_parquet(tmp_path, columns=["small", "x", "y"])


def _ids_file(path, dtype: str, statistics: bool) -> None:
    """4 row groups of 2 rows; the integer column ``id`` reaches 2**53 + 1 in the third only, ``small`` never."""
    x = np.arange(8.0)
    table = pa.table({"id": np.array([1, 2, 3, 4, 2**53 + 1, 5, 6, 7], dtype=dtype), "x": x,
                      "small": np.array([3, 1, 4, 1, 5, 9, 2, 6]), "y": 2 * x + 1})
    pq.write_table(table, path, row_group_size=2, write_statistics=statistics)


def _said(caught) -> list[str]:
    return [str(w.message) for w in caught if "2**53" in str(w.message)]


@pytest.mark.parametrize("dtype", ["int64", "uint64"])
def test_a_row_group_without_statistics_is_checked_on_the_worker_and_warned_of_on_the_client(tmp_path, client,
                                                                                                dtype):
    """A row group written without statistics was not checked: ld.ols, DaskBatches and full_batch rounded 2**53 + 1
    to 2**53 silently. Now the worker reading it takes its integer columns' range, returns it beside the state (or
    the rows), and the client gives the warning the footers give, once per column, on the user's line. The
    in-memory streamed path (linnet.ols on the file's source) checks each chunk as it reads it, and says the same."""
    import warnings

    from linnet.data.sources import open_file
    _ids_file(tmp_path / "stats.parquet", dtype, statistics=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ld.read_parquet(tmp_path / "stats.parquet")
    footers = _said(caught)[0].replace(str(tmp_path / "stats.parquet"), str(tmp_path / "bare.parquet"))
    path = tmp_path / "bare.parquet"
    _ids_file(path, dtype, statistics=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = ld.read_parquet(path)
        read = list(caught)
        fit = ld.ols(frame, target="y", features=["id", "small", "x"], scheduler=client)
        again = ld.ols(frame, target="y", scheduler=client)  # a column is named once
    assert read == [] and _said(caught) == [footers] and caught[0].filename == __file__ and len(caught) == 1
    assert fit.nobs == again.nobs == 8
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        source = ld.DaskBatches(ld.read_parquet(path), target="y", shuffle=False, scheduler=client)
        batches = [batch for _ in range(2) for batch in source.epoch(np.random.default_rng(0))]
        ld.full_batch(ld.read_parquet(path), target="y", scheduler=client)
        linnet.ols(open_file(path, "y"))
    assert _said(caught) == [footers] * 3 and all(w.filename == __file__ for w in caught)
    assert batches[0][0][4, 0] == np.float32(2**53)  # what the warning is about: 2**53 + 1 read as 2**53


def test_the_workers_check_only_the_row_groups_and_integer_columns_no_footer_covers(tmp_path):
    """With statistics no task takes a range (the footers said it, once); without, each row group's task takes its
    integer features' and target's, nothing else; a column within 2**53 is not named."""
    _ids_file(tmp_path / "stats.parquet", "int64", statistics=True)
    _ids_file(tmp_path / "bare.parquet", "int64", statistics=False)
    with pytest.warns(UserWarning, match="2\\*\\*53"):
        covered = partitions(ld.read_parquet(tmp_path / "stats.parquet"), target="y")
    bare = partitions(ld.read_parquet(tmp_path / "bare.parquet"), target="y", features=["small", "x"])
    assert [inputs[-1] for inputs in covered.inputs] == [()] * 4
    assert [inputs[-1] for inputs in bare.inputs] == [("small",)] * 4
    read = [_tasks.row_group_rows(*inputs)[1] for inputs in partitions(
        ld.read_parquet(tmp_path / "bare.parquet"), target="y").inputs]
    assert read == [(), (), ((str(tmp_path / "bare.parquet"), "id", 5, 2**53 + 1),), ()]


def test_a_dataframe_read_otherwise_is_checked_on_the_worker_too(tmp_path, client):
    """A Dask DataFrame of any other origin (or a read_parquet collection changed since) is read through its pandas
    partitions: their 64-bit integer columns' ranges are taken there and said on the client, naming the partition."""
    import warnings

    import pandas
    x = np.arange(8.0)
    frame = dd.from_pandas(pandas.DataFrame({"id": np.array([1, 2, 3, 4, 5, -(2**60), 6, 7]), "x": x,
                                             "y": 2 * x}), npartitions=4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ld.ols(frame, target="y", scheduler=client)
    assert _said(caught) == ["'partition 2 of the Dask DataFrame': the integer column 'id' holds values beyond "
                             "2**53 in magnitude (1,152,921,504,606,846,976), which float64 cannot all hold: read as "
                             "numbers, some are rounded (to about 16 significant digits; to about 7 where training "
                             "reads float32). If the exact values matter (an identifier, a timestamp in nanoseconds), "
                             "leave the column out of the features, or subtract an offset first."]
    assert caught[0].filename == __file__ and len(caught) == 1


def _weights_file(path) -> None:
    """4 row groups of 2 rows without statistics; the integer weight column ``w`` reaches 2**53 + 1 in the third."""
    x = np.arange(8.0)
    table = pa.table({"x": x, "y": 2 * x + 1, "w": np.array([1, 2, 3, 4, 2**53 + 1, 5, 6, 7])})
    pq.write_table(table, path, row_group_size=2, write_statistics=False)


WEIGHT_BEYOND = ("the integer column 'w' holds values beyond 2**53 in magnitude (9,007,199,254,740,993), which "
                 "float64 cannot all hold")


def test_an_integer_weight_column_without_statistics_is_checked_on_the_worker(tmp_path, client):
    """The workers took the ranges of the features and the target only: a weight column of 2**53 + 1 in a row group
    without statistics was rounded to 2**53 silently. Now it is checked as they are, and said once."""
    import warnings
    _weights_file(tmp_path / "w.parquet")
    frame = ld.read_parquet(tmp_path / "w.parquet")
    assert [inputs[-1] for inputs in partitions(frame, target="y", sample_weight="w").inputs] == [("w",)] * 4
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = ld.ols(frame, target="y", sample_weight="w", scheduler=client)
        ld.ols(frame, target="y", sample_weight="w", scheduler=client)
    assert [said.split(": ", 1)[0] for said in _said(caught)] == [f"'{tmp_path / 'w.parquet'}'"]
    assert WEIGHT_BEYOND in _said(caught)[0] and caught[0].filename == __file__ and len(caught) == 1
    assert fit.nobs == 8 and fit.exact_fit


def test_a_general_dataframe_checks_its_weight_column_and_warns_once_per_column(client):
    """On a Dask DataFrame of any other origin the weight column was not checked either; and every ld.ols call on
    the same collection warned again (a fresh range check per call) where a read_parquet collection warns once
    for its lifetime. Now the weight is checked and each collection's columns are warned of once."""
    import warnings

    import pandas
    x = np.arange(8.0)
    frame = dd.from_pandas(pandas.DataFrame({"id": np.array([1, 2, 3, 4, 5, -(2**60), 6, 7]), "x": x, "y": 2 * x,
                                             "w": np.array([1, 2, 3, 4, 2**53 + 1, 5, 6, 7])}), npartitions=4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            ld.ols(frame, target="y", features=["x", "id"], sample_weight="w", scheduler=client)
    said = _said(caught)
    assert [message.split(": ", 1)[0] for message in said] == ["'partition 2 of the Dask DataFrame'"] * 2
    assert "the integer column 'id' holds" in said[0] and WEIGHT_BEYOND in said[1]
    assert len(caught) == 2 and all(w.filename == __file__ for w in caught)
    with pytest.warns(UserWarning, match="2\\*\\*53"):  # another collection is warned of on its own
        ld.ols(frame[frame["x"] >= 0], target="y", features=["x"], sample_weight="w", scheduler=client)


def test_a_partition_with_no_integer_value_is_skipped_without_counting():
    """The range of a 64-bit integer column is its min and max alone: an empty partition (min NaN) and an all-null
    nullable column (min pd.NA) have none, a nullable column with values has one (nulls skipped)."""
    import pandas
    empty = pandas.DataFrame({"id": np.array([], dtype=np.int64), "y": np.array([])})
    nulls = pandas.DataFrame({"id": pandas.array([None, None], dtype="Int64"), "y": [1.0, 2.0]})
    some = pandas.DataFrame({"id": pandas.array([None, 2**60], dtype="Int64"), "y": [1.0, 2.0],
                             "w": np.array([1, 2**55])})
    assert _tasks.frame_rows(empty, ["id"], "y", None, 0)[1] == ()
    assert _tasks.frame_rows(nulls, ["id"], "y", None, 1)[1] == ()
    assert _tasks.frame_rows(some, ["id"], "y", "w", 2)[1] == (
        ("partition 2 of the Dask DataFrame", "id", 2**60, 2**60),
        ("partition 2 of the Dask DataFrame", "w", 1, 2**55))

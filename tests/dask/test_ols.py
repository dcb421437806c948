"""The exact answer on Dask: per-partition states tree-reduced on a real cluster equal the in-memory answer."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import linnet
from linnet.exact import LeastSquaresState

da = pytest.importorskip("dask.array", reason="the Dask tests need pip install 'linnet[dask]'")
dd = pytest.importorskip("dask.dataframe", reason="the Dask tests need pip install 'linnet[dask]'")
import linnet.dask as ld  # noqa: E402

RTOL = 1e-12


def _data(seed=0, n=3_001, p=3, offset=100.0):
    rng = np.random.default_rng(seed)
    x = offset + rng.normal(size=(n, p)) * np.arange(1, p + 1)
    y = x @ np.arange(1.0, p + 1) - 7 + rng.normal(size=n)
    return x, y


def _same(result, expected, rtol=RTOL):
    """Equal digits: parameters, standard errors, R², residual sum of squares, observations."""
    assert result.nobs == expected.nobs
    np.testing.assert_allclose(result.params, expected.params, rtol=rtol)
    np.testing.assert_allclose(result.bse, expected.bse, rtol=1e-10)
    assert result.rsquared == pytest.approx(expected.rsquared, rel=rtol)
    assert result.ssr == pytest.approx(expected.ssr, rel=1e-10)


def test_a_dask_array_on_the_cluster_gives_the_in_memory_answer(client):
    x, y = _data()
    fit = ld.ols(da.from_array(x, chunks=(400, 2)), da.from_array(y, chunks=333), scheduler=client)
    _same(fit, linnet.ols(x, y))
    exact = np.linalg.lstsq(np.column_stack([np.ones(len(x)), x]), y, rcond=None)[0]  # independent oracle
    np.testing.assert_allclose(fit.params, exact, rtol=1e-9)


def test_linnet_ols_dispatches_dask_collections(client):
    x, y = _data(1)
    weights = np.random.default_rng(2).uniform(0.1, 2, size=len(y))
    chunks = 500
    fit = linnet.ols(da.from_array(x, chunks=chunks), da.from_array(y, chunks=chunks),
                     sample_weight=da.from_array(weights, chunks=chunks))
    _same(fit, linnet.ols(x, y, sample_weight=weights))


@pytest.mark.parametrize("reader", ["dask", "linnet"])
def test_a_parquet_folder_read_by_dask_dataframe(client, tmp_path, reader):
    pandas = pytest.importorskip("pandas")
    x, y = _data(3, n=2_000)
    frame = pandas.DataFrame(x, columns=["rooms", "age", "tax"]).assign(price=y, id=np.arange(len(y)))
    for part in range(4):
        frame.iloc[part * 500:(part + 1) * 500].to_parquet(tmp_path / f"part{part}.parquet", row_group_size=128)
    collection = dd.read_parquet(tmp_path) if reader == "dask" else ld.read_parquet(tmp_path)
    assert reader == "dask" or collection.npartitions == 16  # one partition per row group of 128 rows
    fit = ld.ols(collection, target="price", features=["rooms", "age", "tax"], scheduler=client, split_every=2)
    _same(fit, linnet.ols(frame[["rooms", "age", "tax"]], frame["price"]))
    assert fit.param_names == ["const", "rooms", "age", "tax"]
    by_name = linnet.ols(collection[["rooms", "age", "tax", "price"]], "price")  # linnet.ols, the target by name
    _same(by_name, fit)


def test_trees_of_other_widths_on_one_cluster_never_share_a_merge(client):
    """A cluster keeps results between calls: each merge must be named by all the states it merges."""
    x, y = _data(3, n=1_000)
    collection_x, collection_y = da.from_array(x, chunks=100), da.from_array(y, chunks=100)  # 10 partitions
    expected = linnet.ols(x, y)
    for split_every in (8, 16, 4, 8, 3, 16):
        state = ld.least_squares_state(collection_x, collection_y, scheduler=client, split_every=split_every)
        assert state.n == 1_000
        _same(linnet.exact.OLSResult.from_moments(state), expected)


@pytest.mark.parametrize("scheduler", ["threads", "sync", "processes"])
def test_any_local_scheduler(scheduler):
    x, y = _data(4, n=900)
    fit = ld.ols(da.from_array(x, chunks=200), da.from_array(y, chunks=200), scheduler=scheduler)
    _same(fit, linnet.ols(x, y))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**16), n=st.integers(3, 300), chunk=st.integers(1, 80), split_every=st.integers(2, 9),
       weighted=st.booleans())
def test_any_chunking_and_tree_gives_the_same_state(seed, n, chunk, split_every, weighted):
    x, y = _data(seed, n=n, p=2, offset=1e3)
    weights = np.random.default_rng(seed).uniform(0, 3, size=n) if weighted else None
    dask_weights = None if weights is None else da.from_array(weights, chunks=chunk)
    state = ld.least_squares_state(da.from_array(x, chunks=chunk), da.from_array(y, chunks=chunk),
                                   sample_weight=dask_weights, split_every=split_every, scheduler="sync")
    expected = LeastSquaresState().update(x, y, weights)
    assert state.n == n and state.weight == pytest.approx(expected.weight, rel=1e-13)
    np.testing.assert_allclose(state.mean, expected.mean, rtol=1e-13)
    np.testing.assert_allclose(state.scatter, expected.scatter, rtol=1e-9, atol=1e-9 * np.abs(expected.scatter).max())


def test_read_parquet_names_what_is_wrong(tmp_path):
    pandas = pytest.importorskip("pandas")
    with pytest.raises(FileNotFoundError, match="No such Parquet file or folder: '.*nowhere.parquet'"):
        ld.read_parquet(tmp_path / "nowhere.parquet")
    (tmp_path / "text.parquet").write_text("not parquet")
    with pytest.raises(ValueError, match="Cannot read '.*text.parquet' as Parquet"):
        ld.read_parquet(tmp_path / "text.parquet")
    folder = tmp_path / "mixed"
    folder.mkdir()
    pandas.DataFrame({"a": [1.0, 2.0], "y": [1.0, 2.0]}).to_parquet(folder / "1.parquet")
    pandas.DataFrame({"b": [1.0, 2.0], "y": [1.0, 2.0]}).to_parquet(folder / "2.parquet")
    with pytest.raises(ValueError, match=r"'.*2.parquet' has no column\(s\) \['a'\]"):
        ld.read_parquet(folder)
    with pytest.raises(ValueError, match=r"has no column\(s\) \['c'\]"):
        ld.read_parquet(folder / "1.parquet", columns=["c"])


@pytest.mark.parametrize("changed", [False, True])
def test_a_worker_unpickling_the_tasks_of_read_parquet_and_ols_imports_no_dask_collection(tmp_path, changed):
    """A fresh worker pays for every module its first task imports: dask.dataframe would cost it ~0.4 s, pandas
    ~0.2 s (not needed for an unchanged collection of read_parquet, read straight from its Arrow columns)."""
    import pickle
    import subprocess
    import sys

    import pandas

    from linnet.dask import _tasks
    from linnet.dask._partitions import partitions
    pandas.DataFrame({"a": [1.0, 2.0, 3.0], "y": [2.0, 4.0, 7.0]}).to_parquet(tmp_path / "numbers.parquet")
    collection = ld.read_parquet(tmp_path / "numbers.parquet")
    parts = partitions(collection[["y", "a"]] if changed else collection, target="y")
    task = parts.task(0, "state", _tasks.partition_state, 1, 0)
    graph = dict(task.__dask_graph__())
    program = ("import pickle, sys\n"
               f"tasks = pickle.loads({pickle.dumps(graph)!r})\n"
               "print(sorted(m for m in ('dask.array', 'dask.dataframe', 'linnet.dask.reduce', 'pandas') "
               "if m in sys.modules))\n"
               "from dask.local import get_sync\n"
               f"(state, count), beyond = get_sync(tasks, {task.key!r})\n"
               "print(state.n, 'pandas' in sys.modules)\n")
    finished = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.split("\n")[:2] == ["[]", f"3 {changed}"]  # pandas only to build a frame
    assert len(graph) == (2 if changed else 1)  # the read (no conversion of text columns) and the state, or one


def test_read_parquet_still_converts_text_columns_as_dask_does(tmp_path):
    pandas = pytest.importorskip("pandas")
    pandas.DataFrame({"x": [1.0, 2.0], "label": ["a", "b"]}).to_parquet(tmp_path / "text.parquet")
    ours, dasks = ld.read_parquet(tmp_path / "text.parquet"), dd.read_parquet(tmp_path / "text.parquet")
    assert ours.dtypes["label"] == dasks.dtypes["label"] == ours.compute(scheduler="sync").dtypes["label"]


def _tables():
    pa = pytest.importorskip("pyarrow")
    pandas = pytest.importorskip("pandas")
    return {"float32": pa.table({"a": np.arange(5, dtype=np.float32), "b": np.ones(5, np.float32)}),
            "ints, one with nulls": pa.table({"a": pa.array([1, None, 3]), "b": pa.array([1, 2, 3])}),
            "ints, all with nulls": pa.table({"a": pa.array([1, None, 3]), "b": pa.array([None, 2, 3])}),
            "text": pa.table({"a": [1.0, 2.0], "b": ["x", "y"]}),
            "a pandas index": pa.Table.from_pandas(pandas.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]}, index=[7, 9])),
            "pandas Int64": pa.Table.from_pandas(pandas.DataFrame({"a": pandas.array([1, 2], "Int64"),
                                                                   "b": pandas.array([3, None], "Int64")})),
            "integer labels": pa.Table.from_pandas(pandas.DataFrame({0: [1.0, 2.0], 1: [3.0, 4.0]})),
            "one column": pa.table({"a": [1.0, 2.0]}),
            "no rows": pa.table({"a": np.zeros(0), "b": np.zeros(0)})}


@pytest.mark.parametrize("name", list(_tables()))
def test_a_row_group_becomes_the_frame_to_pandas_builds(name):
    """Same index, labels, dtypes and blocks: any Dask code reading linnet.dask.read_parquet sees pandas' frame."""
    pandas = pytest.importorskip("pandas")
    from linnet.dask._tasks import pyarrow_frame
    table = _tables()[name]
    ours, theirs = pyarrow_frame(table), table.to_pandas()
    pandas.testing.assert_frame_equal(ours, theirs)
    assert len(ours._mgr.blocks) == len(theirs._mgr.blocks) and ours.attrs == theirs.attrs


def test_exact_ols_dispatches_a_dask_collection_in_a_fresh_process():
    """The registry lives below exact (linnet._sources): no need to touch linnet.ols or import linnet.dask first."""
    import json
    import subprocess
    import sys
    program = ("import json, numpy as np, dask.array as da\n"
               "from linnet.exact import ols\n"
               "x = np.random.default_rng(0).normal(size=(400, 2)); y = x @ [1.0, 2.0] + 3.0\n"
               "print(json.dumps(ols(da.from_array(x, chunks=100), da.from_array(y, chunks=100)).params.tolist()))\n")
    finished = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    np.testing.assert_allclose(json.loads(finished.stdout), [3.0, 1.0, 2.0], rtol=1e-12)

"""File sources: Parquet, CSV, NPY and NPZ files and folders, through fit and ols; each bad input named.

Oracles: ``linnet.exact.ols`` and ``fit(shuffle=False)`` on the same numbers in memory; ``read_csv`` for what
a CSV holds; pyarrow's allocator and tracemalloc for the memory a pass holds (a few row groups, not the file).
"""

import subprocess
import sys
import tempfile
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import linnet
from linnet.data.sources import CSVSource, NumpySource, ParquetSource, open_file
from linnet.data.sources.files import Where, arrow_columns
from linnet.engine import optimizers
from linnet.engine.layers import Dense, Input
from linnet.engine.sequential import Sequential

pa = pytest.importorskip("pyarrow", reason="the file sources read Parquet and CSV with pyarrow (linnet[parquet])")
pq = pytest.importorskip("pyarrow.parquet")

RNG = np.random.default_rng(11)
X = RNG.normal(size=(1000, 3)) * [1.0, 10.0, 0.1] + [0.0, 5.0, -1.0]
Y = X @ [2.0, -0.5, 7.0] + 1.5 + RNG.normal(size=1000)
NAMES = ["a", "b", "c"]


def table(x=X, y=Y, dtype=np.float64):
    return pa.table({**{name: x[:, j].astype(dtype) for j, name in enumerate(NAMES)}, "price": y.astype(dtype)})


@pytest.fixture
def parquet(tmp_path):
    path = tmp_path / "houses.parquet"
    pq.write_table(table(), path, row_group_size=128)
    return path


def test_ols_on_a_parquet_file_has_the_digits_of_ols_in_memory(parquet):
    expected = linnet.exact.ols(X, Y, feature_names=NAMES)
    got = linnet.ols(parquet, target="price")
    np.testing.assert_allclose(got.params, expected.params, rtol=1e-12)
    np.testing.assert_allclose(got.bse, expected.bse, rtol=1e-11)
    assert got.feature_names == NAMES and got.nobs == 1000
    chosen = linnet.ols(str(parquet), target="price", features=["c", "a"])
    np.testing.assert_allclose(chosen.params, linnet.exact.ols(X[:, [2, 0]], Y).params, rtol=1e-12)


def test_arrow_columns_read_every_numeric_type_at_any_offset():
    values = {"f4": pa.array([1.5, -2.25, 3e38, 7.0], pa.float32()), "f8": pa.array([1e300, 2.0, -3.5, 4.0]),
              "i8": pa.array([2**62, -5, 0, 1], pa.int64()), "u1": pa.array([255, 0, 7, 1], pa.uint8()),
              "b": pa.array([True, False, True, False])}
    batch = pa.RecordBatch.from_arrays(list(values.values()), names=list(values)).slice(1, 3)
    columns = arrow_columns(batch, list(values), Where("test"))
    for name, array in values.items():
        np.testing.assert_array_equal(columns[name], np.array(array.to_pylist()[1:]))
        assert columns[name].dtype == array.type.to_pandas_dtype()


def test_a_file_that_lost_a_column_after_opening_is_named(tmp_path):
    path = tmp_path / "houses.parquet"
    pq.write_table(table(), path, row_group_size=128)
    source = ParquetSource(path, "price")
    pq.write_table(table().drop(["b"]), path, row_group_size=128)
    with pytest.raises(ValueError, match=r"row group 0 of .*houses.parquet' has no column\(s\) \['b'\] "
                                         r"\(its columns: \['a', 'c', 'price'\]\): the file changed"):
        linnet.ols(source)


def test_reading_a_parquet_file_does_not_import_pandas(parquet):
    """pyarrow's to_numpy would import pandas (0.15 s of every file command): the columns are buffer views."""
    program = (f"import sys, linnet; linnet.ols({str(parquet)!r}, target='price'); "
               f"print('pandas' in sys.modules, linnet._arrow.numbers(__import__('pyarrow').array([], 'f4')).dtype)")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "float32"]


def test_a_folder_of_partitions_is_one_dataset(tmp_path):
    for part, rows in enumerate([slice(0, 300), slice(300, 1000)]):
        pq.write_table(table(X[rows], Y[rows]), tmp_path / f"part-{part}.parquet", row_group_size=100)
    source = ParquetSource(tmp_path, "price")
    assert len(source.files) == 2 and len(source._pieces()) == 3 + 7
    np.testing.assert_allclose(linnet.ols(tmp_path, target="price").params, linnet.exact.ols(X, Y).params,
                               rtol=1e-12)


def test_fit_on_a_parquet_file_in_order_trains_like_the_arrays(parquet):
    def model():
        net = Sequential([Input((3,)), Dense(1)])
        net.set_weights([np.full((3, 1), 0.1, np.float32), np.zeros(1, np.float32)])
        net.compile(optimizers.SGD(1e-3), "mse")
        return net

    arrays, streamed = model(), model()
    expected = arrays.fit(X, Y, batch_size=50, epochs=2, shuffle=False, verbose=0).history["loss"]
    source = ParquetSource(parquet, "price", batch_size=50, shuffle=False)
    assert len(source) == 20
    got = streamed.fit(source, epochs=2, verbose=0).history["loss"]
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    shuffled = ParquetSource(parquet, "price", batch_size=50, shuffle_buffer=300)
    losses = model().fit(shuffled, epochs=3, verbose=0, seed=0).history["loss"]
    assert losses[-1] < losses[0]


@pytest.mark.parametrize("design", [False, True])
def test_a_shuffled_epoch_yields_every_row_once_with_its_own_target(parquet, design):
    source = ParquetSource(parquet, "price", batch_size=32, shuffle_buffer=300)
    source = source.design_batches() if design else source
    batches = list(source.epoch(np.random.default_rng(3)))
    assert len(batches) == len(source) == 32
    x = np.concatenate([bx for bx, _ in batches])
    y = np.concatenate([by for _, by in batches])
    assert x.shape == (1000, 3 + design) and y.shape == (1000, 1) and x.dtype == y.dtype == np.float32
    if design:
        assert (x[:, 3] == 1).all()
    order = np.lexsort(x[:, :3].T)
    expected = np.lexsort(X.astype(np.float32).T)
    np.testing.assert_array_equal(x[order, :3], X.astype(np.float32)[expected])
    np.testing.assert_array_equal(y[order, 0], Y.astype(np.float32)[expected])  # each row keeps its target
    assert not np.array_equal(x[:, :3], X.astype(np.float32))  # and the rows were mixed


def test_csv_streamed_in_small_blocks_gives_the_numbers_read_csv_reads(tmp_path):
    path = tmp_path / "houses.csv"
    lines = ["a;b;c;price"] + [";".join(f"{v:.17g}" for v in (*row, y)) for row, y in zip(X, Y)]
    path.write_text("\n".join(lines) + "\n")
    x, y, _ = linnet.data.read_csv(path, "price")
    source = CSVSource(path, "price", block_bytes=4096)  # many blocks
    chunks = list(source.chunks())
    assert len(chunks) > 10
    np.testing.assert_array_equal(np.concatenate([c[0] for c in chunks]), x)
    np.testing.assert_allclose(linnet.ols(source).params, linnet.exact.ols(x, y).params, rtol=1e-12)
    assert not hasattr(source, "__len__")  # counted in the first epoch


def test_npy_and_uncompressed_npz_are_memory_mapped(tmp_path):
    np.savez(tmp_path / "houses.npz", x=X, price=Y)
    source = NumpySource(tmp_path / "houses.npz", "price")
    assert source.feature_names == ["x0", "x1", "x2"]
    maps = source._maps(source.files[0])
    assert all(isinstance(array.base, np.memmap) or isinstance(array, np.memmap) for array in maps.values())
    np.testing.assert_allclose(linnet.ols(tmp_path / "houses.npz", target="price").params,
                               linnet.exact.ols(X, Y).params, rtol=1e-12)
    np.save(tmp_path / "z.npy", np.column_stack([X, Y]))
    np.testing.assert_allclose(linnet.ols(tmp_path / "z.npy", target="c3").params, linnet.exact.ols(X, Y).params,
                               rtol=1e-12)
    np.savez_compressed(tmp_path / "small.npz", x=X, price=Y)
    with pytest.raises(ValueError, match="small.npz.*compressed.*numpy.savez"):
        NumpySource(tmp_path / "small.npz", "price")


def test_a_pass_holds_a_few_row_groups_not_the_file(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "big.parquet"
    with pq.ParquetWriter(path, table(dtype=np.float32).schema) as writer:
        for _ in range(40):  # 40 row groups of 50,000 rows × 4 float32 columns: 32 MB of values
            x = rng.normal(size=(50_000, 3)).astype(np.float32)
            writer.write_table(table(x, x.sum(axis=1) + 1, np.float32))
    pool = pa.default_memory_pool()
    before = pool.max_memory()
    tracemalloc.start()
    fit = linnet.ols(path, target="price")
    numpy_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert fit.nobs == 2_000_000
    assert numpy_peak < 12e6  # a few row groups (0.8 MB each as float32 x), never the 32 MB of the file
    assert pool.max_memory() - before < 12e6 or before > 12e6


@pytest.mark.parametrize("case, error, message", [
    ("missing", FileNotFoundError, "No such file: .*nowhere.parquet"),
    ("not parquet", ValueError, "is not a readable Parquet file"),
    ("no column", ValueError, "'rooms'"),
    ("text column", TypeError, "Column 'a' of .* holds string values, not numbers"),
    ("null", ValueError, "Column 'b' has a missing value at row 5 of row group 1 of"),
    ("nan", ValueError, "Column 'c' has the value nan at row 7 of row group 2 of"),
    ("other schema", ValueError, "The partition .*part-1.parquet' has no column 'c'"),
    ("other type", ValueError, "Column 'a' is float32 in the partition .*part-1.parquet' but float64"),
    ("empty", ValueError, "yielded no rows"),
])
def test_bad_parquet_input_is_named(tmp_path, case, error, message):
    path = tmp_path / "bad.parquet"
    target, features = "price", None
    if case == "missing":
        path = tmp_path / "nowhere.parquet"
    elif case == "not parquet":
        path.write_text("a,b\n1,2\n")
    elif case == "no column":
        pq.write_table(table(), path)
        features = ["rooms"]
    elif case == "text column":  # named: by default a text column is skipped (see the test below)
        pq.write_table(table().set_column(0, "a", pa.array([str(v) for v in X[:, 0]])), path)
        features = ["a", "b"]
    elif case in ("null", "nan"):
        column = X[:, 1 if case == "null" else 2].astype(object if case == "null" else float)
        row = 128 * (1 if case == "null" else 2) + (5 if case == "null" else 7)
        column[row] = None if case == "null" else np.nan
        pq.write_table(table().set_column(1 if case == "null" else 2, "b" if case == "null" else "c",
                                          pa.array(list(column), pa.float64())), path, row_group_size=128)
    elif case in ("other schema", "other type"):
        path = tmp_path
        pq.write_table(table(), tmp_path / "part-0.parquet")
        other = table().drop(["c"]) if case == "other schema" else table().set_column(
            0, "a", pa.array(X[:, 0].astype(np.float32)))
        pq.write_table(other, tmp_path / "part-1.parquet")
    elif case == "empty":
        pq.write_table(table(X[:0], Y[:0]), path)
    with pytest.raises(error, match=message):
        linnet.ols(path, target=target, features=features)


def test_bad_csv_input_is_named(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,b,price\n1,2,3\n4,x,6\n")
    with pytest.raises(TypeError, match="Column 'b' of .*bad.csv' holds string values, not numbers"):
        linnet.ols(CSVSource(path, "price", features=["a", "b"]))
    path.write_text("a,b,price\n" + "1,2,3\n" * 2000 + "4,x,6\n")  # past the first block
    with pytest.raises(ValueError, match="Cannot read .*bad.csv' after data row .*b.*x"):
        linnet.ols(CSVSource(path, "price", block_bytes=1024))
    path.write_text("a,b,price\n1,2,3\n4,,6\n")
    with pytest.raises(ValueError, match="Column 'b' has a missing value at line 3 of .*bad.csv"):
        linnet.ols(path, target="price")
    path.write_text("a,price\n" + "1" * 5000 + ",2\n3,4\n")
    with pytest.raises(ValueError, match="bad.csv"):
        linnet.ols(CSVSource(path, "price", block_bytes=1024))


@pytest.mark.parametrize("cell", ["", "NA", "inf"])
def test_a_bad_csv_cell_is_named_by_its_line_as_the_in_memory_reader_names_it(tmp_path, cell):
    """Lines count the header, an empty line and every line of a quoted field; the chunk's rows start past 0."""
    path = tmp_path / "gaps.csv"
    rows = ["a,note,price", *["1,plain,2"] * 300, "", '3,"two\nlines",4', f"5,x,{cell}", "7,y,8"]
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(ValueError, match="line 305 of .*gaps.csv'") as streamed:
        linnet.ols(CSVSource(path, "price", features=["a"], block_bytes=1024))
    with pytest.raises(ValueError, match="line 305 of .*gaps.csv'"):
        linnet.data.read_csv(path, "price", ["a"])
    fix = "linnet.data.read_csv(path, target, dropna=True), or --dropna (linnet ols"
    assert (fix in str(streamed.value)) == (cell != "inf")  # inf is no missing value: dropna keeps it


def test_open_file_chooses_by_extension_and_refuses_others(tmp_path, parquet):
    assert isinstance(open_file(parquet, "price"), ParquetSource)
    (tmp_path / "notes.xlsx").write_text("x")
    with pytest.raises(ValueError, match="file extension"):
        open_file(tmp_path / "notes.xlsx", "price")
    with pytest.raises(ValueError, match="target="):
        linnet.ols(parquet)
    with pytest.raises(TypeError, match=r"x must hold numbers.*none of these strings is a file or folder\. "
                                        r"Received: x=\['a', 'b'\]"):
        linnet.ols(["a", "b"], [1.0, 2.0])  # strings meant as data, not paths
    with pytest.raises(ValueError, match="target="):
        linnet.ols([str(parquet)], [1.0, 2.0])  # a file's path with y: told how to name the target


@pytest.mark.parametrize("value, message", [
    (1e39, r"Column 'b' has the value inf at row 44 of row group 2 of .*as float32"),  # beyond float32
    (np.nan, r"Column 'b' has the value nan at row 44 of row group 2 of [^(]*; linnet"),  # in the file: as read
])
def test_training_names_a_bad_value_of_a_float64_file(tmp_path, value, message):
    x = X.copy()
    x[300, 1] = value
    path = tmp_path / "bad.parquet"
    pq.write_table(table(x), path, row_group_size=128)
    net = Sequential([Input((3,)), Dense(1)])
    net.compile(optimizers.SGD(1e-3), "mse")
    with pytest.raises(ValueError, match=message):
        net.fit(ParquetSource(path, "price", shuffle=False), verbose=0)
    if np.isfinite(value):  # ols works in float64: no limit there
        assert np.isfinite(linnet.ols(path, target="price").params).all()


@settings(max_examples=15, deadline=None)
@given(rows=st.integers(3, 400), group_rows=st.integers(1, 120), features=st.integers(1, 4),
       offset=st.sampled_from([0.0, 1e3, -1e6]), seed=st.integers(0, 2**32 - 1))
def test_fuzz_ols_on_any_row_groups_matches_ols_in_memory(rows, group_rows, features, offset, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, features)) + offset
    y = x @ rng.normal(size=features) + rng.normal(size=rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.parquet"
        columns = {f"f{j}": x[:, j] for j in range(features)}
        pq.write_table(pa.table({**columns, "y": y}), path, row_group_size=group_rows)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # few rows: the same digits warning on both sides
            got, want = linnet.ols(path, target="y"), linnet.exact.ols(x, y, refine=False)
    np.testing.assert_allclose(got.params, want.params, rtol=1e-9, atol=1e-9 * np.abs(want.params).max())
    assert got.nobs == rows


def npy_file(tmp_path, rows=200):
    path = tmp_path / "rows.npy"
    np.save(path, np.column_stack([X[:rows, :2], Y[:rows]]))  # columns c0, c1, c2
    return path


def sgd_model(features):
    net = Sequential([Input((features,)), Dense(1)])
    net.compile(optimizers.SGD(1e-3), "mse")
    return net


def test_a_file_source_given_as_validation_data_must_have_the_models_features(tmp_path):
    """A file source's batches are not checked one by one (its chunks are), so its width is checked up front,
    not found by a matmul error after a whole training epoch."""
    path = npy_file(tmp_path)
    with pytest.raises(ValueError, match=r"The data source has n_features=1 but the model expects 2 feature\(s\)"):
        sgd_model(2).fit(NumpySource(path, "c2"), validation_data=NumpySource(path, "c2", ["c0"]), verbose=0)


def test_steps_per_epoch_beyond_a_file_sources_batches_is_refused_not_run_short(tmp_path):
    """Refused before training when the source knows its length (a CSV source learns it in its first epoch, and
    is refused when that epoch runs out)."""
    net = sgd_model(2)
    with pytest.raises(ValueError, match=r"steps_per_epoch=50 is more than the 2 batch\(es\) of one epoch of the "
                                         r"data source; give steps_per_epoch <= 2"):
        net.fit(NumpySource(npy_file(tmp_path), "c2", batch_size=100), steps_per_epoch=50, verbose=0)
    assert int(np.asarray(net.optimizer.iterations)) == 0
    csv_path = tmp_path / "rows.csv"
    csv_path.write_text("a,b,y\n" + "".join(f"{i},{i % 7},{2 * i}\n" for i in range(150)))
    with pytest.raises(ValueError, match=r"more than the 2 batch\(es\) of one epoch"):
        sgd_model(2).fit(CSVSource(csv_path, "y", batch_size=100), steps_per_epoch=5, verbose=0)
    net.fit(NumpySource(npy_file(tmp_path), "c2", batch_size=100), steps_per_epoch=2, epochs=2, verbose=0)
    assert int(np.asarray(net.optimizer.iterations)) == 4


def test_a_file_with_two_columns_of_one_name_is_refused_naming_it(tmp_path):
    csv_path = tmp_path / "dup.csv"
    csv_path.write_text("a,a,y\n1,2,3\n4,5,6\n7,8,10\n")
    with pytest.raises(ValueError, match=r"dup.csv' names the column\(s\) 'a' more than once"):
        linnet.ols(csv_path, target="y")
    parquet_path = tmp_path / "dup.parquet"
    pq.write_table(pa.Table.from_arrays([pa.array([1.0, 2.0, 4.0])] * 3, names=["a", "a", "y"]), parquet_path)
    with pytest.raises(ValueError, match=r"dup.parquet' names the column\(s\) 'a' more than once"):
        linnet.ols(parquet_path, target="y")


def test_a_file_source_checks_each_files_column_names_once(tmp_path, name_checks):
    """Opening a file source checked the first file's names when reading its schema, then again when choosing the
    features from them."""
    csv_path = tmp_path / "rows.csv"
    csv_path.write_text("a,b,y\n1,2,3\n4,5,6\n7,8,10\n")
    assert CSVSource(csv_path, "y").feature_names == ["a", "b"]
    parquet_path = tmp_path / "rows.parquet"
    pq.write_table(pa.table({"a": [1.0, 4.0], "y": [3.0, 6.0]}), parquet_path)
    assert ParquetSource(parquet_path, "y", ["a"]).feature_names == ["a"]
    assert name_checks == [["a", "b", "y"], ["a", "y"]]


def test_csv_header_not_utf8_and_bad_block_bytes_are_named(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("é,y\n1,2\n3,5\n4,9\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin.csv' is not a readable CSV file: its header is not UTF-8"):
        linnet.ols(path, target="y")
    good = tmp_path / "good.csv"
    good.write_text("a,y\n1,2\n3,5\n4,9\n")
    for bad in ("x", 0, True, 1.5):
        with pytest.raises((TypeError, ValueError), match="block_bytes"):
            CSVSource(good, "y", block_bytes=bad)


def test_a_big_endian_npy_file_is_read_as_its_numbers(tmp_path):
    path = tmp_path / "big.npy"
    np.save(path, np.column_stack([X[:, :2], Y]).astype(">f8"))
    expected = linnet.exact.ols(X[:, :2], Y)
    np.testing.assert_allclose(linnet.ols(path, target="c2").params, expected.params, rtol=1e-12)


def test_features_given_as_a_set_are_refused_its_order_is_the_coefficients(parquet):
    with pytest.raises(TypeError, match="a set has no order"):
        linnet.ols(parquet, target="price", features={"a", "b"})


def test_a_csv_column_of_true_and_false_is_read_as_0_and_1(tmp_path):
    path = tmp_path / "flags.csv"
    path.write_text("a,b,y\n1,true,2\n2,false,3\n3,true,5\n4,false,4\n5,true,7\n")
    expected = linnet.exact.ols(np.array([[1, 1], [2, 0], [3, 1], [4, 0], [5, 1]], float), [2, 3, 5, 4, 7.0])
    np.testing.assert_allclose(linnet.ols(path, target="y").params, expected.params, rtol=1e-12)


def test_a_list_of_files_of_two_formats_is_refused_naming_them(tmp_path, parquet):
    csv_path = tmp_path / "more.csv"
    csv_path.write_text("a,b,c,price\n1,2,3,4\n")
    with pytest.raises(ValueError, match=r"A list of files must hold one format .*'houses.parquet', 'more.csv'"):
        linnet.ols([parquet, csv_path], target="price")


def test_the_default_features_are_the_numeric_columns_and_a_skipped_text_column_is_named(tmp_path):
    """As the in-memory readers and the command line's help say ("every numeric column but the target"): it was
    refused ("holds string values") when streamed, and read when on a Dask cluster."""
    path = tmp_path / "labelled.parquet"
    pq.write_table(table().append_column("label", pa.array(["house"] * len(Y))), path)
    with pytest.warns(UserWarning, match=r"skipped the non-numeric column\(s\) 'label'"):
        got = linnet.ols(path, target="price")
    np.testing.assert_allclose(got.params, linnet.exact.ols(X, Y).params, rtol=1e-12)
    assert got.feature_names == NAMES
    only_text = tmp_path / "text.parquet"
    pq.write_table(pa.table({"label": ["a", "b"], "price": [1.0, 2.0]}), only_text)
    with pytest.raises(ValueError, match="has no numeric column besides the target 'price'"):
        linnet.ols(only_text, target="price")


def test_a_shuffle_buffer_larger_than_the_data_costs_the_data_not_what_was_asked(parquet):
    """--shuffle-buffer 1e14 allocated 218 TiB up front; the buffer now grows as rows arrive (every row once)."""
    source = ParquetSource(parquet, "price", batch_size=100, shuffle_buffer=10**14)
    rows = np.concatenate([np.asarray(x)[:, 0] for x, _ in source.epoch(np.random.default_rng(0))])
    np.testing.assert_array_equal(np.sort(rows), np.sort(X[:, 0].astype(rows.dtype)))


@pytest.mark.parametrize("suffix", [".npz", ".parquet"])
def test_float16_columns_are_numbers(tmp_path, suffix):
    """A float16 column was 'not numeric': an NPZ file of them had 'no numeric column besides the target', a Parquet
    one was skipped with a warning. float32 holds float16 exactly, so the source stays float32."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(300).astype(np.float16), rng.standard_normal(300).astype(np.float32)
    y = (2 * a.astype(np.float32) - b).astype(np.float32)
    path = tmp_path / f"h{suffix}"
    if suffix == ".npz":
        np.savez(path, a=a, y=y)
    else:
        pyarrow, parquet = pytest.importorskip("pyarrow"), pytest.importorskip("pyarrow.parquet")
        parquet.write_table(pyarrow.table({"a": a, "b": b, "y": y}), path)
    source = open_file(path, "y", None)
    assert source.feature_names == (["a"] if suffix == ".npz" else ["a", "b"]) and source.dtype == np.float32
    x = a[:, None].astype(np.float64) if suffix == ".npz" else np.column_stack([a.astype(np.float64), b])
    np.testing.assert_allclose(linnet.ols(path, target="y").params, linnet.ols(x, y).params, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("rows", [0, 3])
def test_has_rows_asks_parquet_metadata_and_reads_csv_only_to_its_first_row(tmp_path, rows, monkeypatch):
    parquet, csv = tmp_path / "d.parquet", tmp_path / "d.csv"
    pq.write_table(table(X[:rows], Y[:rows]), parquet, row_group_size=2)
    csv.write_text("a,b,c,price\n" + "".join(f"{p},{q},{r},{t}\n" for (p, q, r), t in zip(X[:rows], Y[:rows])))
    source = ParquetSource(parquet, "price")
    monkeypatch.setattr(ParquetSource, "_read", lambda self, piece: pytest.fail("decoded a row group"))
    assert source.has_rows() is bool(rows)
    assert CSVSource(csv, "price").has_rows() is bool(rows)
    assert CSVSource([csv, csv], "price").has_rows() is bool(rows)


BEYOND_2_53 = "holds values beyond 2**53 in magnitude (9,007,199,254,740,993), which float64 cannot all hold"


def big_ids(tmp_path, form: str, dtype: str, statistics: bool = True) -> Path:
    """Rows whose integer column ``id`` reaches 2**53 + 1 in its first chunk (a row group, a memory-map slice)."""
    ids = np.tile(np.array([2**53 + 1, 2**53, 3, 4], dtype=dtype), 5)
    x, path = np.arange(20.0), tmp_path / f"ids.{form}"
    if form == "npz":
        np.savez(path, id=ids, x=x, y=2 * x)
    else:
        pq.write_table(pa.table({"id": ids, "x": x, "y": 2 * x}), path, row_group_size=4,
                       write_statistics=statistics)
    return path


@pytest.mark.parametrize(("form", "statistics"), [("parquet", True), ("parquet", False), ("npz", False)])
@pytest.mark.parametrize("dtype", ["int64", "uint64"])
@pytest.mark.parametrize("use", ["ols", "epoch"])
def test_a_file_sources_integer_column_beyond_2_53_is_named_once(tmp_path, form, statistics, dtype, use):
    """A streamed int64/uint64 column beyond 2**53 was rounded silently when converted to float. Now it is named once
    per column (from the Parquet statistics when the file has them, before any read; else from the first chunk that
    has such a value), in a warning on the user's line, however many passes read it."""
    path = big_ids(tmp_path, form, dtype, statistics)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        source = open_file(path, "y")
        opened = len(caught)
        for _ in range(2):
            linnet.ols(source) if use == "ols" else list(source.epoch(np.random.default_rng(0)))
    said = [w for w in caught if "2**53" in str(w.message)]
    assert [str(w.message).split(", which")[0] for w in said] == [f"'{path}': the integer column 'id' "
                                                                 f"{BEYOND_2_53.split(', which')[0]}"]
    assert said[0].filename == __file__
    assert opened == (1 if statistics and form == "parquet" else 0)  # the metadata says it up front


def test_integer_columns_within_2_53_and_float_columns_are_not_warned_of(tmp_path):
    path = tmp_path / "d.parquet"
    big = np.array([2.0**60, 1.0, 2.0, 5.0] * 5)  # a float column: its values are what they are
    pq.write_table(pa.table({"id": np.tile(np.array([-(2**53), 2**53, 0, 1]), 5), "big": big,
                             "small": np.arange(20, dtype=np.int32), "y": np.arange(20.0)}), path, row_group_size=4,
                   write_statistics=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        source = ParquetSource(path, "y")
        list(source.chunks())
        list(source.epoch(np.random.default_rng(0)))


def test_a_csv_header_is_read_with_its_names_stripped_as_read_csv_reads_it(tmp_path):
    """The streamed reader kept the header's ' y' where read_csv strips it to 'y': target 'y' was found in memory
    only, and the features were named ' x1 ', 'x2'."""
    spaced, plain = tmp_path / "parts" / "0.csv", tmp_path / "parts" / "1.csv"
    spaced.parent.mkdir()
    spaced.write_text(" x1 ,x2,  y\n1,2,5\n2,1,4\n3,3,9\n")
    plain.write_text("x1,x2,y\n4,0,4\n5,5,15\n")
    x, y, names = linnet.data.read_csv(spaced, "y")
    source = CSVSource(spaced, "y")
    assert source.feature_names == names == ["x1", "x2"]
    (xs, ys), = source.chunks()
    np.testing.assert_array_equal(xs, x)
    np.testing.assert_array_equal(ys, y)
    folder = CSVSource(spaced.parent, "y", ["x2", "x1"])  # the partitions agree once stripped
    assert np.concatenate([chunk for chunk, _ in folder.chunks()]).tolist() == [[2, 1], [1, 2], [3, 3], [0, 4], [5, 5]]
    spaced.write_text("x, x ,y\n1,2,3\n")  # two names once stripped: refused, as read_csv refuses them
    for read in (linnet.data.read_csv, CSVSource):
        with pytest.raises(ValueError, match=r"names the column\(s\) 'x' more than once"):
            read(spaced, "y")

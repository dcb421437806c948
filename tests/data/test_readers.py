"""Tests for linnet.data.readers: round trips through real files, and one clear error per kind of bad input."""

import csv
import os
import sys
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linnet.data import read_csv, read_npz, read_parquet, read_table

ROOMS = [6.5, 5.9, 7.25]
AGE = [30.0, 65.0, 12.0]
PRICE = [24.0, 18.5, 31.125]
HOUSES_CSV = "rooms,age,price\n6.5,30,24.0\n5.9,65,18.5\n7.25,12,31.125\n"


def write(tmp_path, name, content):
    path = tmp_path / name
    (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
    return path


def assert_houses(table, features=("rooms", "age")):
    x, y, names = table
    columns = {"rooms": ROOMS, "age": AGE}
    assert names == list(features)
    assert x.dtype == y.dtype == np.float64 and x.shape == (3, len(features)) and y.shape == (3,)
    assert x.tolist() == [list(row) for row in zip(*(columns[name] for name in features))]
    assert y.tolist() == PRICE


# --- CSV ----------------------------------------------------------------------------------------------------

def test_csv_round_trip_with_default_features(tmp_path):
    assert_houses(read_csv(write(tmp_path, "h.csv", HOUSES_CSV), target="price"))


def test_csv_features_choose_and_order_the_columns(tmp_path):
    path = write(tmp_path, "h.csv", HOUSES_CSV)
    assert_houses(read_csv(path, "price", features=["age", "rooms"]), features=("age", "rooms"))
    assert_houses(read_csv(path, "price", features=("age",)), features=("age",))
    x, y, names = read_csv(path, target="rooms")
    assert names == ["age", "price"] and y.tolist() == ROOMS and x[:, 1].tolist() == PRICE


@pytest.mark.parametrize("text", [
    "rooms;age;price\n6.5;30;24.0\n5.9;65;18.5\n7.25;12;31.125\n",
    "rooms\tage\tprice\n6.5\t30\t24.0\n5.9\t65\t18.5\n7.25\t12\t31.125\n",
    "rooms|age|price\n6.5|30|24.0\n5.9|65|18.5\n7.25|12|31.125\n",
    '\ufeff"rooms","age","price"\r\n6.5, 30,24.0 \r\n\r\n5.9,65,18.5\r\n7.25,12,"31.125"',
])
def test_csv_sniffs_delimiters_and_tolerates_bom_quotes_crlf_blank_lines(tmp_path, text):
    assert_houses(read_csv(write(tmp_path, "h.csv", text), target="price"))


def test_csv_explicit_delimiter(tmp_path):
    path = write(tmp_path, "h.csv", HOUSES_CSV.replace(",", ":"))
    assert_houses(read_csv(path, "price", delimiter=":"))
    with pytest.raises(ValueError, match="delimiter must be one character"):
        read_csv(path, "price", delimiter="::")


def test_csv_ignores_unselected_text_columns(tmp_path):
    path = write(tmp_path, "h.csv", "id,rooms,age,price\nA,6.5,30,24\nB,5.9,65,18.5\nC,7.25,12,31.125\n")
    assert_houses(read_csv(path, "price", features=["rooms", "age"]))
    with pytest.warns(UserWarning, match=r"skipped the non-numeric column\(s\) 'id'; .*--categorical id"):
        assert_houses(read_csv(path, "price"))
    with pytest.raises(ValueError, match=r"Column 'id' has the non-numeric value 'A' on line 2 of .*h\.csv.; leave "
                                         r"it out of features .*categorical=\['id'\] \(linnet: --categorical id\)"):
        read_csv(path, "price", features=["id", "rooms"])


MESSY = "sqft,region,age,price\n1500,east,10,200\n1600,west,,210\n1400,north,20,190\n1550, east,5,205\n"


def test_csv_categorical_is_one_hot_with_the_first_sorted_level_dropped(tmp_path):
    path = write(tmp_path, "m.csv", MESSY.replace(",,", ",7,"))
    x, _y, names = read_table(path, "price", categorical=["region"])
    assert names == ["sqft", "region=north", "region=west", "age"]  # east, the first level, is the baseline
    assert x.tolist() == [[1500, 0, 0, 10], [1600, 0, 1, 7], [1400, 1, 0, 20], [1550, 0, 0, 5]]
    x, _, names = read_csv(path, "price", features=["age"], categorical=["region"])
    assert names == ["age", "region=north", "region=west"] and x[:, 0].tolist() == [10, 7, 20, 5]
    with pytest.raises(ValueError, match="single level"):
        read_csv(write(tmp_path, "one.csv", "g,y\na,1\na,2\n"), "y", categorical=["g"])
    with pytest.raises(ValueError, match="categorical and dropna apply to CSV files"):
        read_table(write(tmp_path, "a.npz", b""), "y", categorical=["g"])


def test_csv_dropna_drops_rows_and_says_how_many_and_the_error_names_it(tmp_path):
    path = write(tmp_path, "m.csv", MESSY)
    with pytest.raises(ValueError, match=r"Column 'age' has a missing value \(''\) on line 3 .*dropna=True "
                                         r"\(linnet: --dropna\)"):
        read_csv(path, "price", features=["sqft", "age"])
    with pytest.warns(UserWarning, match=r"dropped 1 of 4 row\(s\) with a missing value"):
        x, y, names = read_csv(path, "price", features=["sqft", "age"], dropna=True)
    assert names == ["sqft", "age"] and x.tolist() == [[1500, 10], [1400, 20], [1550, 5]] and y.tolist() == [200, 190,
                                                                                                              205]
    _, y, _ = read_csv(path, "price", features=["sqft"], dropna=True)  # only the chosen columns count
    assert y.tolist() == [200, 210, 190, 205]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the error alone: no "dropped 2 of 2" warning before it
        with pytest.raises(ValueError, match="dropna left none"):
            read_csv(write(tmp_path, "e.csv", "a,y\n,1\n2,\n"), "y", dropna=True)


def test_csv_single_feature_file(tmp_path):
    x, y, names = read_csv(write(tmp_path, "s.csv", "x,y\n1,2\n3,4\n"), target="y")
    assert x.tolist() == [[1.0], [3.0]] and y.tolist() == [2.0, 4.0] and names == ["x"]


@pytest.mark.parametrize("text, message", [
    ("a,b\n1,2\n3,\n", r"Column 'b' has a missing value \(''\) on line 3"),
    ("a,b\n1,2\nNA,4\n", r"Column 'a' has a missing value \('NA'\) on line 3"),
    ("a,b\n1,nan\n", r"Column 'b' has a missing value \('nan'\) on line 2"),
    ("a,b\n1,2\n3,inf\n", r"Column 'b' has the infinite value 'inf' on line 3"),
    ("a,b\n1,2\n3,4,5\n", r"Line 3 of .* has 3 field\(s\) but the header has 2"),
    ("", r"is empty; linnet needs a header row"),
    ("\n\n", r"is empty"),
    ("a,b\n", r"has no data rows"),
    ("1.5,2\n3,4\n", r"first row of .* looks like data \(1.5, 2\); linnet needs a header row"),
    ("a,a\n1,2\n", r"The header of .* names the column\(s\) 'a' more than once"),
    ("a,,b\n1,2,3\n", r"Column 2 of the header .* has no name"),
    ("a,b\n1,2\n\x00,3\n", r"contains NUL bytes"),
    (b"a,b\n1,\xff\n", r"is not a UTF-8 text \(CSV\) file"),
    ('a,b\n1,"2\n', r"is not a valid CSV file"),
])
def test_csv_errors_name_the_problem(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        read_csv(write(tmp_path, "bad.csv", text), target="a")


# --- column choice (shared by every reader) ------------------------------------------------------------------

@pytest.mark.parametrize("target, features, error, message", [
    ("prices", None, ValueError,
     r"Unknown column 'prices'. Did you mean 'price'\? Known column names: age, price, rooms"),
    ("price", ["room"], ValueError, r"Unknown column 'room'. Did you mean 'rooms'\?"),
    ("price", ["rooms", "price"], ValueError, r"target 'price' is also listed in features"),
    ("price", ["rooms", "rooms"], ValueError, r"features lists 'rooms' more than once"),
    ("price", [], ValueError, r"features must name at least one column"),
    ("price", "rooms", TypeError, r"features must be a list of column names; write \['rooms'\] for a single column\. "
                                  r"Received: features='rooms'"),
    ("price", 3, TypeError, r"features must be a list of column names\. Received: features=3$"),
    ("price", ["rooms", 1], TypeError, r"features must hold column names \(str\)\. Received: 1 \(int\) in features"),
    (2, None, TypeError, r"target must be a column name \(str\)\. Received: target=2"),
])
def test_bad_column_choices_are_refused(tmp_path, target, features, error, message):
    with pytest.raises(error, match=message):
        read_csv(write(tmp_path, "h.csv", HOUSES_CSV), target, features)


def test_target_alone_leaves_no_features(tmp_path):
    with pytest.raises(ValueError, match="has no column besides the target 'y'"):
        read_csv(write(tmp_path, "y.csv", "y\n1\n2\n"), target="y")


def test_file_and_path_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere.csv"):
        read_csv(tmp_path / "nowhere.csv", "y")
    with pytest.raises(FileNotFoundError, match="nowhere.npz"):
        read_table(str(tmp_path / "nowhere.npz"), "y")
    with pytest.raises(ValueError, match="is a directory"):
        read_csv(tmp_path, "y")
    with pytest.raises(TypeError, match="path must be a file path"):
        read_npz(42, "y")


# --- NPZ ----------------------------------------------------------------------------------------------------

def test_npz_named_columns_round_trip(tmp_path):
    path = tmp_path / "h.npz"
    np.savez(path, rooms=np.array(ROOMS), age=np.array(AGE, dtype=np.int32), price=np.array(PRICE))
    assert_houses(read_npz(path, target="price"))


def test_npz_x_y_with_feature_names(tmp_path):
    path = tmp_path / "xy.npz"
    np.savez(path, x=np.column_stack([ROOMS, AGE]), y=np.array(PRICE)[:, None],
             feature_names=np.array(["rooms", "age"]))
    assert_houses(read_npz(path, target="y"))


def test_npz_x_y_without_names_gets_x0_x1(tmp_path):
    path = tmp_path / "xy.npz"
    np.savez(path, x=np.column_stack([ROOMS, AGE]), y=np.array(PRICE))
    x, y, names = read_npz(path, target="y")
    assert names == ["x0", "x1"] and x.tolist() == [list(r) for r in zip(ROOMS, AGE)] and y.tolist() == PRICE
    assert read_npz(path, "y", features=["x1"])[0].tolist() == [[a] for a in AGE]


def test_npz_of_tutorial_003(tmp_path):
    inputs = np.column_stack([ROOMS, AGE])
    np.savez(tmp_path / "TF_intro", inputs=inputs, targets=np.array(PRICE)[:, None])
    x, y, names = read_npz(tmp_path / "TF_intro.npz", target="targets")
    assert names == ["inputs0", "inputs1"] and np.array_equal(x, inputs) and y.tolist() == PRICE


def test_npz_bool_columns_become_numbers_and_unselected_text_is_ignored(tmp_path):
    path = tmp_path / "b.npz"
    np.savez(path, flag=np.array([True, False]), label=np.array(["a", "b"]), y=np.array([1, 2], dtype=np.int64))
    x, y, _names = read_npz(path, "y", features=["flag"])
    assert x.tolist() == [[1.0], [0.0]] and y.tolist() == [1.0, 2.0] and y.dtype == np.float64


@pytest.mark.parametrize("arrays, error, message", [
    ({"label": np.array(["a", "b"]), "y": np.ones(2)}, TypeError,
     r"Column 'label' of .* holds <U1 values, not numbers \(row 0: 'a'\)"),
    ({"a": np.array([1.0, np.nan, 3.0]), "y": np.ones(3)}, ValueError,
     r"Column 'a' of .* has a missing or infinite value \(nan\) at row 1"),
    ({"a": np.ones(3), "y": np.ones(2)}, ValueError, r"different numbers of rows: \{'a': 3, 'y': 2\}"),
    ({"a": np.ones((2, 2, 2)), "y": np.ones(2)}, ValueError, r"Array 'a' of .* has shape \(2, 2, 2\)"),
    ({"a": np.ones(0), "y": np.ones(0)}, ValueError, r"has no data rows"),
    ({"x": np.ones((2, 2)), "y": np.ones(2), "feature_names": np.array(["a"])}, ValueError,
     r"feature_names .* has 1 name\(s\)"),
    ({"a": np.ones(2), "y": np.ones(2), "feature_names": np.array(["a"])}, ValueError, r"'x' \(missing\)"),
    ({"x": np.ones((2, 1)), "y": np.ones(2), "feature_names": np.array([1.0])}, TypeError,
     r"feature_names .* must be a 1-D array of strings"),
    ({"x": np.ones((2, 2)), "x0": np.ones(2), "y": np.ones(2)}, ValueError, r"has two columns named 'x0'"),
])
def test_npz_errors_name_the_problem(tmp_path, arrays, error, message):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(error, match=message):
        read_npz(path, "y")


def test_npz_never_unpickles(tmp_path):
    path = tmp_path / "pickled.npz"
    np.savez(path, a=np.array([{"evil": 1}, None], dtype=object), y=np.ones(2))
    with pytest.raises(ValueError, match="is not a readable .npz file"):
        read_npz(path, "y")


@pytest.mark.parametrize("content, message", [
    (b"", "is not a readable .npz file"),
    (b"a,b\n1,2\n", "is not a readable .npz file"),
    (b"PK\x03\x04 truncated zip", "is not a readable .npz file"),
])
def test_npz_corrupt_files(tmp_path, content, message):
    with pytest.raises(ValueError, match=message):
        read_npz(write(tmp_path, "bad.npz", content), "y")


def test_npy_file_is_not_an_archive(tmp_path):
    np.save(tmp_path / "one.npy", np.ones((2, 2)))
    with pytest.raises(ValueError, match="holds a single .npy array"):
        read_npz(tmp_path / "one.npy", "y")


# --- Parquet ------------------------------------------------------------------------------------------------

@pytest.fixture
def parquet_path(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq
    table = pa.table({"id": ["a", "b", "c"], "rooms": ROOMS, "age": pa.array([30, 65, 12], pa.int16()),
                      "price": PRICE, "hole": pa.array([1.0, None, 2.0]), "nan": [1.0, 2.0, float("nan")]})
    pq.write_table(table, tmp_path / "h.parquet")
    return tmp_path / "h.parquet"


def test_parquet_round_trip(parquet_path):
    assert_houses(read_parquet(parquet_path, "price", features=["rooms", "age"]))
    assert_houses(read_table(parquet_path, "price", features=["age"]), features=("age",))


@pytest.mark.parametrize("features, error, message", [
    (["id"], TypeError, r"Column 'id' of .* holds object values, not numbers \(row 0: 'a'\)"),
    (["hole"], ValueError, r"Column 'hole' of .* has a missing value at row 1"),
    (["nan"], ValueError, r"Column 'nan' of .* has a missing or infinite value \(nan\) at row 2"),
    (["room"], ValueError, r"Did you mean 'rooms'"),
])
def test_parquet_errors_name_the_problem(parquet_path, features, error, message):
    with pytest.raises(error, match=message):
        read_parquet(parquet_path, "price", features)


def test_parquet_written_by_pandas(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    pd.DataFrame({"rooms": ROOMS, "age": AGE, "price": PRICE}).to_parquet(tmp_path / "p.parquet", index=False)
    assert_houses(read_parquet(tmp_path / "p.parquet", "price"))


def test_not_a_parquet_file(tmp_path):
    pytest.importorskip("pyarrow")
    with pytest.raises(ValueError, match="is not a readable Parquet file"):
        read_parquet(write(tmp_path, "bad.parquet", HOUSES_CSV), "price")


def test_parquet_without_pyarrow_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(ImportError, match=r"pip install pyarrow .*linnet\[parquet\]"):
        read_parquet(write(tmp_path, "h.parquet", b"PAR1"), "price")


# --- read_table ---------------------------------------------------------------------------------------------

def test_read_table_dispatches_on_the_extension(tmp_path):
    write(tmp_path, "h.CSV", HOUSES_CSV)
    write(tmp_path, "h.tsv", HOUSES_CSV.replace(",", "\t"))
    write(tmp_path, "h.txt", HOUSES_CSV)
    np.savez(tmp_path / "h.npz", rooms=ROOMS, age=AGE, price=PRICE)
    for name in ["h.CSV", "h.tsv", "h.txt", "h.npz"]:
        assert_houses(read_table(tmp_path / name, "price"))


def test_read_table_refuses_unknown_extensions(tmp_path):
    with pytest.raises(ValueError, match=r"unsupported extension '.xlsx'; linnet reads .csv, .npz, .parquet"):
        read_table(write(tmp_path, "h.xlsx", b"PK"), "price")


# --- fuzzing ------------------------------------------------------------------------------------------------

CSV_ALPHABET = st.sampled_from(list('ab,;\t|"\r\n .-+0123456789eEnaNA\x00\ufeff'))
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
                derandomize="LINNET_FUZZ_EXPLORE" not in os.environ)  # as tests/test_bad_input_fuzz.py


@FUZZ
@given(content=st.one_of(st.binary(max_size=300), st.text(max_size=300), st.text(CSV_ALPHABET, max_size=300)))
def test_csv_reader_fails_only_with_clear_errors(tmp_path, content):
    path = write(tmp_path, "fuzz.csv", content if isinstance(content, bytes) else content.encode("utf-8", "replace"))
    with warnings.catch_warnings(record=True) as caught:  # e.g. a skipped non-numeric column: said, naming the file
        warnings.simplefilter("always")
        try:
            x, y, names = read_csv(path, target="a")
        except (ValueError, TypeError) as error:
            assert str(error) and "Traceback" not in str(error)
            return
    assert all(issubclass(w.category, UserWarning) and str(path) in str(w.message) for w in caught), caught
    assert x.dtype == y.dtype == np.float64 and x.shape == (y.size, len(names)) and y.size > 0
    assert np.isfinite(x).all() and np.isfinite(y).all()


finite = st.floats(allow_nan=False, allow_infinity=False)


@FUZZ
@given(table=st.integers(1, 4).flatmap(lambda d: st.lists(st.lists(finite, min_size=d + 1, max_size=d + 1),
                                                           min_size=1, max_size=20)),
       delimiter=st.sampled_from([",", ";", "\t"]))
def test_csv_round_trip_is_exact(tmp_path, table, delimiter):
    names = [f"f{j}" for j in range(len(table[0]) - 1)] + ["target"]
    path = tmp_path / "round.csv"
    with open(path, "w", newline="") as file:
        writer = csv.writer(file, delimiter=delimiter)
        writer.writerow(names)
        writer.writerows([[repr(value) for value in row] for row in table])
    x, y, features = read_csv(path, target="target", delimiter=delimiter)
    assert features == names[:-1]
    assert np.array_equal(np.column_stack([x, y]), np.array(table))


def test_csv_reads_the_bundled_boston_file_like_load_data():
    from importlib import resources

    from linnet.data import boston_housing
    with resources.as_file(resources.files("linnet.data") / "bundled" / "boston_housing_full.csv") as path:
        x, y, names = read_table(path, target="MEDV")
    x_all, y_all = boston_housing._load_all_rows()
    assert names == list(boston_housing.FEATURE_NAMES)
    assert np.array_equal(x, x_all) and np.array_equal(y, y_all)


def test_each_read_checks_its_column_names_once(tmp_path, parquet_path, name_checks):
    """The header of a CSV file was checked for repeated names when read, then again by each choice of columns
    (three times with categorical=); a file's names are checked once per read, where the file gives them."""
    csv_path = write(tmp_path, "houses.csv", HOUSES_CSV)
    assert_houses(read_csv(csv_path, "price"))
    read_csv(csv_path, "price", ["rooms"], categorical=["age"])
    assert_houses(read_parquet(parquet_path, "price", ["rooms", "age"]))
    assert name_checks == [["rooms", "age", "price"]] * 2 + [["id", "rooms", "age", "price", "hole", "nan"]]


def test_a_parquet_file_with_two_columns_of_one_name_is_refused_not_read_twice(tmp_path):
    """pyarrow lets a schema name two columns alike; reading by name then copied the first into both."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "dup.parquet"
    pq.write_table(pa.Table.from_arrays([pa.array([1.0, 2.0, 4.0]), pa.array([5.0, 1.0, 0.0]),
                                         pa.array([2.0, 3.0, 9.0])], names=["a", "a", "y"]), path)
    with pytest.raises(ValueError, match=r"dup.parquet' names the column\(s\) 'a' more than once"):
        read_parquet(path, "y")


def test_a_corrupt_npz_leaves_no_file_open(tmp_path):
    """np.load hands its own file handle to the archive before reading it: a truncated zip left it open (a
    ResourceWarning when it was collected)."""
    import gc
    import warnings

    from linnet.data._columnar import npz_arrays
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04" + bytes(30))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        try:
            npz_arrays(bad)
        except ValueError as error:
            assert "is not a readable .npz file" in str(error)
        else:
            raise AssertionError("a truncated archive was read")
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)], [str(w.message) for w in caught]


BEYOND_2_53 = ("holds values beyond 2**53 in magnitude (9,007,199,254,740,993), which float64 cannot all hold: read as "
               "numbers, some are rounded (to about 16 significant digits; to about 7 where training reads "
               "float32). If the exact values matter (an identifier, a timestamp in nanoseconds), leave the column "
               "out of the features, or subtract an offset first.")


@pytest.mark.parametrize("kind", ["parquet-int64", "parquet-uint64", "npz-int64", "npz-uint64"])
def test_an_integer_column_beyond_2_53_is_named_in_a_warning(tmp_path, kind):
    """An int64/uint64 column beyond 2**53 became float64 silently: 2**53 + 1 read as 2**53, the ids 1, 2 apart
    read as equal (caught only when every value collapsed into one, as a constant column)."""
    form, dtype = kind.split("-")
    ids = np.array([2**53 - 1, 2**53, 2**53 + 1], dtype=dtype)
    path = tmp_path / f"ids.{form}"
    if form == "npz":
        np.savez(path, id=ids, price=np.array(PRICE))
    else:
        pa = pytest.importorskip("pyarrow", reason="Parquet needs pyarrow (linnet[parquet])")
        pq = pytest.importorskip("pyarrow.parquet")
        pq.write_table(pa.table({"id": ids, "price": PRICE}), path)
    with pytest.warns(UserWarning) as caught:
        x, _, _ = read_table(path, "price")
    assert [str(w.message) for w in caught] == [f"'{path}': the integer column 'id' {BEYOND_2_53}"]
    assert caught[0].filename == __file__
    assert x[2, 0] == 2.0**53  # rounded, as said


@pytest.mark.parametrize("dtype", ["int64", "uint64", "int32"])
def test_integers_within_2_53_convert_without_a_warning(tmp_path, dtype):
    ids = np.array([0, 2**53 if dtype != "int32" else 2**31 - 1, 7], dtype=dtype)
    path = tmp_path / "ids.npz"
    np.savez(path, id=ids if dtype == "uint64" else -ids, price=np.array(PRICE))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x, _, _ = read_npz(path, "price")
    np.testing.assert_array_equal(x[:, 0], (ids if dtype == "uint64" else -ids).astype(float))

"""``linnet ols`` and ``linnet train --stream`` on files read chunk by chunk; the rows progress line.

Oracles: ``linnet.exact.ols`` on the same numbers in memory (the printed coefficients), the loss of the saved
model recomputed with NumPy, and hand-checked progress lines.
"""

import io
import json

import numpy as np
import pytest

import linnet
from linnet import cli
from linnet.cli.stream import RowsProgress

pa = pytest.importorskip("pyarrow", reason="streaming files needs pyarrow (linnet[parquet])")
pq = pytest.importorskip("pyarrow.parquet")

RNG = np.random.default_rng(5)
X = RNG.normal(size=(4000, 2))
Y = X @ [1.5, -3.0] + 2.0 + 0.1 * RNG.normal(size=4000)


@pytest.fixture
def parquet(plane_parquet):
    return plane_parquet(X, Y)


def test_linnet_ols_on_parquet_prints_the_exact_coefficients(capsys, parquet, printed_params):
    assert cli.main(["ols", str(parquet), "--target", "t"]) == 0
    out = capsys.readouterr().out
    expected = linnet.exact.ols(X, Y, feature_names=["a", "b"])
    np.testing.assert_allclose(printed_params(out), expected.params, rtol=1e-4)
    assert "No. Observations:                  4000" in out


def test_linnet_ols_names_the_line_of_a_missing_csv_value_and_the_flag_that_drops_it(capsys, tmp_path):
    csv = tmp_path / "d.csv"
    csv.write_text("x,y\n1,2\n2,\n3,6\n4,8.5\n")
    assert cli.main(["ols", str(csv), "--target", "y"]) == 2
    error = capsys.readouterr().err
    assert "missing value at line 3 of" in error and "--dropna (linnet ols" in error and len(error.splitlines()) == 1
    with pytest.warns(UserWarning, match="dropped 1 of 4 row"):
        assert cli.main(["ols", str(csv), "--target", "y", "--dropna"]) == 0  # the advice works
    assert "No. Observations:                     3" in capsys.readouterr().out


def test_linnet_train_stream_holds_out_the_last_row_groups_and_writes_the_model(capsys, parquet, tmp_path):
    out = tmp_path / "out"
    status = cli.main(["train", str(parquet), "--target", "t", "--stream", "--optimizer", "adam", "--learning-rate",
                       "0.05", "--epochs", "5", "--batch-size", "64", "--shuffle-buffer", "1000", "--normalize",
                       "--validation-split", "0.25", "--out", str(out), "--quiet", "--seed", "2"])
    printed = capsys.readouterr().out
    assert status == 0 and "Learned equation: t = " in printed and "Exact least squares" in printed
    metrics = json.loads((out / "metrics.json").read_text())
    exact = linnet.exact.ols(X[:3000], Y[:3000])  # 6 of 8 row groups train, the last 2 validate
    np.testing.assert_allclose(metrics["least_squares"]["coef"], exact.coef_, rtol=1e-10)
    model = linnet.load_model(out / "model.linnet")
    val_mse = float(np.mean((model.predict(X[3000:]).ravel() - Y[3000:]) ** 2))
    assert metrics["final"]["val_loss"] == pytest.approx(val_mse, rel=1e-4)
    assert val_mse < 0.05  # noise variance 0.01: trained close to the plane


def test_streamed_train_errors_are_one_line(capsys, tmp_path, parquet):
    csv = tmp_path / "d.csv"
    csv.write_text("x,y\n1,2\n2,4\n3,6\n")
    for argv, message in ((["train", str(csv), "--target", "y", "--stream"], "--validation-data FILE"),
                          (["train", str(parquet), "--target", "nope", "--stream"], "Unknown column 'nope'"),
                          (["ols", str(tmp_path / "none.parquet"), "--target", "t"], "none.parquet")):
        assert cli.main(argv) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err


@pytest.mark.parametrize("flags", [["--dropna"], ["--categorical", "a"], ["--tolerance", "0.001"]])
def test_streamed_train_refuses_the_in_memory_flags_instead_of_ignoring_them(capsys, parquet, tmp_path, flags):
    status = cli.main(["train", str(parquet), "--target", "t", "--stream", "--epochs", "1", "--quiet",
                       "--out", str(tmp_path / "out"), *flags])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1, err
    assert "--categorical and --dropna need the columns in memory, and --tolerance the in-memory trainer" in err
    assert f"Received: {' '.join(flags)}" in err
    assert not (tmp_path / "out").exists()  # refused before training


def test_streamed_train_refuses_a_constant_feature_column_as_the_in_memory_train_does(capsys, tmp_path):
    """Standardized from the one-pass state (÷ a std floored at 1e-7), a constant column's coefficient came out as
    ``1.36e7·k − 6.8e7`` with status 0, where the in-memory ``linnet train`` refuses the column by name."""
    csv = tmp_path / "const.csv"
    csv.write_text("x,k,y\n1,5,2\n2,5,4\n3,5,7\n4,5,8\n5,5,11\n6,5,12\n")
    status = cli.main(["train", str(csv), "--target", "y", "--stream", "--validation-split", "0", "--epochs", "1",
                       "--quiet", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1, err
    assert "Feature column(s) 'k' (always 5) take one value on all 6 training rows" in err
    assert not (tmp_path / "out").exists()  # refused before training
    assert cli.main(["train", str(csv), "--target", "y", "--stream", "--validation-split", "0", "--epochs", "1",
                     "--quiet", "--features", "x", "--out", str(tmp_path / "out")]) == 0

def test_the_rows_progress_line_shows_rows_speed_and_eta():
    stream = io.StringIO()
    bar = RowsProgress(2_000_000, stream)
    bar.start -= 2.0  # two seconds ago
    bar.drawn = -1e9
    bar(500_000)
    assert stream.getvalue().startswith("\r500k/2M rows  25% - 250k rows/s - ETA 6s")
    bar.close()
    unknown = RowsProgress(None, io.StringIO())
    unknown.rows = 1_234
    assert unknown.line(unknown.start + 1.0).startswith("1.23k rows - 1.23k rows/s - 1s elapsed")


def empty_file(path):
    """A file of the columns a, b, t and no row: a header only (CSV) or a schema only (Parquet)."""
    if path.suffix == ".csv":
        path.write_text("a,b,t\n")
    else:
        pq.write_table(pa.table({name: np.empty(0) for name in ("a", "b", "t")}), path)
    return path


@pytest.fixture
def no_fit(monkeypatch):
    """Training fails the test: what is refused must be refused before it."""
    def fit(*args, **kwargs):
        raise AssertionError("fit was called: the check came after training started")
    monkeypatch.setattr("linnet.engine.sequential.Sequential.fit", fit)


@pytest.mark.parametrize("empty", ["empty.csv", "empty.parquet"])
@pytest.mark.parametrize("normalize", [[], ["--no-standardize"]])
def test_an_empty_validation_file_is_refused_before_training(capsys, parquet, tmp_path, no_fit, empty, normalize):
    """An empty --validation-data file was found at the first validation, after the first epoch: 'The evaluation
    data source ParquetSource(...) yielded no batch', naming no flag."""
    validation = empty_file(tmp_path / empty)
    status = cli.main(["train", str(parquet), "--target", "t", "--stream", "--validation-data", str(validation),
                       "--epochs", "1", "--out", str(tmp_path / "out"), *normalize])
    out, err = capsys.readouterr()
    assert status == 2 and out == "" and err.count("\n") == 1, err
    assert err == (f"linnet: error: --validation-data {validation}: the file holds no data rows, so there is nothing "
                   f"to validate on; give a file with rows, or leave the flag out. Received: --validation-data "
                   f"{validation}\n")


@pytest.mark.parametrize("header", ["a,t", "b,t", "a,b"])
def test_a_validation_file_missing_a_column_is_refused_naming_the_flag(capsys, parquet, tmp_path, no_fit, header):
    validation = tmp_path / "v.csv"
    validation.write_text(f"{header}\n1,2\n")
    status = cli.main(["train", str(parquet), "--target", "t", "--stream", "--validation-data", str(validation),
                       "--epochs", "1", "--quiet", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    missing = ({"a", "b", "t"} - set(header.split(","))).pop()
    assert status == 2 and err.count("\n") == 1, err
    assert err.startswith(f"linnet: error: --validation-data {validation}: '{validation}': Unknown column "
                          f"'{missing}'"), err


def test_a_target_written_with_spaces_in_the_header_is_found_in_memory_and_streamed(capsys, tmp_path,
                                                                                   printed_params):
    """--target y found the header's '  y' in memory (read_csv strips the names) but not streamed: 'Unknown column
    'y'. Did you mean '  y'?'."""
    csv = tmp_path / "spaced.csv"
    csv.write_text(" a , b,  t\n" + "".join(f"{p},{q},{r}\n" for (p, q), r in zip(X[:200], Y[:200])))
    summaries = []
    for in_memory in ([], ["--dropna"]):  # --dropna reads the file whole
        assert cli.main(["ols", str(csv), "--target", "t", *in_memory]) == 0
        summaries.append(printed_params(capsys.readouterr().out))
    np.testing.assert_allclose(summaries[0], summaries[1], rtol=1e-12)
    for streamed in ([], ["--stream"]):
        assert cli.main(["train", str(csv), "--target", "t", "--features", "b", "a", "--validation-split", "0",
                         "--epochs", "2", "--quiet", "--no-plots", "--out", str(tmp_path / "o"), *streamed]) == 0
        assert "Learned equation: t = " in capsys.readouterr().out
        assert linnet.load_model(tmp_path / "o" / "model.linnet").training_config["feature_names"] == ["b", "a"]

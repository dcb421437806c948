"""``linnet ols`` / ``linnet train`` with ``--scheduler ADDRESS`` (the session's LocalCluster) and ``--workers N``.

Oracles: ``linnet.exact.ols`` on the same numbers in memory (the printed coefficients and the exact answer in
metrics.json), the validation loss of the saved model recomputed with NumPy on the held-out rows.
"""

import json
import multiprocessing
import socket
import subprocess
import sys

import numpy as np
import pytest

import linnet
from linnet import cli

pa = pytest.importorskip("pyarrow", reason="reading Parquet needs pyarrow (linnet[parquet])")
pq = pytest.importorskip("pyarrow.parquet")
pytest.importorskip("distributed", reason="the cluster flags need pip install 'linnet[dask]'")

RNG = np.random.default_rng(11)
X = RNG.normal(size=(3000, 2))
Y = X @ [0.5, -2.0] + 1.0 + 0.1 * RNG.normal(size=3000)


@pytest.fixture
def parquet(plane_parquet):
    return plane_parquet(X, Y)


def test_ols_on_a_running_cluster_prints_the_in_memory_answer(capsys, cluster, parquet, printed_params):
    assert cli.main(["ols", str(parquet), "--target", "t", "--scheduler", cluster.scheduler_address]) == 0
    out = capsys.readouterr().out
    np.testing.assert_allclose(printed_params(out), linnet.exact.ols(X, Y).params, rtol=1e-4)  # the summary's 4 digits
    assert "No. Observations:                  3000" in out


def test_ols_on_a_csv_with_features_on_the_cluster(capsys, cluster, tmp_path, printed_params):
    path = tmp_path / "plane.csv"
    text = "a,b,t\n" + "".join(f"{a!r},{b!r},{t!r}\n" for (a, b), t in zip(X.tolist(), Y.tolist()))
    path.write_text(text)
    assert cli.main(["ols", str(path), "--target", "t", "--features", "b", "--scheduler",
                     cluster.scheduler_address]) == 0
    np.testing.assert_allclose(printed_params(capsys.readouterr().out, ("const", "b")),
                               linnet.exact.ols(X[:, 1], Y).params, rtol=1e-4)


def test_ols_with_workers_starts_and_closes_a_local_cluster(capsys, parquet, printed_params):
    before = {child.pid for child in multiprocessing.active_children()}
    assert cli.main(["ols", str(parquet), "--target", "t", "--workers", "2"]) == 0
    assert {child.pid for child in multiprocessing.active_children()} == before  # its worker processes ended
    np.testing.assert_allclose(printed_params(capsys.readouterr().out), linnet.exact.ols(X, Y).params, rtol=1e-4)


def test_train_on_the_cluster_holds_out_the_last_partitions(capsys, cluster, parquet, tmp_path):
    out = tmp_path / "out"
    status = cli.main(["train", str(parquet), "--target", "t", "--scheduler", cluster.scheduler_address,
                       "--optimizer", "adam", "--learning-rate", "0.05", "--epochs", "4", "--batch-size", "64",
                       "--normalize", "--validation-split", "0.3", "--out", str(out), "--quiet", "--seed", "3"])
    printed = capsys.readouterr().out
    assert status == 0 and "Learned equation: t = " in printed and "Exact least squares" in printed
    metrics = json.loads((out / "metrics.json").read_text())
    exact = linnet.exact.ols(X[:2000], Y[:2000])  # ceil(0.3 · 6) = 2 of 6 row groups validate
    np.testing.assert_allclose(metrics["least_squares"]["coef"], exact.coef_, rtol=1e-10)
    np.testing.assert_allclose(metrics["least_squares"]["intercept"], exact.intercept_, rtol=1e-10)
    model = linnet.load_model(out / "model.linnet")
    val_mse = float(np.mean((model.predict(X[2000:]).ravel() - Y[2000:]) ** 2))
    assert metrics["final"]["val_loss"] == pytest.approx(val_mse, rel=1e-4)
    assert val_mse < 0.05  # noise variance 0.01


def test_bad_data_on_workers_is_linnets_one_line_without_the_workers_logs(tmp_path):
    column = X[:, 0].tolist()
    column[5] = None
    path = tmp_path / "null.parquet"
    pq.write_table(pa.table({"a": column, "b": X[:, 1], "t": Y}), path, row_group_size=500)
    command = [sys.executable, "-m", "linnet.cli", "ols", str(path), "--target", "t", "--workers", "2"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # its workers share its stderr
    assert result.returncode == 2 and result.stdout == ""
    assert "Traceback" not in result.stderr and "distributed.worker" not in result.stderr, result.stderr
    assert result.stderr.startswith("linnet: error: x of partition 0 contains NaN") and result.stderr.count("\n") == 1


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # released on close: nothing listens there


def test_an_unreachable_scheduler_is_one_line_and_exit_2(capsys, parquet, monkeypatch):
    monkeypatch.setattr("linnet.dask._scheduler.CONNECT_TIMEOUT", 2)
    address = f"tcp://127.0.0.1:{_closed_port()}"
    assert cli.main(["ols", str(parquet), "--target", "t", "--scheduler", address]) == 2
    err = capsys.readouterr().err
    assert err.startswith("linnet: error: Could not reach the Dask scheduler at") and address in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("argv, words", [
    (["--features", "nope"], "no column(s) ['nope']"),
    (["--validation-split", "0.9"], "would leave none of the 6"),
    (["--dropna"], "--dropna need the columns in memory"),
])
def test_cluster_argument_errors_are_one_line(capsys, parquet, argv, words):
    command = "train" if "--validation-split" in argv else "ols"
    status = cli.main([command, str(parquet), "--target", "t", "--scheduler", "tcp://127.0.0.1:1", *argv])
    err = capsys.readouterr().err
    assert status == 2 and err.startswith("linnet: error: ") and words in err and err.count("\n") == 1


def test_scheduler_and_workers_exclude_each_other(capsys, parquet):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["ols", str(parquet), "--target", "t", "--scheduler", "tcp://x:1", "--workers", "2"])
    assert exit_.value.code == 2 and "not allowed with argument" in capsys.readouterr().err


@pytest.mark.parametrize(("content", "expected"), [("a,b,t\n", "the file holds no data rows"),
                                                   ("a,t\n1,2\n", "Unknown column 'b'")])
def test_a_validation_file_without_rows_or_columns_is_refused_before_the_cluster_starts(capsys, parquet, tmp_path,
                                                                                          monkeypatch, content,
                                                                                          expected):
    """An empty --validation-data file was found after the first epoch on the cluster ('The evaluation data source
    DaskBatches(...) yielded no batch'); one missing a feature named --features, which was not given."""
    monkeypatch.setattr("linnet.cli.cluster.connected", lambda args: pytest.fail("the cluster was started"))
    validation = tmp_path / "v.csv"
    validation.write_text(content)
    status = cli.main(["train", str(parquet), "--target", "t", "--workers", "1", "--validation-data",
                       str(validation), "--epochs", "1", "--quiet", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1, err
    assert err.startswith(f"linnet: error: --validation-data {validation}: ") and expected in err, err


def test_a_csv_header_with_spaces_is_read_on_the_cluster_as_in_memory(capsys, cluster, tmp_path, printed_params):
    """dask.dataframe.read_csv kept '  t' where linnet's CSV readers strip it: --target t was unknown."""
    csv = tmp_path / "spaced.csv"
    csv.write_text(" a , b,  t\n" + "".join(f"{p},{q},{r}\n" for (p, q), r in zip(X[:200], Y[:200])))
    assert cli.main(["ols", str(csv), "--target", "t", "--scheduler", cluster.scheduler_address]) == 0
    np.testing.assert_allclose(printed_params(capsys.readouterr().out), linnet.exact.ols(X[:200], Y[:200]).params,
                               rtol=1e-4)

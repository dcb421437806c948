"""The linnet command: outputs, exit codes and one-line errors (run in-process through cli.main)."""

import json
import subprocess
import sys

import numpy as np
import pytest

from linnet import cli
from linnet.cli.figures import FIGURES


def run(capsys, *argv):
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(scope="module")
def boston_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("boston")
    assert cli.main(["demo", "boston", "--out", str(out), "--quiet"]) == 0
    return out


def test_demo_boston_writes_model_metrics_and_figures(boston_out):
    metrics = json.loads((boston_out / "metrics.json").read_text())
    assert 50 < metrics["final"]["loss"] < 58 and 70 < metrics["final"]["val_loss"] < 79
    assert metrics["equation"].startswith("price = ") and "·rooms" in metrics["equation"]
    exact = metrics["least_squares"]
    assert exact["coef"][0] == pytest.approx(8.3424, abs=1e-4)  # the exact slope on the 282 training rows
    assert {"loss_ratio", "parameter_distance", "converged", "advice"} <= set(metrics["convergence"])
    assert {p.name for p in boston_out.glob("*.png")} >= {"loss.png", "fit.png", "fit_test.png", "predictions.png"}
    assert (boston_out / "model.linnet").stat().st_size > 0


def test_demo_prints_summary_equation_predictions_to_stdout(capsys, tmp_path):
    status, out, err = run(capsys, "demo", "line", "--out", str(tmp_path), "--no-plots", "--quiet")
    assert status == 0
    assert 'Model: "' in out and "Learned equation: y = " in out and "for x = 20: " in out
    prediction = float(out.split("for x = 20: ")[1].split()[0])
    assert abs(prediction - 70) < 0.5
    assert "Epoch" not in out and "Epoch" not in err  # quiet in a pipe


def test_predict_and_inspect_a_saved_model(capsys, boston_out):
    status, out, _ = run(capsys, "predict", str(boston_out / "model.linnet"), "--x", "3", "4", "5", "6", "7")
    values = [float(v) for v in out.split()]
    assert status == 0 and len(values) == 5 and values == sorted(values)
    status, out, _ = run(capsys, "inspect", str(boston_out / "model.linnet"))
    assert status == 0 and "Equation: price = " in out and "RMSprop" in out


def test_train_ols_and_predict_from_a_csv(capsys, tmp_path):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(200, 2))
    y = 3 * x[:, 0] - 2 * x[:, 1] + 1
    data = tmp_path / "plane.csv"
    data.write_text("a,b,target\n" + "\n".join(f"{p},{q},{t}" for (p, q), t in zip(x, y)) + "\n")
    status, out, _ = run(capsys, "train", str(data), "--target", "target", "--optimizer", "adam",
                         "--learning-rate", "0.1", "--epochs", "100", "--out", str(tmp_path / "out"), "--quiet",
                         "--no-plots", "--seed", "1")
    assert status == 0 and "target = " in out
    model = tmp_path / "out" / "model.linnet"
    (tmp_path / "new.csv").write_text("b,a\n0,0\n0,1\n")
    status, out, _ = run(capsys, "predict", str(model), "--input", str(tmp_path / "new.csv"))
    np.testing.assert_allclose([float(v) for v in out.split()], [1.0, 4.0], atol=0.05)
    status, out, _ = run(capsys, "ols", str(data), "--target", "target")
    assert status == 0 and "R-squared" in out and "const" in out


def test_ols_and_train_on_a_constant_target_say_r_squared_is_undefined(capsys, tmp_path):
    """linnet ols printed "R-squared: nan" and "F-statistic: nan", train "R² nan" for the training and held-out
    rows, unexplained."""
    x = np.random.default_rng(0).random((20, 2))
    data = tmp_path / "flat.csv"
    data.write_text("a,b,y\n" + "\n".join(f"{p},{q},1.5" for p, q in x) + "\n")
    status, out, _ = run(capsys, "ols", str(data), "--target", "y")
    assert status == 0 and "R-squared:                 undefined" in out and " nan" not in out.split("const")[0]
    assert "are undefined: y is\n    constant" in out
    status, out, err = run(capsys, "train", str(data), "--target", "y", "--epochs", "2", "--no-plots",
                           "--out", str(tmp_path / "out"), "--seed", "1")
    assert status == 0 and "R²               undefined       undefined     undefined" in out + err
    assert "On the 4 held-out rows: R² undefined (y is constant on them)" in out + err


def test_ols_on_an_exact_line_says_its_residuals_are_0(capsys, tmp_path):
    """linnet ols on y = 2x + 30 printed std err 0, t inf, F-statistic inf, Log-Likelihood inf and AIC -inf without
    a word; y = 2x + 30 + 1e-13 noise (not exact) prints finite numbers and no note."""
    x = np.arange(6.0)
    noise = 1e-13 * np.random.default_rng(0).standard_normal(6)
    for name, y in (("line", 2 * x + 30), ("near", 2 * x + 30 + noise)):
        rows = (f"{p!r},{q!r}" for p, q in zip(x.tolist(), y.tolist()))  # repr: every digit of the float64
        (tmp_path / f"{name}.csv").write_text("x,y\n" + "\n".join(rows) + "\n")
    status, out, _ = run(capsys, "ols", str(tmp_path / "line.csv"), "--target", "y")
    assert status == 0 and "F-statistic:                     inf" in out
    assert "x                 2.0000          0        inf      0.000      2.000     2.000" in out
    assert " ".join(out.split("Notes:\n")[1].split()) == (
        "[1] Exact fit: the residuals are 0 (y is fitted exactly, to float64's rounding). So the standard errors are "
        "0, and t, F and the log-likelihood are infinite (the limit as the residuals shrink to 0): P>|t| and Prob(F) "
        "are 0, AIC and BIC -inf.")
    status, out, _ = run(capsys, "ols", str(tmp_path / "near.csv"), "--target", "y")
    assert status == 0 and "F-statistic:               3.264e+28" in out and "inf" not in out and "Notes" not in out


@pytest.mark.parametrize("argv,message", [
    (["train", "missing.csv", "--target", "y"], "missing.csv"),
    (["predict", "nothing.linnet", "--x", "1"], "nothing.linnet"),
    (["train", "{csv}", "--target", "nope"], "Unknown column 'nope'"),
    (["train", "{csv}", "--target", "y", "--optimizer", "adamm"], "Did you mean 'adam'"),
    (["predict", "{csv}", "--x", "1"], "not a readable linnet model"),
])
def test_errors_are_one_line_with_status_2(capsys, tmp_path, argv, message):
    csv = tmp_path / "d.csv"
    csv.write_text("x,y\n1,2\n2,4\n3,6\n4,8\n5,10\n")
    status, _, err = run(capsys, *[a.replace("{csv}", str(csv)) for a in argv])
    assert status == 2 and message in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("flag, value, message", [("--epochs", "0", "must be positive"),
                                                   ("--validation-split", "1.5", "must be in [0, 1). Received: 1.5"),
                                                   ("--momentum", "2", "must be in [0, 1)")])
def test_bad_flag_values_exit_2_before_any_output(capsys, tmp_path, flag, value, message):
    csv = tmp_path / "d.csv"
    csv.write_text("x,y\n1,2\n2,4\n3,6\n")
    with pytest.raises(SystemExit) as caught:
        cli.main(["train", str(csv), "--target", "y", flag, value])
    out, err = capsys.readouterr()
    assert caught.value.code == 2 and message in err and out == ""


@pytest.mark.parametrize("path", [[], ["--stream"], ["--workers", "2"]])
@pytest.mark.parametrize("value", ["-1", "nan", "inf"])
def test_a_bad_tolerance_is_refused_on_every_path_before_any_output(capsys, tmp_path, path, value):
    csv = tmp_path / "d.csv"
    csv.write_text("x,y\n1,2\n2,4\n3,6\n")
    with pytest.raises(SystemExit) as caught:
        cli.main(["train", str(csv), "--target", "y", "--tolerance", value, "--validation-split", "0", *path])
    out, err = capsys.readouterr()
    assert caught.value.code == 2 and out == ""
    assert f"argument --tolerance: must be a finite number >= 0. Received: {value}" in err


@pytest.mark.parametrize("command", [["demo", "line"], ["train", "{csv}", "--target", "y"],
                                     ["train", "{csv}", "--target", "y", "--stream"],
                                     ["train", "{csv}", "--target", "y", "--workers", "2"]])
@pytest.mark.parametrize("out", ["taken.txt", "taken.txt/sub"])
def test_an_out_that_cannot_be_a_folder_is_refused_before_any_work(capsys, tmp_path, command, out):
    csv = tmp_path / "d.csv"
    csv.write_text("x,y\n1,2\n2,4\n3,6\n4,8\n5,10\n")
    (tmp_path / "taken.txt").write_text("")
    status, printed, err = run(capsys, *[a.replace("{csv}", str(csv)) for a in command], "--out", str(tmp_path / out),
                               "--quiet", "--no-plots")
    assert status == 2 and printed == "" and err.count("\n") == 1, err
    assert f"{str(tmp_path / 'taken.txt')!r} is not a folder. Received: --out {tmp_path / out}" in err


def test_the_default_out_and_an_unwritable_out_are_checked_too(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "linnet-out").write_text("")
    status, _, err = run(capsys, "demo", "line", "--quiet", "--no-plots")
    assert status == 2 and "'linnet-out' is not a folder. Received: no --out (the default is linnet-out/line)" in err
    monkeypatch.setattr("os.access", lambda path, mode: False)
    status, _, err = run(capsys, "demo", "line", "--out", str(tmp_path / "new"))
    assert status == 2 and f"{str(tmp_path)!r} is not writable. Received: --out {tmp_path / 'new'}" in err


@pytest.mark.parametrize("address", ["nonsense", "threads", "tcp://host", "http://host:8786", "tcp://host:0",
                                     "tcp://host:65536", "tcp://[zz]:8786"])
def test_a_scheduler_that_is_not_an_address_is_refused_by_the_parser(capsys, address):
    with pytest.raises(SystemExit) as caught:
        cli.main(["ols", "data.parquet", "--target", "y", "--scheduler", address])
    out, err = capsys.readouterr()
    assert caught.value.code == 2 and out == ""
    assert "error: argument --scheduler: must be a Dask scheduler's address" in err and f"Received: {address!r}" in err


@pytest.mark.parametrize("address", ["tcp://10.0.0.5:8786", "localhost:8786", "tls://[::1]:8786",
                                     "ucx://node-1.cluster:13337", "inproc://10.0.0.5/4242/1"])
def test_scheduler_addresses_that_distributed_connects_to_are_taken(address):
    args = cli.build_parser().parse_args(["ols", "data.parquet", "--target", "y", "--scheduler", address])
    assert args.scheduler == address


def test_every_subcommand_has_help_with_an_example(capsys):
    for command in ("demo", "train", "predict", "inspect", "ols", "datasets"):
        with pytest.raises(SystemExit):
            cli.main([command, "--help"])
        assert "example: linnet " + command in capsys.readouterr().out.replace("\n", " ")


def test_every_argument_has_help_text():
    parser = cli.build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    missing = [f"{name} {action.dest}" for name, sub in commands.items() for action in sub._actions
               if not action.help]
    assert missing == []


def test_plots_flag_adds_the_landscape_and_the_gap(capsys, tmp_path, boston_out):
    status, out, _ = run(capsys, "demo", "noisy-line", "--out", str(tmp_path), "--plots", "--quiet")
    assert status == 0 and "and 6 figures" in out
    assert {"landscape.png", "gap.png", "loss.png"} <= {p.name for p in tmp_path.glob("*.png")}
    # every figure written is one the early --out check knows (cli.figures.FIGURES)
    assert {p.name for p in tmp_path.glob("*.png")} | {p.name for p in boston_out.glob("*.png")} <= set(FIGURES)
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["convergence"]["loss_ratio"] >= 1.0 and "least-squares answer" in metrics["convergence_text"]


def test_warnings_are_one_line_and_tiny_files_skip_the_comparison(capsys, tmp_path):
    data = tmp_path / "sorted.csv"
    data.write_text("a,y\n" + "\n".join(f"{i},{2 * i}" for i in range(60)) + "\n")
    result = subprocess.run([sys.executable, "-m", "linnet.cli", "train", str(data), "--target", "y", "--quiet",
                             "--no-plots", "--out", str(tmp_path / "o")], capture_output=True, text=True, check=False)
    assert result.returncode == 0  # in a real process: pytest would otherwise catch the warning itself
    assert "\nlinnet: warning: validation_split=0.2 holds out the last 12" in result.stderr
    assert "UserWarning" not in result.stderr and "model.fit(" not in result.stderr
    assert "Training has converged" in result.stderr  # y = 2a exactly: least squares' loss is 0
    tiny = tmp_path / "tiny.csv"
    tiny.write_text("a,y\n1,2\n2,4\n")
    status, _, err = run(capsys, "train", str(tiny), "--target", "y", "--quiet", "--no-plots",
                           "--out", str(tmp_path / "t"))
    assert status == 0 and "No comparison with the exact answer" in err


def test_a_rank_deficient_design_is_warned_about_once_with_the_column_names(tmp_path):
    """Stopping, metrics, comparison table, partial fits and gap figure share one least-squares result."""
    rng = np.random.default_rng(3)
    a = rng.normal(size=50)
    data = tmp_path / "collinear.csv"
    data.write_text("a,b,y\n" + "".join(f"{u},{2 * u},{3 * u + 1 + 0.1 * e}\n" for u, e in zip(a, rng.normal(size=50))))
    result = subprocess.run([sys.executable, "-m", "linnet.cli", "train", str(data), "--target", "y", "--quiet",
                             "--plots", "--out", str(tmp_path / "o")], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("rank-deficient") == 1, result.stderr
    assert "columns x[:, 0] ('a') and x[:, 1] ('b') are collinear" in result.stderr


def test_too_few_rows_solve_no_least_squares_for_the_figures_and_say_so(capsys, tmp_path):
    """With no more training rows than parameters the report skips least squares, but the partial fits and the gap
    solved it again (each warning of a rank-deficient design) and drew the degenerate answer."""
    import warnings
    data = tmp_path / "few.csv"
    data.write_text("a,b,c,y\n1,2,5,3\n2,1,3,4\n3,5,1,8\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        status, _, err = run(capsys, "train", str(data), "--target", "y", "--validation-split", "0", "--plots",
                             "--epochs", "5", "--quiet", "--out", str(tmp_path / "o"))
    assert status == 0 and [str(w.message) for w in caught] == []
    assert "No gap.png: no least-squares answer to measure from; it needs more training rows than parameters " \
           "(3 row(s) for 4 parameters)." in err
    assert {p.name for p in (tmp_path / "o").glob("*.png")} == {"fit.png", "loss.png", "predictions.png",
                                                                 "residuals.png"}


@pytest.mark.parametrize("flags, why", [
    ([], "it needs more training rows than parameters (3 row(s) for 4 parameters)"),
    (["--loss", "mae", "--learning-rate", "0.01", "--momentum", "0"],
     "it compares mean squared errors, and the loss is mae"),
], ids=["too few rows", "mae"])
def test_a_run_that_cannot_stop_at_least_squares_says_why_instead_of_not_reaching_it(capsys, tmp_path, flags, why):
    """The report said 'Ran all 5 epochs without reaching within 1e-08 of the least-squares loss' where no stop
    was set up (no least-squares answer, or a loss that is not the MSE), as if the run had missed it."""
    data = tmp_path / "rows.csv"
    rows = "1,2,5,3\n2,1,3,4\n3,5,1,8\n" if not flags else "".join(f"{i},{i % 3},{i % 5},{2 * i}\n" for i in range(9))
    data.write_text("a,b,c,y\n" + rows)
    status, _, err = run(capsys, "train", str(data), "--target", "y", "--validation-split", "0", "--no-plots",
                         "--epochs", "5", "--quiet", "--out", str(tmp_path / "o"), *flags)
    assert status == 0
    assert f"Ran all 5 epochs: no stop at the least-squares loss ({why})." in err
    assert f"up to 5 epochs, no stop at the least-squares loss ({why})," in err  # the settings line said "stop within"
    assert "without reaching" not in err and "stop within" not in err


@pytest.mark.parametrize("columns, rows, names", [(1, 2, ["fit.png", "fit_test.png"]), (3, 3, ["fit.png"])])
def test_the_fit_figures_of_too_few_rows_say_why_there_is_no_least_squares_line(columns, rows, names):
    """(``fit_test.png`` of several features is ``plot.predictions``, which draws no least squares.)"""
    from matplotlib.figure import Figure

    from linnet.cli import figures, report, tasks
    x, y = np.array([[1.0, 2.0, 5.0], [2.0, 1.0, 3.0], [3.0, 5.0, 1.0]])[:rows, :columns], np.array([3.0, 4.0, 8.0])
    task = tasks.Task("few", x, y[:rows], ["a", "b", "c"][:columns], "y", "sgd", 0.01, 2, test=(x, y[:rows]))
    drawings = figures.figures(tasks.train(task, verbose=0), *report.training_rows(task))
    why = f"no least-squares line: it needs more training rows than parameters ({rows} row(s) for {columns + 1} "
    for name in names:
        figure = Figure()
        drawings[name](figure)
        titles = [figure.get_suptitle(), *(ax.get_title() for ax in figure.axes)]
        assert any(why in title for title in titles), titles
        assert not any("least squares" in line.get_label() for ax in figure.axes for line in ax.get_lines())


@pytest.mark.filterwarnings("ignore:validation_split=0.2 holds out")  # the rows are sorted on purpose
def test_predict_takes_rows_of_several_features_from_x(capsys, tmp_path):
    data = tmp_path / "plane.csv"
    data.write_text("a,b,y\n" + "\n".join(f"{i},{i % 7},{i - (i % 7) + 1}" for i in range(40)) + "\n")
    assert cli.main(["train", str(data), "--target", "y", "--quiet", "--no-plots", "--epochs", "2",
                     "--out", str(tmp_path / "o")]) == 0
    capsys.readouterr()
    model = str(tmp_path / "o" / "model.linnet")
    status, out, _ = run(capsys, "predict", model, "--x", "1", "2", "3", "4")
    assert status == 0 and len(out.split()) == 2
    status, _, err = run(capsys, "predict", model, "--x", "1", "2", "3")
    assert status == 2 and "takes 2 features per row" in err


def test_predict_output_is_written_whole_and_a_folder_is_named(tmp_path, capsys):
    """--output was written in place (a crash mid-write left part of a file) and a folder given as --output was a
    raw IsADirectoryError."""
    assert cli.main(["demo", "line", "--out", str(tmp_path / "out"), "--quiet"]) == 0
    model = tmp_path / "out" / "model.linnet"
    target = tmp_path / "predictions.csv"
    target.write_text("old\n")
    assert cli.main(["predict", str(model), "--x", "1", "2", "--output", str(target)]) == 0
    assert target.read_text().splitlines()[0].startswith("predicted_") and len(target.read_text().splitlines()) == 3
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary left
    capsys.readouterr()
    assert cli.main(["predict", str(model), "--x", "1", "--output", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"--output {tmp_path}: cannot write the predictions there" in err and err.count("\n") == 1, err


def test_workers_beyond_four_per_core_are_refused_by_the_parser(capsys, tmp_path):
    """--workers 1000 went straight to LocalCluster(n_workers=1000, processes=True) on a 2-core machine."""
    import os
    csv = tmp_path / "d.csv"
    csv.write_text("x,y\n1,2\n2,4\n3,6\n")
    too_many = 4 * (os.cpu_count() or 1) + 1
    with pytest.raises(SystemExit) as caught:
        cli.main(["ols", str(csv), "--target", "y", "--workers", str(too_many)])
    err = capsys.readouterr().err
    assert caught.value.code == 2
    assert f"argument --workers: must be at most {too_many - 1} (4 local processes per core)" in err


def test_a_constant_feature_column_is_refused_before_training(capsys, tmp_path):
    """Its coefficient trades off with the intercept: standardized (÷ a floored std of 1e-7) it came out as
    ``2.04·x + 1.91e7·k − 1.337e8``, and a prediction at k=2 as -2.2e8, with status 0."""
    data = tmp_path / "const.csv"
    data.write_text("x,k,y\n1,7,2\n2,7,4.1\n3,7,5.9\n4,7,8.2\n5,7,9.9\n6,7,12.1\n")
    status, out, err = run(capsys, "train", str(data), "--target", "y", "--quiet", "--no-plots",
                           "--out", str(tmp_path / "o"))
    assert status == 2 and out == "" and err.count("\n") == 1
    assert "Feature column(s) 'k' (always 7) take one value on all 4 training rows" in err
    assert not (tmp_path / "o").exists()
    status, out, _ = run(capsys, "train", str(data), "--target", "y", "--features", "x", "--quiet", "--no-plots",
                         "--seed", "0", "--out", str(tmp_path / "o"))
    metrics = json.loads((tmp_path / "o" / "metrics.json").read_text())
    assert status == 0 and "Learned equation: y = 2.04·x" in out
    # least squares on the 4 training rows: slope Σ(x-x̄)(y-ȳ)/Σ(x-x̄)² = 10.2/5, intercept 5.05 - 2.04·2.5
    np.testing.assert_allclose([*metrics["coef"], metrics["intercept"]], [2.04, -0.05], atol=1e-4)


def test_the_demo_advice_names_what_the_tutorial_changes_not_flags_demo_lacks(capsys, tmp_path):
    """``linnet demo`` has no --learning-rate or --normalize: its advice named them, and following it failed."""
    status, _, err = run(capsys, "demo", "boston", "--quiet", "--no-plots", "--out", str(tmp_path / "o"))
    advice = [line for line in err.splitlines() if line.startswith("  - ")]
    assert status == 0 and len(advice) == 2 and "--" not in "".join(advice)
    assert advice[0].startswith("  - use a larger learning rate (the optimizer's learning_rate): RMSprop moves")
    assert advice[1].startswith("  - normalize the inputs (add a Normalization layer adapted to x): ")
    with pytest.raises(SystemExit):  # what the old advice said to do
        cli.main(["demo", "boston", "--learning-rate", "0.05"])


def test_figures_are_written_whole_or_not_at_all(tmp_path, monkeypatch):
    """A figure whose writing fails half way (disk full) leaves the figure of the last run, as the model file and
    metrics.json do; written straight to its path it was left truncated."""
    from matplotlib.figure import Figure

    from linnet.cli import figures
    (tmp_path / "gap.png").write_bytes(b"the last run's figure")

    def broken_savefig(self, target, **kwargs):
        with open(target, "wb") if isinstance(target, (str, type(tmp_path))) else target as stream:
            stream.write(b"\x89PNG half")
            raise OSError("No space left on device")

    monkeypatch.setattr(Figure, "savefig", broken_savefig)
    with pytest.raises(OSError, match="No space left"):
        figures.save({"gap.png": lambda figure: None}, tmp_path, 1)
    assert (tmp_path / "gap.png").read_bytes() == b"the last run's figure"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gap.png"]


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path):
    """``linnet ols data.csv --target y | head -0``: the pipe closes before linnet writes. Unix tools stop
    quietly (status 141, 128 + SIGPIPE); linnet printed 'linnet: error: [Errno 32] Broken pipe'."""
    data = tmp_path / "d.csv"
    data.write_text("x,y\n" + "".join(f"{i},{2 * i + 1 + (i % 3)}\n" for i in range(20)))
    process = subprocess.Popen([sys.executable, "-m", "linnet.cli", "ols", str(data), "--target", "y"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # the reader is gone before the first line
    error = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141 and error == ""


@pytest.mark.parametrize("loss", ["MSE", "mean_squared_error"])
def test_any_name_of_the_mse_keeps_the_stop_at_least_squares(capsys, tmp_path, loss):
    """--loss mean_squared_error (or MSE) switched the stop off, saying 'no stop at the least-squares loss (it
    compares mean squared errors, and the loss is mean_squared_error)'."""
    data = tmp_path / "rows.csv"
    rows = [(7 * i) % 30 for i in range(30)]  # shuffled: a sorted file gets the validation-tail warning
    data.write_text("a,y\n" + "".join(f"{i},{2 * i + 1 + (i % 3)}\n" for i in rows))
    status, _, err = run(capsys, "train", str(data), "--target", "y", "--no-plots", "--quiet", "--loss", loss,
                         "--out", str(tmp_path / "o"))
    assert status == 0
    assert "stop within 1e-08 (relative) of the least-squares loss" in err and "no stop" not in err


def test_the_test_loss_is_labelled_with_the_loss_it_is(tmp_path):
    """It was always labelled 'Test loss (mse)', whatever the loss."""
    from linnet.cli import tasks
    x = np.linspace(0.0, 1.0, 20).reshape(-1, 1)
    task = tasks.Task("line", x, 2 * x[:, 0] + 1, ["x"], "y", "sgd", 0.05, 3, loss="mae", test=(x, 2 * x[:, 0]))
    lines = []
    tasks.run(task, tmp_path, verbose=0, plots=False, echo=lines.append, diagnose=lambda _: None)
    assert any(line.startswith("Test loss (mae) ") for text in lines for line in text.splitlines())
    assert json.loads((tmp_path / "metrics.json").read_text())["loss"] == "mae"


def test_metrics_json_is_strict_json_with_null_for_numbers_that_are_not_finite(tmp_path, capsys):
    """A constant target has an undefined R² (NaN) and a loss ratio to least squares' 0 (inf): metrics.json had
    them as NaN and Infinity, which JavaScript, jq and json.loads(parse_constant=...) refuse. They are null."""
    rows = ["a,y"] + [f"{v:.6f},5" for v in np.random.default_rng(0).normal(size=50)]
    (tmp_path / "c.csv").write_text("\n".join(rows) + "\n")
    status, _, _ = run(capsys, "train", str(tmp_path / "c.csv"), "--target", "y", "--out", str(tmp_path / "o"),
                         "--no-plots", "--quiet", "--epochs", "3", "--tolerance", "0")
    assert status == 0
    text = (tmp_path / "o" / "metrics.json").read_text()
    metrics = json.loads(text, parse_constant=lambda constant: pytest.fail(f"metrics.json holds {constant}"))
    assert metrics["rsquared"] is None and metrics["least_squares"]["rsquared"] is None
    assert metrics["least_squares"]["intercept"] == 5.0

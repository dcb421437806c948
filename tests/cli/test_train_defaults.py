"""`linnet train FILE --target T` with no other flag reaches least squares on data of any scale, and the CLI's
handling of messy files, bundled data, optional dependencies and its quiet demos."""

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linnet import cli
from linnet.cli import tasks
from linnet.data import boston_housing


def write_csv(path, x, y, names, target="y"):
    rows = [",".join([*names, target])] + [",".join(f"{v:.12g}" for v in (*row, t)) for row, t in zip(x, y)]
    path.write_text("\n".join(rows) + "\n")
    return path


def houses(n=500, seed=0):
    """The issue's file: price_k ~ 200 from sqft ~ 1,500, age_years and dist_km."""
    rng = np.random.default_rng(seed)
    x = np.column_stack([rng.normal(1500, 300, n), rng.uniform(0, 80, n), rng.uniform(1, 30, n)])
    y = 51.2 + 0.1 * x[:, 0] - 0.5 * x[:, 1] - 1.5 * x[:, 2] + rng.normal(0, 20, n)
    return x, y


def default_run(path, out, target="y"):
    lines = []
    metrics = tasks.run(tasks.task_from_file(path, target), out, verbose=0, plots=False, echo=lines.append)
    return metrics, "\n".join(lines)


def assert_at_least_squares(metrics):
    exact, held = metrics["least_squares"], metrics["validation"]
    assert metrics["convergence"]["loss_ratio"] <= 1.01 and metrics["convergence"]["converged"]
    assert abs(metrics["rsquared"] - exact["rsquared"]) <= 1e-3
    assert held["mse"] <= 1.01 * held["least_squares_mse"] or abs(held["mse"] / held["least_squares_mse"] - 1) < 0.01
    assert abs(held["rsquared"] - held["least_squares_rsquared"]) <= 1e-3


def test_the_issue_houses_file_trains_to_least_squares_by_default(tmp_path):
    x, y = houses()
    path = write_csv(tmp_path / "houses.csv", x, y, ["sqft", "age_years", "dist_km"], "price_k")
    metrics, text = default_run(path, tmp_path / "out", "price_k")
    assert_at_least_squares(metrics)
    exact = metrics["least_squares"]
    assert metrics["intercept"] == pytest.approx(exact["intercept"], rel=1e-2)  # 51.2, not 0.61
    np.testing.assert_allclose(metrics["coef"], exact["coef"], rtol=1e-2)
    assert metrics["equation"].startswith("price_k = ") and "·sqft" in metrics["equation"]
    assert metrics["stopped_epoch"] is not None and metrics["epochs_run"] < 1000
    assert set(metrics["automatic"]) == {"learning_rate", "momentum"}
    assert "Stopped after" in text and "Chosen from the data (auto): learning rate" in text


@settings(max_examples=12, deadline=None)
@given(st.integers(1, 5), st.integers(50, 600), st.floats(-3, 6), st.floats(0, 6), st.floats(0.0, 0.95),
       st.integers(0, 2**16))
def test_default_training_reaches_least_squares_at_any_scale_and_offset(tmp_path_factory, d, n, log_scale, log_offset,
                                                                         correlation, seed):
    rng = np.random.default_rng(seed)
    scale = 10.0 ** log_scale
    offset = min(10.0 ** log_offset, 1e4 * scale)  # float32 (Keras' too) keeps at least 4 digits of each deviation
    cov = np.full((d, d), correlation) + (1 - correlation) * np.eye(d)
    z = rng.standard_normal((n, d)) @ np.linalg.cholesky(cov).T
    y = offset + scale * (z @ rng.uniform(-2, 2, d) + rng.standard_normal(n))
    folder = tmp_path_factory.mktemp("fuzz")
    path = write_csv(folder / "d.csv", offset + scale * z, y, [f"x{j}" for j in range(d)])
    assert_at_least_squares(default_run(path, folder / "out")[0])


def test_every_default_is_printed_and_overridable(capsys, tmp_path):
    x, y = houses(200)
    path = write_csv(tmp_path / "h.csv", x, y, ["a", "b", "c"])
    assert cli.main(["train", str(path), "--target", "y", "--quiet", "--no-plots", "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert ("Settings: optimizer sgd, learning rate auto, momentum auto, batch size all training rows, up to 1000 "
            "epochs, stop within 1e-08 (relative) of the least-squares loss, standardized inputs and target, "
            "validation split 0.2, loss mse") in err
    assert cli.main(["train", str(path), "--target", "y", "--quiet", "--no-plots", "--out", str(tmp_path),
                     "--learning-rate", "0.1", "--momentum", "0", "--epochs", "3", "--batch-size", "10",
                     "--tolerance", "0", "--no-standardize", "--normalize", "--validation-split", "0"]) == 0
    err = capsys.readouterr().err
    assert "learning rate 0.1, momentum 0.0, batch size 10, up to 3 epochs, standardized inputs, validation split 0" \
           in err and "Stopped" not in err


def test_a_messy_file_skips_text_columns_encodes_categories_and_drops_missing_rows(capsys, tmp_path):
    rng = np.random.default_rng(5)
    region = rng.choice(["east", "north", "west"], 120)
    sqft = rng.normal(1500, 300, 120)
    price = 50 + 0.1 * sqft + np.select([region == "north", region == "west"], [20, -10], 0) + rng.normal(0, 5, 120)
    lines = ["sqft,region,price"] + [f"{s:.3f},{r},{p:.3f}" for s, r, p in zip(sqft, region, price)]
    lines[7] = lines[7].split(",")[0] + ",east,"
    path = tmp_path / "messy.csv"
    path.write_text("\n".join(lines) + "\n")
    base = ["train", str(path), "--target", "price", "--quiet", "--no-plots", "--out", str(tmp_path / "o")]
    with pytest.warns(UserWarning, match=r"skipped the non-numeric column\(s\) 'region'.*--categorical region"):
        assert cli.main(base) == 2
    err = capsys.readouterr().err
    assert "Column 'price' has a missing value ('') on line 8" in err and "--dropna" in err
    with pytest.warns(UserWarning, match=r"dropped 1 of 120 row\(s\) with a missing value"):
        assert cli.main([*base, "--dropna", "--categorical", "region"]) == 0
    out, err = capsys.readouterr()
    assert "·region=north" in out and "·region=west" in out and "region=east" not in out  # east is the baseline
    equation = out.split("Learned equation: ")[1].splitlines()[0]
    north = float(equation.split("·region=north")[0].split()[-1])
    assert north == pytest.approx(20, abs=4)


def test_datasets_lists_and_exports_the_readme_file(capsys, tmp_path):
    assert cli.main(["datasets"]) == 0 and "boston  506 rows" in capsys.readouterr().out
    target = tmp_path / "boston.csv"
    assert cli.main(["datasets", "export", "boston", str(target)]) == 0
    text = target.read_text()
    assert text.splitlines()[0].endswith(",LSTAT,MEDV") and len(text.splitlines()) == 507
    np.testing.assert_array_equal(np.loadtxt(target, delimiter=",", skiprows=1)[:, -1],
                                  np.concatenate([boston_housing.load_data(test_split=0)[0][1]])[
                                      np.argsort(np.random.RandomState(113).permutation(506))])
    assert cli.main(["datasets", "export", "iris", str(target)]) == 2


def test_predictions_header_and_inspect_rounding(capsys, tmp_path):
    out = tmp_path / "boston"
    assert cli.main(["demo", "boston", "--out", str(out), "--no-plots"]) == 0
    capsys.readouterr()
    assert cli.main(["predict", str(out / "model.linnet"), "--x", "6", "--output", str(tmp_path / "p.csv")]) == 0
    assert (tmp_path / "p.csv").read_text().splitlines()[0] == "predicted_price"
    assert cli.main(["inspect", str(out / "model.linnet")]) == 0
    text = capsys.readouterr().out
    assert '"learning_rate": 0.005' in text and "0.004999999888241291" not in text


def test_a_missing_optional_dependency_is_one_line_naming_the_extra(tmp_path):
    program = ("import sys; sys.modules['pyarrow'] = None; from linnet.cli.main import main; "
               f"sys.exit(main(['ols', {str(tmp_path / 'f.parquet')!r}, '--target', 'y']))")
    (tmp_path / "f.parquet").write_bytes(b"PAR1")
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=False)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "linnet[parquet]" in result.stderr and "Traceback" not in result.stderr


def test_demo_is_quiet_even_on_a_terminal_unless_verbose(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(tasks, "progress_verbosity", lambda stream=None: 1)
    assert cli.main(["demo", "line", "--out", str(tmp_path), "--no-plots"]) == 0
    assert "Epoch" not in capsys.readouterr().err
    assert cli.main(["demo", "line", "--out", str(tmp_path), "--no-plots", "--verbose"]) == 0
    assert "Epoch 500/500" in capsys.readouterr().err


def test_a_constant_target_trains_with_a_sane_rate_and_stops_at_its_value(tmp_path):
    """y = 5 everywhere: the target's Normalization had a standard deviation of 0, floored at 1e-7, so the neuron's
    output was scaled by 1e-7 and the automatic learning rate came out ~5e13; training ran every epoch and the
    report said "not converged", advising a lower learning rate. The target is now only centred."""
    x = np.random.default_rng(0).normal(size=(200, 2))
    metrics, text = default_run(write_csv(tmp_path / "constant.csv", x, np.full(200, 5.0), ["a", "b"]), tmp_path)
    assert metrics["automatic"]["learning_rate"] < 1 and metrics["stopped_epoch"] is not None
    assert np.abs(metrics["coef"]).max() < 1e-5 and metrics["intercept"] == pytest.approx(5)
    assert metrics["convergence"]["converged"] and not metrics["convergence"]["advice"]
    assert "not converged" not in text and "R² is undefined" in text

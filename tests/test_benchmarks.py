"""The benchmark runner (benchmarks/run.py): linnet alone on the smallest tutorial, and the report's arithmetic.

No peer framework is needed: ``--peers none`` runs linnet only. Timings are printed, never asserted.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import report  # noqa: E402
import run  # noqa: E402

KERAS_LINE_LOSS = 5.42747
"""Keras 3.15.1's last-epoch loss on the ``line`` workload (kernel 0.5, bias 0, Adam 0.1, 500 epochs)."""


@pytest.fixture(scope="module")
def line_output(tmp_path_factory) -> str:
    source = str(BENCHMARKS.parent / "src")
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])}
    finished = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--peers", "none", "--workloads", "line", "--repeat", "1",
         "--data-dir", str(tmp_path_factory.mktemp("data"))],
        capture_output=True, text=True, env=environment, timeout=60)
    assert finished.returncode == 0, finished.stderr
    return finished.stdout


def test_runner_prints_a_row_of_numbers_for_linnet(line_output):
    row = next(line for line in line_output.splitlines() if line.startswith("| linnet"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    import_s, fit_s, whole_s, peak_mb = (float(cell) for cell in cells[1:5])
    assert 0 < import_s < whole_s and 0 < fit_s < whole_s
    assert 10 < peak_mb < 1000
    assert cells[8:11] == ["1", "1", "1"]  # linnet's ratios to itself


def test_line_workload_ends_at_the_keras_loss(line_output):
    row = next(line for line in line_output.splitlines() if line.startswith("| linnet"))
    loss = float(row.strip("|").split("|")[6])
    assert loss == pytest.approx(KERAS_LINE_LOSS, rel=1e-5)


def test_memory_target_is_checked(line_output):
    assert re.search(r"met +line: linnet peak RSS \d+ MB \(target < 80 MB\)", line_output)


def test_schedule_rotates_the_peers_and_skips_what_a_peer_cannot_run():
    plan = run.schedule(["line", "ols"], ["linnet", "keras", "numpy"], repeat=2)
    assert plan == [(0, "line", "linnet"), (0, "line", "keras"), (0, "line", "numpy"),
                    (0, "ols", "linnet"), (0, "ols", "numpy"),
                    (1, "line", "keras"), (1, "line", "numpy"), (1, "line", "linnet"),
                    (1, "ols", "numpy"), (1, "ols", "linnet")]


def _run(peer, fit_s, whole_s, peak_mb=30.0, coef=(2.0,), intercept=30.0):
    return {"workload": "line", "peer": peer, "version": "0", "import_s": 0.1, "fit_s": fit_s, "whole_s": whole_s,
            "peak_mb": peak_mb, "extra_mb": 1.0, "loss": 1.0, "coef": list(coef), "intercept": intercept}


def test_summary_takes_medians_and_ranges_and_ratios_divide_medians():
    runs = [_run("linnet", fit, 0.5) for fit in (0.3, 0.1, 0.2)] + [_run("keras", fit, 5.0, 600.0)
                                                                     for fit in (40.0, 20.0, 30.0)]
    runs.append({"workload": "line", "peer": "keras", "error": ["boom"]})
    summary = report.summarize(runs)
    assert summary["line", "linnet"]["fit_s"] == (0.2, 0.1, 0.3)
    assert summary["line", "keras"]["n"] == 3
    assert report.ratio(summary, "line", "keras", "fit_s") == pytest.approx(150.0)
    assert report.ratio(summary, "line", "keras", "peak_mb") == pytest.approx(20.0)
    assert report.ratio(summary, "line", "torch", "fit_s") is None


def test_params_gap_is_measured_against_numpy():
    summary = report.summarize([_run("linnet", 0.1, 0.5, coef=(2.5,), intercept=29.0),
                                _run("numpy", 0.1, 0.5, coef=(2.0,), intercept=30.0)])
    assert report.params_gap(summary, "line", "linnet") == pytest.approx(1.0)


def test_unknown_peer_is_refused_with_the_choices():
    with pytest.raises(SystemExit, match="unknown peer.*tensorflow.*choose from keras, torch"):
        run.chosen_peers("tensorflow")


def test_unknown_workload_is_refused_with_a_hint():
    with pytest.raises(SystemExit, match="unknown workload 'bostn' \\(did you mean 'boston'\\?\\)"):
        run.main(["--workloads", "bostn", "--peers", "none"])


def test_sweep_plan_runs_numpy_on_the_exact_solve_only():
    plan, rows = run.build_plan(run.parse_arguments(["--sweep", "--sweep-rows", "1e3,1e4", "--repeat", "1"]))
    assert rows == [1000, 10000]
    assert plan == [(0, "ols@1000", "linnet"), (0, "ols@1000", "numpy"), (0, "epoch1024@1000", "linnet"),
                    (0, "ols@10000", "linnet"), (0, "ols@10000", "numpy"), (0, "epoch1024@10000", "linnet")]

"""`linnet train FILE --target y` with no other flag, on synthetic CSV files of every scale: the neuron's R² and MSE
beside least squares', on the training rows and on the held-out tail, and the wall time of the whole command.

    python benchmarks/default_train.py [--repeat 3] [--only NAME ...] [--keep DIR]

Each file is written into a temporary folder (or ``--keep DIR``); each run is a fresh process (``python -m
linnet.cli train ... --quiet --no-plots``) whose wall time is the median of ``--repeat`` runs (min–max beside
it). The R² and MSE come from the run's ``metrics.json``. Prints a Markdown table (docs/defaults.md holds one).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Case:
    """A synthetic CSV: ``rows`` rows of ``features`` columns ``x_j = offset_j + scale_j·z_j`` (``z`` standard
    normal, pairwise correlation ``correlation``), ``y = y_offset + y_scale·(Σ z_j·w_j + noise·e)``."""

    name: str
    rows: int
    features: int
    offset: float = 0.0
    scale: float = 1.0
    correlation: float = 0.0
    y_offset: float = 0.0
    y_scale: float = 1.0
    noise: float = 0.5


CASES = [
    Case("houses (the issue's)", 500, 3, offset=1500.0, scale=300.0, y_offset=200.0, y_scale=40.0),
    Case("tiny, one feature", 50, 1, offset=10.0, scale=2.0, y_offset=5.0),
    Case("offset 1e6, scale 1e3", 2_000, 4, offset=1e6, scale=1e3, y_offset=1e6, y_scale=1e3),
    Case("scales 1e-3", 1_000, 5, offset=0.01, scale=1e-3, y_offset=1e-2, y_scale=1e-3),
    Case("scales 1e6, target offset 1e6", 5_000, 8, scale=1e6, y_offset=1e6, y_scale=1e5),
    Case("correlated 0.99", 3_000, 6, offset=100.0, scale=10.0, correlation=0.99, y_offset=50.0, y_scale=5.0),
    Case("mixed scales 1e-3..1e6", 10_000, 10, offset=1e3, scale=-1.0, y_offset=1e4, y_scale=100.0),
    Case("30 features, correlated 0.9", 100_000, 30, offset=50.0, scale=3.0, correlation=0.9, y_offset=1e3,
         y_scale=20.0, noise=1.0),
    Case("1,000,000 rows", 1_000_000, 5, offset=1e4, scale=1e2, correlation=0.5, y_offset=1e5, y_scale=1e3),
]


def make_csv(case: Case, folder: Path, seed: int = 0) -> Path:
    """Write ``case`` as ``folder/<slug>.csv`` (columns ``x1..xd, y``) and return its path."""
    rng = np.random.default_rng(seed)
    d = case.features
    cov = np.full((d, d), case.correlation) + (1 - case.correlation) * np.eye(d)
    z = rng.standard_normal((case.rows, d)) @ np.linalg.cholesky(cov).T
    scale = np.logspace(-3, 6, d) if case.scale < 0 else np.full(d, case.scale)  # scale -1: one per decade
    x = case.offset + scale * z
    w = rng.uniform(-2, 2, d)
    y = case.y_offset + case.y_scale * (z @ w + case.noise * rng.standard_normal(case.rows))
    path = folder / f"{''.join(c if c.isalnum() else '_' for c in case.name)}.csv"
    header = ",".join([*(f"x{j + 1}" for j in range(d)), "y"])
    np.savetxt(path, np.column_stack([x, y]), delimiter=",", header=header, comments="", fmt="%.10g")
    return path


def run_default(path: Path, out: Path) -> tuple[float, dict]:
    """Seconds of one fresh ``linnet train path --target y`` and the metrics it wrote."""
    source = str(Path(__file__).resolve().parent.parent / "src")
    start = time.perf_counter()
    finished = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {source!r}); from linnet.cli."
                               f"main import main; sys.exit(main())", "train", str(path), "--target", "y", "--quiet",
                               "--no-plots", "--out", str(out)], capture_output=True, text=True, check=False)
    if finished.returncode:
        raise SystemExit(f"linnet train {path.name} failed:\n{finished.stderr}")
    return time.perf_counter() - start, json.loads((out / "metrics.json").read_text())


def row(case: Case, seconds: list[float], metrics: dict) -> str:
    exact, held = metrics["least_squares"], metrics.get("validation", {})
    median = statistics.median(seconds)
    return (f"| {case.name} | {case.rows:,} × {case.features} | {metrics['rsquared']:.6f} | {exact['rsquared']:.6f} "
            f"| {metrics['convergence']['loss']:.6g} | {exact['mse']:.6g} | {metrics['convergence']['loss_ratio']:.6f} "
            f"| {held.get('rsquared', float('nan')):.6f} | {held.get('least_squares_rsquared', float('nan')):.6f} "
            f"| {metrics['epochs_run']} | {'yes' if metrics['convergence']['converged'] else 'NO'} "
            f"| {median:.2f} ({min(seconds):.2f}–{max(seconds):.2f}) |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="fresh runs per file (default 3)")
    parser.add_argument("--only", nargs="+", help="run only the cases whose name contains one of these")
    parser.add_argument("--keep", type=Path, help="write the CSV files and outputs here instead of a temp folder")
    args = parser.parse_args(argv)
    cases = [c for c in CASES if not args.only or any(part in c.name for part in args.only)]
    print("| file | rows × features | R² train (neuron) | R² train (least squares) | MSE train (neuron) "
          "| MSE train (least squares) | MSE ratio | R² held-out (neuron) | R² held-out (least squares) "
          "| epochs | converged | wall time, s: median (min–max) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        for case in cases:
            path = make_csv(case, folder)
            runs = [run_default(path, folder / f"{path.stem}-out") for _ in range(args.repeat)]
            print(row(case, [seconds for seconds, _ in runs], runs[-1][1]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

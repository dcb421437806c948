"""Dask targets of issue 10: ``linnet.dask.ols`` on a LocalCluster against one process and against dask-ml.

    python benchmarks/scale_dask.py                    # 50M x 20 float32 Parquet (4.8 GB, 50 row groups)
    python benchmarks/scale_dask.py --rows 5000000     # smaller

Generates the Parquet file once (float32 features ``x1..xp`` and target ``y``; one row group per million rows),
then times, each in a fresh process, ``--repeat`` times in rotation:

- ``single``: one process reading the row groups with pyarrow (``pre_buffer=False``) into one
  ``LeastSquaresState`` and solving: what ``linnet.ols`` on the file does without Dask;
- ``dask``: ``linnet.dask.ols`` on ``linnet.dask.read_parquet`` (``--reader dask``: ``dask.dataframe.read_parquet``;
  one partition per row group either way) on a
  ``distributed.LocalCluster`` of 2 worker processes, 1 thread each (the cluster's start-up is not timed);
- ``dask-ml``: ``dask_ml.linear_model.LinearRegression(solver="newton", penalty=None)`` on the same collection
  and cluster (needs ``pip install dask-ml``; skipped without it).

Each fresh process makes two calls, both timed the same way (building the collection, fitting, the result on the
client): **cold**, the first, on workers that have imported nothing yet (each worker imports pandas, pyarrow,
Dask's and the runner's modules while computing), and **warm**, the second, on the same cluster, as a long-lived
cluster would see. For ``single`` the imports precede both calls (the second reads from a warm page cache too).
Prints the ratios (cold and warm, targets first), then medians with min-max, and the largest coefficient
difference to ``single``. Nothing is asserted: targets are read from the table (docs/dask.md).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from _bytecode import compile_linnet

ROWS_PER_GROUP = 1_000_000
RUNNERS = ("single", "dask", "dask-ml")
CALLS = ("cold", "warm")


def make_parquet(path: Path, rows: int, features: int, seed: int = 0) -> None:
    """A float32 Parquet file ``y = x·(1..p) + 3 + noise``, one row group per ``ROWS_PER_GROUP`` rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    rng = np.random.default_rng(seed)
    names = [f"x{j}" for j in range(1, features + 1)]
    schema = pa.schema([(name, pa.float32()) for name in [*names, "y"]])
    with pq.ParquetWriter(path.with_suffix(".tmp"), schema) as writer:
        for start in range(0, rows, ROWS_PER_GROUP):
            count = min(ROWS_PER_GROUP, rows - start)
            x = rng.standard_normal((count, features), dtype=np.float32)
            y = x @ np.arange(1, features + 1, dtype=np.float32) + 3 + rng.standard_normal(count, dtype=np.float32)
            writer.write_table(pa.Table.from_arrays([*x.T, y], schema=schema), row_group_size=count)
    path.with_suffix(".tmp").rename(path)


def run_single(path: Path) -> list[tuple[float, list[float]]]:
    """Two calls of :func:`single` (cold, warm), the imports before both."""
    import pyarrow.parquet  # noqa: F401

    import linnet.exact  # noqa: F401
    return [timed(single, path) for _ in CALLS]


def single(path: Path) -> list[float]:
    import pyarrow.parquet as pq

    from linnet.exact import LeastSquaresState, OLSResult
    file = pq.ParquetFile(path, pre_buffer=False)
    state = LeastSquaresState()
    names = [name for name in file.schema_arrow.names if name != "y"]
    for group in range(file.num_row_groups):
        table = file.read_row_group(group, columns=[*names, "y"])
        x = np.column_stack([table.column(name).to_numpy() for name in names])
        state.update(x, table.column("y").to_numpy())
    return OLSResult.from_moments(state).params.tolist()


def run_dask(path: Path, runner: str, reader: str) -> list[tuple[float, list[float]]]:
    """Two calls of :func:`fit_dask` (cold, warm) on one new cluster; its start-up and the client's imports are
    not timed, the workers' imports are (in the cold call)."""
    import dask.dataframe  # noqa: F401
    from distributed import Client, LocalCluster

    import linnet.dask.parquet
    import linnet.dask.reduce  # noqa: F401  (linnet.dask loads its names on first use)
    if runner == "dask-ml":
        import dask_ml.linear_model  # noqa: F401
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        client.wait_for_workers(2)
        return [timed(fit_dask, path, runner, reader, client) for _ in CALLS]


def fit_dask(path: Path, runner: str, reader: str, client) -> list[float]:
    """The collection built and fitted by ``runner``: the intercept and coefficients on the client."""
    import dask.dataframe as dd

    import linnet.dask
    frame = linnet.dask.read_parquet(path) if reader == "linnet" else dd.read_parquet(path, split_row_groups=True)
    if runner == "dask":
        return linnet.dask.ols(frame, target="y", scheduler=client).params.tolist()
    from dask_ml.linear_model import LinearRegression
    table = frame.to_dask_array(lengths=True)  # the columns x1..xp, y (lengths: one more pass)
    x, y = table[:, :-1], table[:, -1]
    model = LinearRegression(solver="newton", penalty=None, fit_intercept=True).fit(x, y)
    return np.concatenate([[model.intercept_], model.coef_]).astype(float).tolist()


def timed(function, *args) -> tuple[float, list[float]]:
    start = time.perf_counter()
    params = function(*args)
    return time.perf_counter() - start, params


def one(args) -> None:
    """Child process: time one runner's two calls, print ``{"cold": {"seconds": s, "params": [...]}, "warm": ...}``."""
    path = Path(args.path)
    calls = run_single(path) if args.one == "single" else run_dask(path, args.one, args.reader)
    print(json.dumps({call: {"seconds": seconds, "params": params} for call, (seconds, params) in zip(CALLS, calls)}))


def measure(path: Path, runner: str, reader: str) -> dict | None:
    finished = subprocess.run([sys.executable, __file__, "--one", runner, "--path", str(path), "--reader", reader],
                              capture_output=True, text=True)
    if finished.returncode:
        print(f"{runner} failed: {finished.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    return json.loads(finished.stdout.strip().splitlines()[-1])


def report(results: dict[str, list[dict]]) -> None:
    """The ratios of the medians, cold and warm (the targets' first), then one row per runner and call."""
    times = {(name, call): [run[call]["seconds"] for run in runs] for name, runs in results.items() if runs
             for call in CALLS}
    median = {key: statistics.median(values) for key, values in times.items()}
    for slower, faster, target in (("dask", "single", "target <= 1.3"), ("dask-ml", "dask", "target >= 10")):
        if (slower, "cold") in median and (faster, "cold") in median:
            cold, warm = (median[slower, call] / median[faster, call] for call in CALLS)
            print(f"ratio {slower} / {faster}: cold {cold:.2f}, warm {warm:.2f} ({target})")
    reference = np.array(results["single"][0]["cold"]["params"]) if results.get("single") else None
    print("| runner | call | median s | min-max s | max relative coefficient difference to single |")
    print("|---|---|---|---|---|")
    for (name, call), values in times.items():
        gap = "-" if reference is None else \
            f"{np.max(np.abs(np.array(results[name][0][call]['params']) / reference - 1)):.1e}"
        print(f"| {name} | {call} | {median[name, call]:.2f} | {min(values):.2f}-{max(values):.2f} | {gap} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--runners", default=",".join(RUNNERS))
    parser.add_argument("--data-dir", default="/tmp/linnet-scale")
    parser.add_argument("--reader", choices=("linnet", "dask"), default="linnet",
                        help="the Dask collection: linnet.dask.read_parquet or dask.dataframe.read_parquet")
    parser.add_argument("--one", choices=RUNNERS, help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        return one(args)
    path = Path(args.data_dir) / f"scale_{args.rows}x{args.features}.parquet"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        make_parquet(path, args.rows, args.features)
    runners = args.runners.split(",")
    compile_linnet(sys.executable)
    results: dict[str, list[dict]] = {name: [] for name in runners}
    for repeat in range(args.repeat):
        for name in runners[repeat % len(runners):] + runners[:repeat % len(runners)]:
            outcome = measure(path, name, args.reader)
            if outcome is not None:
                results[name].append(outcome)
    print(f"{args.rows:,} x {args.features} float32, {path.stat().st_size / 1e9:.2f} GB, {args.repeat} runs each, "
          f"Dask collection from {args.reader}'s read_parquet")
    report(results)


if __name__ == "__main__":
    main()

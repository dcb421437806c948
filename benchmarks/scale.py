"""Data larger than memory: ``linnet.ols`` on a Parquet file against Polars, DuckDB and pyarrow's decode floor.

``python benchmarks/scale.py`` generates the data (default 50M rows × 20 float32 features and a float32 target,
row groups of 1M rows, written chunk by chunk into ``--data``; never commit it), then runs every case in a fresh
process, ``--repeat`` times in a rotating order, and prints ratios first, then medians with min–max of the
wall time of the pass (the clock starts after the imports), its CPU time (all threads: on 2 cores a case cannot
take less wall time than half its CPU time) and the peak RSS each process reports (``VmHWM``: ``ru_maxrss``
survives ``exec``):

- ``decode``: pyarrow reading the same columns row group by row group (``pre_buffer=False``): the I/O floor;
- ``linnet_ols``: ``linnet.ols(path, target="y")``, the exact answer streamed;
- ``polars``, ``duckdb``: the same cross-products ``Σ zᵢzⱼ`` and sums ``Σ zᵢ`` of ``z = [x, y]`` in float64 on the
  same file (Polars' streaming engine; DuckDB SQL), i.e. the work of the normal equations, not a solve;
- ``sgd_epoch``: one streamed SGD epoch, batch 1024, shuffle buffer 1M rows (``ParquetSource``).

Peers run with ``--peer-python`` (default ``/work/bench-venv/bin/python`` when it exists: ``pip install polars
duckdb pyarrow`` there, not in the test dependencies); a peer that is not installed is skipped. Smaller runs::

    python benchmarks/scale.py --rows 10000000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _bytecode import compile_linnet

ROOT = Path(__file__).resolve().parent.parent
BENCH_PYTHON = Path("/work/bench-venv/bin/python")

PRELUDE = ("import json, resource, sys, time\npath = sys.argv[1]\n"
           "cpu = lambda: sum(resource.getrusage(resource.RUSAGE_SELF)[:2])\n")
CLOCK = "start, start_cpu = time.perf_counter(), cpu()\n"
"""Each case starts the clock after importing its libraries (``import linnet`` is ~0.1 s): the pass is timed."""
REPORT = ("hwm = [line for line in open('/proc/self/status') if line.startswith('VmHWM')][0].split()[1]\n"
          "print(json.dumps({'seconds': time.perf_counter() - start, 'cpu': cpu() - start_cpu,"
          " 'rss_mb': int(hwm) / 1024, 'check': check}))\n")
CASES = {
    "decode": """
import pyarrow.parquet as pq
{clock}file = pq.ParquetFile(path, pre_buffer=False)
check = 0
for group in range(file.metadata.num_row_groups):
    check += file.read_row_group(group, columns=file.schema_arrow.names).num_rows
""",
    "linnet_ols": """
import linnet, pyarrow.parquet
{clock}check = float(linnet.ols(path, target="y").params[1])
""",
    "polars": """
import polars as pl
{clock}names = pl.scan_parquet(path).collect_schema().names()
z = [pl.col(name).cast(pl.Float64) for name in names]
exprs = [pl.len()] + [c.sum().alias(f"s{i}") for i, c in enumerate(z)]
exprs += [(z[i] * z[j]).sum().alias(f"p{i}_{j}") for i in range(len(z)) for j in range(i, len(z))]
check = pl.scan_parquet(path).select(exprs).collect(engine="streaming").row(0)[0]
""",
    "duckdb": """
import duckdb, pyarrow.parquet as pq
{clock}names = pq.ParquetFile(path).schema_arrow.names
z = [f'CAST("{name}" AS DOUBLE)' for name in names]
terms = ["count(*)"] + [f"sum({c})" for c in z]
terms += [f"sum({z[i]} * {z[j]})" for i in range(len(z)) for j in range(i, len(z))]
connection = duckdb.connect()
connection.execute("SET enable_progress_bar = false")
check = connection.execute(f"SELECT {', '.join(terms)} FROM read_parquet('{path}')").fetchone()[0]
""",
    "sgd_epoch": """
import linnet, pyarrow.parquet
from linnet.data.sources import ParquetSource
{clock}source = ParquetSource(path, "y", batch_size=1024, shuffle_buffer=1_000_000)
model = linnet.Sequential([linnet.Input((source.n_features,)), linnet.Dense(1)])
model.compile(linnet.optimizers.SGD(1e-3), "mse")
check = model.fit(source, epochs=1, verbose=0, seed=0).history["loss"][0]
""",
}
PEER_CASES = {"polars", "duckdb", "decode"}


def generate(path: Path, rows: int, features: int, group_rows: int, seed: int = 0) -> None:
    """Write ``rows`` rows of ``y = x·β + 1 + noise`` (float32) in row groups of ``group_rows``, one at a time."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq
    rng = np.random.default_rng(seed)
    beta = np.linspace(-1.0, 1.0, features)
    names = [f"x{j}" for j in range(features)] + ["y"]
    schema = pa.schema([(name, pa.float32()) for name in names])
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with pq.ParquetWriter(partial, schema) as writer:
        for start in range(0, rows, group_rows):
            count = min(group_rows, rows - start)
            x = rng.standard_normal((count, features), dtype=np.float32)
            y = (x @ beta + 1.0 + rng.standard_normal(count)).astype(np.float32)
            columns = [pa.array(x[:, j]) for j in range(features)] + [pa.array(y)]
            writer.write_table(pa.Table.from_arrays(columns, names=names), row_group_size=count)
    os.replace(partial, path)


def run_case(name: str, path: Path, python: str) -> dict | None:
    """One fresh process running case ``name``: its seconds, CPU seconds and peak RSS (None: its peer is missing)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    program = PRELUDE + CASES[name].replace("{clock}", CLOCK) + REPORT
    done = subprocess.run([python, "-c", program, str(path)], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        if "ModuleNotFoundError" in done.stderr:
            return None
        raise RuntimeError(f"case {name} failed:\n{done.stderr[-2000:]}")
    return json.loads([line for line in done.stdout.splitlines() if line.startswith("{")][-1])


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--group-rows", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=Path("/tmp/linnet-scale/data.parquet"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--peer-python", default=str(BENCH_PYTHON) if BENCH_PYTHON.exists() else sys.executable)
    args = parser.parse_args(argv)
    path = args.data.with_name(f"{args.data.stem}-{args.rows}x{args.features}.parquet")
    if not path.exists():
        began = time.perf_counter()
        generate(path, args.rows, args.features, args.group_rows)
        print(f"generated {path} ({path.stat().st_size / 1e9:.2f} GB) in {time.perf_counter() - began:.0f} s")
    cases = args.cases.split(",")
    compile_linnet(sys.executable, dict(os.environ, PYTHONPATH=str(ROOT / "src")))
    results: dict[str, list[dict]] = {name: [] for name in cases}
    for repeat in range(args.repeat):
        for name in cases[repeat % len(cases):] + cases[:repeat % len(cases)]:  # rotate: noise falls on all
            outcome = run_case(name, path, args.peer_python if name in PEER_CASES else sys.executable)
            if outcome is not None:
                results[name].append(outcome)
    print_tables(results, args.rows, path)
    return 0


def print_tables(results: dict[str, list[dict]], rows: int, path: Path) -> None:
    seconds = {name: statistics.median(r["seconds"] for r in runs) for name, runs in results.items() if runs}
    print(f"\n{rows:,} rows, {path.stat().st_size / 1e9:.2f} GB; {os.cpu_count()} cores\n")
    if "linnet_ols" in seconds:
        ols = seconds["linnet_ols"]
        peers = [seconds[name] for name in ("polars", "duckdb") if name in seconds]
        if peers:
            print(f"- linnet.ols vs the faster of Polars/DuckDB: {min(peers) / ols:.2f}× (goal ≥ 1.2×)")
        if "decode" in seconds:
            print(f"- linnet.ols throughput / decode-only: {seconds['decode'] / ols:.0%} (goal ≥ 80%)")
    if "sgd_epoch" in seconds and "decode" in seconds:
        print(f"- SGD epoch (batch 1024, buffer 1M) throughput / decode-only: "
              f"{seconds['decode'] / seconds['sgd_epoch']:.0%} (goal ≥ 50%)")
    print("\n| case | seconds, median (min–max) | Mrows/s | CPU seconds, median | peak RSS MB, median (min–max) |\n"
          "|---|---|---|---|---|")
    for name, runs in results.items():
        if runs:
            times = [r["seconds"] for r in runs]
            print(f"| {name} | {summary(times)} | {rows / statistics.median(times) / 1e6:.1f} | "
                  f"{statistics.median(r['cpu'] for r in runs):.2f} | {summary([r['rss_mb'] for r in runs])} |")


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark linnet against Keras, PyTorch, scikit-learn, statsmodels and NumPy: ``python benchmarks/run.py``.

Every measurement is a fresh process (``benchmarks/peers/<peer>_worker.py``) that times its framework's import
and its fit (started once the process's own threads are idle: OpenBLAS spins ~0.1 s after ``import numpy``) and
reports its peak memory; this runner times the whole process from spawn to exit (less that wait), runs the
peers in turn (the order rotates each repeat, so machine noise falls on all of them), and prints Markdown tables
of medians with min–max, the ratios of every peer to linnet and the issue's targets, met or missed.

Peers that are not installed are skipped (``pip install -e '.[bench]'`` installs them all)::

    python benchmarks/run.py                                  # every workload, every installed peer, 5 repeats
    python benchmarks/run.py --peers torch --workloads boston,ols --repeat 3
    python benchmarks/run.py --sweep --plot docs/benchmark_sweep.png   # rows 10^3 ... 10^7, linnet and NumPy
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import report  # noqa: E402
from _bytecode import compile_linnet  # noqa: E402
from peers._harness import RESULT_PREFIX  # noqa: E402
from workloads import SWEEP_WORKLOADS, WORKLOADS, workload, write_data  # noqa: E402

PEERS = {"keras": "keras", "torch": "torch", "torch_expert": "torch", "sklearn": "sklearn",
         "statsmodels": "statsmodels", "numpy": "numpy",
         "numpy_chunked": "numpy"}
"""Peer name -> the module whose presence means it is installed. linnet always runs."""
PEER_KINDS = {"linnet": {"fit", "ols"}, "keras": {"fit"}, "torch": {"fit"}, "torch_expert": {"fit"}, "sklearn": {"ols"},
              "statsmodels": {"ols"}, "numpy": {"fit", "ols"}, "numpy_chunked": {"ols"}}
SWEEP_ROWS = (10**3, 10**4, 10**5, 10**6, 10**7)
WORKER_ENVIRONMENT = {"KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore"}


def parse_arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--peers", default="all",
                        help=f"comma-separated peers besides linnet ({','.join(PEERS)}), 'all' or 'none'")
    parser.add_argument("--workloads", default=",".join(WORKLOADS), help="comma-separated workloads")
    parser.add_argument("--repeat", type=int, default=5, help="fresh processes per (workload, peer)")
    parser.add_argument("--sweep", action="store_true", help="run the scaling sweep instead of the workloads")
    parser.add_argument("--sweep-rows", default=",".join(str(rows) for rows in SWEEP_ROWS))
    parser.add_argument("--plot", type=Path, help="with --sweep: write the figure here (PNG)")
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "linnet-bench-data",
                        help="where the shared data files are written once and reused")
    parser.add_argument("--python", default=sys.executable, help="interpreter that runs the workers")
    parser.add_argument("--save", type=Path, help="also write every measurement as JSON here")
    parser.add_argument("--load", type=Path, help="print (and plot) a saved JSON instead of measuring")
    return parser.parse_args(argv)


def chosen_peers(text: str) -> list[str]:
    """linnet, then the requested peers that are installed (the others are named on stderr)."""
    names = list(PEERS) if text == "all" else [] if text == "none" else [n for n in text.split(",") if n]
    unknown = [name for name in names if name not in PEERS]
    if unknown:
        raise SystemExit(f"unknown peer(s) {', '.join(unknown)}; choose from {', '.join(PEERS)}, all or none")
    missing = [name for name in names if importlib.util.find_spec(PEERS[name]) is None]
    if missing:
        print(f"not installed, skipped: {', '.join(missing)} (pip install -e '.[bench]')", file=sys.stderr)
    return ["linnet"] + [name for name in names if name not in missing]


def schedule(workload_names: list[str], peers: list[str], repeat: int) -> list[tuple[int, str, str]]:
    """(repeat, workload, peer) in running order: the peers' order rotates by one at every repeat."""
    plan = []
    for round_index in range(repeat):
        for name in workload_names:
            able = [peer for peer in peers if workload(name).kind in PEER_KINDS[peer]]
            shift = round_index % len(able)
            plan += [(round_index, name, peer) for peer in able[shift:] + able[:shift]]
    return plan


def worker_environment(data_dir: Path) -> dict[str, str]:
    """The workers' environment: compiled bytecode cached (under ``data_dir``), as an installed package has it.

    ``PYTHONDONTWRITEBYTECODE`` is dropped: with it, a package run from its source tree (linnet in development)
    would be recompiled in every process while the peers, installed by pip, load their compiled bytecode.
    """
    environment = {**os.environ, **WORKER_ENVIRONMENT, "PYTHONPYCACHEPREFIX": str(Path(data_dir) / "pycache")}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return environment


def warm_up(plan, python: str, data_dir: Path) -> None:
    """Run each (peer, kind of workload) once, unrecorded, so that every measured run finds its bytecode cached."""
    first = {}
    for _, name, peer in plan:
        first.setdefault((peer, workload(name).kind), name)
    for (peer, _), name in first.items():
        result = run_worker(python, peer, name, write_data(data_dir, workload(name)), data_dir)
        print(f"[warm-up] {name:<16} {peer:<12} " + _progress(result), file=sys.stderr, flush=True)


def run_worker(python: str, peer: str, workload_name: str, data_folder: Path, data_dir: Path) -> dict:
    """One fresh process: the worker's JSON plus ``whole_s``, spawn to exit, measured here, less the worker's wait
    for its threads to settle before the fit (``peers/_harness.settle``)."""
    command = [python, str(HERE / "peers" / f"{peer}_worker.py"), workload_name, str(data_folder)]
    start = time.perf_counter()
    finished = subprocess.run(command, capture_output=True, text=True, env=worker_environment(data_dir))
    whole = time.perf_counter() - start
    lines = [line for line in finished.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if finished.returncode or not lines:
        return {"error": finished.stderr.strip().splitlines()[-5:] or [f"exit status {finished.returncode}"]}
    result = json.loads(lines[-1][len(RESULT_PREFIX):])
    return {**result, "whole_s": whole - result.get("settle_s", 0.0)}


def measure(plan, python: str, data_dir: Path) -> list[dict]:
    warm_up(plan, python, data_dir)
    runs = []
    for step, (round_index, name, peer) in enumerate(plan, 1):
        folder = write_data(data_dir, workload(name))
        run = {"repeat": round_index, "workload": name, "peer": peer, "load": os.getloadavg()[0],
               **run_worker(python, peer, name, folder, data_dir)}
        runs.append(run)
        print(f"[{step}/{len(plan)}] {name:<16} {peer:<12} " + _progress(run), file=sys.stderr, flush=True)
    return runs


def _progress(run: dict) -> str:
    if "error" in run:
        return "FAILED: " + " | ".join(run["error"])
    if "unsupported" in run:
        return "skipped: " + run["unsupported"]
    return f"fit {run['fit_s']:.3f} s, whole {run['whole_s']:.2f} s, peak {run['peak_mb']:.0f} MB"


def machine() -> dict:
    """What the numbers were measured on."""
    cpu = platform.processor() or "?"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
        memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                         if line.startswith("MemTotal"))
    except (OSError, StopIteration):
        memory_kb = 0
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(memory_kb / 2**20, 1),
            "system": platform.platform(), "python": platform.python_version()}


def print_report(saved: dict) -> None:
    summary = report.summarize(saved["runs"])
    info, loads = saved["machine"], [run["load"] for run in saved["runs"]]
    print(f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB RAM, {info['system']}, "
          f"Python {info['python']}; medians of {saved['repeat']} fresh processes (min–max); 1-minute load "
          f"average before each run {min(loads):.2f}–{max(loads):.2f}.\n")
    sources = {run["peer"]: run["source"] for run in saved["runs"] if "source" in run}
    print("Measured: " + ", ".join(f"{peer} from {source}" for peer, source in sources.items()) + ".\n")
    failed = [run for run in saved["runs"] if "error" in run]
    for run in failed:
        print(f"FAILED {run['peer']} {run['workload']}: {' | '.join(run['error'])}")
    if saved.get("sweep_rows"):
        print(report.sweep_table(summary, saved["sweep_rows"]))
        return
    print(report.headline(summary) + "\n\n" + report.tables(summary))
    checks = report.targets(summary)
    if checks:
        print("\nTargets:")
        for text, met in checks:
            print(f"- {'met   ' if met else 'MISSED'} {text}")


def build_plan(args: argparse.Namespace) -> tuple[list[tuple[int, str, str]], list[int]]:
    """What to run and the sweep's row counts: the named workloads for linnet and the chosen peers, or the sweep."""
    if not args.sweep:
        try:
            names = [workload(name.strip()).name for name in args.workloads.split(",")]
        except ValueError as error:
            raise SystemExit(str(error)) from None
        return schedule(names, chosen_peers(args.peers), args.repeat), []
    rows = [int(float(count)) for count in args.sweep_rows.split(",")]
    plan = schedule([f"{base}@{count}" for count in rows for base in SWEEP_WORKLOADS], ["linnet", "numpy"],
                    args.repeat)
    return [step for step in plan if step[2] == "linnet" or step[1].startswith("ols@")], rows  # NumPy: exact only


def main(argv=None) -> None:
    args = parse_arguments(argv)
    if args.load:
        saved = json.loads(args.load.read_text())
    else:
        plan, sweep_rows = build_plan(args)
        compile_linnet(args.python)
        saved = {"machine": machine(), "repeat": args.repeat, "sweep_rows": sweep_rows,
                 "runs": measure(plan, args.python, args.data_dir)}
    if args.save:
        args.save.write_text(json.dumps(saved, indent=1))
    print_report(saved)
    if args.plot and saved.get("sweep_rows"):
        report.plot_sweep(report.summarize(saved["runs"]), saved["sweep_rows"], args.plot)
        print(f"\n[figure written: {args.plot}]")


if __name__ == "__main__":
    main()

"""How fast the playground answers: ``python benchmarks/playground.py [--repeat 15]``.

A fresh server process on a free port (``linnet explore --no-browser --port 0``); for each tutorial preset the
runner posts its settings ``repeat`` times and prints the median (min–max) of the fit as the server timed it
(``fit_ms``: data, training, least squares, stability limit) and of the whole round trip (JSON, HTTP, views).
The first request of each preset is a warm-up and is not counted. Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "src"
PRESETS = ("boston", "noisy-line", "line", "plane")


def start_server() -> tuple[subprocess.Popen, str]:
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SOURCE), os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen([sys.executable, "-m", "linnet.cli", "explore", "--no-browser", "--port", "0"],
                               stdout=subprocess.PIPE, text=True, env=environment)
    line = process.stdout.readline()
    return process, line.split(" is at ", 1)[1].split(" ", 1)[0]


def post(url: str, payload: dict) -> tuple[float, float]:
    request = urllib.request.Request(url + "api/fit", json.dumps(payload).encode(),
                                     {"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as reply:
        body = json.load(reply)
    return body["fit_ms"], (time.perf_counter() - started) * 1000


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} ({min(values):.1f}–{max(values):.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    process, url = start_server()
    try:
        with urllib.request.urlopen(url + "api/presets", timeout=60) as reply:
            presets = json.load(reply)
        print("| preset | fit, ms (server) | round trip, ms |\n|---|---|---|")
        for name in PRESETS:
            payload = {"preset": name, **{key: value for key, value in presets[name].items() if key != "normalize"}}
            post(url, payload)
            times = [post(url, payload) for _ in range(args.repeat)]
            print(f"| {name} | {spread([t[0] for t in times])} | {spread([t[1] for t in times])} |")
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()

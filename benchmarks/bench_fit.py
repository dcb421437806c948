"""Fit-time benchmark of linnet's engine (issue: the neuron). Run: ``python benchmarks/bench_fit.py``.

Prints, for the Boston tutorial configuration and for one epoch of SGD on 1,000,000 x 20 float32 rows, the
fit time (best of ``--repeat`` runs, so that the number reflects the engine, not a busy machine) and the
microseconds per optimizer step, and compares the large epoch with the time NumPy needs to read the data once.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import linnet
from linnet.datasets import boston_housing


def best_time(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def boston(repeat: int) -> tuple[float, int]:
    (x_train, y_train), _ = boston_housing.load_data()
    rooms = x_train[:, 5]

    def run():
        model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1)])
        model.compile(optimizer=linnet.optimizers.RMSprop(learning_rate=0.005), loss="mse")
        model.fit(rooms, y_train, batch_size=16, epochs=101, validation_split=0.3, verbose=0)

    return best_time(run, repeat), 101 * 18


def large_epoch(x: np.ndarray, y: np.ndarray, batch_size: int, repeat: int, shuffle: bool) -> tuple[float, int]:
    def run():
        model = linnet.Sequential([linnet.Input((x.shape[1],)), linnet.Dense(1)])
        model.compile(optimizer=linnet.optimizers.SGD(learning_rate=0.001), loss="mse")
        model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, shuffle=shuffle)

    return best_time(run, repeat), -(-x.shape[0] // batch_size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per workload; the best is reported")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the large problem")
    args = parser.parse_args()
    linnet.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.rows, 20), dtype=np.float32)
    y = (x @ rng.standard_normal(20).astype(np.float32) + 1.0).astype(np.float32)
    read_once = best_time(lambda: x.sum(), args.repeat)

    rows = [("Boston tutorial: 282 rows, batch 16, 101 epochs, RMSprop, 122 val rows", *boston(args.repeat))]
    for batch, shuffle in ((32, True), (1024, True), (1024, False)):
        rows.append((f"{args.rows:,} x 20 float32, 1 epoch, batch {batch}, SGD, shuffle={shuffle}",
                     *large_epoch(x, y, batch, args.repeat, shuffle)))
    permutation = best_time(lambda: np.random.default_rng(0).permutation(args.rows), args.repeat)
    print(f"{'workload':<72} {'fit':>10} {'us/step':>9}")
    for name, seconds, steps in rows:
        print(f"{name:<72} {seconds * 1e3:>7.1f} ms {seconds / steps * 1e6:>9.1f}")
    print(f"NumPy reads the {args.rows:,} x 20 array once (X.sum()) in {read_once * 1e3:.1f} ms; the batch-1024 "
          f"epoch takes {rows[2][1] / read_once:.1f}x that shuffled, {rows[3][1] / read_once:.1f}x in order "
          f"(drawing the permutation alone takes {permutation * 1e3:.1f} ms).")


if __name__ == "__main__":
    main()

"""The benchmark workloads: what every peer trains or solves, and the data they all read.

A workload is pure configuration (this module imports only the standard library at the top, so a worker can
read its workload before it starts timing its framework's import). ``write_data`` is the one place that
creates data: the runner calls it once, saves ``x.npy`` and ``y.npy``, and every worker loads those files, so
all peers see the same float arrays.

A name may carry a row count for the scaling sweep: ``"ols@100000"`` is the ``ols`` workload on 100,000 rows.
"""

from __future__ import annotations

import dataclasses
import difflib
from pathlib import Path

SEED = 0
KERNEL_START = 0.5
"""Every framework starts from the same weights: each kernel entry 0.5, the bias 0, so losses compare."""


@dataclasses.dataclass(frozen=True)
class Workload:
    """One benchmark case.

    ``kind`` is ``"fit"`` (a ``Dense(1)`` neuron trained by gradient descent on the mean squared error) or
    ``"ols"`` (the exact least-squares solve only). ``data`` names the data set written by ``write_data``;
    ``rows`` is its row count for the synthetic 20-feature data. ``shuffle`` is the ``fit(shuffle=...)`` value.
    """

    name: str
    title: str
    kind: str
    data: str
    rows: int = 0
    optimizer: str = "sgd"
    learning_rate: float = 0.01
    batch_size: int = 32
    epochs: int = 1
    validation_split: float = 0.0
    shuffle: bool = False


TUTORIALS = (
    Workload("boston", "Boston tutorial (282 rows, batch 16, 101 epochs, RMSprop 0.005, 30% validation)", "fit",
             "boston", optimizer="rmsprop", learning_rate=0.005, batch_size=16, epochs=101, validation_split=0.3),
    Workload("noisy_line", "noisy line (51 rows, batch 32, 200 epochs, Adam 0.1)", "fit", "noisy_line",
             optimizer="adam", learning_rate=0.1, epochs=200),
    Workload("line", "y = 2x + 30 (6 rows, batch 32, 500 epochs, Adam 0.1)", "fit", "line",
             optimizer="adam", learning_rate=0.1, epochs=500),
    Workload("plane", "plane (1000 rows, batch 32, 100 epochs, SGD 0.02)", "fit", "plane",
             optimizer="sgd", learning_rate=0.02, epochs=100),
)
LARGE_ROWS = 1_000_000
LARGE = (
    Workload("epoch32", "1M x 20 float32, one shuffled epoch, batch 32, SGD 0.001", "fit", "large",
             LARGE_ROWS, learning_rate=0.001, batch_size=32, shuffle=True),
    Workload("epoch1024", "1M x 20 float32, one shuffled epoch, batch 1024, SGD 0.001", "fit", "large",
             LARGE_ROWS, learning_rate=0.001, batch_size=1024, shuffle=True),
    Workload("ols", "exact least squares on 1M x 20 float32", "ols", "large", LARGE_ROWS),
)
WORKLOADS = {workload.name: workload for workload in TUTORIALS + LARGE}
SWEEP_WORKLOADS = ("ols", "epoch1024")


def workload(name: str) -> Workload:
    """The workload called ``name``; ``"base@rows"`` is a large workload resized to ``rows`` rows."""
    base, _, rows = name.partition("@")
    if base not in WORKLOADS:
        close = difflib.get_close_matches(base, WORKLOADS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"unknown workload {base!r}{hint}; choose from {', '.join(WORKLOADS)}")
    found = WORKLOADS[base]
    if not rows:
        return found
    if found.data != "large":
        raise ValueError(f"only the 1M x 20 workloads can be resized. Received: name={name!r}")
    return dataclasses.replace(found, name=name, rows=int(rows), title=f"{found.title} [{int(rows):,} rows]")


def data_path(data_dir: Path, spec: Workload) -> Path:
    """The folder that holds ``x.npy`` and ``y.npy`` for ``spec``."""
    return Path(data_dir) / (f"large-{spec.rows}" if spec.data == "large" else spec.data)


def write_data(data_dir: Path, spec: Workload) -> Path:
    """Write the data of ``spec`` under ``data_dir`` unless it is already there; return its folder."""
    folder = data_path(data_dir, spec)
    if (folder / "y.npy").exists():
        return folder
    import numpy as np

    x, y = _make(spec)
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / "x.npy", np.ascontiguousarray(x))
    np.save(folder / "y.npy", np.ascontiguousarray(y))
    return folder


def _make(spec: Workload):
    import numpy as np

    from linnet.datasets import boston_housing, synthetic

    if spec.data == "boston":
        (x_train, y_train), _ = boston_housing.load_data()
        return x_train[:, 5], y_train
    if spec.data == "noisy_line":
        return synthetic.noisy_line(seed=SEED)
    if spec.data == "line":
        return synthetic.line()
    if spec.data == "plane":
        return synthetic.plane(seed=SEED)
    rng = np.random.default_rng(SEED)
    x = rng.standard_normal((spec.rows, 20), dtype=np.float32)
    weights = rng.standard_normal(20).astype(np.float32)
    noise = rng.standard_normal(spec.rows, dtype=np.float32)
    return x, x @ weights + np.float32(1.0) + np.float32(0.1) * noise


def training_rows(x, y, spec: Workload):
    """The rows ``fit`` trains on: Keras keeps the last ``validation_split`` of the rows for validation."""
    split = int(len(x) * (1.0 - spec.validation_split))
    return (x[:split], y[:split]), (x[split:], y[split:])

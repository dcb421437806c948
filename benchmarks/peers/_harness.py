"""What every worker shares: time the framework's import, load the data, measure the fit, print one JSON line.

A worker is run as ``python peers/<peer>.py <workload> <data folder>`` in a fresh process. Only the standard
library is imported before the framework, so the import time includes everything the framework pulls in
(NumPy included). Memory is the resident set size read from ``/proc/self/status`` (Linux): the process peak
(``VmHWM``, the value ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` reports) and the fit's own peak above what
was resident when the fit started (the kernel's high-water mark is reset for that with ``/proc/self/clear_refs``).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

RESULT_PREFIX = "BENCH-RESULT "
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for `workloads`


class Unsupported(Exception):
    """The peer does not run this kind of workload."""


class FitClock:
    """``with clock:`` around the fit records its wall time and the memory it needed."""

    def __enter__(self) -> FitClock:
        self.peak_before_mb = _status_mb("VmHWM") or _maxrss_mb()
        _reset_peak()
        self.resident_before_mb = _status_mb("VmRSS")
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc_info) -> None:
        self.seconds = time.perf_counter() - self._start
        fit_peak = _status_mb("VmHWM") or _maxrss_mb()
        self.peak_mb = max(self.peak_before_mb, fit_peak)
        self.extra_mb = max(fit_peak - (self.resident_before_mb or fit_peak), 0.0)


SETTLE_SECONDS = 0.5
"""At most this long is waited, before a fit, for the process's own threads to go idle (see ``settle``)."""


def settle(limit: float = SETTLE_SECONDS) -> float:
    """Wait until no thread of this process is busy (at most ``limit`` s); return the seconds waited.

    OpenBLAS's threads spin for about 0.1 s after ``import numpy`` (84 ms of CPU measured on the 2-core machine),
    and a fit timed inside that window shares the second core with them: on this machine a fit started ~55 ms
    after the import lost it for its first ~25 ms. Every peer waits the same way; the runner subtracts the wait
    from the whole program's time.
    """
    began = time.perf_counter()
    while time.perf_counter() - began < limit:
        busy = time.process_time()
        time.sleep(0.02)
        if time.process_time() - busy < 0.002:
            break
    return time.perf_counter() - began


def main(import_framework, train) -> None:
    """Run ``train(framework, spec, x, y, clock)`` on ``sys.argv``'s workload and print the measurements.

    ``train`` wraps exactly the fit in ``with clock:`` and returns a dict with ``coef`` and ``intercept`` and,
    for gradient descent, the last epoch's ``loss`` (and ``val_loss``). The mean squared error of the returned
    coefficients on the training rows is computed afterwards, outside the measured fit.
    """
    start = time.perf_counter()
    framework = import_framework()
    import_seconds = time.perf_counter() - start
    import numpy as np
    from workloads import training_rows, workload

    spec = workload(sys.argv[1])
    x, y = np.load(Path(sys.argv[2]) / "x.npy"), np.load(Path(sys.argv[2]) / "y.npy")
    x = x.reshape(len(x), -1)
    settled = settle()
    clock = FitClock()
    try:
        result = train(framework, spec, x, y, clock)
    except Unsupported as reason:
        print(RESULT_PREFIX + json.dumps({"unsupported": str(reason)}))
        return
    coef = np.asarray(result["coef"], dtype=np.float64).ravel()
    (x_train, y_train), _ = training_rows(x, y, spec)
    print(RESULT_PREFIX + json.dumps({
        "version": getattr(framework, "__version__", "?"), "source": str(Path(framework.__file__).parent),
        "import_s": import_seconds, "fit_s": clock.seconds, "peak_mb": clock.peak_mb, "extra_mb": clock.extra_mb,
        "data_mb": (x.nbytes + y.nbytes) / 2**20, "settle_s": settled,
        "loss": result.get("loss"), "val_loss": result.get("val_loss"),
        "exact_loss": mean_squared_error(x_train, y_train, coef, float(result["intercept"])),
        "coef": coef.tolist(), "intercept": float(result["intercept"]),
    }))


def start_weights(n_features: int):
    """The kernel (n_features, 1) and bias (1,) every framework starts from."""
    import numpy as np
    from workloads import KERNEL_START

    return [np.full((n_features, 1), KERNEL_START, dtype=np.float32), np.zeros(1, dtype=np.float32)]


def mean_squared_error(x, y, coef, intercept: float, rows_per_chunk: int = 65_536) -> float:
    """Mean of ``(y - x @ coef - intercept)**2`` in float64, a chunk of rows at a time."""
    import numpy as np

    total = 0.0
    for start in range(0, len(x), rows_per_chunk):
        chunk = slice(start, start + rows_per_chunk)
        residual = y[chunk].astype(np.float64) - x[chunk].astype(np.float64) @ coef - intercept
        total += float(residual @ residual)
    return total / max(len(x), 1)


def _status_mb(field: str) -> float | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _maxrss_mb() -> float:
    scale = 2**20 if sys.platform == "darwin" else 2**10  # bytes on macOS, kilobytes on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def _reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")  # 5: reset the peak resident set size to the current one
    except OSError:
        pass

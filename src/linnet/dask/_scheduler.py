"""Which Dask scheduler computes, and the errors of a cluster said plainly.

``scheduler`` is what ``dask.compute`` accepts, plus a scheduler's address:

- ``None``: Dask's current default (the active ``distributed.Client`` if there is one, else threads);
- ``"threads"``, ``"processes"``, ``"sync"`` (``"synchronous"``, ``"single-threaded"``): a local scheduler;
- a ``distributed.Client``: that cluster;
- an address such as ``"tcp://10.0.0.5:8786"``: a client is connected for the call and closed after it. A
  scheduler that does not answer within ``CONNECT_TIMEOUT`` seconds raises ``ConnectionError`` naming the address.

A worker that dies mid-pass makes the ``distributed`` scheduler re-run its tasks on the other workers (the
data of a partition is read again); a task whose workers died more than ``distributed.scheduler.allowed-failures``
times raises :class:`WorkerLostError` naming the partition. Either way no result is built from fewer partitions.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import dask

CONNECT_TIMEOUT = 10
"""Seconds to wait for a scheduler given by its address."""
LOCAL = ("threads", "processes", "sync", "synchronous", "single-threaded")


class WorkerLostError(RuntimeError):
    """Dask workers kept dying while computing a partition: the pass is abandoned, no partial result is returned."""


@contextlib.contextmanager
def compute_options(scheduler: Any) -> Iterator[dict]:
    """The keyword arguments of ``dask.compute`` for ``scheduler`` (a client is connected to an address)."""
    if scheduler is None:
        yield {}
    elif isinstance(scheduler, str) and scheduler in LOCAL:
        yield {"scheduler": scheduler}
    elif isinstance(scheduler, str):
        client = connect(scheduler)
        try:
            yield {"scheduler": client}
        finally:
            client.close()
    elif callable(getattr(scheduler, "get", None)) and hasattr(scheduler, "scheduler_info"):
        yield {"scheduler": scheduler}
    else:
        raise TypeError(f"scheduler must be None, one of {list(LOCAL)}, a distributed.Client or a scheduler "
                        f"address such as 'tcp://127.0.0.1:8786'. Received: {scheduler!r:.100}")


def connect(address: str):
    try:
        from distributed import Client
    except ImportError:
        raise ImportError(f"Connecting to the Dask scheduler at {address!r} needs the distributed package: "
                          "pip install 'linnet[dask]'.") from None
    try:
        return Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise ConnectionError(f"Could not reach the Dask scheduler at {address!r} within {CONNECT_TIMEOUT} s: is "
                              f"it running, and is the address right (e.g. 'tcp://host:8786')? Dask said: "
                              f"{error}") from None


def compute(tasks: list, options: dict) -> list:
    """``dask.compute(*tasks, **options)``, a worker lost too often raised as :class:`WorkerLostError`."""
    try:
        return list(dask.compute(*tasks, **options))
    except Exception as error:
        if type(error).__name__ != "KilledWorker":
            raise
        raise WorkerLostError(f"Every Dask worker that tried {_which(error)} died (more often than the "
                              f"scheduler's distributed.scheduler.allowed-failures); the pass was abandoned and no "
                              f"partial result is returned. Check the workers' memory limit and logs. Dask said: "
                              f"{error}") from None


def _which(error: Exception) -> str:
    """'partition 3' from linnet's task key ``linnet-<name>-3-<token>``, 'a merge of partition states' (key
    ``linnet-merge-<token>``), or the key of the task that read the data (``('read_parquet-...', 3)``: partition 3
    of that read)."""
    key = getattr(error, "task", None) or str(error)
    if "linnet-merge-" in str(key):
        return "a merge of partition states"
    found = re.search(r"linnet-(\w+)-(\d+)-", str(key))
    return f"task {key!r} (reading the data)" if found is None else f"partition {found.group(2)}"

"""One real ``distributed.LocalCluster`` per session: 2 worker processes, 1 thread each (small data, fast)."""

from __future__ import annotations

import pytest

distributed = pytest.importorskip("distributed", reason="the Dask tests need pip install 'linnet[dask]'")


@pytest.fixture(scope="session")
def cluster():
    """A LocalCluster of 2 worker processes (nannies restart a killed worker); a task may lose one worker and be
    re-run, a second loss raises (``allowed-failures`` = 1)."""
    import dask
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                     memory_limit="1GiB") as local:
        yield local


@pytest.fixture()
def client(cluster):
    """A client of the session's cluster, with both workers up (a test may have killed one)."""
    with distributed.Client(cluster, set_as_default=False) as connected:
        connected.wait_for_workers(2, timeout=60)
        yield connected

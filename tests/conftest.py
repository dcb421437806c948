import pathlib

import numpy as np
import pytest

DATA = pathlib.Path(__file__).resolve().parents[1] / "src" / "linnet" / "data" / "bundled" / "boston_housing.npz"


@pytest.fixture(scope="session")
def boston():
    """Keras' Boston split: (x_train, y_train, x_test, y_test)."""
    with np.load(DATA) as data:
        return data["x_train"], data["y_train"], data["x_test"], data["y_test"]


@pytest.fixture(scope="session")
def rooms(boston):
    """The Boston tutorial's data: rooms (column RM) and price of the 404 training rows."""
    x_train, y_train, _, _ = boston
    return x_train[:, 5], y_train


@pytest.fixture()
def name_checks(monkeypatch):
    """The lists of column names ``linnet._naming.distinct_columns`` checks while the test runs, one per call
    (it counts them with ``_naming.repeated``, recorded here)."""
    from linnet import _naming
    checked, count = [], _naming.repeated
    monkeypatch.setattr(_naming, "repeated", lambda names: checked.append(list(names)) or count(names))
    return checked


# One real ``distributed.LocalCluster`` per session, started only by the first test that asks for it: 2 worker
# processes, 1 thread each (small data, fast).
@pytest.fixture(scope="session")
def cluster():
    """A LocalCluster of 2 worker processes (nannies restart a killed worker); a task may lose one worker and be
    re-run, a second loss raises (``allowed-failures`` = 1)."""
    dask = pytest.importorskip("dask", reason="the Dask cluster tests need pip install 'linnet[dask]'")
    distributed = pytest.importorskip("distributed", reason="the Dask cluster tests need pip install 'linnet[dask]'")
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                     memory_limit="1GiB") as local:
        yield local


@pytest.fixture()
def client(cluster):
    """A client of the session's cluster, with both workers up (a test may have killed one)."""
    import distributed
    with distributed.Client(cluster, set_as_default=False) as connected:
        connected.wait_for_workers(2, timeout=60)
        yield connected

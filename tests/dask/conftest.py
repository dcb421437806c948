"""The Dask tests need distributed; the session's LocalCluster fixtures (``cluster``, ``client``) are in
tests/conftest.py (the CLI's cluster tests use them too)."""

import pytest

distributed = pytest.importorskip("distributed", reason="the Dask tests need pip install 'linnet[dask]'")

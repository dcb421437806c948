"""Fixtures shared by the command-line tests."""

import pytest


@pytest.fixture
def plane_parquet(tmp_path):
    """A function writing ``x`` (n, 2) and ``y`` as ``plane.parquet`` (columns a, b, t; row groups of 500 rows)."""
    pa = pytest.importorskip("pyarrow", reason="Parquet files need pyarrow (linnet[parquet])")
    pq = pytest.importorskip("pyarrow.parquet")

    def write(x, y):
        path = tmp_path / "plane.parquet"
        pq.write_table(pa.table({"a": x[:, 0], "b": x[:, 1], "t": y}), path, row_group_size=500)
        return path
    return write


@pytest.fixture
def printed_params():
    """A function reading the coefficients of ``names`` (default const, a, b) from a printed summary table."""
    def read(out: str, names=("const", "a", "b")) -> list[float]:
        rows = {line.split()[0]: float(line.split()[1]) for line in out.splitlines()
                if line.split() and line.split()[0] in names}
        return [rows[name] for name in names]
    return read

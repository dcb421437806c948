"""benchmarks/scale.py on a tiny file: the data it generates, one fresh-process case, the table it prints.

Oracle: the generating coefficients (``β = linspace(-1, 1, p)``, unit noise) recovered by ``linnet.ols`` on the
file within a few standard errors. Timings are printed, never asserted.
"""

import sys
from pathlib import Path

import pytest

pytest.importorskip("pyarrow", reason="the scale benchmark writes Parquet with pyarrow (linnet[parquet])")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import scale


def test_the_scale_benchmark_generates_row_groups_and_times_ols_in_a_fresh_process(tmp_path, capsys):
    import pyarrow.parquet as pq
    path = tmp_path / "tiny.parquet"
    scale.generate(path, 20_000, 3, 5_000)
    metadata = pq.ParquetFile(path).metadata
    assert (metadata.num_rows, metadata.num_row_groups, metadata.num_columns) == (20_000, 4, 4)
    outcome = scale.run_case("linnet_ols", path, sys.executable)
    assert outcome["check"] == pytest.approx(-1.0, abs=0.05)  # the coefficient of x0; its standard error is 0.007
    assert outcome["seconds"] > 0 and outcome["rss_mb"] > 10
    assert scale.main(["--rows", "20000", "--features", "3", "--group-rows", "5000", "--repeat", "1", "--cases",
                       "decode,linnet_ols", "--data", str(tmp_path / "data.parquet"),
                       "--peer-python", sys.executable]) == 0
    printed = capsys.readouterr().out
    assert "linnet.ols throughput / decode-only" in printed and "| linnet_ols |" in printed

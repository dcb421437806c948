"""Hostile files given to the streamed sources: a clear error naming the file and the column, as the in-memory
readers give (found by fuzzing the command line's file inputs)."""

import pytest

import linnet
from linnet.data.sources import CSVSource

pytest.importorskip("pyarrow", reason="the streamed CSV source reads with pyarrow (linnet[parquet])")


@pytest.mark.parametrize(("header", "expected"), [
    ("a,,y", r"Column 2 of the header of '.*d.csv' has no name"),
    ("1,2,3", r"The first row of '.*d.csv' looks like data \(1, 2, 3\)"),
    ("a, a,y", r"The header of '.*d.csv' names the column\(s\) 'a' more than once"),
])
def test_a_streamed_csv_header_is_held_to_the_in_memory_readers_rules(tmp_path, header, expected):
    """linnet ols d.csv --target y on the header 'a,,y' fitted a feature named '' (exit 0), where read_csv (ols
    --dropna, train) refused it; so did '1,2,3' (the first row of data taken for names) and 'a, a'."""
    path = tmp_path / "d.csv"
    path.write_text(header + "\n1,2,3\n2,3,5\n3,5,7\n4,4,9\n")
    with pytest.raises(ValueError, match=expected):
        CSVSource(path, "y" if "y" in header else "3")
    with pytest.raises(ValueError, match=expected):
        linnet.ols(str(path), target="y" if "y" in header else "3")

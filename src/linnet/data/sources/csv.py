"""CSV files as a data source, streamed in blocks of bounded size by pyarrow's CSV reader.

Why pyarrow (``pyarrow.csv.open_csv``): it parses in C++ one block of ``block_size`` bytes at a time (so memory
is a few blocks whatever the file size), converts straight to typed columns (no Python float per cell, which is
where the in-memory reader spends ~12× the file size), reads only the chosen columns, and reports a bad cell
with its column. A row longer than a block is refused with a clear error instead of exhausting memory. The
standard-library ``csv`` module would give Python strings per cell (slow, large); pandas' chunked reader
parses in C too but holds its own Python objects per chunk and needs pandas.

The delimiter is sniffed as :func:`linnet.data.read_csv` does; a missing value (empty, ``NA``, ``NaN``, ``null``)
is an error naming the column and the row. CSV has no row-group index, so shuffling shuffles the order of the
files (the partitions) and then goes through the shuffle buffer; the number of batches is known after one epoch.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..._validation import positive_int
from .._columnar import import_pyarrow
from .._csv import MISSING_TEXT, sniff_delimiter
from .files import ChunkedFiles, Where, arrow_columns, named_kinds

BLOCK_BYTES = 16 << 20
"""Bytes of CSV text parsed at a time (pyarrow's ``block_size``): also the longest row accepted."""


class CSVSource(ChunkedFiles):
    """A CSV file, a list of them or a folder of them, streamed in blocks (see the module and ``ChunkedFiles``)."""

    extensions = (".csv", ".tsv", ".txt")
    design_batches = None  # the trainer's fused step needs the number of batches, which CSV knows only afterwards

    def __init__(self, path, target, features=None, *, block_bytes: int = BLOCK_BYTES, **options):
        self.block_bytes = positive_int(block_bytes, "block_bytes")
        super().__init__(path, target, features, **options)

    def _csv(self):
        try:
            import pyarrow.csv as csv
        except ImportError:
            import_pyarrow()  # raises the message that says how to install it
        return csv

    def _options(self, file: Path, columns: list[str] | None):
        csv = self._csv()
        with open(file, encoding="utf-8-sig", errors="replace") as handle:
            delimiter = sniff_delimiter(handle.read(8192))
        return {"read_options": csv.ReadOptions(block_size=self.block_bytes),
                "parse_options": csv.ParseOptions(delimiter=delimiter),
                "convert_options": csv.ConvertOptions(
                    include_columns=columns, null_values=sorted(MISSING_TEXT | {"NA", "NaN", "NULL", "None"}),
                    column_types=None if columns is None else {name: self._kinds[name] for name in columns})}

    def _open(self, file: Path, columns: list[str] | None):
        pyarrow, _ = import_pyarrow()
        try:
            return self._csv().open_csv(file, **self._options(file, columns))
        except (pyarrow.ArrowException, OSError, UnicodeDecodeError) as error:
            raise ValueError(f"{str(file)!r} is not a readable CSV file: {error}") from None

    def _columns(self, file: Path) -> dict[str, str]:
        reader = self._open(file, None)
        try:
            return named_kinds(((field.name, _kind(field.type)) for field in reader.schema), file)
        except UnicodeDecodeError as error:  # pyarrow decodes the header's names when asked for them
            raise ValueError(f"{str(file)!r} is not a readable CSV file: its header is not UTF-8 ({error}); save "
                             f"it as UTF-8.") from None

    def _pieces(self) -> list[Path]:
        return list(self.files)

    def _read(self, file: Path) -> Iterator[tuple[dict[str, np.ndarray], Where]]:
        pyarrow, _ = import_pyarrow()
        names = list(self._kinds)
        reader, row = self._open(file, names), 0
        while True:
            try:
                block = reader.read_next_batch()
            except StopIteration:
                return
            except pyarrow.ArrowException as error:
                raise ValueError(f"Cannot read {str(file)!r} after data row {row}: {error}") from None
            where = Where(f"the data rows of {str(file)!r}", row)
            yield arrow_columns(block, names, where), where
            row += block.num_rows


def _kind(arrow_type) -> str:
    """The column's kind as inferred from the first block, which is also the type it is read as: CSV numbers as
    float64, ``true``/``false`` as booleans (0 and 1)."""
    import pyarrow.types as types
    if types.is_integer(arrow_type) or types.is_floating(arrow_type) or types.is_null(arrow_type):
        return "float64"
    if types.is_boolean(arrow_type):
        return "bool"
    return str(arrow_type)

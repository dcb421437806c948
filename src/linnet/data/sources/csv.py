"""CSV files as a data source, streamed in blocks of bounded size by pyarrow's CSV reader.

Why pyarrow (``pyarrow.csv.open_csv``): it parses in C++ one block of ``block_size`` bytes at a time (so memory
is a few blocks whatever the file size), converts straight to typed columns (no Python float per cell, which is
where the in-memory reader spends ~12× the file size), reads only the chosen columns, and reports a bad cell
with its column. A row longer than a block is refused with a clear error instead of exhausting memory. The
standard-library ``csv`` module would give Python strings per cell (slow, large); pandas' chunked reader
parses in C too but holds its own Python objects per chunk and needs pandas.

The delimiter is sniffed and the header's names stripped of surrounding spaces (``" y"`` is the column ``y``) as
:func:`linnet.data.read_csv` does; a missing value (empty, ``NA``, ``NaN``, ``null``)
is an error naming the column and the file's line, counted as :func:`linnet.data.read_csv` counts it (header
included, a quoted field spanning lines ending on its last one): found by reading the file up to that row again,
only when there is an error, since pyarrow's blocks know their first row but not their first line. CSV has no
row-group index, so shuffling shuffles the order of the files (the partitions) and then goes through the shuffle
buffer; the number of batches is known after one epoch.
"""

from __future__ import annotations

import csv as python_csv
import itertools
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import numpy as np

from ..._validation import positive_int
from .._columnar import import_pyarrow
from .._csv import MISSING_TEXT, checked_header, sniff_delimiter
from .files import ChunkedFiles, Where, arrow_columns

BLOCK_BYTES = 16 << 20
"""Bytes of CSV text parsed at a time (pyarrow's ``block_size``): also the longest row accepted."""

DROPNA = ("remove or fill that row first, or drop such rows reading the file in memory: "
          "linnet.data.read_csv(path, target, dropna=True), or --dropna (linnet ols, and linnet train when it reads "
          "the file whole)")
"""What to do about a missing value, saying only what works: a streamed source has no ``dropna``."""


class CSVSource(ChunkedFiles):
    """A CSV file, a list of them or a folder of them, streamed in blocks (see the module and ``ChunkedFiles``)."""

    extensions = (".csv", ".tsv", ".txt")
    design_batches = None  # the trainer's fused step needs the number of batches, which CSV knows only afterwards

    def __init__(self, path, target, features=None, *, block_bytes: int = BLOCK_BYTES, **options):
        self.block_bytes = positive_int(block_bytes, "block_bytes")
        self._written: dict[Path, dict[str, str]] = {}  # per file: each column's name -> its header field as written
        super().__init__(path, target, features, **options)

    def _csv(self):
        try:
            import pyarrow.csv as csv
        except ImportError:
            import_pyarrow()  # raises the message that says how to install it
        return csv

    def _options(self, file: Path, columns: list[str] | None):
        csv = self._csv()
        return {"read_options": csv.ReadOptions(block_size=self.block_bytes),
                "parse_options": csv.ParseOptions(delimiter=_delimiter(file)),
                "convert_options": csv.ConvertOptions(
                    include_columns=None if columns is None else [self._written[file][name] for name in columns],
                    null_values=sorted(MISSING_TEXT | {"NA", "NaN", "NULL", "None"}),
                    column_types=None if columns is None else {self._written[file][name]: self._kinds[name]
                                                               for name in columns})}

    def _open(self, file: Path, columns: list[str] | None):
        pyarrow, _ = import_pyarrow()
        try:
            return self._csv().open_csv(file, **self._options(file, columns))
        except (pyarrow.ArrowException, OSError, UnicodeDecodeError) as error:
            raise ValueError(f"{str(file)!r} is not a readable CSV file: {error}") from None

    def _columns(self, file: Path) -> dict[str, str]:
        reader = self._open(file, None)
        try:  # the in-memory reader's rules: named (spaces around a name stripped), distinct, not data
            header = checked_header(reader.schema.names, file)
            self._written[file] = dict(zip(header, reader.schema.names))
            return {name: _kind(field.type) for name, field in zip(header, reader.schema)}
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
            where = Where(repr(str(file)), row, partial(_line, file))
            block = pyarrow.RecordBatch.from_arrays(block.columns, names)  # the header's names, stripped
            yield arrow_columns(block, names, where, DROPNA), where
            row += block.num_rows


def _delimiter(file: Path) -> str:
    with open(file, encoding="utf-8-sig", errors="replace") as handle:
        return sniff_delimiter(handle.read(8192))


def _line(file: Path, row: int) -> str:
    """Data row ``row`` (0-based, header and empty lines excluded, as pyarrow counts) as "line 7", the line of the
    file on which it ends as :func:`linnet.data.read_csv` numbers lines; "data row 6 (1-based, header excluded)"
    if the standard ``csv`` module cannot read that far (a field beyond its size limit)."""
    try:
        with open(file, encoding="utf-8-sig", errors="replace", newline="") as handle:
            reader = python_csv.reader(handle, delimiter=_delimiter(file))
            lines = (reader.line_num for fields in reader if fields)
            line = next(itertools.islice(lines, row + 1, None), None)  # + 1: the header
    except python_csv.Error:
        line = None
    return f"line {line}" if line is not None else f"data row {row + 1} (1-based, header excluded)"


def _kind(arrow_type) -> str:
    """The column's kind as inferred from the first block, which is also the type it is read as: CSV numbers as
    float64, ``true``/``false`` as booleans (0 and 1)."""
    import pyarrow.types as types
    if types.is_integer(arrow_type) or types.is_floating(arrow_type) or types.is_null(arrow_type):
        return "float64"
    if types.is_boolean(arrow_type):
        return "bool"
    return str(arrow_type)

"""Integer columns beyond float64's exact range (2**53), found cheaply and named once per column.

A file source reads integer columns as numbers (float64 for ``linnet.ols``, float32 for training), so an int64 or
uint64 value beyond 2**53 in magnitude is rounded; ``read_parquet`` and ``read_npz`` warn of it (``_columnar``),
and so does a file source, without a pass of its own: a Parquet row group's column statistics give its integer
columns' range from the metadata (``ParquetSource``), and only the pieces they do not cover (NPY/NPZ files, a
Parquet file written without statistics) have each chunk's integer columns' min and max taken as it is read.
Float columns are never looked at. The chunks are read on a background thread, so what it finds waits in
``pending`` until the consumer's thread says it (:meth:`IntegerRange.said_along`): the warning then names the
user's line, as every linnet warning does (``linnet._warnings``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ..._warnings import warn
from .._columnar import inexact_integers


def row_group_ranges(metadata: Any, columns: list[str]) -> Iterator[tuple[int, list[tuple[str, Any, Any]] | None]]:
    """Each row group of a Parquet file's ``metadata`` (pyarrow's ``FileMetaData``, from the footer): its index and
    ``(column, min, max)`` of each of ``columns`` from the column statistics, or None when the writer kept no min
    and max for one of them (pyarrow, Spark and DuckDB keep them by default)."""
    for group in range(metadata.num_row_groups):
        row_group = metadata.row_group(group)
        statistics = {row_group.column(j).path_in_schema: row_group.column(j).statistics
                      for j in range(row_group.num_columns)}
        kept = [statistics.get(name) for name in columns]
        yield group, ([(name, found.min, found.max) for name, found in zip(columns, kept)]
                      if all(found is not None and found.has_min_max for found in kept) else None)


class IntegerRange:
    """The range check of a source's chosen ``integers`` columns (see the module); shared by its copies."""

    def __init__(self, integers: list[str]):
        self.integers = integers
        self.covered: set = set()  # the pieces whose statistics gave every integer column's range
        self.named: set[str] = set()  # the columns warned of (once each, naming the first file)
        self.pending: list[str] = []

    def bounds(self, file: Path | str, column: str, low, high) -> None:
        """A column's range from the metadata (or from a Dask worker's read: ``file`` says where), on the caller's
        thread: warned of at once."""
        self._note(file, column, low, high)
        self.say()

    def footer(self, file: Path | str, metadata: Any) -> None:
        """The ranges of every row group of ``file`` whose footer (``metadata``) has its integer columns'
        statistics (:func:`row_group_ranges`), warned of at once; those row groups are ``covered``."""
        for group, ranges in row_group_ranges(metadata, self.integers):
            if ranges is not None:
                for column, low, high in ranges:
                    self.bounds(file, column, low, high)
                self.covered.add((file, group))

    def chunk(self, piece: Any, columns: dict[str, np.ndarray]) -> None:
        """A chunk read on the read-ahead thread: its integer columns' ranges, unless statistics covered ``piece``."""
        if not self.integers or piece in self.covered:
            return
        file = piece[0] if isinstance(piece, tuple) else piece
        for name in self.integers:
            values = columns[name]
            if name not in self.named and len(values):
                self._note(file, name, values.min(), values.max())

    def _note(self, file: Path | str, column: str, low, high) -> None:
        message = None if column in self.named else inexact_integers(low, high, column, file)
        if message:
            self.named.add(column)
            self.pending.append(message)

    def say(self) -> None:
        """Warn, on this thread, of what the checks found."""
        while self.pending:
            warn(self.pending.pop(0))

    def said_along(self, items: Iterable) -> Iterator:
        """``items``, saying what the read-ahead thread found as each is taken."""
        for item in items:
            self.say()
            yield item
        self.say()

"""Parquet files as a data source: one row group at a time, only the chosen columns, read by pyarrow.

Each row group is decoded ``BATCH_ROWS`` rows at a time (``iter_batches``). The file is opened with
``pre_buffer=False``: pyarrow's default (``pre_buffer=True``) fetches the byte ranges
of every row group it is asked for ahead of time, which on a local file makes a loop over row groups hold
most of the file in memory (5.4 GB for a 4.8 GB file, against 0.56 GB without). A row group is decoded into
Arrow columns and converted to NumPy without a copy where the column has no nulls; the memory in use is a few
batches (the next ones are decoded on a background thread while this one is used).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..._validation import real_number
from .._columnar import import_pyarrow
from .files import ChunkedFiles, Where, arrow_columns, named_kinds

BATCH_ROWS = 65_536
"""Rows decoded at a time inside a row group: bounds memory (5.5 MB for 21 float32 columns), keeps the read-ahead
thread's chunks small enough to overlap the arithmetic, and is ``linnet.exact``'s block of one Gram product (no
thread pool per chunk); 32,768 cost ``ols`` ~25% more CPU (pyarrow's per-batch work and one merge per chunk)."""


BUFFER_BYTES = 1 << 20
"""pyarrow's ``buffer_size``: column chunks are read through a buffer of this size, page by page (0, the
default, reads each column chunk of a row group whole: 80 MB for a 1M-row float32 group of 20 columns)."""


class ParquetSource(ChunkedFiles):
    """A Parquet file, a list of them or a folder of them (a partitioned dataset), read row group by row group.

    Parameters
    ----------
    path : str, path-like or list of them
        A ``.parquet`` file, a list of files, or a folder whose ``.parquet``/``.pq`` files are the partitions.
    target : str
        The column to predict.
    features : list of str, optional
        The feature columns, in this order (default: every column but the target, in file order).
    batch_size, shuffle, shuffle_buffer, prefetch
        See :class:`linnet.data.sources.files.ChunkedFiles`: rows per training batch, whether ``epoch`` shuffles
        (row-group order each epoch, then a buffer of ``shuffle_buffer`` rows), row groups read ahead.
    """

    extensions = (".parquet", ".pq")

    def _columns(self, file: Path) -> dict[str, str]:
        pyarrow, _ = import_pyarrow()
        schema = self._open(file).schema_arrow
        return named_kinds(((field.name, _kind(pyarrow, field.type)) for field in schema), file)

    def _open(self, file: Path):
        pyarrow, parquet = import_pyarrow()
        try:
            return parquet.ParquetFile(file, pre_buffer=False, buffer_size=BUFFER_BYTES)
        except (pyarrow.ArrowException, OSError) as error:
            raise ValueError(f"{str(file)!r} is not a readable Parquet file: {error}") from None

    _selected = slice(None)

    def _pieces(self) -> list[tuple[Path, int]]:
        return [piece for piece, _ in self._row_groups()[self._selected]]

    def _row_groups(self) -> list[tuple[tuple[Path, int], int]]:
        """Every row group of every file, ``((file, index), rows)``, from the files' metadata."""
        if not hasattr(self, "_groups"):
            self._groups = []
            for file in self.files:
                metadata = self._open(file).metadata
                self._groups += [((file, group), metadata.row_group(group).num_rows)
                                 for group in range(metadata.num_row_groups)]
        return self._groups

    def _integer_statistics(self) -> None:
        """The integer columns' ranges from each row group's column statistics, where the writer kept them (pyarrow,
        Spark and DuckDB do by default): those row groups are not checked again as they are read."""
        for file in self.files:
            self._integers.footer(file, self._open(file).metadata)

    @property
    def n_rows(self) -> int:
        """Rows read by a pass (of the selected row groups), from the metadata."""
        return sum(rows for _, rows in self._row_groups()[self._selected])

    def has_rows(self) -> bool:
        """Whether a pass reads at least one row, from the metadata (nothing is decoded)."""
        return self.n_rows > 0

    def __len__(self) -> int:
        """Training batches per epoch: ``ceil(rows / batch_size)``."""
        return -(-self.n_rows // self.batch_size)

    def held_out(self, validation_split: float) -> tuple[ParquetSource, ParquetSource]:
        """Keras' tail split at row-group granularity: the last ``ceil(s · groups)`` row groups (in file order)
        validate, read in order; the others train. Row groups, not rows, so that nothing is read twice."""
        groups = len(self._row_groups())
        held = math.ceil(real_number(validation_split, "validation_split", low=0.0, high=1.0, low_open=True,
                                     high_open=True) * groups)
        if held >= groups:
            raise ValueError(f"validation_split={validation_split} would hold out all {groups} row group(s) of "
                             f"{self!r}; give validation data in a second file instead.")
        train, validation = copy.copy(self), copy.copy(self)
        train._selected, validation._selected = slice(0, groups - held), slice(groups - held, groups)
        validation.shuffle = False
        return train, validation

    def _read(self, piece: tuple[Path, int]) -> Iterator[tuple[dict[str, np.ndarray], Where]]:
        pyarrow, _ = import_pyarrow()
        file, group = piece
        where = f"row group {group} of {str(file)!r}"
        names, row = list(self._kinds), 0
        try:  # a batch at a time on the read-ahead thread; pyarrow decodes its columns on its own threads too,
            # which measured faster on a busy 2-core machine than leaving one core to the arithmetic alone
            for batch in self._open(file).iter_batches(BATCH_ROWS, row_groups=[group], columns=names):
                located = Where(where, row)
                yield arrow_columns(batch, names, located), located
                row += batch.num_rows
        except (pyarrow.ArrowException, OSError) as error:
            raise ValueError(f"Cannot read {where}: {error}") from None


def _kind(pyarrow, arrow_type) -> str:
    types = pyarrow.types
    if types.is_integer(arrow_type):
        return "int"
    if types.is_boolean(arrow_type):
        return "bool"
    if types.is_floating(arrow_type):  # float16, float32, float64
        return str(arrow_type.to_pandas_dtype().__name__)
    return str(arrow_type)

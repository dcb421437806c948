"""Files and folders of files as data sources: chunks read one at a time, so memory is bounded by a chunk.

Every file source reads the ``target`` column and the ``features`` columns (default: every numeric column) of one
file, a list of files or a folder (its files of the format's extension, in name order: the partitions of a
dataset). Each partition must hold the chosen columns with numeric types; one that does not is named in the
error. Its unit of reading is a **chunk**: at most ``parquet.BATCH_ROWS`` (65,536) rows of one Parquet row group, a
block of CSV text, a slice of a memory map. Chunks come from **pieces**, the units whose order may be shuffled: a
Parquet row group, a CSV file, a slice of a memory map (its own single chunk).

- ``chunks(rng, shuffle)``: ``(x, y)`` chunks, ``x`` ``(rows, p)`` and ``y`` ``(rows,)`` in the file's dtype
  (float32 stays float32, other numbers become float64), each checked: a null, NaN or infinite value is an
  error naming the file, the chunk, the column and the row. Read ahead on a background thread. An integer column
  with values beyond 2**53, which float64 rounds, is named in a ``UserWarning`` (:mod:`.precision`).
- ``epoch(rng)``: training batches of ``batch_size`` rows; with ``shuffle`` the piece order is drawn anew each
  epoch and the rows pass through a shuffle buffer of ``shuffle_buffer`` rows (:mod:`.shuffle`: tf.data's
  semantics, not a uniform permutation). The read-ahead thread also builds each chunk's float32 rows
  ``[x, 1, y]`` and checks them, so the training thread only shuffles and steps; the batches are views of
  those rows.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from ... import _validation as _checks
from ..._arrow import numbers as arrow_numbers
from ..._naming import distinct_columns
from ..._warnings import warn
from ..readers import chosen_features
from .precision import IntegerRange
from .prefetch import prefetched
from .shuffle import batches

PREFETCH_CHUNKS = 2
NUMERIC_KINDS = ("int", "float16", "float32", "float64", "bool")
"""The kinds of column (``_columns``) a file source reads as numbers."""


class Where(NamedTuple):
    """Where a chunk was read, for errors: ``text`` ("row group 3 of 'f.parquet'"), the row, within it, of the
    chunk's first row, and optionally ``locate``, which names a row by its index there (CSV: "line 7")."""

    text: str
    first_row: int = 0
    locate: Callable[[int], str] | None = None

    def row(self, offset: int) -> str:
        """The chunk's row ``offset`` as errors name it: "row 5 of row group 3 of 'f.parquet'", "line 7 of 'f.csv'"."""
        row = self.first_row + offset
        return f"{self.locate(row) if self.locate else f'row {row}'} of {self.text}"


def partition_files(path: Any, extensions: Sequence[str]) -> list[Path]:
    """``path`` as a list of files: the file itself, a list of files, or a folder's files with ``extensions``."""
    if isinstance(path, (list, tuple)):
        files = [_checks.existing_file(item) for item in path]
    elif isinstance(path, (str, os.PathLike)) and Path(path).is_dir():
        files = sorted(item for item in Path(path).iterdir() if item.suffix.lower() in extensions)
        if not files:
            raise ValueError(f"The folder {str(path)!r} holds no {'/'.join(extensions)} file.")
    else:
        files = [_checks.existing_file(path)]
    if not files:
        raise ValueError("The list of files is empty; give at least one file.")
    return files


def arrow_columns(batch, names: list[str], where: Where,
                  fix: str = "remove or fill that row first") -> dict[str, np.ndarray]:
    """The named columns of a pyarrow ``RecordBatch`` as NumPy arrays (no copy), refusing a null by its row (with
    the ``fix`` that works for the format) and a column the batch lacks (pyarrow leaves out a requested column a
    file rewritten since it was opened has lost)."""
    missing = sorted(set(names) - set(batch.schema.names))
    if missing:
        raise ValueError(f"{where.text} has no column(s) {missing} (its columns: {batch.schema.names}): the file "
                         f"changed since it was opened.")
    columns = {}
    for name in names:
        column = batch.column(name)
        if column.null_count:
            bad = int(np.flatnonzero(column.is_null().to_numpy(zero_copy_only=False))[0])
            raise ValueError(f"Column {name!r} has a missing value at {where.row(bad)}; {fix}.")
        columns[name] = arrow_numbers(column)
    return columns


def named_kinds(columns: Iterable[tuple[str, str]], file: Path) -> dict[str, str]:
    """``{name: kind}`` of a file's ``(name, kind)`` columns, refusing two columns of one name."""
    columns = list(columns)
    distinct_columns([name for name, _ in columns], repr(str(file)))
    return dict(columns)


class ChunkedFiles:
    """The machinery every file source shares; a format provides ``_columns``, ``_pieces`` and ``_read``."""

    extensions: tuple[str, ...] = ()

    def __init__(self, path: Any, target: str, features: Sequence[str] | None = None, *, batch_size: int = 32,
                 shuffle: bool = True, shuffle_buffer: int = 0, prefetch: int = PREFETCH_CHUNKS):
        self.files = partition_files(path, self.extensions)
        self.batch_size = _checks.positive_int(batch_size, "batch_size")
        self.shuffle = _checks.boolean(shuffle, "shuffle")
        self.shuffle_buffer = _checks.non_negative_int(shuffle_buffer, "shuffle_buffer")
        self.prefetch = _checks.non_negative_int(prefetch, "prefetch")
        if not isinstance(target, str):
            raise TypeError(f"target must be the name of a column (str). Received: {target!r}")
        available = self._columns(self.files[0])
        if features is None and target in available:
            features = self._numeric_columns(available, target)
        self.feature_names = chosen_features(list(available), target, features, self.files[0])
        self.target = target
        self._kinds = {name: available[name] for name in [*self.feature_names, target]}
        for file in self.files:
            self._check_partition(file, available if file == self.files[0] else self._columns(file))
        self.n_features = len(self.feature_names)
        self._integers = IntegerRange([name for name, kind in self._kinds.items() if kind == "int"])
        if self._integers.integers:
            self._integer_statistics()

    def _numeric_columns(self, available: dict[str, str], target: str) -> list[str]:
        """The default features: every column but the target that holds numbers, in file order, as the in-memory
        readers choose them; the others are named in a ``UserWarning``."""
        others = [name for name in available if name != target]
        skipped = [name for name in others if available[name] not in NUMERIC_KINDS]
        if skipped == others:
            raise ValueError(f"{str(self.files[0])!r} has no numeric column besides the target {target!r} (its "
                             f"columns: {list(available)}).")
        if skipped:
            warn(f"{str(self.files[0])!r}: skipped the non-numeric column(s) {', '.join(map(repr, skipped))} "
                 f"(the features default to the numeric columns; name them with features=[...]).")
        return [name for name in others if name not in skipped]

    def _check_partition(self, file: Path, columns: dict[str, str]) -> None:
        """Every chosen column is in ``file`` with a numeric type, the same kind as in the first file."""
        for name, kind in self._kinds.items():
            if name not in columns:
                raise ValueError(f"The partition {str(file)!r} has no column {name!r} (the first file, "
                                 f"{str(self.files[0])!r}, has it): every partition needs the same columns.")
            if columns[name] not in NUMERIC_KINDS:
                raise TypeError(f"Column {name!r} of {str(file)!r} holds {columns[name]} values, not numbers.")
            if columns[name] != kind:
                raise ValueError(f"Column {name!r} is {columns[name]} in the partition {str(file)!r} but {kind} in "
                                 f"{str(self.files[0])!r}: the partitions' schemas differ.")

    def has_rows(self) -> bool:
        """Whether a pass reads at least one row, found cheaply: the chunks are read only up to the first that holds
        a row (a header-only CSV file ends at once; ``ParquetSource`` asks its metadata instead)."""
        return any(len(columns[self.target]) for piece in self._pieces() for columns, _ in self._read(piece))

    @property
    def dtype(self) -> type:
        """float32 when every chosen column is float32 (or float16, which float32 holds exactly), else float64."""
        return np.float32 if set(self._kinds.values()) <= {"float16", "float32"} else np.float64

    def chunks(self, rng: np.random.Generator | None = None, shuffle: bool = False,
               checked: bool = True) -> Iterator[tuple]:
        """The ``(x, y)`` chunks of one pass, in a random piece order when ``shuffle``; read ahead on a thread.

        ``x`` is a column-major ``(rows, p)`` view (filled column by column, no transpose). ``checked=False``
        skips the finiteness check and yields ``(x, y, where)``: for a consumer whose arithmetic finds a NaN or
        infinity anyway and then calls :meth:`check` to name it (``linnet.ols`` does).
        """
        return self._integers.said_along(prefetched(self._assembled_chunks(self._ordered(rng, shuffle), checked),
                                                    self.prefetch))

    def _ordered(self, rng: np.random.Generator | None, shuffle: bool) -> list:
        pieces = self._pieces()
        return [pieces[i] for i in rng.permutation(len(pieces))] if shuffle else pieces

    def _assembled_chunks(self, pieces: list, checked: bool) -> Iterator[tuple]:
        for piece in pieces:
            for columns, where in self._read(piece):
                if not len(columns[self.target]):
                    continue
                self._integers.chunk(piece, columns)
                x, y = self._assembled(columns)
                if checked:
                    self.check(x, y, where)
                yield (x, y) if checked else (x, y, where)

    def _assembled(self, columns: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """``x`` (rows, p), column-major, and ``y`` (rows,) from the named columns."""
        first = columns[self.target]
        by_column = np.empty((self.n_features, first.shape[0]), self.dtype)
        for j, name in enumerate(self.feature_names):
            by_column[j] = columns[name]
        return by_column.T, first.astype(self.dtype, copy=False)

    def check(self, x: np.ndarray, y: np.ndarray, where: Where) -> None:
        """Refuse a NaN or infinite value of a chunk, naming its column, its row and ``where`` it was read."""
        for array, names in ((x, self.feature_names), (y[:, None], [self.target])):
            bad = _checks.nonfinite_index(array)
            if bad is not None:
                raise ValueError(f"Column {names[bad[1]]!r} has the value {array[bad]} at {where.row(bad[0])}; "
                                 f"linnet needs finite numbers: remove or fill that row first.")

    checked = True
    """The trainer need not check the batches: float32 views of each chunk's ``[x, 1, y]`` rows, checked as the chunk
    is read."""
    nbytes = 0
    """What design batches cost up front (nothing: ``[x, 1]`` is built as each chunk is read)."""
    _design = False

    def design_batches(self) -> ChunkedFiles:
        """The same source with ``x`` as ``[x, 1]``, for the trainer's fused one-neuron step (``Network.mse_step``)."""
        twin = copy.copy(self)
        twin._design = True
        return twin

    def epoch(self, rng: np.random.Generator) -> Iterator[tuple]:
        """Training batches of one epoch (see the module): views ``x`` (``[x, 1]`` for design batches) and ``y``
        of rows gathered whole from the shuffle buffer."""
        p, width = self.n_features, self.n_features + self._design
        rows = self._integers.said_along(prefetched(self._training_rows(self._ordered(rng, self.shuffle)),
                                                    self.prefetch))
        for batch in batches(rows, self.batch_size, self.shuffle_buffer if self.shuffle else 0, rng):
            yield batch[:, :width], batch[:, p + 1:]

    def _training_rows(self, pieces: list) -> Iterator[np.ndarray]:
        """Each chunk as float32 rows ``[x, 1, y]``, built and checked on the read-ahead thread.

        The rows are a transposed view of a ``(p + 2, rows)`` array filled column by column (contiguous copies):
        a row-major copy would cost the reader a transpose (~0.2 s per 10M rows of 20 features), while the
        shuffle buffer's scatter of a batch from the view costs ~6 µs more than from rows. Rows hold ``y``
        beside ``x`` so that a shuffle-buffer gather fetches a sample in one go.
        """
        p = self.n_features
        for piece in pieces:
            for columns, where in self._read(piece):
                if not len(columns[self.target]):
                    continue
                self._integers.chunk(piece, columns)
                by_column = np.empty((p + 2, len(columns[self.target])), np.float32)
                with np.errstate(over="ignore"):  # a value beyond float32 becomes inf: refused below
                    for j, name in enumerate(self.feature_names):
                        by_column[j] = columns[name]
                    by_column[p + 1] = columns[self.target]
                by_column[p] = 1.0
                self._check_as_float32(by_column, columns, where)
                yield by_column.T

    def _check_as_float32(self, by_column: np.ndarray, columns: dict[str, np.ndarray], where: Where) -> None:
        """Refuse a NaN or infinity of the float32 chunk, named as read when the file holds it, else as a value
        beyond float32 (which training uses)."""
        p = self.n_features
        if _checks.nonfinite_index(by_column) is None:
            return
        if self.dtype != np.float32:
            self.check(*self._assembled(columns), where)
            where = where._replace(text=f"{where.text} (as float32, which training uses: rescale the column)")
        self.check(by_column[:p].T, by_column[p + 1], where)

    def __repr__(self) -> str:
        files = str(self.files[0]) if len(self.files) == 1 else f"{len(self.files)} files"
        return f"{type(self).__name__}({files!r}, target={self.target!r}, n_features={self.n_features})"

    # ----- what a format provides -----------------------------------------------------------------------------
    def _columns(self, file: Path) -> dict[str, str]:
        """Column name -> "int", "float16", "float32", "float64", "bool" or another type's name (not numeric)."""
        raise NotImplementedError

    def _pieces(self) -> list:
        """The units of reading whose order may be shuffled."""
        raise NotImplementedError

    def _integer_statistics(self) -> None:
        """Give ``self._integers`` the integer columns' ranges the files' metadata holds (``precision``); by
        default none, and each chunk's are taken as it is read."""

    def _read(self, piece) -> Iterator[tuple[dict[str, np.ndarray], Where]]:
        """The chunks of one piece: the chosen columns by name, and where they come from (for errors)."""
        raise NotImplementedError

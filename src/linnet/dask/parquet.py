"""Parquet files as a Dask DataFrame of one partition per row group, read by pyarrow on the workers.

``dask.dataframe.read_parquet`` reads through fsspec file objects; on a local disk that costs about 2-3x
pyarrow's own ``ParquetFile.read_row_group`` with ``pre_buffer=False`` (the I/O floor; see docs/dask.md). This
reader keeps Dask's collection (any scheduler, any Dask or dask-ml code can use it) and reads each row group with
pyarrow directly, from a memory map, on the worker computing the partition, into the frame ``to_pandas()`` builds
(:func:`linnet.dask._tasks.pyarrow_frame`). Only the files' footers are read on the client; their column
statistics give each integer column's range, and a column holding values beyond 2**53 (which float64 rounds) is
warned of, naming file and column, as the other readers do (``linnet.data.sources.precision``). A row group
written without statistics is checked where its rows are read, on the worker, by linnet's readers of the
collection (``linnet.dask.ols``, ``DaskBatches``, ``full_batch``): the task returns the range it found beside
its result and the client warns (:meth:`linnet.dask._partitions.Partitions.say`), once per column.

``linnet.dask.ols`` (and every reader of :mod:`linnet.dask._partitions`) given such a collection unchanged skips
the frame: each worker reads the row group's wanted columns and copies them once into the block ``x`` and ``y``
are views of (:func:`linnet.dask._tasks.row_group_rows`), the same numbers as the frame's, without importing
pandas (about 0.2 s on a fresh worker). :func:`row_groups` says which collections those are.

Dask wraps a new collection in a conversion of text columns to pyarrow strings. On a schema without text it
converts nothing, yet its task makes every worker import ``dask.dataframe`` (about 0.4 s on a fresh worker), so
it is left out there.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import dask
import dask.dataframe as dd

from .._naming import distinct_columns
from ..data.sources.precision import IntegerRange
from . import _tasks

REMEMBERED = 256
"""Collections of :func:`read_parquet` whose row groups are remembered (see :func:`row_groups`)."""
_READ: dict[str, tuple[list[tuple[str, int]], IntegerRange]] = {}


def read_parquet(path: Any, columns: list[str] | None = None) -> dd.DataFrame:
    """A Dask DataFrame of the Parquet file ``path`` (or of the ``*.parquet`` files of a folder, in name order),
    one partition per row group, with ``columns`` (default all).

    Raises FileNotFoundError naming a missing path, ValueError naming a file that is not Parquet, a column
    that is not there, or a file whose columns differ from the first file's.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a Parquet file or a folder of them (a str or path). Received: {path!r:.100}")
    if columns is not None and (isinstance(columns, str) or not isinstance(columns, (list, tuple))):
        raise TypeError("columns must be a list of column names" + (f"; write [{columns!r}] for one" if
                        isinstance(columns, str) else "") + f". Received: {columns!r:.100}")
    files = _files(Path(path))
    pieces, schema, integers = [], None, None
    for file in files:
        try:
            metadata = pq.ParquetFile(file)
        except Exception as error:  # pyarrow raises ArrowInvalid (a ValueError) or OSError
            raise ValueError(f"Cannot read {str(file)!r} as Parquet: {error}") from None
        names = metadata.schema_arrow.names
        if schema is None:
            schema = metadata.schema_arrow
            wanted = list(names) if columns is None else list(columns)
            distinct_columns(names, repr(str(file)))
            distinct_columns(wanted, "columns=")
        missing = [name for name in wanted if name not in names]
        if missing:
            raise ValueError(f"{str(file)!r} has no column(s) {missing}; its columns are {names}. "
                             f"Received: columns={wanted}")
        if integers is None:
            integers = IntegerRange([name for name in wanted if pa.types.is_integer(schema.field(name).type)])
        integers.footer(str(file), metadata.metadata)  # covered as the pieces name their row groups
        pieces += [(str(file), group) for group in range(metadata.num_row_groups)]
    meta = schema.empty_table().select(wanted).to_pandas()
    no_text = all(dtype.kind in "biufcmM" for dtype in meta.dtypes)  # numbers, booleans, dates and durations
    with dask.config.set({"dataframe.convert-string": False}) if no_text else contextlib.nullcontext():
        frame = dd.from_map(_tasks.read_row_group, pieces, columns=wanted, meta=meta, label="linnet-read-parquet",
                            enforce_metadata=False)
    remember(_READ, frame._name, (pieces, integers))
    return frame


def row_groups(frame: Any) -> tuple[list[tuple[str, int]], IntegerRange] | None:
    """The row groups ``(file, group)`` of ``frame``'s partitions, and the range check of its integer columns (the
    row groups whose footers gave every range, ``covered``, and the columns warned of, ``named``), when ``frame``
    is, unchanged, a collection that :func:`read_parquet` returned in this process; else None.

    The key is the collection's name, Dask's deterministic token of its whole expression (the reading function,
    the row groups, the columns, the meta): any change to the collection (a projection, a filter, ``assign``, an
    in-place ``frame["z"] = ...`` or ``frame.columns = ...``, ``persist``) gives it a new expression and a new
    name, so it no longer matches, and two collections with one name read the same row groups the same way.
    """
    return _READ.get(getattr(frame, "_name", None))


def remember(store: dict, name: str, value: Any) -> Any:
    """``value`` recorded in ``store`` under collection ``name``, the last ``REMEMBERED`` collections only (an older
    one read again starts afresh: for :func:`row_groups`, the general path, the same answer a little slower)."""
    store.pop(name, None)
    store[name] = value
    while len(store) > REMEMBERED:
        store.pop(next(iter(store)), None)  # the oldest; None if another thread took it first
    return value


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(path.glob("*.parquet"))
        if not files:
            raise FileNotFoundError(f"The folder {str(path)!r} holds no *.parquet file.")
        return files
    if not path.exists():
        raise FileNotFoundError(f"No such Parquet file or folder: {str(path)!r}.")
    return [path]

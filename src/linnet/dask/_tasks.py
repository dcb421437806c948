"""What the Dask workers run: a row group read, a partition's rows checked, reduced to a state or shuffled, states
merged.

Every function that a task of :mod:`linnet.dask` calls on a worker is here, and this module imports no Dask
collection (``dask.array``, ``dask.dataframe``) and no pandas: a worker unpickling a task imports it, NumPy and
linnet's exact layer (pyarrow and pandas when it reads Parquet), not ``dask.dataframe``, whose import would cost
every fresh worker about 0.4 s on its first task.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .. import _validation as _checks
from .._arrow import numbers as arrow_numbers
from .._validation import FLOATX
from .._validation.arrays import checked_cast, numeric_array, require_finite
from ..data._columnar import EXACT_INTEGERS
from ..exact.state import LeastSquaresState


def apply(read: Callable, inputs: tuple, function: Callable, extra: tuple) -> tuple[Any, tuple]:
    """``(function(rows, *extra), beyond)``: a partition decoded and used in one task, with what its read found of
    integer columns beyond 2**53 (``(where, column, low, high)`` each), which float64 rounds. A warning raised
    here would stay on the worker: the client says it (``Partitions.say``)."""
    rows, beyond = read(*inputs)
    return function(rows, *extra), beyond


def array_rows(x: np.ndarray, y: np.ndarray, weight: np.ndarray | None, index: int) -> tuple[tuple, tuple]:
    """:func:`_array_rows` as a read: no column names, no integer range taken (a Dask array's dtype is the user's)."""
    return _array_rows(x, y, weight, index), ()


def _array_rows(x: np.ndarray, y: np.ndarray, weight: np.ndarray | None, index: int) -> tuple:
    """The rows ``(x (b, p), y (b,), weights or None)`` of block ``index``, dtype and memory order kept (no copy of
    ``x``); shapes, dtypes and weights checked, finiteness left to the user of the rows (:func:`finite`)."""
    where = f"of partition {index}"
    x = numeric_array(x, f"x {where}")
    if x.ndim != 2:
        raise ValueError(f"x {where} must be 2-D (rows, features). Received: shape {x.shape}")
    if x.shape[0] == 0:
        return x, np.zeros(0), None
    y = _checks.targets(y, x.shape[0], f"y {where}", dtype=None, finite=False)[:, 0]
    if weight is not None:
        weight = _checks.targets(weight, x.shape[0], f"sample_weight {where}", dtype=np.float64)[:, 0]
        if (weight < 0).any():
            raise ValueError(f"sample_weight {where} must be non-negative. Received: {weight.min():g}")
    return x, y, weight


def frame_rows(frame, features: list[str], target: str, weight: str | None, index: int) -> tuple[tuple, tuple]:
    """:func:`_frame_rows` as a read, with the ranges of its 64-bit integer columns (the weight's too) beyond 2**53
    (a frame read as float64 rounds them; where the read converted them already, as pandas does an integer column
    with nulls from Parquet, the values are rounded before any check could see them). Two passes per column, min
    and max: a column with no value (empty, or all missing in a nullable dtype) gives a float NaN or ``pd.NA``,
    not an integer, and is skipped, without counting its values first."""
    rows = _frame_rows(frame, features, target, weight, index)
    where = f"partition {index} of the Dask DataFrame"
    wanted = [*features, target] + ([weight] if weight is not None else [])
    columns = [name for name in dict.fromkeys(wanted) if frame[name].dtype.kind in "iu"
               and frame[name].dtype.itemsize == 8]
    ranges = ((where, name, frame[name].min(), frame[name].max()) for name in columns)
    return rows, _beyond(found for found in ranges if isinstance(found[2], (int, np.integer)))


def _beyond(ranges: Iterable[tuple]) -> tuple:
    """The ``(where, column, low, high)`` of ``ranges`` whose values reach beyond 2**53 in magnitude, as Python
    ints (what the client's :class:`~linnet.data.sources.precision.IntegerRange` takes)."""
    return tuple((where, column, int(low), int(high)) for where, column, low, high in ranges
                 if max(-int(low), int(high)) > EXACT_INTEGERS)


def _frame_rows(frame, features: list[str], target: str, weight: str | None, index: int) -> tuple:
    """The rows of pandas partition ``index`` (as :func:`_array_rows`), refusing a partition of another schema.

    The columns come out of one ``to_numpy`` (a view of pandas' block when they share a dtype), ``x`` and ``y``
    as views of it: no copy beyond the one pandas made from Parquet. Columns of pandas' own dtypes (``Int64``,
    ``Float64``, ``boolean``) or NumPy booleans beside numbers, which would come out as Python objects, are
    converted to float64 instead (booleans as 0 and 1, a missing value as NaN, refused by name downstream).
    """
    wanted = [*features, target] + ([weight] if weight is not None else [])
    for name in wanted:
        if name not in frame.columns:
            raise ValueError(f"Partition {index} has no column {name!r} (its columns: {list(frame.columns)}): "
                             f"the partitions have different schemas.")
        if frame[name].dtype.kind not in "biuf":
            raise TypeError(f"Column {name!r} of partition {index} must be numeric. Received: dtype "
                            f"{frame[name].dtype}")
    chosen = frame if list(frame.columns) == wanted else frame[wanted]
    plain = all(isinstance(dtype, np.dtype) and dtype.kind in "iuf" for dtype in chosen.dtypes)
    values = chosen.to_numpy() if plain else chosen.to_numpy(dtype=np.float64, na_value=np.nan)
    p = len(features)
    return _array_rows(values[:, :p], values[:, p], values[:, p + 1] if weight is not None else None, index)


def finite(rows: tuple, index: int) -> tuple:
    """``rows`` after refusing NaN and infinity, naming partition ``index`` and the first bad value's index."""
    require_finite(rows[0], f"x of partition {index}")
    require_finite(rows[1], f"y of partition {index}")
    return rows


def partition_state(rows: tuple, n_features: int, index: int) -> tuple[LeastSquaresState, int]:
    """The state of partition ``index``'s rows, and 1 (the partitions it holds).

    The rows are not scanned for NaN first: the state's finite Gram matrix proves them finite (its diagonal sums
    the squares), which saves a pass over them. Only when the state refuses them is the scan run, to name the
    partition in the error.
    """
    x, y, weights = rows
    state = LeastSquaresState(n_features)
    if not x.shape[0]:
        return state, 1
    try:
        return state._update(x, y, weights), 1
    except ValueError:
        finite(rows, index)
        raise


def merged(*pieces: tuple[tuple[LeastSquaresState, int], tuple]) -> tuple[tuple[LeastSquaresState, int], tuple]:
    """The merge of ``split_every`` states, the sum of their partition counts, and what their reads found beyond
    2**53 (:func:`apply`), each piece ``((state, count), beyond)``."""
    results, found = zip(*pieces)
    states, counts = zip(*results)
    merged = states[0]
    for state in itertools.islice(states, 1, None):
        merged = merged.merge(state)
    return (merged, sum(counts)), tuple(itertools.chain.from_iterable(found))


def shuffled(rows: tuple, seed: int | None, index: int) -> tuple:
    """Partition ``index``'s rows as float32 ``(x, y (b, 1)[, weights])``, permuted by ``seed``."""
    x, y, weights = finite(rows, index)
    piece = (checked_cast(x, FLOATX, f"x of partition {index} (as float32, which training uses)", finite=False),
             checked_cast(y, FLOATX, f"y of partition {index} (as float32, which training uses)",
                          finite=False).reshape(-1, 1)) + (() if weights is None else (weights,))
    if seed is None:
        return piece
    order = np.random.default_rng(seed).permutation(x.shape[0])
    return tuple(column[order] for column in piece)


def read_row_group(piece: tuple[str, int], columns: list[str]):
    """Row group ``piece[1]`` of file ``piece[0]`` as a pandas DataFrame, read as :func:`pyarrow_frame` says.

    pyarrow leaves out a requested column the file does not have (a file rewritten since ``read_parquet`` read its
    footer), which would give the partition other columns than the collection's: that is refused, naming them.
    """
    table = _row_group_table(piece, columns)
    missing = [name for name in columns if name not in table.schema.names]
    if missing:
        raise ValueError(f"Row group {piece[1]} of {piece[0]!r} has no column(s) {missing} (its columns: "
                         f"{table.schema.names}): the file changed since read_parquet read it.")
    return pyarrow_frame(table)


def _row_group_table(piece: tuple[str, int], columns: list[str]):
    """Row group ``piece[1]`` of file ``piece[0]`` as a pyarrow table, read from a memory map (no copy of the page
    cache) without pre-buffering (the I/O floor on a local disk). A file that cannot be read so any more (it was
    rewritten, truncated or emptied since ``read_parquet`` read its footer) is a ValueError naming it."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    file, group = piece
    try:
        return pq.ParquetFile(file, pre_buffer=False, memory_map=True).read_row_group(group, columns=columns)
    except pa.ArrowException as error:
        raise ValueError(f"Cannot read row group {group} of {file!r}: {error}. Did the file change since "
                         f"read_parquet read it?") from None


def row_group_rows(piece: tuple[str, int], features: list[str], target: str, weight: str | None, index: int,
                   unchecked: tuple[str, ...] = ()) -> tuple[tuple, tuple]:
    """The rows of row group ``piece`` (partition ``index`` of :func:`linnet.dask.read_parquet`), as
    :func:`frame_rows` gives them from that partition's frame, built straight from the Arrow columns; with the
    ranges beyond 2**53 of its ``unchecked`` integer columns, those the footer kept no statistics of (taken from
    the Arrow columns, before any conversion to float rounds them).

    When every wanted column is a plain Arrow integer or float (no nulls, no pandas metadata asking for another
    dtype), its pandas column would be the Arrow buffer itself and ``to_numpy()`` the common dtype of the columns
    (``numpy.result_type``): the columns are copied once into that ``(columns, rows)`` block, ``x`` and ``y`` views
    of it, without importing pandas. Any other table goes through the frame, as the general path does.
    """
    wanted = [*features, target] + ([weight] if weight is not None else [])
    table = _row_group_table(piece, list(dict.fromkeys(wanted)))
    names = table.schema.names
    missing = [name for name in wanted if name not in names]
    if missing:
        raise ValueError(f"Partition {index} has no column {missing[0]!r} (its columns: {names}): "
                         f"the partitions have different schemas.")
    beyond = _beyond(_arrow_range(piece[0], name, table.column(name)) for name in unchecked if name in names)
    if not _plain(table, wanted):
        return _frame_rows(pyarrow_frame(table), features, target, weight, index), beyond
    block = _block([table.column(name) for name in wanted])
    p = len(features)
    return _array_rows(block[:p].T, block[p], block[p + 1] if weight is not None else None, index), beyond


def _arrow_range(where: str, name: str, column) -> tuple:
    """``(where, name, min, max)`` of an Arrow integer column (nulls skipped; 0, 0 when it holds none)."""
    import pyarrow.compute as pc
    extremes = pc.min_max(column)
    return where, name, extremes["min"].as_py() or 0, extremes["max"].as_py() or 0


def _plain(table, names: list[str]) -> bool:
    """Whether pandas would make each column of ``names`` a NumPy column of the Arrow type's own dtype: an integer
    or float32/float64 type, no nulls (pandas would give floats with NaN), and no pandas metadata naming another
    dtype (such as ``Int64``)."""
    import pyarrow as pa
    metadata = {column["field_name"]: column["numpy_type"]
                for column in (table.schema.pandas_metadata or {}).get("columns", [])}
    for name in names:
        kind = table.schema.field(name).type
        if not (pa.types.is_integer(kind) or pa.types.is_float32(kind) or pa.types.is_float64(kind)):
            return False
        dtype = kind.to_pandas_dtype().__name__
        if table.column(name).null_count or metadata.get(name, dtype) != dtype:
            return False
    return True


def _block(columns: list) -> np.ndarray:
    """The ``(columns, rows)`` block of pyarrow chunked arrays of plain numbers, in their common NumPy dtype, from
    pyarrow's pool.

    Each chunk is read as a NumPy view of its data buffer (it has no nulls: :func:`linnet._arrow.numbers`), not by
    ``chunk.to_numpy()``, which imports pandas.
    """
    dtype = np.result_type(*(column.type.to_pandas_dtype() for column in columns))
    block = _pool_array((len(columns), len(columns[0])), dtype)
    for row, column in zip(block, columns):
        start = 0
        for chunk in column.chunks:
            row[start:start + len(chunk)] = arrow_numbers(chunk)
            start += len(chunk)
    return block


def _pool_array(shape: tuple[int, int], dtype: np.dtype) -> np.ndarray:
    """A new array from pyarrow's memory pool, which reuses freed memory, where a new NumPy array of that size
    would be zeroed by the kernel page by page (5 ms more per million rows of 21 float32 columns)."""
    import pyarrow as pa
    return np.frombuffer(pa.allocate_buffer(shape[0] * shape[1] * dtype.itemsize), dtype).reshape(shape)


def pyarrow_frame(table):
    """The pandas DataFrame of a pyarrow table, as ``table.to_pandas()`` builds it, with less CPU.

    When every column has the same numeric Arrow type, ``to_pandas(split_blocks=True)`` gives each its own block
    without a copy, and the columns are then copied into the one ``(columns, rows)`` block that ``to_pandas()``
    builds: the same frame (index, labels, dtypes, layout) for 10 ms of CPU per million rows of 21 float32 columns,
    against 21 ms for ``to_pandas()``'s own conversion. The block comes from pyarrow's memory pool
    (:func:`_pool_array`). Other tables (or pandas metadata making other dtypes) are converted by ``to_pandas()``.
    """
    import pandas as pd
    import pyarrow as pa
    kind = table.schema.types[0] if table.num_columns > 1 else pa.null()
    if set(table.schema.types) != {kind} or not (pa.types.is_floating(kind) or pa.types.is_integer(kind)):
        return table.to_pandas()
    frame = table.to_pandas(split_blocks=True)
    dtype = frame.dtypes.iloc[0]
    if not isinstance(dtype, np.dtype) or (frame.dtypes != dtype).any():
        return table.to_pandas()
    block = _pool_array(frame.shape[::-1], dtype)
    for position in range(frame.shape[1]):
        block[position] = frame.iloc[:, position].to_numpy()
    consolidated = pd.DataFrame(block.T, index=frame.index, columns=frame.columns, copy=False)
    consolidated.attrs = frame.attrs
    return consolidated

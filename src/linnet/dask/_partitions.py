"""A Dask collection as delayed partitions, each computing on a worker to checked rows ``(x, y, weights)``.

Two kinds of collection are read:

- a Dask **array** ``x`` (n, p) or (n,) with a Dask array ``y`` (n,) or (n, 1) (and ``sample_weight`` (n,)):
  ``x`` is rechunked to one block across its columns and ``y`` to ``x``'s row blocks, so partition ``i`` is the
  ``i``-th block of rows of all of them;
- a Dask **DataFrame** with ``target=`` a column name (and ``features=`` names, default every other column;
  ``sample_weight=`` a column name): each partition is one pandas partition, reading only those columns; a
  collection returned by :func:`linnet.dask.read_parquet`, unchanged, is read from its row groups' Arrow columns
  without building the pandas partition (:func:`linnet.dask.parquet.row_groups` says which).

Only metadata is looked at on the client (column names and dtypes, chunk sizes); the rows are decoded and
checked on the workers (:mod:`linnet.dask._tasks`). A check failing there (a column missing from one partition,
text in a numeric column, NaN) raises a ValueError/TypeError naming the partition.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import dask
import dask.array as da
import dask.dataframe as dd
from dask.base import tokenize
from dask.delayed import Delayed

from .._naming import distinct_columns
from ..data.sources.precision import IntegerRange
from . import _tasks
from .parquet import remember, row_groups

_GENERAL: dict[str, IntegerRange] = {}
"""The range check of each general Dask DataFrame read lately, by its name (Dask's token of its expression, as
:func:`linnet.dask.parquet.row_groups` keys its collections): its columns beyond 2**53 are warned of once for the
collection, not on every call reading it (the last ``linnet.dask.parquet.REMEMBERED`` collections)."""


@dataclass(frozen=True)
class Partitions:
    """A collection's partitions: ``read(*inputs[i])`` gives the rows ``(x (b, p), y (b,), weights or None)`` of
    partition ``i`` on a worker, and the integer columns it found beyond 2**53; the number and names of the
    features, the rows when the metadata knows, and the range check that warns of those columns (once each)."""

    read: Callable
    inputs: list[tuple]
    n_features: int
    feature_names: list[str] | None
    n_rows: int | None
    integers: IntegerRange = field(default_factory=lambda: IntegerRange([]))

    def __len__(self) -> int:
        return len(self.inputs)

    def task(self, index: int, name: str, function: Callable, *extra: Any) -> Delayed:
        """``function(rows of partition index, *extra)`` as one task (decoded and used on the same worker), keyed
        ``linnet-<name>-<index>-<token>`` so that an error on the cluster says which partition it was."""
        inputs = self.inputs[index]
        key = f"linnet-{name}-{index}-{tokenize(self.read, inputs, function, extra)}"
        return dask.delayed(_tasks.apply, pure=True)(self.read, inputs, function, extra, dask_key_name=key)

    def say(self, beyond: Iterable[tuple]) -> None:
        """Warn on the client, once per column, of the integer columns a task's read found beyond 2**53
        (``(where, column, low, high)`` each: :func:`linnet.dask._tasks.apply`)."""
        for where, column, low, high in beyond:
            self.integers.bounds(where, column, low, high)


def partitions(x: Any, y: Any = None, *, target: str | None = None, features: list[str] | None = None,
               sample_weight: Any = None) -> Partitions:
    """The partitions of a Dask array ``x`` with arrays ``y`` (and ``sample_weight``), or of a Dask DataFrame
    ``x`` with a ``target`` column (``y`` may name it too), ``features`` and a ``sample_weight`` column."""
    if isinstance(x, dd.DataFrame):
        if isinstance(y, str) and target is None:
            target, y = y, None
        if y is not None:
            raise TypeError(f"With a Dask DataFrame, name the target column: target='price' (or y='price'). "
                            f"Received: y of type {type(y).__name__}")
        return _frame_partitions(x, target, features, sample_weight)
    if isinstance(x, da.Array):
        if target is not None or features is not None:
            raise TypeError("target= and features= name the columns of a Dask DataFrame; with a Dask array x, "
                            f"pass y as a Dask array. Received: target={target!r}, features={features!r}")
        return _array_partitions(x, y, sample_weight)
    raise TypeError(f"linnet.dask expects a dask.array.Array or a dask.dataframe.DataFrame. "
                    f"Received: {type(x).__module__}.{type(x).__name__}")


def _array_partitions(x: da.Array, y: Any, sample_weight: Any) -> Partitions:
    if x.ndim not in (1, 2):
        raise ValueError(f"x must be a 1-D or 2-D Dask array. Received: shape {x.shape}")
    x = x[:, None] if x.ndim == 1 else x
    if any(math.isnan(size) for size in x.chunks[0]):
        raise ValueError("x has blocks of unknown length (NaN chunks); call x.compute_chunk_sizes() first. "
                         f"Received: chunks {x.chunks[0][:5]}...")
    x = x.rechunk({1: -1})
    columns = [_aligned(y, "y", x)]
    columns.append(None if sample_weight is None else _aligned(sample_weight, "sample_weight", x))
    blocks = x.to_delayed().ravel()
    others = [[None] * len(blocks) if column is None else column.to_delayed().ravel() for column in columns]
    inputs = [(block, target, weight, index) for index, (block, target, weight) in enumerate(zip(blocks, *others))]
    return Partitions(_tasks.array_rows, inputs, int(x.shape[1]), None, int(x.shape[0]))


def _aligned(column: Any, name: str, x: da.Array) -> da.Array:
    """``column`` as a 1-D Dask array with ``x``'s row blocks."""
    if not isinstance(column, da.Array):
        raise TypeError(f"{name} must be a Dask array when x is one (dask.array.from_array(...) wraps NumPy). "
                        f"Received: {type(column).__name__}")
    if column.ndim == 2 and column.shape[1] == 1:
        column = column[:, 0]
    if column.ndim != 1 or column.shape[0] != x.shape[0]:
        raise ValueError(f"{name} must have shape ({x.shape[0]},) or ({x.shape[0]}, 1) like x's rows. "
                         f"Received: shape {column.shape}")
    return column.rechunk({0: x.chunks[0]})


def _frame_partitions(frame: dd.DataFrame, target: str | None, features: list[str] | None,
                      weight: Any) -> Partitions:
    columns = list(frame.columns)
    distinct_columns(columns, "The Dask DataFrame")
    if target is None:
        raise ValueError(f"target= is needed with a Dask DataFrame: the name of the column to predict, one of "
                         f"{columns}. Received: target=None")
    if weight is not None and not isinstance(weight, str):
        raise TypeError(f"With a Dask DataFrame, sample_weight is the name of a column. Received: "
                        f"{type(weight).__name__}")
    if features is None:
        features = [name for name in columns if name not in (target, weight)]
    if not isinstance(features, (str, list, tuple)):
        raise TypeError(f"features must be a column name or a list of them. Received: {features!r:.100}")
    features = [features] if isinstance(features, str) else list(features)
    wanted = [*features, target] + ([weight] if weight is not None else [])
    for name in wanted:
        if name not in columns:
            raise ValueError(f"The Dask DataFrame has no column {name!r}. Its columns: {columns}. "
                             f"Received: {name!r}")
        if frame.dtypes[name].kind not in "biuf":
            raise TypeError(f"Column {name!r} of the Dask DataFrame must be numeric. Received: dtype "
                            f"{frame.dtypes[name]}")
    if not features:
        raise ValueError(f"No feature columns are left besides the target {target!r}. Received: columns {columns}")
    read = row_groups(frame)
    if read is not None:  # unchanged from linnet.dask.read_parquet: rows straight from the Arrow columns
        pieces, integers = read
        unchecked = tuple(name for name in dict.fromkeys(wanted) if name in integers.integers)
        inputs = [(piece, features, target, weight, index, () if piece in integers.covered else unchecked)
                  for index, piece in enumerate(pieces)]
        return Partitions(_tasks.row_group_rows, inputs, len(features), features, None, integers)
    inputs = [(part, features, target, weight, index) for index, part in enumerate(frame[wanted].to_delayed())]
    return Partitions(_tasks.frame_rows, inputs, len(features), [str(name) for name in features], None,
                      remember(_GENERAL, frame._name, _GENERAL.get(frame._name) or IntegerRange([])))

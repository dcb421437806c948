"""Read a data file into ``(x, y, feature_names)``, ready for ``model.fit(x, y)``.

Every reader takes the name of the ``target`` column and, optionally, the ``features`` columns (default: every
column but the target), and returns ``x`` as float64 ``(n_samples, n_features)``, ``y`` as float64
``(n_samples,)`` and the feature names in the order of the columns of ``x``. Bad files and bad column choices
raise a ``ValueError`` or ``TypeError`` that names the file, the column and, for bad values, the row.

Only the chosen columns are converted, so a file may hold other, non-numeric columns (ids, labels, dates).
In a CSV file, without ``features`` the numeric columns are used and the others skipped with a warning naming
them; ``categorical`` columns are one-hot encoded (``COL=level``, first sorted level dropped) and ``dropna``
drops the rows missing a chosen value, warning how many. pyarrow, needed for Parquet only, is imported when
``read_parquet`` is first called.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from .. import _validation as _checks
from .._naming import distinct_columns, repeated
from .._warnings import warn
from ._columnar import import_pyarrow, inexact_integers, npz_arrays, npz_columns, parquet_column
from ._csv import complete_rows, csv_number, csv_rows, numeric_columns, one_hot

Table = tuple[np.ndarray, np.ndarray, list[str]]
PathLike = str | os.PathLike


def read_table(path: PathLike, target: str, features: Iterable[str] | None = None, *,
               categorical: Iterable[str] | None = None, dropna: bool = False) -> Table:
    """Read a ``.csv``/``.tsv``/``.txt``, ``.npz`` or ``.parquet``/``.pq`` file, chosen by its extension.

    Parameters
    ----------
    path : str or path-like
        The file. See :func:`read_csv`, :func:`read_npz` and :func:`read_parquet` for what each may hold.
    target : str or None
        The column to predict, ``y``; None reads only the features (``y`` is then None), e.g. for prediction.
    features : iterable of str, optional
        The columns of ``x``, in this order; default every column but ``target``, in file order.
    categorical, dropna
        CSV files only: see :func:`read_csv`.

    Returns
    -------
    x : ndarray of shape (n_samples, n_features), float64
    y : ndarray of shape (n_samples,), float64
    feature_names : list of str
        The names of the columns of ``x``.
    """
    path = _checks.existing_file(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise ValueError(f"Cannot read {str(path)!r}: unsupported extension {path.suffix!r}; "
                         f"linnet reads {', '.join(sorted(_READERS))} files.")
    if reader is read_csv:
        return read_csv(path, target, features, categorical=categorical, dropna=dropna)
    if categorical or dropna:
        raise ValueError(f"categorical and dropna apply to CSV files; {str(path)!r} is not one. Received: "
                         f"categorical={categorical!r}, dropna={dropna!r}")
    return reader(path, target, features)


def read_csv(path: PathLike, target: str, features: Iterable[str] | None = None,
             delimiter: str | None = None, *, categorical: Iterable[str] | None = None, dropna: bool = False) -> Table:
    """Read a delimited text file (UTF-8) whose first row names the columns; see :func:`read_table`.

    ``delimiter`` is one character; when it is None the delimiter is sniffed among ``, ; TAB |``, falling
    back to ``,``. Values must parse as finite numbers; an empty cell or ``NA``/``NaN``/``null`` counts as
    missing and is reported with its line (unless ``dropna`` drops its row), as is any other value that is not
    a number. Without ``features``, columns holding text are skipped (a ``UserWarning`` names them); the
    ``categorical`` columns (added to ``features`` when missing there) become indicator columns ``COL=level``
    for every sorted level but the first.

    Examples
    --------
    A file holding ``rooms,age,price`` / ``6.5,30,24.0`` / ``5.9,65,18.5`` gives, with ``target="price"``,
    ``x = [[6.5, 30], [5.9, 65]]``, ``y = [24.0, 18.5]`` and ``["rooms", "age"]``.
    """
    path, target, dropna = _checks.existing_file(path), _target_name(target), _checks.boolean(dropna, "dropna")
    header, rows = csv_rows(path, delimiter)
    if not rows:
        raise ValueError(f"{str(path)!r} has no data rows.")
    encoded = [] if categorical is None else chosen_features(header, None, categorical, path, "categorical")
    if features is None and target is not None and len(header) > 1:
        features = numeric_columns(header, rows, [n for n in header if n != target and n not in encoded], path)
        features = [n for n in header if n in features or n in encoded]
        if not features:
            raise ValueError(f"{str(path)!r} has no numeric column besides the target {target!r}; encode a text "
                             f"column with categorical=[...] (linnet: --categorical).")
    elif encoded:
        features = [*features, *(name for name in encoded if name not in features)]
    names = chosen_features(header, target, features, path)
    rows = complete_rows(rows, [header.index(n) for n in [*names, *([target] if target else [])]], dropna, path)

    def column(name: str) -> np.ndarray:
        index = header.index(name)
        return np.array([csv_number(fields[index], name, line, path) for line, fields in rows], dtype=np.float64)

    parts = [one_hot([fields[header.index(n)] for _, fields in rows], n, path) if n in encoded
             else (column(n)[:, None], [n]) for n in names]
    x = np.hstack([part for part, _ in parts])
    return x, None if target is None else column(target), [label for _, labels in parts for label in labels]


def read_npz(path: PathLike, target: str, features: Iterable[str] | None = None) -> Table:
    """Read a NumPy ``.npz`` archive (``numpy.savez``) without unpickling anything; see :func:`read_table`.

    Each 1-D or ``(n, 1)`` array is one column named by its key; a 2-D ``(n, k)`` array ``a`` gives the
    columns ``a0 ... a{k-1}``, except that an array ``x`` takes its column names from a string array
    ``feature_names`` when the archive has one. So ``numpy.savez(f, x=x, y=y)`` is read with ``target="y"``,
    and ``numpy.savez(f, rooms=..., price=...)`` with ``target="price"``. An integer column with values beyond 2**53
    in magnitude, which float64 rounds, is named in a ``UserWarning``.
    """
    path = _checks.existing_file(path)
    columns = npz_columns(npz_arrays(path), path)
    return _assemble(list(columns), target, features, lambda name: _finite_column(columns[name], name, path), path)


def read_parquet(path: PathLike, target: str, features: Iterable[str] | None = None) -> Table:
    """Read a Parquet file with ``pyarrow``; see :func:`read_table`.

    Only the chosen columns are read from disk. Integer, float and boolean columns are accepted; nulls and
    NaNs are reported with their row, and an integer column with values beyond 2**53 in magnitude, which float64
    rounds, is named in a ``UserWarning`` (as in :func:`read_npz`).
    """
    path = _checks.existing_file(path)
    pyarrow, parquet = import_pyarrow()
    try:
        with parquet.ParquetFile(path) as file:
            distinct_columns(file.schema_arrow.names, repr(str(path)))
            return _assemble(file.schema_arrow.names, target, features,
                             lambda name: _finite_column(parquet_column(file, name, path), name, path), path)
    except pyarrow.ArrowException as error:
        raise ValueError(f"{str(path)!r} is not a readable Parquet file: {error}") from None


def _assemble(available: list[str], target, features, column: Callable[[str], np.ndarray], path: Path) -> Table:
    """Choose the columns, convert them with ``column(name)`` and stack them into ``(x, y, feature_names)``."""
    feature_names = chosen_features(available, target, features, path)
    x = np.column_stack([column(name) for name in feature_names])
    if x.shape[0] == 0:
        raise ValueError(f"{str(path)!r} has no data rows.")
    return x, None if target is None else column(target), feature_names


def chosen_features(available: list[str], target, features, path: Path, argument: str = "features") -> list[str]:
    """The columns ``features`` names (all but ``target`` when None); ``argument`` is what the errors call it.

    ``available`` holds distinct names: each reader refuses a file that repeats one where it reads the names."""
    if target is None and features is None:
        raise ValueError("Name the feature columns to read (features=[...]) when there is no target column.")
    if _target_name(target) is not None:
        _require_column(target, available, path)
    if features is None:
        names = [name for name in available if name != target]
        if not names:
            raise ValueError(f"{str(path)!r} has no column besides the target {target!r}, so nothing to learn from.")
        return names
    if isinstance(features, (str, bytes, set, frozenset)) or not isinstance(features, Iterable):
        raise TypeError(f"{argument} must be a list of column names"
                        + (f"; write [{features!r}] for a single column" if isinstance(features, str) else
                           " (a set has no order, and the order of the features is the order of the coefficients)"
                           if isinstance(features, (set, frozenset)) else "") + f". Received: {argument}={features!r}")
    names = list(features)
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"{argument} must hold column names (str). "
                            f"Received: {name!r} ({type(name).__name__}) in {argument}")
        _require_column(name, available, path)
    if not names:
        raise ValueError(f"{argument} must name at least one column. Received: an empty list of {argument}")
    if target in names:
        raise ValueError(f"The target {target!r} is also listed in features; a column cannot predict itself.")
    if repeated(names):
        raise ValueError(f"{argument} lists {repeated(names)} more than once.")
    return [str(name) for name in names]


def _target_name(target: Any) -> str | None:
    """``target`` if it is a column name (str) or None, else a ``TypeError``."""
    if target is not None and not isinstance(target, str):
        raise TypeError(f"target must be a column name (str). Received: target={target!r} ({type(target).__name__})")
    return target


def _require_column(name: str, available: list[str], path: Path) -> None:
    """Refuse a column ``path`` does not have, naming the file (the training and validation files may differ)."""
    if name not in available:
        raise ValueError(f"{str(path)!r}: {_checks.unknown_name('column', name, available)}")


def _finite_column(values: np.ndarray, name: str, path: Path) -> np.ndarray:
    """Return ``values`` as finite float64, or say which row of column ``name`` is bad."""
    if values.dtype.kind not in "biuf":
        first = values[:1].tolist()[0] if values.size else None
        raise TypeError(f"Column {name!r} of {str(path)!r} holds {values.dtype} values, not numbers "
                        f"(row 0: {first!r}).")
    if values.dtype.kind in "iu" and values.size:  # the conversion below rounds integers beyond 2**53
        message = inexact_integers(values.min(), values.max(), name, path)
        if message:
            warn(message)
    values = values.astype(np.float64)
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise ValueError(f"Column {name!r} of {str(path)!r} has a missing or infinite value ({float(values[bad[0]])}) "
                         f"at row {int(bad[0])} (0-based); remove or fill that row first.")
    return values


_READERS = {".csv": read_csv, ".tsv": read_csv, ".txt": read_csv, ".npz": read_npz,
            ".parquet": read_parquet, ".pq": read_parquet}

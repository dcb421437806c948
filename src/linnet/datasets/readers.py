"""Read a data file into ``(x, y, feature_names)``, ready for ``model.fit(x, y)``.

Every reader takes the name of the ``target`` column and, optionally, the ``features`` columns (default: every
column but the target), and returns ``x`` as float64 ``(n_samples, n_features)``, ``y`` as float64
``(n_samples,)`` and the feature names in the order of the columns of ``x``. Bad files and bad column choices
raise a ``ValueError`` or ``TypeError`` that names the file, the column and, for bad values, the row.

Only the chosen columns are converted, so a file may hold other, non-numeric columns (ids, labels, dates).
pyarrow, needed for Parquet only, is imported when ``read_parquet`` is first called.
"""

from __future__ import annotations

import csv
import io
import math
import os
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from .. import _checks

Table = tuple[np.ndarray, np.ndarray, list[str]]
PathLike = str | os.PathLike

_MISSING_TEXT = frozenset({"", "na", "n/a", "nan", "null", "none"})
_SNIFFED_DELIMITERS = ",;\t|"
_SNIFF_CHARS = 8192
_NPZ_ERRORS = (ValueError, OSError, EOFError, zipfile.BadZipFile)


def read_table(path: PathLike, target: str, features: Iterable[str] | None = None) -> Table:
    """Read a ``.csv``/``.tsv``/``.txt``, ``.npz`` or ``.parquet``/``.pq`` file, chosen by its extension.

    Parameters
    ----------
    path : str or path-like
        The file. See :func:`read_csv`, :func:`read_npz` and :func:`read_parquet` for what each may hold.
    target : str or None
        The column to predict, ``y``; None reads only the features (``y`` is then None), e.g. for prediction.
    features : iterable of str, optional
        The columns of ``x``, in this order; default every column but ``target``, in file order.

    Returns
    -------
    x : ndarray of shape (n_samples, n_features), float64
    y : ndarray of shape (n_samples,), float64
    feature_names : list of str
        The names of the columns of ``x``.
    """
    path = _existing_file(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise ValueError(f"Cannot read {str(path)!r}: unsupported extension {path.suffix!r}; "
                         f"linnet reads {', '.join(sorted(_READERS))} files.")
    return reader(path, target, features)


def read_csv(path: PathLike, target: str, features: Iterable[str] | None = None,
             delimiter: str | None = None) -> Table:
    """Read a delimited text file (UTF-8) whose first row names the columns; see :func:`read_table`.

    ``delimiter`` is one character; when it is None the delimiter is sniffed among ``, ; TAB |``, falling
    back to ``,``. Values must parse as finite numbers; an empty cell or ``NA``/``NaN``/``null`` counts as
    missing and is reported with its line, as is any other value that is not a number.

    Examples
    --------
    A file holding ``rooms,age,price`` / ``6.5,30,24.0`` / ``5.9,65,18.5`` gives, with ``target="price"``,
    ``x = [[6.5, 30], [5.9, 65]]``, ``y = [24.0, 18.5]`` and ``["rooms", "age"]``.
    """
    path = _existing_file(path)
    header, rows = _csv_rows(path, delimiter)

    def column(name: str) -> np.ndarray:
        index = header.index(name)
        return np.array([_csv_number(fields[index], name, line, path) for line, fields in rows], dtype=np.float64)

    return _assemble(header, target, features, column, path)


def read_npz(path: PathLike, target: str, features: Iterable[str] | None = None) -> Table:
    """Read a NumPy ``.npz`` archive (``numpy.savez``) without unpickling anything; see :func:`read_table`.

    Each 1-D or ``(n, 1)`` array is one column named by its key; a 2-D ``(n, k)`` array ``a`` gives the
    columns ``a0 ... a{k-1}``, except that an array ``x`` takes its column names from a string array
    ``feature_names`` when the archive has one. So ``numpy.savez(f, x=x, y=y)`` is read with ``target="y"``,
    and ``numpy.savez(f, rooms=..., price=...)`` with ``target="price"``.
    """
    path = _existing_file(path)
    columns = _npz_columns(_npz_arrays(path), path)
    return _assemble(list(columns), target, features, lambda name: _finite_column(columns[name], name, path), path)


def read_parquet(path: PathLike, target: str, features: Iterable[str] | None = None) -> Table:
    """Read a Parquet file with ``pyarrow``; see :func:`read_table`.

    Only the chosen columns are read from disk. Integer, float and boolean columns are accepted; nulls and
    NaNs are reported with their row.
    """
    path = _existing_file(path)
    pyarrow, parquet = _import_pyarrow()
    try:
        with parquet.ParquetFile(path) as file:
            return _assemble(file.schema_arrow.names, target, features,
                             lambda name: _arrow_column(file.read(columns=[name]).column(0), name, path), path)
    except pyarrow.ArrowException as error:
        raise ValueError(f"{str(path)!r} is not a readable Parquet file: {error}") from None


def _existing_file(path) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path (str or os.PathLike), received {path!r} ({type(path).__name__}).")
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No such file: {str(path)!r}.")
    if path.is_dir():
        raise ValueError(f"{str(path)!r} is a directory; pass the path of a data file.")
    return path


def _assemble(available: list[str], target, features, column: Callable[[str], np.ndarray], path: Path) -> Table:
    """Choose the columns, convert them with ``column(name)`` and stack them into ``(x, y, feature_names)``."""
    feature_names = _feature_names(available, target, features, path)
    x = np.column_stack([column(name) for name in feature_names])
    if x.shape[0] == 0:
        raise ValueError(f"{str(path)!r} has no data rows.")
    return x, None if target is None else column(target), feature_names


def _feature_names(available: list[str], target, features, path: Path) -> list[str]:
    if target is None and features is None:
        raise ValueError("Name the feature columns to read (features=[...]) when there is no target column.")
    if target is not None and not isinstance(target, str):
        raise TypeError(f"target must be a column name (str), received {target!r} ({type(target).__name__}).")
    if target is not None:
        _require_column(target, available)
    if features is None:
        names = [name for name in available if name != target]
        if not names:
            raise ValueError(f"{str(path)!r} has no column besides the target {target!r}, so nothing to learn from.")
        return names
    if isinstance(features, (str, bytes)) or not isinstance(features, Iterable):
        raise TypeError(f"features must be a list of column names, received {features!r}"
                        + (f"; write [{features!r}] for a single column." if isinstance(features, str) else "."))
    names = list(features)
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"features must hold column names (str), received {name!r} ({type(name).__name__}).")
        _require_column(name, available)
    if not names:
        raise ValueError("features must name at least one column, received an empty list.")
    if target in names:
        raise ValueError(f"The target {target!r} is also listed in features; a column cannot predict itself.")
    if _repeated(names):
        raise ValueError(f"features lists {_repeated(names)} more than once.")
    return [str(name) for name in names]


def _repeated(names: list[str]) -> str:
    """The names that occur more than once, quoted and comma-separated ('' when all are distinct)."""
    return ", ".join(repr(name) for name in sorted({name for name in names if names.count(name) > 1}))


def _require_column(name: str, available: list[str]) -> None:
    if name not in available:
        raise _checks.unknown_name("column", name, available)


def _finite_column(values: np.ndarray, name: str, path: Path) -> np.ndarray:
    """Return ``values`` as finite float64, or say which row of column ``name`` is bad."""
    if values.dtype.kind not in "biuf":
        first = values[:1].tolist()[0] if values.size else None
        raise TypeError(f"Column {name!r} of {str(path)!r} holds {values.dtype} values, not numbers "
                        f"(row 0: {first!r}).")
    values = values.astype(np.float64)
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise ValueError(f"Column {name!r} of {str(path)!r} has a missing or infinite value ({float(values[bad[0]])}) "
                         f"at row {int(bad[0])} (0-based); remove or fill that row first.")
    return values


# --- CSV ---------------------------------------------------------------------------------------------------

def _csv_rows(path: Path, delimiter: str | None) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Return the header and the non-blank data rows as ``(line number, fields)``."""
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n'):
        raise ValueError(f"delimiter must be one character other than a quote or newline, received {delimiter!r}.")
    text = _csv_text(path)
    delimiter = delimiter or _sniff_delimiter(text)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        rows = [(reader.line_num, fields) for fields in reader if fields]
    except csv.Error as error:
        raise ValueError(f"{str(path)!r} is not a valid CSV file: {error}.") from None
    if not rows:
        raise ValueError(f"{str(path)!r} is empty; linnet needs a header row naming the columns, then data rows.")
    header = _csv_header(rows[0][1], path)
    for line, fields in rows[1:]:
        if len(fields) != len(header):
            raise ValueError(f"Line {line} of {str(path)!r} has {len(fields)} field(s) but the header has "
                             f"{len(header)} (delimiter {delimiter!r}).")
    return header, rows[1:]


def _csv_text(path: Path) -> str:
    try:
        with open(path, encoding="utf-8-sig", newline="") as file:
            text = file.read()
    except UnicodeDecodeError as error:
        raise ValueError(f"{str(path)!r} is not a UTF-8 text (CSV) file: undecodable byte at offset "
                         f"{error.start}.") from None
    if "\x00" in text:
        raise ValueError(f"{str(path)!r} contains NUL bytes; it looks like a binary file, not a CSV file.")
    return text


def _sniff_delimiter(text: str) -> str:
    """Guess the delimiter from the first whole lines of ``text``; ``","`` when the guess fails."""
    sample = text[:_SNIFF_CHARS]
    sample = sample[:sample.rfind("\n") + 1] or sample
    try:
        return csv.Sniffer().sniff(sample, delimiters=_SNIFFED_DELIMITERS).delimiter
    except csv.Error:
        return ","


def _csv_header(fields: list[str], path: Path) -> list[str]:
    header = [field.strip() for field in fields]
    if all(_is_number(name) for name in header):
        raise ValueError(f"The first row of {str(path)!r} looks like data ({', '.join(fields[:5])}); "
                         f"linnet needs a header row naming the columns.")
    if "" in header:
        raise ValueError(f"Column {header.index('') + 1} of the header of {str(path)!r} has no name.")
    if _repeated(header):
        raise ValueError(f"The header of {str(path)!r} names {_repeated(header)} more than once.")
    return header


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _csv_number(text: str, column: str, line: int, path: Path) -> float:
    if text.strip().lower() in _MISSING_TEXT:
        raise ValueError(f"Column {column!r} has a missing value ({text!r}) on line {line} of {str(path)!r}; "
                         f"remove or fill that row first.")
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"Column {column!r} has the non-numeric value {text!r} on line {line} of "
                         f"{str(path)!r}.") from None
    if not math.isfinite(value):
        raise ValueError(f"Column {column!r} has the infinite value {text!r} on line {line} of {str(path)!r}.")
    return value


# --- NPZ ---------------------------------------------------------------------------------------------------

def _npz_arrays(path: Path) -> dict[str, np.ndarray]:
    try:
        archive = np.load(path, allow_pickle=False)
    except _NPZ_ERRORS as error:
        raise ValueError(f"{str(path)!r} is not a readable .npz file: {error}") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"{str(path)!r} holds a single .npy array, not an .npz archive of named arrays; "
                         f"save it with numpy.savez(file, x=x, y=y).")
    with archive:
        try:
            return {key: archive[key] for key in archive.files}
        except _NPZ_ERRORS as error:
            raise ValueError(f"{str(path)!r} is not a readable .npz file: {error}") from None


def _npz_columns(arrays: dict[str, np.ndarray], path: Path) -> dict[str, np.ndarray]:
    """Split the archive's arrays into named 1-D columns of one common length."""
    names_of_x = _feature_names_array(arrays.pop("feature_names", None), arrays.get("x"), path)
    columns: dict[str, np.ndarray] = {}
    for key, array in arrays.items():
        if array.ndim not in (1, 2):
            raise ValueError(f"Array {key!r} of {str(path)!r} has shape {array.shape}; linnet reads 1-D columns "
                             f"or 2-D (samples, features) arrays.")
        parts = [array] if array.ndim == 1 else list(array.T)
        if key == "x" and names_of_x:
            names = names_of_x
        else:
            names = [key] if len(parts) == 1 else [f"{key}{j}" for j in range(len(parts))]
        for name, part in zip(names, parts):
            if name in columns:
                raise ValueError(f"{str(path)!r} has two columns named {name!r}.")
            columns[name] = part
    lengths = {name: len(part) for name, part in columns.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"The arrays of {str(path)!r} have different numbers of rows: {lengths}.")
    return columns


def _feature_names_array(names, x, path: Path) -> list[str] | None:
    if names is None:
        return None
    if names.dtype.kind not in "US" or names.ndim != 1:
        raise TypeError(f"feature_names in {str(path)!r} must be a 1-D array of strings, "
                        f"received dtype {names.dtype} and shape {names.shape}.")
    if x is None or x.ndim != 2 or x.shape[1] != names.size:
        raise ValueError(f"feature_names in {str(path)!r} has {names.size} name(s) but must name the columns "
                         f"of a 2-D array 'x' ({'missing' if x is None else f'shape {x.shape}'}).")
    return [str(name.decode() if isinstance(name, bytes) else name) for name in names]


# --- Parquet -----------------------------------------------------------------------------------------------

def _import_pyarrow():
    try:
        import pyarrow
        import pyarrow.parquet as parquet
    except ImportError:
        raise ImportError("Reading Parquet files needs pyarrow: pip install pyarrow "
                          "(or pip install 'linnet[parquet]').") from None
    return pyarrow, parquet


def _arrow_column(values, name: str, path: Path) -> np.ndarray:
    if values.null_count:
        row = int(np.flatnonzero(values.is_null().to_numpy(zero_copy_only=False))[0])
        raise ValueError(f"Column {name!r} of {str(path)!r} has a missing value at row {row} (0-based); "
                         f"remove or fill that row first.")
    return _finite_column(values.to_numpy(), name, path)


_READERS = {".csv": read_csv, ".tsv": read_csv, ".txt": read_csv, ".npz": read_npz,
            ".parquet": read_parquet, ".pq": read_parquet}

"""The NPZ and Parquet specifics of :func:`linnet.datasets.read_npz` and :func:`~linnet.datasets.read_parquet`.

Both give named columns as NumPy arrays; :mod:`linnet.datasets.readers` checks that they hold finite numbers.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

_NPZ_ERRORS = (ValueError, OSError, EOFError, zipfile.BadZipFile)


def npz_arrays(path: Path) -> dict[str, np.ndarray]:
    """The named arrays of an ``.npz`` file, read whole. The file is opened here, not by ``np.load``: NumPy hands
    its own handle to the archive before reading it, and a corrupt archive left that handle open."""
    try:
        with open(path, "rb") as stream:
            archive = np.load(stream, allow_pickle=False)
            arrays = None
            if isinstance(archive, np.lib.npyio.NpzFile):
                with archive:
                    arrays = {key: archive[key] for key in archive.files}
    except _NPZ_ERRORS as error:
        raise ValueError(f"{str(path)!r} is not a readable .npz file: {error}") from None
    if arrays is None:
        raise ValueError(f"{str(path)!r} holds a single .npy array, not an .npz archive of named arrays; "
                         f"save it with numpy.savez(file, x=x, y=y).")
    return arrays


def npz_columns(arrays: dict[str, np.ndarray], path: Path) -> dict[str, np.ndarray]:
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
        raise TypeError(f"feature_names in {str(path)!r} must be a 1-D array of strings. "
                        f"Received: feature_names with dtype {names.dtype} and shape {names.shape}")
    if x is None or x.ndim != 2 or x.shape[1] != names.size:
        raise ValueError(f"feature_names in {str(path)!r} has {names.size} name(s) but must name the columns "
                         f"of a 2-D array 'x' ({'missing' if x is None else f'shape {x.shape}'}).")
    return [str(name.decode() if isinstance(name, bytes) else name) for name in names]


def import_pyarrow():
    try:
        import pyarrow
        import pyarrow.parquet as parquet
    except ImportError:
        raise ImportError("Reading Parquet files needs pyarrow: pip install pyarrow "
                          "(or pip install 'linnet[parquet]').") from None
    return pyarrow, parquet


def parquet_column(file, name: str, path: Path) -> np.ndarray:
    """Column ``name`` of an open ``pyarrow.parquet.ParquetFile`` as a NumPy array, or say which row is null."""
    values = file.read(columns=[name]).column(0)
    if values.null_count:
        row = int(np.flatnonzero(values.is_null().to_numpy(zero_copy_only=False))[0])
        raise ValueError(f"Column {name!r} of {str(path)!r} has a missing value at row {row} (0-based); "
                         f"remove or fill that row first.")
    return values.to_numpy()


EXACT_INTEGERS = 2**53
"""float64 holds every integer up to this magnitude; beyond it only some (2**53 + 1 becomes 2**53)."""


def inexact_integers(low, high, column: str, path: Path) -> str | None:
    """The warning for an integer ``column`` of ``path`` whose values run from ``low`` to ``high``, when some are
    beyond ``EXACT_INTEGERS`` (read as float64, some are rounded: the range alone cannot tell which); else None."""
    beyond = max(-int(low), int(high))
    if beyond <= EXACT_INTEGERS:
        return None
    return (f"{str(path)!r}: the integer column {column!r} holds values beyond 2**53 in magnitude ({beyond:,}), "
            f"which float64 cannot all hold: read as numbers, some are rounded (to about 16 significant digits; "
            f"to about 7 where training reads float32). If the exact values matter (an identifier, a timestamp in "
            f"nanoseconds), leave the column out of the features, or subtract an offset first.")

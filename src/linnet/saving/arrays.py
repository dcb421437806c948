"""Reading ``weights.npz`` without trusting it: each ``.npy`` header is parsed and compared with the shape and
dtype the architecture calls for *before* its data is read, so a header declaring 10**12 values costs nothing;
object arrays (pickles) are refused from the header, never loaded.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from .checks import check_array
from .container import damage_refused
from .fields import refuse

MEMBER = "weights.npz"
_HEADERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}


def npz_bytes(arrays: Mapping[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def npz_budget(expected: Mapping[str, tuple[tuple[int, ...], bool]]) -> int:
    """Bytes a ``weights.npz`` of the ``expected`` arrays may take: their values plus 1 KiB each and 64 KiB."""
    return sum(8 * int(np.prod(shape)) + 1024 for shape, _ in expected.values()) + 65536


def npz_names(path: Path, data: bytes) -> list[str]:
    """The array names in ``data`` (an npz), read from its directory only."""
    with damage_refused(f"{path}: the weights cannot be read"), zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [name.removesuffix(".npy") for name in archive.namelist()]


def read_npz(path: Path, data: bytes, expected: Mapping[str, tuple[tuple[int, ...], bool]],
             skipped: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """The arrays of ``data``: exactly the names of ``expected`` (name -> ``(shape, counter)``), besides names
    starting with one of ``skipped`` (not read), each of its shape, float32 and finite (or an integer count, for
    ``counter``)."""
    found = [name for name in npz_names(path, data) if not name.startswith(skipped) or name in expected]
    if sorted(found) != sorted(expected):
        raise refuse(MEMBER, "the array names", f"exactly {sorted(expected)}", sorted(found))
    with damage_refused(f"{path}: the weights cannot be read"), zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: _read_npy(archive, name, *expected[name]) for name in expected}


def _read_npy(archive: zipfile.ZipFile, name: str, shape: tuple[int, ...], counter: bool) -> np.ndarray:
    with archive.open(f"{name}.npy") as stream:
        version = np.lib.format.read_magic(stream)
        if version not in _HEADERS:
            raise refuse(MEMBER, name, "an .npy array of format 1.0 or 2.0", f"format {version}")
        declared, fortran_order, dtype = _HEADERS[version](stream)
        if dtype.hasobject:
            raise refuse(MEMBER, name, "an array of numbers (Python objects are never unpickled)", str(dtype))
        if tuple(declared) != shape:
            raise refuse(MEMBER, name, f"an array of shape {shape}", f"an array of shape {tuple(declared)}")
        size = int(np.prod(shape)) * dtype.itemsize
        raw = stream.read(size)
    if len(raw) != size:
        raise refuse(MEMBER, name, f"{size} bytes of data", f"{len(raw)} bytes")
    array = np.frombuffer(raw, dtype).reshape(shape, order="F" if fortran_order else "C")
    array = array.astype(dtype.newbyteorder("="), order="C")  # a native, writable copy
    return check_array(array, MEMBER, name, shape, counter)

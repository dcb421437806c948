"""NumPy ``.npy`` and ``.npz`` files as a data source, read through memory maps.

``.npz`` archives are read as :func:`linnet.data.read_npz` reads them (each 1-D array a column, a 2-D ``x`` the
columns ``x0 ...`` or those its ``feature_names`` array gives), ``.npy`` files as one 2-D array whose columns are
``c0, c1, ...`` (name the target ``"c5"``, say). Nothing is loaded whole: each array is a ``numpy.memmap`` of
its bytes in the file (an ``.npz`` member is mapped at its offset inside the zip, which works when the archive
is stored uncompressed, as ``numpy.savez`` writes it; ``savez_compressed`` archives are refused with that
advice), and chunks of ``CHUNK_ROWS`` rows are copied out of the map as they are used.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from .._columnar import npz_columns
from .files import ChunkedFiles, Where

CHUNK_ROWS = 1 << 18


class NumpySource(ChunkedFiles):
    """An ``.npy``/``.npz`` file, a list of them or a folder of them, through memory maps (see the module)."""

    extensions = (".npy", ".npz")

    def _maps(self, file: Path) -> dict[str, np.ndarray]:
        """The file's columns by name, each a (strided) view of a memory map."""
        try:
            if file.suffix.lower() == ".npy":
                array = np.load(file, mmap_mode="r", allow_pickle=False)
                if array.ndim != 2:
                    raise ValueError(f"the array has shape {array.shape}, not (rows, columns)")
                return {f"c{j}": array[:, j] for j in range(array.shape[1])}
            return npz_columns(_npz_maps(file), file)
        except (ValueError, OSError, zipfile.BadZipFile) as error:
            raise ValueError(f"{str(file)!r} is not a readable {file.suffix} file for streaming: {error}") from None

    def _columns(self, file: Path) -> dict[str, str]:
        return {name: _kind(array.dtype) for name, array in self._maps(file).items()}

    def _pieces(self) -> list[tuple[Path, int]]:
        pieces = []
        self.n_rows = 0
        for file in self.files:
            rows = len(next(iter(self._maps(file).values())))
            pieces += [(file, start) for start in range(0, rows, CHUNK_ROWS)]
            self.n_rows += rows
        return pieces

    def __len__(self) -> int:
        """Training batches per epoch: ``ceil(rows / batch_size)``."""
        self._pieces()
        return -(-self.n_rows // self.batch_size)

    def _read(self, piece: tuple[Path, int]) -> Iterator[tuple[dict[str, np.ndarray], Where]]:
        file, start = piece
        maps = self._maps(file)
        yield {name: maps[name][start:start + CHUNK_ROWS] for name in self._kinds}, Where(repr(str(file)), start)


def _npz_maps(file: Path) -> dict[str, np.ndarray]:
    """Every array of an uncompressed ``.npz`` as a read-only memory map of its bytes inside the archive."""
    maps = {}
    with zipfile.ZipFile(file) as archive, open(file, "rb") as handle:
        for info in archive.infolist():
            if info.compress_type != zipfile.ZIP_STORED:
                raise ValueError(f"member {info.filename!r} is compressed (numpy.savez_compressed), which cannot be "
                                 f"memory-mapped; save it with numpy.savez, or read it whole with read_npz")
            handle.seek(info.header_offset + 26)
            name_length, extra_length = np.frombuffer(handle.read(4), "<u2")
            handle.seek(info.header_offset + 30 + int(name_length) + int(extra_length))
            read_header = _HEADER_READERS.get(np.lib.format.read_magic(handle))
            if read_header is None:
                raise ValueError(f"member {info.filename!r} has an .npy format version linnet cannot map")
            shape, fortran, dtype = read_header(handle)
            if dtype.hasobject:
                raise ValueError(f"member {info.filename!r} holds Python objects, which linnet does not unpickle")
            maps[info.filename.removesuffix(".npy")] = np.memmap(
                file, dtype, "r", handle.tell(), shape, "F" if fortran else "C")
    return maps


_HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}


def _kind(dtype: np.dtype) -> str:
    if dtype.kind in "iu":
        return "int"
    if dtype.kind == "b":
        return "bool"
    if dtype.kind == "f" and dtype.itemsize in (2, 4, 8):  # either byte order: copies convert to the machine's
        return f"float{8 * dtype.itemsize}"
    return str(dtype)

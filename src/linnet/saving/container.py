"""The zip container shared by ``.linnet`` and ``.keras`` files: bounded reading and atomic writing.

Reading trusts no size the archive declares: each member's uncompressed size (from the central directory, which
``zipfile`` also enforces while inflating) is compared with a budget *before* a byte is inflated, so a 1 MB file
whose ``config.json`` expands to 1 GiB is refused after reading its directory. Writing is atomic
(:mod:`linnet._atomic`: a temporary file fsynced and renamed over the target, stale ones of killed saves removed).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .._atomic import write_bytes

# What zipfile, zlib and json raise on damaged bytes: a bad header, a bad CRC, a bad deflate stream, a flag bit
# claiming encryption (RuntimeError) or an unknown compression method, invalid UTF-8 or JSON, JSON nested too
# deeply (RecursionError is a RuntimeError), seeks outside the file.
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError, NotImplementedError,
           struct.error, OverflowError)
MAX_MEMBERS = 64
"""Members a model file may hold (linnet writes 3, Keras 3 writes 3 plus assets)."""


class ModelFileError(ValueError):
    """The file is not a readable model: another format, damaged, edited, implausible, or from a newer version.

    The message names the member and the field at fault (``metadata.json: training.epochs ...``).
    """


def read_archive(path: Path, kind: str, reader: Callable[[zipfile.ZipFile], Any]) -> Any:
    """``reader(archive)`` on the zip at ``path``; damaged bytes become a ``ModelFileError`` calling the file
    not a readable ``kind``, a missing file a ``FileNotFoundError``."""
    require_file(path)
    damaged = f"{path} is not a readable {kind} (truncated, damaged or another format)"
    with open(path, "rb") as stream, damage_refused(damaged), zipfile.ZipFile(stream) as archive:
        return reader(archive)


@contextmanager
def damage_refused(what: str) -> Iterator[None]:
    """What damaged bytes raise inside (``DAMAGED``) becomes a ``ModelFileError``: ``what``, then the error."""
    try:
        yield
    except ModelFileError:  # already says what is wrong (and is a ValueError, one of DAMAGED)
        raise
    except DAMAGED as error:
        raise ModelFileError(f"{what}: {type(error).__name__}: {error}") from None


def require_file(path: Path, example: str = "model.linnet") -> None:
    """An ``IsADirectoryError`` for a folder (suggesting a file ``example`` in it), a ``FileNotFoundError`` when
    nothing is at ``path``."""
    if path.is_dir():
        raise IsADirectoryError(f"{str(path)!r} is a folder, not a model file; give the file's path, such as "
                                f"{str(path / example)!r}.")
    if not path.is_file():
        raise FileNotFoundError(f"No model file at {str(path)!r}.")


def refuse_folder(path: Path, what: str, shown: str, example: str) -> None:
    """Before ``what`` is saved to ``path`` (``shown`` as the caller gave it): an ``IsADirectoryError`` for a folder,
    suggesting a file ``example`` in it."""
    if path.is_dir():
        raise IsADirectoryError(f"Cannot save {what} to {shown!r}: it is a directory; give a file name such as "
                                f"{str(path / example)!r}.")


def read_members(path: Path, archive: zipfile.ZipFile, budgets: Mapping[str, int]) -> dict[str, bytes]:
    """The members named in ``budgets`` (name -> most bytes accepted), each checked against its budget before
    it is inflated; a missing member or one declaring more is a ``ModelFileError``."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ModelFileError(f"{path}: the archive holds {len(infos)} members, at most {MAX_MEMBERS} are accepted.")
    contents = {}
    for name, budget in budgets.items():
        info = member_info(path, archive, name)
        contents[name] = bounded_read(path, archive, info, budget)
    return contents


def member_info(path: Path, archive: zipfile.ZipFile, name: str) -> zipfile.ZipInfo:
    try:
        return archive.getinfo(name)
    except KeyError:
        raise ModelFileError(f"{path}: the archive has no member {name!r}. Received members: "
                             f"{archive.namelist()[:MAX_MEMBERS]}.") from None


def bounded_read(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """The bytes of member ``info`` if it declares at most ``budget`` bytes; never inflates more than that."""
    if info.file_size > budget:
        raise ModelFileError(f"{path}: {info.filename} declares {info.file_size} bytes uncompressed "
                             f"({info.compress_size} stored); at most {budget} are accepted for this member.")
    with archive.open(info) as stream:
        data = stream.read(budget + 1)
    if len(data) > budget:  # zipfile stops at the declared size; this guards a reader that would not
        raise ModelFileError(f"{path}: {info.filename} holds more than the {budget} bytes accepted.")
    return data


def write_atomically(path: Path, members: Mapping[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> None:
    """Write ``members`` as a zip at ``path``, whole or not at all (:func:`linnet._atomic.write_bytes`)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    write_bytes(path, buffer.getvalue())

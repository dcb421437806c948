"""Files written whole or not at all: a reader (or a crash) sees the old file or the new one, never part of one.

``write_bytes(path, data)`` writes to a temporary file in the same folder named ``.<name>.<pid>.<random>.tmp``,
flushes and fsyncs it, renames it over ``path``, then fsyncs the folder so that the rename survives a power cut.
A write killed with ``kill -9`` cannot run its own cleanup; the next write of that path removes the temporary
files whose process no longer exists. A path that is a device or a pipe (``/dev/stdout``, ``/dev/null``, a FIFO) is
written into as it is: renaming a file over it would replace the device itself (as root, ``/dev/null`` would
become a regular file). Model files (``linnet.saving``), the command line's outputs and exported
data sets are written so.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
from pathlib import Path


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` as the whole content of ``path``, atomically (see the module)."""
    path = Path(path)
    if _special(path):
        with open(path, "wb") as stream:
            stream.write(data)
        return
    remove_stale_temporaries(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp")
    try:  # open(..., "xb") rather than tempfile.mkstemp: the file gets the usual permissions (umask), not 0600
        stream = open(temporary, "xb")  # noqa: SIM115 (closed by the with below, inside the cleanup's try)
    except OSError as error:  # say the path asked for (a missing folder), not the temporary's name
        raise type(error)(error.errno, error.strerror, str(path)) from None
    try:
        with stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)


def _special(path: Path) -> bool:
    """Whether ``path`` (followed through links) is a device, a pipe or a socket rather than a file or a folder."""
    try:
        mode = os.stat(path).st_mode
    except OSError:  # missing (or unreadable: the write below says why)
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) as the whole content of ``path``, atomically."""
    write_bytes(path, text.encode("utf-8"))


def fsync_folder(folder: Path) -> None:
    """Flush the folder's entry list (the rename) to disk; a no-op where folders cannot be opened (Windows)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:  # some file systems refuse fsync on a folder; the rename itself already happened
        pass
    finally:
        os.close(descriptor)


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Delete ``.<name>.<pid>.<hex>.tmp`` files of ``path`` whose writing process is gone; return them."""
    pattern = re.compile(rf"\.{re.escape(path.name)}\.(\d+)\.[0-9a-f]{{12}}\.tmp")
    removed = []
    try:
        candidates = list(path.parent.iterdir())
    except OSError:
        return removed
    for candidate in candidates:
        match = pattern.fullmatch(candidate.name)
        if match and not process_alive(int(match.group(1))):
            candidate.unlink(missing_ok=True)
            removed.append(candidate)
    return removed


def process_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (a process of another user counts as alive; on Windows, where
    ``os.kill`` would terminate it, every process does)."""
    if pid == os.getpid() or os.name == "nt":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True

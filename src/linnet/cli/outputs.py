"""Where the ``linnet`` command writes, checked before any reading or training, so that a run that cannot write
its results fails at once with a line naming the flag, not after the work with an operating system's message.

``out_folder`` checks ``--out`` of ``train`` and ``demo`` (the folder of ``model.linnet``, ``metrics.json`` and
the figures); ``output_file`` a file to write (``predict --output``, the destination of ``datasets export``). The
writes themselves stay atomic (``linnet._atomic``): these checks only bring forward a failure that is certain.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .._extensions import KERAS_2_EXTENSIONS, MODEL_EXTENSIONS
from .figures import FIGURES

WRITTEN = ("model.linnet", "metrics.json", *FIGURES)
"""The files ``train`` and ``demo`` write into ``--out``."""
MODEL_SUFFIXES = (*MODEL_EXTENSIONS, *KERAS_2_EXTENSIONS)
"""Suffixes of model files: a ``--out`` named so is a file name given where a folder is meant."""


def out_folder(out: Path | None, name: str) -> Path:
    """``--out``, or ``linnet-out/NAME`` by default: a folder linnet can write in, or a path whose nearest existing
    part is one (the folders are made when the outputs are written), in which no name of ``WRITTEN`` is a
    folder (a figure's is checked even with --no-plots: such a folder is a mistake either way)."""
    received = f"--out {out}" if out else f"no --out (the default is linnet-out/{name})"
    out = out or Path("linnet-out") / name
    unnamable = _unnamable(out / WRITTEN[0])
    if unnamable:
        raise ValueError(f"--out must be a path linnet can make, but {str(out)!r} cannot be made: {unnamable}. "
                         f"Received: {received}")
    if out.suffix.lower() in MODEL_SUFFIXES and not out.is_dir():
        raise ValueError(f"--out is the folder linnet writes model.linnet, metrics.json and the figures into, but "
                         f"{str(out)!r} is named like a model file; give a folder (e.g. --out "
                         f"{out.with_suffix('')}): the model is then {out.with_suffix('') / 'model.linnet'}. "
                         f"Received: {received}")
    existing = next(path for path in (out, *out.parents) if os.path.lexists(path))
    if not existing.is_dir():
        raise ValueError(f"--out must be a folder, or a path where one can be made, but {str(existing)!r} is not a "
                         f"folder. Received: {received}")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"--out must be a folder linnet can write in, but {str(existing)!r} is not writable. "
                         f"Received: {received}")
    taken = [written for written in WRITTEN if (out / written).is_dir()]
    if taken:
        raise ValueError(f"--out {out} holds a folder named {taken[0]!r}, where linnet writes its {taken[0]}; "
                         f"remove it or give another --out. Received: {received}")
    return out


def output_file(path: Path, flag: str, what: str) -> Path:
    """``path`` if ``what`` can be written there: an existing device or pipe, or a file (new or not) in an existing
    folder linnet can write in; else a ``ValueError`` naming ``flag``."""
    reason = _why_not_file(path)
    if reason:
        raise ValueError(f"{flag} {path}: cannot write {what} there ({reason}); give a file in a folder linnet can "
                         f"write in. Received: {flag} {path}")
    return path


def _why_not_file(path: Path) -> str | None:
    unnamable = _unnamable(path)
    if unnamable:
        return f"no file can be named so: {unnamable}"
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        return "it is a folder"
    if mode is not None and not stat.S_ISREG(mode):  # a device or a pipe is written into, not replaced
        return None
    folder = path.parent
    if not folder.is_dir():
        return f"{str(folder)!r} is not a folder" if os.path.lexists(folder) else f"no folder {str(folder)!r}"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {str(folder)!r} is not writable"
    return None


def _unnamable(path: Path) -> str | None:
    """Why no file can be named ``path`` whatever the folders (a name too long, a loop of links), in the system's
    words; else None. ``lstat`` of a path that cannot exist fails with the reason, not 'no such file', unless a
    folder above it is missing too: then each name still to be made is measured against the limit of the nearest
    existing folder's file system."""
    try:
        os.lstat(path)
    except OSError as error:
        if error.errno not in (errno.ENOENT, errno.ENOTDIR):
            return error.strerror or str(error)
    except ValueError as error:  # a NUL character
        return str(error)
    else:
        return None
    existing = next((folder for folder in path.parents if os.path.lexists(folder)), Path("."))
    try:
        limit = os.pathconf(existing, "PC_NAME_MAX")
    except (OSError, ValueError):
        return None
    too_long = [name for name in path.parts if len(os.fsencode(name)) > limit]
    if too_long:
        size = len(os.fsencode(too_long[0]))
        return f"File name too long (a name of {size} bytes, {too_long[0][:20]}...; at most {limit})"
    return None

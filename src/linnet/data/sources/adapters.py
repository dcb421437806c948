"""What ``fit`` and ``linnet.ols`` accept besides arrays, turned into data sources.

``data_source(x, shuffle=None, steps_per_epoch=None, epochs=1)`` is registered as the engine's ``"data_source"``
plugin (``linnet/__init__.py``): ``Sequential.fit`` hands it its ``x`` (and ``validation_data``'s), and it returns
a data source for a generator, an iterator, a generator factory or a ``PyDataset``, the source itself for a data
source, and None for arrays, which ``fit`` handles itself. With ``steps_per_epoch`` each epoch takes the next
``steps_per_epoch`` batches, going on through the passes (``engine.steps.Passes``), as Keras 3 does.
``epochs`` is what lets it refuse, before training, a one-shot generator that ``fit`` would read for more than one
epoch without ``steps_per_epoch``.
``open_file(path, target, features, **options)`` picks the file source by extension.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..._validation import among, unknown_name
from ...engine.sources import is_source, refuse_array_arguments
from ...engine.steps import Steps, passes
from .csv import CSVSource
from .generators import FIX, GeneratorSource, is_iterable_input
from .numpy_files import NumpySource
from .parquet import ParquetSource
from .pydataset import PyDatasetSource, is_pydataset

FILE_SOURCES = {extension: kind for kind in (ParquetSource, CSVSource, NumpySource) for extension in kind.extensions}


def open_file(path: Any, target: str, features=None, **options) -> Any:
    """The file source for ``path`` (a file, a list of files or a folder), chosen by the extension."""
    first = path[0] if isinstance(path, (list, tuple)) and path else path
    if not isinstance(first, (str, os.PathLike)):
        raise TypeError(f"path must be a file name, a folder or a list of file names. Received: {path!r:.100}")
    first = Path(first)
    if first.is_dir():
        extensions = {item.suffix.lower() for item in first.iterdir()} & set(FILE_SOURCES)
        if len(extensions) != 1:
            raise ValueError(f"The folder {str(first)!r} must hold files of one format ({', '.join(FILE_SOURCES)}); "
                             f"it holds {sorted(extensions) or 'none'}.")
        extension = extensions.pop()
    else:
        extension = first.suffix.lower()
    if extension not in FILE_SOURCES:
        raise unknown_name("file extension", extension, FILE_SOURCES)
    if isinstance(path, (list, tuple)):
        kinds = {FILE_SOURCES.get(Path(item).suffix.lower()) for item in path}
        if len(kinds) > 1:
            raise ValueError(f"A list of files must hold one format (its first, {first.name!r}, is {extension}). "
                             f"Received: {[Path(item).name for item in path]!r:.200}")
    return FILE_SOURCES[extension](path, target, features, **options)


def data_source(x: Any, shuffle: Any = None, steps_per_epoch: int | None = None, epochs: int = 1) -> Any:
    """``x`` as a data source for ``fit`` (see the module); None when ``x`` is array data.

    ``shuffle`` is ``fit``'s (None where nothing asked for it): it orders a ``PyDataset``'s batches, and is refused
    when set to anything but True for other sources, which decide their own order. A one-shot generator read
    over ``epochs > 1`` without ``steps_per_epoch`` is refused here, before training.
    """
    if is_pydataset(x):
        return PyDatasetSource(x, shuffle=False if shuffle is None else shuffle, steps_per_epoch=steps_per_epoch)
    if not (is_source(x) or is_iterable_input(x)):
        return None  # arrays: fit reads steps_per_epoch batches an epoch from them itself (engine.steps.Passes)
    if not among(shuffle, (None, True)):  # an array: refused, not compared
        refuse_array_arguments("x", shuffle=shuffle)
    if is_source(x):
        return passes(x, steps_per_epoch)
    if not hasattr(x, "__iter__"):  # a generator factory: each call a new pass
        return passes(GeneratorSource(x), steps_per_epoch)
    source = GeneratorSource(x, steps_per_epoch)  # a generator: its epochs go on where the last one stopped
    if source.one_shot and epochs > 1:
        raise ValueError(f"A generator can be read only once, and fit would read it for {epochs} epochs: after the "
                         f"first, Keras 3 trains on its cached batches; linnet refuses. {FIX[0].upper()}{FIX[1:]}.")
    return source if steps_per_epoch is None else Steps(source, steps_per_epoch)

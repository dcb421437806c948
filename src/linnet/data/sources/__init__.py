"""Data where it lives: files larger than memory, generators and ``PyDataset``, as data sources.

Every class here is a data source (``epoch(rng)``, ``n_features``; see :mod:`linnet.engine.sources`), so
``model.fit(source)`` trains on it and ``linnet.ols(source)`` solves least squares on it in one pass:

- :class:`GeneratorSource`: Python iterables, generators and generator factories (``steps_per_epoch``);
- :class:`PyDataset` (also ``linnet.keras.utils.PyDataset``) and its adapter :class:`PyDatasetSource`;
- :class:`ParquetSource`, :class:`CSVSource`, :class:`NumpySource`: files and folders of files, read chunk by
  chunk (parts of row groups, text blocks, memory-map slices); for SGD the order of the pieces (row groups, CSV
  files, memory-map slices) is drawn each epoch and the rows pass a shuffle buffer (:mod:`.shuffle`);
- :func:`open_file` picks one by extension; :func:`ols` streams the exact answer.

``docs/scale.md`` describes the design and each source's semantics.
"""

from .adapters import Steps, data_source, open_file
from .csv import CSVSource
from .generators import GeneratorSource
from .numpy_files import NumpySource
from .parquet import ParquetSource
from .pydataset import PyDataset, PyDatasetSource
from .streaming import accumulate, ols

__all__ = ["CSVSource", "GeneratorSource", "NumpySource", "ParquetSource", "PyDataset", "PyDatasetSource", "Steps",
           "accumulate", "data_source", "ols", "open_file"]

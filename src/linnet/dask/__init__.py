"""linnet on Dask: the exact answer reduced on the cluster, and training with the cluster as the data loader.

- :func:`ols` (also reached by ``linnet.ols`` when given a Dask collection) and :func:`least_squares_state`:
  one pass, a least-squares state per partition on the workers, tree-reduced there (``split_every``);
- :class:`DaskBatches`: a data source for ``fit``: partitions decoded and shuffled on the workers, streamed to
  the trainer in a new partition order every epoch with prefetch;
- :func:`full_batch`: the collection reduced once, then full-batch training at O(p²) per step;
- :func:`read_parquet`: Parquet files as a Dask DataFrame of one partition per row group, read by pyarrow on
  the workers.

Dask arrays and Dask DataFrames on any scheduler (``scheduler=``: threads, processes, a ``distributed``
client or a scheduler's address). Needs ``pip install 'linnet[dask]'``; see ``docs/dask.md``.
"""

import importlib as _importlib
from importlib.util import find_spec as _find_spec

_PIP = "linnet.dask needs Dask's array and DataFrame collections: pip install 'linnet[dask]'."
if _find_spec("dask") is None:  # say which extra brings it, not only which module is missing
    raise ImportError(f"{_PIP} (No module named 'dask')")

# The names load on first use: a worker unpickling a task imports linnet.dask._tasks, and with it this package,
# which must then not import dask.dataframe (about 0.4 s on every fresh worker's first task).
_LAZY = {"DaskBatches": "batches", "WorkerLostError": "_scheduler", "full_batch": "batches",
         "least_squares_state": "reduce", "ols": "reduce", "read_parquet": "parquet"}
__all__ = list(_LAZY)


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'linnet.dask' has no attribute {name!r}")
    try:
        module = _importlib.import_module(f".{_LAZY[name]}", __name__)
    except ImportError as error:
        raise ImportError(f"{_PIP} ({error})") from None
    return getattr(module, name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])

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

try:
    import dask.array
    import dask.dataframe  # noqa: F401
except ImportError as error:  # say which extra brings it, not only which module is missing
    raise ImportError(f"linnet.dask needs Dask's array and DataFrame collections: pip install 'linnet[dask]'. "
                      f"({error})") from None

from ._scheduler import WorkerLostError
from .batches import DaskBatches, full_batch
from .parquet import read_parquet
from .reduce import least_squares_state, ols

__all__ = ["DaskBatches", "WorkerLostError", "full_batch", "least_squares_state", "ols", "read_parquet"]

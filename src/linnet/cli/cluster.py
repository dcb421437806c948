"""``linnet ols`` and ``linnet train`` on a Dask cluster: ``--scheduler ADDRESS`` or ``--workers N``.

The file is read through :mod:`linnet.dask` so that the cluster does the work: a Parquet file (or folder) with
:func:`linnet.dask.read_parquet` (one partition per row group, read by pyarrow on the workers), a CSV file with
``dask.dataframe.read_csv`` (blocks of 64 MB). ``ols`` tree-reduces the partitions' least-squares states on the
workers (:func:`linnet.dask.ols`); ``train`` streams shuffled partitions from the workers
(:class:`linnet.dask.DaskBatches`, validation from ``--validation-data`` or the last partitions for
``--validation-split``), with the stream defaults of :mod:`linnet.cli.stream`.

``--scheduler tcp://host:8786`` connects to a running cluster (a scheduler that does not answer is one line
``linnet: error: Could not reach the Dask scheduler ...``, exit 2); ``--workers N`` starts
``distributed.LocalCluster(n_workers=N, processes=True)`` for the command and closes it at the end.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Iterator
from pathlib import Path

from ..exact.results import OLSResult
from .stream import STREAM_DEFAULTS, refuse_in_memory_flags, streamed_model, validation_file, write_outputs

CSV_BLOCKSIZE = "64MB"
"""Bytes of CSV per Dask partition."""


def wanted(args) -> bool:
    """Whether the command runs on a Dask cluster (``--scheduler`` or ``--workers`` given)."""
    return getattr(args, "scheduler", None) is not None or getattr(args, "workers", None) is not None


@contextlib.contextmanager
def connected(args) -> Iterator:
    """A ``distributed.Client`` of ``--scheduler ADDRESS`` or of a new ``LocalCluster`` of ``--workers N``
    worker processes (one thread each), closed (with the local cluster) when the command ends. The local
    cluster logs nothing below CRITICAL: a task's error reaches the user once, as linnet's one-line error."""
    from ..dask._scheduler import connect
    if args.scheduler is not None:
        client = connect(args.scheduler)
        try:
            yield client
        finally:
            client.close()
        return
    from distributed import Client, LocalCluster
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.CRITICAL) as local, Client(local, set_as_default=False) as client:
        yield client


def frame(path: Path, target: str, features: list[str] | None):
    """The file as a Dask DataFrame of the target and features (default: every numeric column but the target)."""
    import dask.dataframe as dd

    from ..dask import read_parquet
    from ..data._csv import checked_header
    path = Path(path)
    if path.is_dir() or path.suffix.lower() in (".parquet", ".pq"):
        table = read_parquet(path)
    elif path.suffix.lower() in (".csv", ".tsv", ".txt"):
        if not path.is_file():
            raise FileNotFoundError(f"No such CSV file: {str(path)!r}.")
        table = dd.read_csv(path, blocksize=CSV_BLOCKSIZE, sep="\t" if path.suffix.lower() == ".tsv" else ",")
        header = checked_header(list(table.columns), path)  # " y" is y, as linnet's CSV readers read it
        table = table.rename(columns=dict(zip(table.columns, header)))
    else:
        raise ValueError(f"--scheduler/--workers read Parquet files or folders and CSV/TSV files. Received: "
                         f"{str(path)!r}")
    columns = list(table.columns)
    if target not in columns:
        raise ValueError(f"{str(path)!r} has no column {target!r}; its columns are {columns}. "
                         f"Received: --target {target}")
    if features is None:
        features = [name for name in table.select_dtypes("number").columns if name != target]
    missing = [name for name in features if name not in columns]
    if missing:
        raise ValueError(f"{str(path)!r} has no column(s) {missing}; its columns are {columns}. "
                         f"Received: --features {' '.join(features)}")
    return table[[*features, target]], list(features)


def cluster_ols(args) -> OLSResult:
    """The exact answer of the file, its partitions' states reduced on the cluster."""
    from ..dask import ols
    refuse_in_memory_flags(args)
    table, features = frame(args.data, args.target, args.features)
    with connected(args) as client:
        return ols(table, target=args.target, features=features, scheduler=client)


def cluster_train(args, verbose: int) -> dict:
    """Train on the file with the cluster as the data loader (see the module); return the metrics written."""
    from ..dask import DaskBatches, least_squares_state
    refuse_in_memory_flags(args)
    batch_size = args.batch_size or STREAM_DEFAULTS["batch_size"]
    table, features = frame(args.data, args.target, args.features)
    held = None
    if args.validation_data is not None:
        validation_file(args, features)  # its columns and a first row, checked here before the cluster starts
        held = frame(args.validation_data, args.target, features)[0]
    elif args.validation_split:
        table, held = _held_out(table, args.validation_split)
    normalize = args.normalize or getattr(args, "standardize", False)
    with connected(args) as client:
        source = DaskBatches(table, target=args.target, features=features, batch_size=batch_size, scheduler=client)
        validation = None if held is None else DaskBatches(held, target=args.target, features=features,
                                                           batch_size=batch_size, shuffle=False, scheduler=client)
        state = least_squares_state(table, target=args.target, features=features, scheduler=client) \
            if normalize else None
        model = streamed_model(features, args, state)
        history = model.fit(source, validation_data=validation, epochs=args.epochs, verbose=verbose, seed=args.seed)
    exact = None if state is None else OLSResult.from_moments(state, True, features)
    model.training_config.update(feature_names=features, target_name=args.target)
    return write_outputs(model, history.history, exact, args)


def _held_out(table, split: float) -> tuple:
    """The first partitions to train on and the last ``ceil(split · partitions)`` to validate on."""
    count = table.npartitions
    held = math.ceil(split * count)
    if held >= count:
        raise ValueError(f"--validation-split {split} holds out whole partitions (row groups or 64 MB blocks) and "
                         f"would leave none of the {count} to train on; give --validation-data FILE or a smaller "
                         f"split.")
    return table.partitions[:count - held], table.partitions[count - held:]

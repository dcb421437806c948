"""``linnet ols`` and ``linnet train --stream`` on files larger than memory: one chunk at a time, a progress bar.

``ols`` reads the file once into the least-squares state (``linnet.data.sources.ols``) and prints the same
summary as on arrays. ``train`` reads the file as a :class:`~linnet.data.sources.ParquetSource` (or CSV/NPY/NPZ
source): batches through a shuffle buffer, validation from ``--validation-data`` or, for Parquet, the last row
groups (``--validation-split``, row-group granularity); ``--normalize`` adapts the Normalization layer from the
least-squares state of one pass (the default), which also gives the exact answer printed beside the trained one;
where the in-memory defaults need all rows at once, ``STREAM_DEFAULTS`` stand in. It writes
``model.linnet`` and ``metrics.json``. Memory is bounded by the shuffle buffer and a few chunks.

On a terminal a pass of ``ols`` shows rows, rows/s and the ETA (CSV has no row count up front: rows, rows/s
and the time so far), in the format of the engine's progress bar; training shows Keras' progress bar.
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

from .._atomic import write_text
from .._json import strict_dumps
from .._validation import float32_statistics
from ..data.sources import ParquetSource, accumulate, open_file
from ..engine import optimizers
from ..engine.initializers import GlorotUniform
from ..engine.layers import Dense, Input, Normalization
from ..engine.progress import REDRAW_INTERVAL, format_eta
from ..engine.sequential import Sequential
from ..exact.results import OLSResult
from .tasks import constant_columns_error

STREAM_BYTES = 1 << 30
"""``linnet train`` streams a file at least this large even without ``--stream`` (and says so)."""

STREAM_DEFAULTS = {"batch_size": 1024, "learning_rate": 0.01, "momentum": 0.9}
"""What streaming uses where ``linnet train``'s in-memory defaults need all rows at once (a batch of every row,
a learning rate from the data's Hessian): mini-batches of 1,024 rows and SGD 0.01 with heavy-ball momentum 0.9,
on inputs standardized from the one-pass state (stable below ``2(1 + 0.9)/λmax``, ``λmax ≤ 2·n_features``
for standardized inputs: up to ~190 features). Explicit flags win."""


class RowsProgress:
    """A one-line bar on stderr: rows read (of the total, when known), rows/s and the ETA, redrawn at most every
    ``REDRAW_INTERVAL`` seconds. Call it with the rows read so far; ``close()`` ends the line."""

    def __init__(self, total: int | None, stream=None):
        self.total, self.stream = total, stream if stream is not None else sys.stderr
        self.start = self.drawn = time.perf_counter()
        self.rows = 0

    def __call__(self, rows: int) -> None:
        self.rows = rows
        now = time.perf_counter()
        if now - self.drawn >= REDRAW_INTERVAL:
            self.drawn = now
            self.stream.write("\r" + self.line(now))
            self.stream.flush()

    def line(self, now: float) -> str:
        elapsed = max(now - self.start, 1e-9)
        speed = self.rows / elapsed
        if self.total:
            eta = (self.total - self.rows) / speed if speed else math.inf
            return (f"{_count(self.rows)}/{_count(self.total)} rows {self.rows / self.total:4.0%} - "
                    f"{_count(speed)} rows/s - ETA {format_eta(eta) if math.isfinite(eta) else '?'}  ")
        return f"{_count(self.rows)} rows - {_count(speed)} rows/s - {format_eta(elapsed)} elapsed  "

    def close(self) -> None:
        self.stream.write("\r" + self.line(time.perf_counter()).replace("ETA 0s", "done") + "\n")
        self.stream.flush()


def _count(value: float) -> str:
    """``950``, ``12.3k``, ``4.56M``, ``1.20G``."""
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:.0f}"


def _pass(source, progress: bool):
    """The least-squares state of one pass over ``source``, with a rows bar when ``progress``."""
    if not progress:
        return accumulate(source)
    bar = RowsProgress(getattr(source, "n_rows", None))
    try:
        return accumulate(source, bar)
    finally:
        bar.close()


def stream_ols(path: Path, target: str, features: list[str] | None, progress: bool) -> OLSResult:
    """The exact answer for ``target`` on ``features`` of the file, read once, with a rows bar if ``progress``."""
    source = open_file(path, target, features)
    return OLSResult.from_moments(_pass(source, progress), True, source.feature_names)


def refuse_in_memory_flags(args) -> None:
    """Refuse ``--categorical``, ``--dropna`` and ``--tolerance`` where the file is not read whole (streamed, or on
    a cluster): the first two change the rows read, the last is checked against least squares after every epoch,
    which only the in-memory trainer does; a streamed run trains for ``--epochs``."""
    given = []
    if args.categorical:
        given.append("--categorical " + " ".join(args.categorical))
    if args.dropna:
        given.append("--dropna")
    if getattr(args, "tolerance", None) is not None:
        given.append(f"--tolerance {args.tolerance:g}")
    if given:
        raise ValueError("--categorical and --dropna need the columns in memory, and --tolerance the in-memory "
                         "trainer, so they do not run on a file read chunk by chunk (--stream, a folder, a file of "
                         "1 GiB or more) or on a Dask cluster (--scheduler/--workers), which train for --epochs; "
                         f"encode the categories and drop the incomplete rows in the file first. Received: "
                         f"{' '.join(given)}")


def stream_train(args, verbose: int) -> dict:
    """Train on the file named by ``args.data`` chunk by chunk (see the module); return the metrics written."""
    refuse_in_memory_flags(args)
    batch_size = args.batch_size or STREAM_DEFAULTS["batch_size"]
    source = open_file(args.data, args.target, args.features, batch_size=batch_size,
                       shuffle_buffer=args.shuffle_buffer)
    validation = None
    if args.validation_data is not None:
        validation = validation_file(args, source.feature_names, batch_size=batch_size)
    elif args.validation_split and isinstance(source, ParquetSource):
        source, validation = source.held_out(args.validation_split)
    elif args.validation_split:
        raise ValueError("--validation-split with --stream holds out the last row groups of a Parquet file; for "
                         "other files give --validation-data FILE, or --validation-split 0.")
    normalize = args.normalize or getattr(args, "standardize", False)
    state = _pass(source, verbose > 0) if normalize else None
    model = streamed_model(source.feature_names, args, state)  # refuses a constant column before the solve warns
    exact = None if state is None else OLSResult.from_moments(state, True, source.feature_names)
    history = model.fit(source, validation_data=validation, epochs=args.epochs, verbose=verbose, seed=args.seed)
    model.training_config.update(feature_names=source.feature_names, target_name=args.target)
    return write_outputs(model, history.history, exact, args)


def validation_file(args, features: list[str], **options):
    """``--validation-data`` as a file source (unshuffled) of ``features`` and the target, refused before training,
    naming the flag, when it lacks one of those columns or holds no row (a Parquet file's metadata says; a CSV
    file is read up to its first row): found at the first validation, such a file cost an epoch."""
    path = args.validation_data
    try:
        source = open_file(path, args.target, features, **options, shuffle=False)
    except (ValueError, TypeError) as error:
        raise (TypeError if isinstance(error, TypeError) else ValueError)(f"--validation-data {path}: {error}") \
            from None
    if not source.has_rows():
        raise ValueError(f"--validation-data {path}: the file holds no data rows, so there is nothing to validate "
                         f"on; give a file with rows, or leave the flag out. Received: --validation-data {path}")
    return source


def streamed_model(feature_names: list[str], args, state) -> Sequential:
    """The model ``linnet train`` streams into: inputs standardized from ``state`` (the training rows' one-pass
    least-squares state, or None), then the neuron. When it standardizes (the default) it refuses a constant column
    as the in-memory ``train`` does (``tasks.refuse_constant_columns``: standardized, its coefficient would be off by
    about 1e7); unstandardized (``--no-standardize``), no pass finds one, and such a column only shares the bias."""
    layers = [Input((len(feature_names),))]
    if state is not None:
        centered = state.factor[:, :-1].T  # a constant column's is all zeros, as linnet.exact.solve finds it
        constant = [(name, float(mean)) for name, mean, column in zip(feature_names, state.mean_x, centered)
                    if not column.any()]
        if constant:
            raise constant_columns_error(constant, state.n, list(feature_names))
        float32_statistics(state.mean_x, state.variance_x, "the features", list(feature_names))  # by name
        norm = Normalization()
        norm.adapt(state)
        layers.append(norm)
    model = Sequential([*layers, Dense(1, kernel_initializer=GlorotUniform(seed=args.seed))])
    rate = STREAM_DEFAULTS["learning_rate"] if args.learning_rate == "auto" else args.learning_rate
    if args.optimizer == "sgd":
        momentum = getattr(args, "momentum", 0.0)
        optimizer = optimizers.SGD(rate, momentum=STREAM_DEFAULTS["momentum"] if momentum == "auto" else momentum)
    else:
        optimizer = optimizers.get(args.optimizer)
        optimizer.learning_rate = rate
    model.compile(optimizer=optimizer, loss=args.loss)
    return model


def write_outputs(model: Sequential, history: dict, exact: OLSResult | None, args) -> dict:
    """Write ``model.linnet`` and ``metrics.json`` into the folder ``args.out`` (made if missing)."""
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    names = model.training_config["feature_names"]
    metrics = {"final": {name: values[-1] for name, values in history.items()}, "history": history,
               "equation": model.equation(names, args.target), "streamed": True}
    if exact is not None:
        metrics["least_squares"] = {"intercept": exact.intercept_, "coef": exact.coef_.tolist()}
    model.save(out / "model.linnet")
    write_text(out / "metrics.json", strict_dumps(metrics, indent=2) + "\n")
    metrics["written"] = [str(out / "model.linnet"), str(out / "metrics.json")]
    return metrics

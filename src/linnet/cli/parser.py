"""The ``linnet`` command's arguments: one ``argparse`` sub-parser per task, each with help text and an example."""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path

from .._validation import is_scheduler_address
from ..saving.fields import MAX_ITERATIONS

LOCAL_WORKERS_PER_CORE = 4
"""``--workers`` starts at most this many local Dask worker processes per core."""
EXAMPLES = {
    "demo": "example: linnet demo boston --out linnet-out/boston",
    "train": "example: linnet train boston.csv --target MEDV   (boston.csv: linnet datasets export boston boston.csv)",
    "predict": "example: linnet predict linnet-out/boston/model.linnet --x 3 4 5 6 7",
    "inspect": "example: linnet inspect linnet-out/boston/model.linnet",
    "ols": "example: linnet ols boston.csv --target MEDV --features RM",
    "datasets": "example: linnet datasets export boston boston.csv",
    "explore": "example: linnet explore (then move the learning rate in the browser)",
}


def _positive(kind):
    def parse(text: str):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive. Received: {text}")
        return value
    return parse


def _integer(text: str, otherwise: int) -> int:
    try:
        return int(text)
    except ValueError:
        return otherwise


def _count(text: str) -> int:
    """``--epochs``, ``--batch-size``: a positive integer the model file can record (at most 2**53)."""
    value = _integer(text, 0)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive (a whole number). Received: {text}")
    if value > MAX_ITERATIONS:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_ITERATIONS} (2**53, the largest count a model file "
                                         f"records). Received: {text}")
    return value


def _rows(text: str) -> int:
    value = _integer(text, -1)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number of rows >= 0. Received: {text}")
    return value


def _path(text: str) -> Path:
    """A file or folder path; an empty one (an unset shell variable) would be the current folder, silently."""
    if not text:
        raise argparse.ArgumentTypeError("must be a path, not an empty string. Received: ''")
    return Path(text)


def _local_workers(text: str) -> int:
    """``--workers N``: N local worker processes, at most ``LOCAL_WORKERS_PER_CORE`` per core of this machine."""
    workers = _positive(int)(text)
    limit = LOCAL_WORKERS_PER_CORE * (os.cpu_count() or 1)
    if workers > limit:
        raise argparse.ArgumentTypeError(f"must be at most {limit} ({LOCAL_WORKERS_PER_CORE} local processes per "
                                         f"core); for more, start a cluster and give --scheduler. Received: {text}")
    return workers


def _fraction(text: str) -> float:
    value = float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1). Received: {text}")
    return value


def _non_negative(text: str) -> float:
    value = float(text)
    if not 0 <= value < math.inf:
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0. Received: {text}")
    return value


def _auto_or(kind):
    def parse(text: str):
        return "auto" if text == "auto" else kind(text)
    return parse


def _scheduler_address(text: str) -> str:
    if not is_scheduler_address(text):
        raise argparse.ArgumentTypeError(f"must be a Dask scheduler's address: scheme://host:port with a scheme of "
                                         f"tcp, tls, ucx, ws or wss (e.g. tcp://10.0.0.5:8786), host:port, or "
                                         f"inproc://ip/pid/n. Received: {text!r}")
    return text


def _add_data_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", type=_path, help="a CSV/TSV, NPZ or Parquet file whose columns are named")
    parser.add_argument("--target", required=True, help="the column to predict")
    parser.add_argument("--features", nargs="+", metavar="COLUMN",
                        help="the columns to predict from (default: every numeric column but the target)")
    parser.add_argument("--categorical", nargs="+", metavar="COLUMN", help="text columns to one-hot encode (CSV; "
                        "first level dropped, named COLUMN=level in the equation)")
    parser.add_argument("--dropna", action="store_true", help="drop the rows with a missing value, saying how many")


def _add_training_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=_path, help="folder for figures, model.linnet and metrics.json (made if "
                        "missing; checked before training, and a model file name such as model.keras is refused)")
    parser.add_argument("--seed", type=int, default=None, help="seed for initial weights and shuffles")
    figures = parser.add_mutually_exclusive_group()
    figures.add_argument("--no-plots", dest="plots", action="store_false", help="skip the figures")
    figures.add_argument("--plots", dest="exact_plots", action="store_true",
                         help="also draw the loss landscape with the optimizer's path and the gap to the optimum")
    loud = parser.add_mutually_exclusive_group()
    loud.add_argument("--verbose", action="store_const", const=1, dest="verbose",
                      help="show the progress bar even in a pipe")
    loud.add_argument("--quiet", action="store_const", const=0, dest="verbose", help="no progress output")


def _add_stream_flags(parser: argparse.ArgumentParser) -> None:
    stream = parser.add_argument_group("files larger than memory (linnet.cli.stream)")
    stream.add_argument("--stream", action="store_true", help="read the file chunk by chunk instead of loading it "
                        "(automatic for files of 1 GiB or more)")
    stream.add_argument("--shuffle-buffer", type=_rows, default=1_000_000,
                        help="rows of the shuffle buffer when streaming (default 1000000; 0: file order)")
    stream.add_argument("--validation-data", type=_path, help="a second file to validate on when streaming or on a "
                        "Dask cluster, with the training file's columns and at least one row (checked before "
                        "training; refused for a file read in memory: add --stream)")


def _add_cluster_flags(parser: argparse.ArgumentParser) -> None:
    cluster = parser.add_argument_group("a Dask cluster (linnet.cli.cluster; needs linnet[dask])")
    where = cluster.add_mutually_exclusive_group()
    where.add_argument("--scheduler", type=_scheduler_address, metavar="ADDRESS", help="use the running Dask "
                       "cluster at this scheduler address (e.g. tcp://10.0.0.5:8786): its workers read the Parquet/CSV "
                       "file")
    where.add_argument("--workers", type=_local_workers, metavar="N", help="start a local Dask cluster of N worker "
                       f"processes for this command (closed at the end; at most {LOCAL_WORKERS_PER_CORE} per core) "
                       "and read the file on it")


def _add_train_arguments(train: argparse.ArgumentParser) -> None:
    _add_data_arguments(train)
    train.add_argument("--optimizer", default="sgd", help="sgd, rmsprop, adam, adamw, adagrad, adamax or nadam "
                       "(default sgd)")
    train.add_argument("--learning-rate", type=_auto_or(_positive(float)), default="auto",
                       help="a number, or auto (default; sgd only): the fastest rate for the loss's Hessian")
    train.add_argument("--momentum", type=_auto_or(_fraction), default="auto",
                       help="sgd's momentum in [0, 1), or auto (default, with --learning-rate auto: heavy ball)")
    train.add_argument("--epochs", type=_count, default=1000, help="at most this many epochs (default 1000)")
    train.add_argument("--batch-size", type=_count, default=None,
                       help="rows per step (default: all training rows, plain gradient descent)")
    train.add_argument("--tolerance", type=_non_negative, default=None, help="stop when the training loss is within "
                       "this relative distance of least squares' (default 1e-8; 0 runs every epoch; MSE loss and data "
                       "in memory only)")
    train.add_argument("--validation-split", type=_fraction, default=0.2,
                       help="share of the last rows held out for validation (default 0.2; 0 for none)")
    train.add_argument("--loss", default="mse", help="mse, mae, mape, msle, huber or log_cosh (default mse; the "
                                                      "automatic learning rate needs mse, huber or log_cosh)")
    train.add_argument("--no-standardize", dest="standardize", action="store_false",
                       help="train on the raw inputs and target (default: standardized inside the model; the "
                            "coefficients, predictions and saved model stay in the data's units)")
    train.add_argument("--normalize", action="store_true", help="with --no-standardize: standardize the inputs only")
    _add_training_flags(train)
    _add_stream_flags(train)
    _add_cluster_flags(train)


def build_parser() -> argparse.ArgumentParser:
    from .tasks import DEMOS
    parser = argparse.ArgumentParser(prog="linnet", description="Linear regression as a single neuron, "
                                     "Keras-compatible, with the exact answer beside it.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="run one of the four tutorials", epilog=EXAMPLES["demo"])
    demo.add_argument("name", choices=DEMOS, help="the tutorial: " + ", ".join(DEMOS))
    _add_training_flags(demo)

    train = commands.add_parser("train", help="train a neuron on a CSV/NPZ/Parquet file", epilog=EXAMPLES["train"])
    _add_train_arguments(train)

    predict = commands.add_parser("predict", help="predict with a saved model", epilog=EXAMPLES["predict"])
    predict.add_argument("model", type=_path, help="a .linnet or .keras file written by linnet demo/train or "
                         "model.save")
    source = predict.add_mutually_exclusive_group(required=True)
    source.add_argument("--x", type=float, nargs="+",
                        help="values of the single feature, one per row; for a model of d features, rows of d "
                             "values in feature order (--x 1 2 3 4 is two rows of a 2-feature model)")
    source.add_argument("--input", type=_path, help="CSV/NPZ/Parquet file holding the model's feature columns")
    predict.add_argument("--output", type=_path, help="write predictions to this CSV instead of stdout (in an existing "
                         "folder; checked before the model is read)")

    inspect = commands.add_parser("inspect", help="show a saved model", epilog=EXAMPLES["inspect"])
    inspect.add_argument("model", type=_path, help="a .linnet or .keras file")

    ols = commands.add_parser("ols", help="exact least squares with statistics", epilog=EXAMPLES["ols"])
    _add_data_arguments(ols)
    _add_cluster_flags(ols)

    datasets = commands.add_parser("datasets", help="list the bundled data sets, or export one as CSV",
                                   epilog=EXAMPLES["datasets"])
    datasets.add_argument("action", nargs="?", choices=("list", "export"), default="list",
                          help="list (default) or export")
    datasets.add_argument("name", nargs="?", help="with export: the data set to write")
    datasets.add_argument("destination", nargs="?", type=_path, help="with export: the CSV file to write")

    explore = commands.add_parser("explore", help="open the playground in the browser", epilog=EXAMPLES["explore"])
    explore.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, this computer "
                         "only)")
    explore.add_argument("--port", type=int, default=8765, help="port (default 8765; another free one if taken)")
    explore.add_argument("--no-browser", dest="browser", action="store_false", help="print the address only")
    return parser

"""The ``linnet`` command: a thin shell over its tasks (``cli.tasks``: train, then ``cli.report``), the exact
answer (``exact``) and the model file; each subcommand is one call a notebook can make too.

Results go to stdout, progress and diagnostics to stderr; a bad argument, a missing file or an unreadable
model prints one line ``linnet: error: ...`` and exits with status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import warnings
from pathlib import Path

import numpy as np

from .. import _naming

EXAMPLES = {
    "demo": "example: linnet demo boston --out linnet-out/boston",
    "train": "example: linnet train houses.csv --target MEDV --features RM LSTAT --optimizer adam "
             "--learning-rate 0.05 --epochs 200 --normalize",
    "predict": "example: linnet predict linnet-out/boston/model.linnet --x 3 4 5 6 7",
    "inspect": "example: linnet inspect linnet-out/boston/model.linnet",
    "ols": "example: linnet ols houses.csv --target MEDV --features RM",
}


def _positive(kind):
    def parse(text: str):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, received {text}")
        return value
    return parse


def _add_training_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, help="folder for figures, model and metrics.json")
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
    stream.add_argument("--shuffle-buffer", type=int, default=1_000_000,
                        help="rows of the shuffle buffer when streaming (default 1000000; 0: file order)")
    stream.add_argument("--validation-data", type=Path, help="a second file to validate on when streaming")


def build_parser() -> argparse.ArgumentParser:
    from .tasks import DEMOS
    parser = argparse.ArgumentParser(prog="linnet", description="Linear regression as a single neuron, "
                                     "Keras-compatible, with the exact answer beside it.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="run one of the four tutorials", epilog=EXAMPLES["demo"])
    demo.add_argument("name", choices=DEMOS)
    _add_training_flags(demo)

    train = commands.add_parser("train", help="train a neuron on a CSV/NPZ/Parquet file", epilog=EXAMPLES["train"])
    train.add_argument("data", type=Path)
    train.add_argument("--target", required=True)
    train.add_argument("--features", nargs="+")
    train.add_argument("--optimizer", default="rmsprop", help="sgd, rmsprop, adam, adamw, adagrad, adamax or nadam "
                       "(default rmsprop)")
    train.add_argument("--learning-rate", type=_positive(float), default=0.001, help="default 0.001")
    train.add_argument("--epochs", type=_positive(int), default=100, help="default 100")
    train.add_argument("--batch-size", type=_positive(int), default=32, help="default 32")
    train.add_argument("--validation-split", type=float, default=0.2,
                       help="share of the last rows held out for validation (default 0.2; 0 for none)")
    train.add_argument("--loss", default="mse", help="mse, mae, huber or log_cosh (default mse)")
    train.add_argument("--normalize", action="store_true", help="standardize inputs with a Normalization layer")
    _add_training_flags(train)
    _add_stream_flags(train)

    predict = commands.add_parser("predict", help="predict with a saved model", epilog=EXAMPLES["predict"])
    predict.add_argument("model", type=Path)
    source = predict.add_mutually_exclusive_group(required=True)
    source.add_argument("--x", type=float, nargs="+",
                        help="values of the single feature, one per row; for a model of d features, rows of d "
                             "values in feature order (--x 1 2 3 4 is two rows of a 2-feature model)")
    source.add_argument("--input", type=Path, help="CSV/NPZ/Parquet file holding the model's feature columns")
    predict.add_argument("--output", type=Path, help="write predictions to this CSV instead of stdout")

    inspect = commands.add_parser("inspect", help="show a saved model", epilog=EXAMPLES["inspect"])
    inspect.add_argument("model", type=Path)

    ols = commands.add_parser("ols", help="exact least squares with statistics", epilog=EXAMPLES["ols"])
    ols.add_argument("data", type=Path)
    ols.add_argument("--target", required=True)
    ols.add_argument("--features", nargs="+")
    return parser


def _run_task(task, args) -> int:
    from .tasks import progress_verbosity, run
    out = args.out or Path("linnet-out") / task.name
    verbose = progress_verbosity() if args.verbose is None else args.verbose
    results = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):  # the progress bar is a diagnostic, not a result
        metrics = run(task, out, verbose=verbose, plots=args.plots, exact_plots=args.exact_plots,
                      echo=lambda text: print(text, file=results))
    print(f"Wrote {out / 'model.linnet'}, {out / 'metrics.json'}"
          + (f" and {len(metrics['figures'])} figures" if metrics.get("figures") else ""))
    return 0


def command_demo(args) -> int:
    from .tasks import demo
    return _run_task(demo(args.name, seed=42 if args.seed is None else args.seed), args)


def command_train(args) -> int:
    from .stream import STREAM_BYTES, stream_train
    from .tasks import progress_verbosity, task_from_file
    if args.stream or args.data.is_dir() or (args.data.is_file() and args.data.stat().st_size >= STREAM_BYTES):
        with contextlib.redirect_stdout(sys.stderr):  # progress is a diagnostic; results are printed after
            verbose = progress_verbosity() if args.verbose is None else args.verbose
            metrics = stream_train(args, verbose)
        print(f"Learned equation: {metrics['equation']}")
        if "least_squares" in metrics:
            print(f"Exact least squares: {json.dumps(metrics['least_squares'])}")
        print(f"Wrote {', '.join(metrics['written'])}")
        return 0
    task = task_from_file(args.data, args.target, args.features, optimizer=args.optimizer,
                          learning_rate=args.learning_rate, epochs=args.epochs, batch_size=args.batch_size,
                          validation_split=args.validation_split, loss=args.loss, normalize=args.normalize,
                          seed=args.seed)
    return _run_task(task, args)


def _model_names(model) -> tuple[list[str] | None, str]:
    config = model.training_config or {}
    return config.get("feature_names"), _naming.target_name(config.get("target_name"))


def command_predict(args) -> int:
    from ..data import read_table
    from ..engine.sequential import load_model
    model = load_model(args.model)
    features, target = _model_names(model)
    if args.x is not None:
        x = _rows(args.x, model.network.input_dim)
    else:
        x = read_table(args.input, None, features or None)[0]
    predictions = model.predict(x).ravel()
    lines = [target] + [f"{value:.6g}" for value in predictions]
    if args.output:
        args.output.write_text("\n".join(lines) + "\n")
        print(f"Wrote {len(predictions)} predictions to {args.output}", file=sys.stderr)
    else:
        print("\n".join(lines[1:]))
    return 0


def _rows(values: list[float], n_features: int) -> np.ndarray:
    """``--x`` values as rows of ``n_features`` values each."""
    if len(values) % n_features:
        raise ValueError(f"--x got {len(values)} value(s), but the model takes {n_features} features per row: give "
                         f"a multiple of {n_features} values (rows in feature order), or rows in a file with --input.")
    return np.asarray(values, dtype=float).reshape(-1, n_features)


def command_inspect(args) -> int:
    from .._serialization import serialize
    from ..diagnostics.equation import equation
    from ..engine.sequential import load_model
    model = load_model(args.model)
    features, target = _model_names(model)
    model.summary()
    print(f"Equation: {equation(model, features, target)}")
    if model.compiled:
        print(f"Optimizer: {json.dumps(serialize(model.optimizer))}")
        print(f"Loss: {type(model.loss).__name__}")
    print(f"Training: {json.dumps(model.training_config)}")
    return 0


def command_ols(args) -> int:
    from .stream import stream_ols  # one pass, chunk by chunk: bounded memory whatever the file size
    from .tasks import progress_verbosity
    print(stream_ols(args.data, args.target, args.features, progress_verbosity() > 0).summary(
        dep_variable=args.target))
    return 0


COMMANDS = {"demo": command_demo, "train": command_train, "predict": command_predict,
            "inspect": command_inspect, "ols": command_ols}


def _one_line_warning(message, category, filename, lineno, line=None) -> str:
    return f"linnet: warning: {message}\n"


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``linnet`` console script."""
    args = build_parser().parse_args(argv)
    default_format, warnings.formatwarning = warnings.formatwarning, _one_line_warning  # one line on stderr
    try:
        return COMMANDS[args.command](args)
    except (ValueError, TypeError, OSError, ArithmeticError) as error:
        print(f"linnet: error: {error}", file=sys.stderr)
        return 2
    finally:
        warnings.formatwarning = default_format



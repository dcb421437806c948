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
    "train": "example: linnet train boston.csv --target MEDV   (boston.csv: linnet datasets export boston boston.csv)",
    "predict": "example: linnet predict linnet-out/boston/model.linnet --x 3 4 5 6 7",
    "inspect": "example: linnet inspect linnet-out/boston/model.linnet",
    "ols": "example: linnet ols boston.csv --target MEDV --features RM",
    "datasets": "example: linnet datasets export boston boston.csv",
}
EXTRAS = {"pyarrow": "parquet", "matplotlib": "plot"}  # optional module -> the extra that installs it


def _positive(kind):
    def parse(text: str):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, received {text}")
        return value
    return parse


def _fraction(text: str) -> float:
    value = float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), received {text}")
    return value


def _auto_or(kind):
    def parse(text: str):
        return "auto" if text == "auto" else kind(text)
    return parse


def _add_data_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", type=Path, help="a CSV/TSV, NPZ or Parquet file whose columns are named")
    parser.add_argument("--target", required=True, help="the column to predict")
    parser.add_argument("--features", nargs="+", metavar="COLUMN",
                        help="the columns to predict from (default: every numeric column but the target)")
    parser.add_argument("--categorical", nargs="+", metavar="COLUMN", help="text columns to one-hot encode (CSV; "
                        "first level dropped, named COLUMN=level in the equation)")
    parser.add_argument("--dropna", action="store_true", help="drop the rows with a missing value, saying how many")


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


def _add_train_arguments(train: argparse.ArgumentParser) -> None:
    _add_data_arguments(train)
    train.add_argument("--optimizer", default="sgd", help="sgd, rmsprop, adam, adamw, adagrad, adamax or nadam "
                       "(default sgd)")
    train.add_argument("--learning-rate", type=_auto_or(_positive(float)), default="auto",
                       help="a number, or auto (default; sgd only): the fastest rate for the loss's Hessian")
    train.add_argument("--momentum", type=_auto_or(_fraction), default="auto",
                       help="sgd's momentum in [0, 1), or auto (default, with --learning-rate auto: heavy ball)")
    train.add_argument("--epochs", type=_positive(int), default=1000, help="at most this many epochs (default 1000)")
    train.add_argument("--batch-size", type=_positive(int), default=None,
                       help="rows per step (default: all training rows, plain gradient descent)")
    train.add_argument("--tolerance", type=float, default=1e-6, help="stop when the training loss is within this "
                       "relative distance of least squares' (default 1e-6; 0 runs every epoch)")
    train.add_argument("--validation-split", type=_fraction, default=0.2,
                       help="share of the last rows held out for validation (default 0.2; 0 for none)")
    train.add_argument("--loss", default="mse", help="mse, mae, huber or log_cosh (default mse)")
    train.add_argument("--no-standardize", dest="standardize", action="store_false",
                       help="train on the raw inputs and target (default: standardized inside the model; the "
                            "coefficients, predictions and saved model stay in the data's units)")
    train.add_argument("--normalize", action="store_true", help="with --no-standardize: standardize the inputs only")
    _add_training_flags(train)


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
    predict.add_argument("model", type=Path, help="a .linnet file written by linnet demo/train or model.save")
    source = predict.add_mutually_exclusive_group(required=True)
    source.add_argument("--x", type=float, nargs="+",
                        help="values of the single feature, one per row; for a model of d features, rows of d "
                             "values in feature order (--x 1 2 3 4 is two rows of a 2-feature model)")
    source.add_argument("--input", type=Path, help="CSV/NPZ/Parquet file holding the model's feature columns")
    predict.add_argument("--output", type=Path, help="write predictions to this CSV instead of stdout")

    inspect = commands.add_parser("inspect", help="show a saved model", epilog=EXAMPLES["inspect"])
    inspect.add_argument("model", type=Path, help="a .linnet file")

    ols = commands.add_parser("ols", help="exact least squares with statistics", epilog=EXAMPLES["ols"])
    _add_data_arguments(ols)

    datasets = commands.add_parser("datasets", help="list the bundled data sets, or export one as CSV",
                                   epilog=EXAMPLES["datasets"])
    datasets.add_argument("action", nargs="?", choices=("list", "export"), default="list",
                          help="list (default) or export")
    datasets.add_argument("name", nargs="?", help="with export: the data set to write")
    datasets.add_argument("destination", nargs="?", type=Path, help="with export: the CSV file to write")
    return parser


def _run_task(task, args, verbose: int) -> int:
    from .tasks import run
    out = args.out or Path("linnet-out") / task.name
    results = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):  # the progress bar is a diagnostic, not a result
        metrics = run(task, out, verbose=verbose, plots=args.plots, exact_plots=args.exact_plots,
                      echo=lambda text: print(text, file=results), diagnose=print)
    print(f"Wrote {out / 'model.linnet'}, {out / 'metrics.json'}"
          + (f" and {len(metrics['figures'])} figures" if metrics.get("figures") else ""))
    return 0


def command_demo(args) -> int:
    from .tasks import demo
    task = demo(args.name, seed=42 if args.seed is None else args.seed)
    return _run_task(task, args, verbose=args.verbose or 0)  # quiet as the tutorials (fit(verbose=0))


def command_train(args) -> int:
    from .tasks import check, describe, progress_verbosity, task_from_file
    task = task_from_file(args.data, args.target, args.features, categorical=args.categorical, dropna=args.dropna,
                          optimizer=args.optimizer, learning_rate=args.learning_rate, momentum=args.momentum,
                          epochs=args.epochs, batch_size=args.batch_size, validation_split=args.validation_split,
                          loss=args.loss, normalize=args.standardize or args.normalize,
                          standardize_target=args.standardize, tolerance=args.tolerance or None, seed=args.seed)
    check(task)  # a bad setting fails before any output
    print(describe(task), file=sys.stderr)
    return _run_task(task, args, verbose=progress_verbosity() if args.verbose is None else args.verbose)


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
    lines = [f"predicted_{target}"] + [f"{value:.6g}" for value in predictions]
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
        print(f"Optimizer: {json.dumps(_float32_tidy(serialize(model.optimizer)))}")
        print(f"Loss: {type(model.loss).__name__}")
    print(f"Training: {json.dumps(_float32_tidy(model.training_config))}")
    return 0


def _float32_tidy(value):
    """``value`` with each float that is a float32 written as its shortest float32 digits (0.005, not
    0.004999999888241291); other values as they are."""
    if isinstance(value, dict):
        return {key: _float32_tidy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_float32_tidy(item) for item in value]
    if isinstance(value, float) and np.isfinite(value) and float(np.float32(value)) == value:
        return float(str(np.float32(value)))
    return value


def command_ols(args) -> int:
    from ..data import read_table
    from ..exact.results import ols
    x, y, names = read_table(args.data, args.target, args.features, categorical=args.categorical,
                             dropna=args.dropna)
    print(ols(x, y, feature_names=names).summary(dep_variable=args.target))
    return 0


def command_datasets(args) -> int:
    from ..data import boston_housing
    if args.action == "list":
        if args.name or args.destination:
            raise ValueError(f"datasets list takes no more arguments. Received: {args.name!r}")
        print(f"boston  {boston_housing.N_SAMPLES} rows, 13 features, target {boston_housing.TARGET_NAME} "
              f"(Boston housing, as in Keras' datasets): linnet datasets export boston boston.csv")
        return 0
    if args.name != "boston" or args.destination is None:
        raise ValueError(f"datasets export takes a name (boston) and a CSV file to write. Received: {args.name!r}, "
                         f"{args.destination}")
    boston_housing.export_csv(args.destination)
    print(f"Wrote {args.destination} ({boston_housing.N_SAMPLES} rows; target column {boston_housing.TARGET_NAME})")
    return 0


COMMANDS = {"demo": command_demo, "train": command_train, "predict": command_predict,
            "inspect": command_inspect, "ols": command_ols, "datasets": command_datasets}


def _missing_dependency(error: ImportError) -> str:
    module = (error.name or "").split(".")[0]
    if module in EXTRAS:
        return f"this needs {module}, which is not installed: pip install 'linnet[{EXTRAS[module]}]'"
    return str(error).splitlines()[0] if str(error) else f"a module is missing: {error!r}"


def _one_line_warning(message, category, filename, lineno, line=None) -> str:
    return f"linnet: warning: {message}\n"


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``linnet`` console script."""
    args = build_parser().parse_args(argv)
    default_format, warnings.formatwarning = warnings.formatwarning, _one_line_warning  # one line on stderr
    try:
        return COMMANDS[args.command](args)
    except ImportError as error:  # an optional dependency: one line naming the extra
        print(f"linnet: error: {_missing_dependency(error)}", file=sys.stderr)
        return 2
    except (ValueError, TypeError, OSError, ArithmeticError) as error:
        print(f"linnet: error: {error}", file=sys.stderr)
        return 2
    finally:
        warnings.formatwarning = default_format



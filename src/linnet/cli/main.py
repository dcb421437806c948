"""The ``linnet`` command: a thin shell over its tasks (``cli.tasks``: train, then ``cli.report``), the exact
answer (``exact``) and the model file; each subcommand is one call a notebook can make too.

Results go to stdout, progress and diagnostics to stderr; a bad argument, a missing file or an unreadable
model prints one line ``linnet: error: ...`` and exits with status 2.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import warnings

import numpy as np

from .. import _naming
from .._atomic import write_text
from .._json import strict_dumps
from .outputs import out_folder, output_file
from .parser import build_parser

# optional module -> the extra that installs it
EXTRAS = {"pyarrow": "parquet", "matplotlib": "plot", "dask": "dask", "distributed": "dask"}


def _run_task(task, args, verbose: int) -> int:
    from .tasks import run
    out = args.out  # checked by out_folder
    results = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):  # the progress bar is a diagnostic, not a result
        metrics = run(task, out, verbose=verbose, plots=args.plots, exact_plots=args.exact_plots,
                      echo=lambda text: print(text, file=results), diagnose=print)
    print(f"Wrote {out / 'model.linnet'}, {out / 'metrics.json'}"
          + (f" and {len(metrics['figures'])} figures" if metrics.get("figures") else ""))
    return 0


def command_demo(args) -> int:
    from .tasks import demo
    args.out = out_folder(args.out, args.name)
    task = demo(args.name, seed=42 if args.seed is None else args.seed)
    return _run_task(task, args, verbose=args.verbose or 0)  # quiet as the tutorials (fit(verbose=0))


def command_train(args) -> int:
    from . import cluster
    from .stream import STREAM_BYTES, stream_train
    from .tasks import check, describe, progress_verbosity, task_from_file
    args.out = out_folder(args.out, args.data.stem)
    large = args.data.is_file() and args.data.stat().st_size >= STREAM_BYTES
    if cluster.wanted(args) or args.stream or args.data.is_dir() or large:
        with contextlib.redirect_stdout(sys.stderr):  # progress is a diagnostic; results are printed after
            verbose = progress_verbosity() if args.verbose is None else args.verbose
            metrics = (cluster.cluster_train if cluster.wanted(args) else stream_train)(args, verbose)
        print(f"Learned equation: {metrics['equation']}")
        if "least_squares" in metrics:
            print(f"Exact least squares: {strict_dumps(metrics['least_squares'])}")
        print(f"Wrote {', '.join(metrics['written'])}")
        return 0
    if args.validation_data is not None:  # read only chunk by chunk; in memory it would be ignored
        raise ValueError(f"--validation-data is read when the file is streamed (--stream, a folder, a file of 1 GiB or "
                         f"more) or read on a Dask cluster; in memory, --validation-split holds out the last rows. Add "
                         f"--stream to validate on it. Received: --validation-data {args.validation_data}")
    task = task_from_file(args.data, args.target, args.features, categorical=args.categorical, dropna=args.dropna,
                          optimizer=args.optimizer, learning_rate=args.learning_rate, momentum=args.momentum,
                          epochs=args.epochs, batch_size=args.batch_size, validation_split=args.validation_split,
                          loss=args.loss, normalize=args.standardize or args.normalize,
                          standardize_target=args.standardize, seed=args.seed, **_given_tolerance(args))
    check(task)  # a bad setting fails before any output
    print(describe(task), file=sys.stderr)
    return _run_task(task, args, verbose=progress_verbosity() if args.verbose is None else args.verbose)


def _given_tolerance(args) -> dict[str, float | None]:
    """``--tolerance`` as ``task_from_file`` takes it: left out when unset (``TRAIN_DEFAULTS`` has the default),
    None for 0 (every epoch runs)."""
    return {} if args.tolerance is None else {"tolerance": args.tolerance or None}


def _model_names(model) -> tuple[list[str] | None, str]:
    config = model.training_config or {}
    return config.get("feature_names"), _naming.target_name(config.get("target_name"))


def command_predict(args) -> int:
    from ..data import read_table
    from ..engine.sequential import load_model
    if args.output:  # before reading the model and the rows
        output_file(args.output, "--output", "the predictions")
    model = load_model(args.model)
    features, target = _model_names(model)
    if args.x is not None:
        x = _rows(args.x, model.network.input_dim)
    else:
        x, _, columns = read_table(args.input, None, features or None)
        _check_columns(columns, features, model.network.input_dim, args.input)
    predictions = model.predict(x).ravel()
    lines = [f"predicted_{target}"] + [f"{value:.6g}" for value in predictions]
    if args.output:
        try:
            write_text(args.output, "\n".join(lines) + "\n")
        except OSError as error:
            raise ValueError(f"--output {args.output}: cannot write the predictions there ({error.strerror or error})."
                             ) from None
        print(f"Wrote {len(predictions)} predictions to {args.output}", file=sys.stderr)
    else:
        print("\n".join(lines[1:]))
    return 0


def _check_columns(columns: list[str], features: list[str] | None, n_features: int, path) -> None:
    """The columns read from ``--input`` must be the model's features in its order (unnamed: as many)."""
    if (features is not None and list(columns) != list(features)) or len(columns) != n_features:
        raise ValueError(f"--input {path}: the model takes {n_features} feature(s) {features or ''} in this order; "
                         f"the file gave the columns {list(columns)}.")


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
    from . import cluster
    from .tasks import progress_verbosity
    if cluster.wanted(args):  # the workers read the file and reduce its partitions' states
        print(cluster.cluster_ols(args).summary(dep_variable=args.target))
        return 0
    if args.categorical or args.dropna:  # encoding and dropping rows need the columns in memory
        from ..data import read_table
        from ..exact.results import ols
        x, y, names = read_table(args.data, args.target, args.features, categorical=args.categorical,
                                 dropna=args.dropna)
        print(ols(x, y, feature_names=names).summary(dep_variable=args.target))
        return 0
    from .stream import stream_ols  # one pass, chunk by chunk: bounded memory whatever the file size
    print(stream_ols(args.data, args.target, args.features, progress_verbosity() > 0).summary(
        dep_variable=args.target))
    return 0


def command_explore(args) -> int:
    from ..playground import serve
    serve(args.host, args.port, open_browser=args.browser)
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
    if args.destination.suffix.lower() in (".npz", ".parquet", ".pq"):  # read back as that format, not as CSV
        raise ValueError(f"datasets export writes CSV, but {args.destination} names a {args.destination.suffix} "
                         f"file, which linnet would read as that format; give a .csv file. "
                         f"Received: destination {args.destination}")
    boston_housing.export_csv(output_file(args.destination, "destination", "the data set"))
    print(f"Wrote {args.destination} ({boston_housing.N_SAMPLES} rows; target column {boston_housing.TARGET_NAME})")
    return 0


COMMANDS = {"demo": command_demo, "train": command_train, "predict": command_predict,
            "inspect": command_inspect, "ols": command_ols, "datasets": command_datasets,
            "explore": command_explore}


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
        code = COMMANDS[args.command](args)
        sys.stdout.flush()  # a reader gone (a closed pipe) shows here, in the handler below, not at exit
        return code
    except ImportError as error:  # an optional dependency: one line naming the extra
        print(f"linnet: error: {_missing_dependency(error)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader stopped (linnet ... | head): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the flush at exit must not fail again
        return 141  # 128 + SIGPIPE, what a shell reports for a tool killed by it
    except (ValueError, TypeError, OSError, ArithmeticError) as error:
        print(f"linnet: error: {error}", file=sys.stderr)
        return 2
    except MemoryError as error:  # NumPy's names the allocation; Python's own is empty
        print(f"linnet: error: out of memory{': ' + str(error) if str(error) else ''}", file=sys.stderr)
        return 2
    finally:
        warnings.formatwarning = default_format



"""Record real Keras 3's numbers for the regression losses and metrics linnet added beside MSE/MAE/Huber/LogCosh:
MeanAbsolutePercentageError, MeanSquaredLogarithmicError (losses, their functions, their metrics), LogCoshError,
Mean, Sum and MeanMetricWrapper.

Not part of the test suite (it needs Keras and TensorFlow). It prints Python constants, pasted into
``tests/engine/test_regression_losses.py`` and ``tests/engine/test_keras_metrics_added.py``. Re-record with:

    KERAS_BACKEND=tensorflow /work/bench-venv/bin/python tests/tools/record_keras_regression_losses.py

Every number is float32 in Keras; ``shuffle=False`` in every fit, so linnet sees the batches in the same order.
"""

from __future__ import annotations

import os
import pprint

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import numpy as np
import tensorflow as tf

# y = 0 (MAPE divides by max(|y|, 1e-7)), y = p (no gradient), negatives (MSLE clips them to 1e-7), large values
Y = [1.0, 2.0, 0.0, -3.0, 0.5, 250.0, 2.0]
P = [1.5, -1.0, 0.5, -2.0, 0.0, 240.0, 2.0]
W = [1.0, 2.0, 0.5, 0.0, 1.5, 3.0, 1.0]
LOSSES = {"mape": keras.losses.MeanAbsolutePercentageError, "msle": keras.losses.MeanSquaredLogarithmicError}
FUNCTIONS = ["mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
             "mean_squared_logarithmic_error", "huber", "log_cosh"]
OVERFLOW = {"beyond float32": ([3e38], [-3e38]), "zero target, large prediction": ([0.0], [3e38])}


def column(values):
    return tf.constant(np.array(values, np.float32).reshape(-1, 1))


def loss_and_gradient(loss, weights=None):
    """The batch loss of (Y, P) and its gradient with respect to the predictions, shape (B,)."""
    p = tf.Variable(column(P))
    with tf.GradientTape() as tape:
        value = loss(column(Y), p, sample_weight=None if weights is None else tf.constant(weights, tf.float32))
    return float(value), [float(g) for g in tape.gradient(value, p).numpy().ravel()]


def losses():
    recorded = {}
    for name, cls in LOSSES.items():
        loss = cls()
        recorded[name] = {"plain": loss_and_gradient(loss), "weighted": loss_and_gradient(loss, W),
                          "weight 2": loss_and_gradient(loss, 2.0), "config": loss.get_config(),
                          "overflow": {case: float(loss(column(y), column(p))) for case, (y, p) in OVERFLOW.items()}}
    return recorded


def functions():
    recorded = {name: [float(v) for v in np.asarray(getattr(keras.losses, name)(column(Y), column(P)))]
                for name in FUNCTIONS}
    recorded["huber delta 0.5"] = [float(v) for v in np.asarray(keras.losses.huber(column(Y), column(P), delta=0.5))]
    return recorded


def metrics():
    """Two update_state calls (the second weighted), then result(); each metric's default name and config."""
    first, second = (Y[:4], P[:4]), (Y[4:], P[4:], W[4:])
    built = {"MeanAbsolutePercentageError": keras.metrics.MeanAbsolutePercentageError(),
             "MeanSquaredLogarithmicError": keras.metrics.MeanSquaredLogarithmicError(),
             "LogCoshError": keras.metrics.LogCoshError(),
             "MeanMetricWrapper(mape)": keras.metrics.MeanMetricWrapper(
                 keras.losses.mean_absolute_percentage_error, name="wrapped"),
             "MeanMetricWrapper(huber, delta=0.5)": keras.metrics.MeanMetricWrapper(keras.losses.huber,
                                                                                   name="h", delta=0.5)}
    recorded = {}
    for name, metric in built.items():
        metric.update_state(column(first[0]), column(first[1]))
        after_first = float(metric.result())
        metric.update_state(column(second[0]), column(second[1]), sample_weight=np.array(second[2], np.float32))
        recorded[name] = {"first": after_first, "both": float(metric.result()),
                          "config": keras.metrics.serialize(metric)}
    return recorded


REDUCTIONS = {  # (values, sample_weight) fed one after the other
    "list": [([1.0, 3.0, 5.0, 7.0], None)],
    "list weighted": [([1.0, 3.0, 5.0, 7.0], [1.0, 1.0, 0.0, 0.0])],
    "number": [(5.0, None), (2.0, None)],
    "number weight": [([1.0, 3.0, 5.0, 7.0], 2.0)],
    "rows": [([[1.0, 2.0], [3.0, 4.0], [5.0, 9.0]], None)],
    "rows weighted by row": [([[1.0, 2.0], [3.0, 4.0], [5.0, 9.0]], [1.0, 0.5, 2.0])],
    "rows weighted each": [([[1.0, 2.0], [3.0, 4.0]], [[1.0, 0.0], [0.5, 2.0]])],
    "column weighted": [([[1.0], [3.0], [5.0]], [2.0, 1.0, 0.5])],
    "two calls": [([1.0, 2.0], None), ([10.0], [3.0])],
}


def mean_and_sum():
    recorded = {}
    for cls in (keras.metrics.Mean, keras.metrics.Sum):
        results = {}
        for case, calls in REDUCTIONS.items():
            metric = cls()
            for values, weight in calls:
                metric.update_state(np.array(values, np.float32),
                                    sample_weight=None if weight is None else np.array(weight, np.float32))
            results[case] = float(metric.result())
        metric.reset_state()
        results["after reset_state"] = float(metric.result())
        recorded[cls.__name__] = {"results": results, "config": keras.metrics.serialize(metric)}
    return recorded


# ----- fit ----------------------------------------------------------------------------------------------------
START = {"kernel": [[0.5]], "bias": [0.1]}
FITS = {
    "mape by name, SGD": {"loss": "mape", "optimizer": ["SGD", {"learning_rate": 0.005}],
                          "metrics": ["msle", "log_cosh_error", "LogCoshError", "mean_absolute_percentage_error"],
                          "fit": {"batch_size": 4, "epochs": 3, "validation_split": 0.25}},
    "msle from negative predictions, SGD": {
        "loss": "msle", "optimizer": ["SGD", {"learning_rate": 0.5}], "start": {"kernel": [[-0.3]], "bias": [0.5]},
        "metrics": ["mape", "wrapped mape"], "fit": {"batch_size": 4, "epochs": 3}},
    "MeanAbsolutePercentageError weighted, Adam": {
        "loss": "MeanAbsolutePercentageError()", "optimizer": ["Adam", {"learning_rate": 0.05}],
        "metrics": [], "weighted_metrics": ["mape", "msle"],
        "fit": {"batch_size": 5, "epochs": 2, "sample_weight": True, "validation_split": 0.2}},
    "MeanSquaredLogarithmicError, RMSprop": {
        "loss": "MeanSquaredLogarithmicError()", "optimizer": ["RMSprop", {"learning_rate": 0.02}],
        "metrics": ["MeanSquaredLogarithmicError", "logcosh_metric"], "fit": {"batch_size": 6, "epochs": 2}},
}


def fit_data():
    rng = np.random.default_rng(18)
    x = rng.uniform(0.5, 3.0, size=(24, 1)).astype(np.float32)
    y = (2.0 * x[:, 0] + 1.0 + 0.2 * rng.normal(size=24)).astype(np.float32)
    w = rng.uniform(0.0, 2.0, size=24).astype(np.float32)
    return x, y, w


def metric(name):
    if name == "wrapped mape":
        return keras.metrics.MeanMetricWrapper(keras.losses.mean_absolute_percentage_error, name="wrapped_mape")
    if name == "logcosh_metric":
        return keras.metrics.LogCoshError()
    return name


def loss(name):
    return getattr(keras.losses, name[:-2])() if name.endswith("()") else name


class BatchLogs(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.losses = []

    def on_train_batch_end(self, batch, logs=None):
        self.losses.append(float(logs["loss"]))


def fits():
    x, y, w = fit_data()
    recorded = {}
    for name, case in FITS.items():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        start = case.get("start", START)
        model.set_weights([np.array(start["kernel"], np.float32), np.array(start["bias"], np.float32)])
        optimizer, config = case["optimizer"]
        model.compile(optimizer=getattr(keras.optimizers, optimizer)(**config), loss=loss(case["loss"]),
                      metrics=[metric(m) for m in case["metrics"]], weighted_metrics=case.get("weighted_metrics"))
        arguments = dict(case["fit"])
        if arguments.pop("sample_weight", False):
            arguments["sample_weight"] = w
        batches = BatchLogs()
        history = model.fit(x, y, shuffle=False, verbose=0, callbacks=[batches], **arguments).history
        recorded[name] = {"batch_losses": batches.losses,
                          "history": {k: [float(v) for v in values] for k, values in history.items()},
                          "weights": [v.ravel().tolist() for v in model.get_weights()],
                          "evaluate": {k: float(v) for k, v in model.evaluate(x, y, verbose=0,
                                                                               return_dict=True).items()}}
    with_zero = y.copy()
    with_zero[3] = 0.0
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.set_weights([np.array(START["kernel"], np.float32), np.array(START["bias"], np.float32)])
    model.compile("sgd", "mape", metrics=["msle"])
    recorded["evaluate with a zero target"] = model.evaluate(x, with_zero, verbose=0, return_dict=True)
    return {"data sums": [float(a.sum(dtype=np.float64)) for a in fit_data()], **recorded}


def main():
    print(f"# keras {keras.__version__}, backend {keras.backend.backend()}")
    for title, section in (("LOSSES", losses()), ("FUNCTIONS", functions()), ("METRICS", metrics()),
                           ("MEAN_AND_SUM", mean_and_sum()), ("FITS", fits())):
        print(f"{title} = ", end="")
        pprint.pprint(section, width=118, sort_dicts=False)


if __name__ == "__main__":
    main()

"""Record real Keras 3's numbers for the regression losses and metrics linnet added beside MSE/MAE/Huber/LogCosh:
MeanAbsolutePercentageError, MeanSquaredLogarithmicError (losses, their functions, their metrics), LogCoshError,
Mean, Sum and MeanMetricWrapper.

Not part of the test suite (it needs Keras and TensorFlow). It prints Python constants, pasted into
``tests/engine/test_regression_losses.py`` and ``tests/engine/test_keras_metrics_added.py``; the inputs are
``tests/engine/regression_cases.py``, which those tests read too. Re-record with:

    KERAS_BACKEND=tensorflow /work/bench-venv/bin/python tests/tools/record_keras_regression_losses.py

Every number is float32 in Keras; ``shuffle=False`` in every fit, so linnet sees the batches in the same order.
"""

from __future__ import annotations

import os
import pprint
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import numpy as np
import tensorflow as tf

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))
from regression_cases import FITS, NAMED, OVERFLOW, REDUCTIONS, START, P, W, Y, fit_data, loss, metric

LOSSES = {"mape": keras.losses.MeanAbsolutePercentageError, "msle": keras.losses.MeanSquaredLogarithmicError}
FUNCTIONS = ["mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
             "mean_squared_logarithmic_error", "huber", "log_cosh"]


def column(values):
    return tf.constant(np.array(values, np.float32).reshape(-1, 1))


def loss_and_gradient(loss_object, weights=None):
    """The batch loss of (Y, P) and its gradient with respect to the predictions, shape (B,)."""
    p = tf.Variable(column(P))
    with tf.GradientTape() as tape:
        weight = None if weights is None else tf.constant(weights, tf.float32)
        value = loss_object(column(Y), p, sample_weight=weight)
    return float(value), [float(g) for g in tape.gradient(value, p).numpy().ravel()]


def losses():
    recorded = {}
    for name, cls in LOSSES.items():
        loss_object = cls()
        recorded[name] = {
            "plain": loss_and_gradient(loss_object), "weighted": loss_and_gradient(loss_object, W),
            "weight 2": loss_and_gradient(loss_object, 2.0), "config": loss_object.get_config(),
            "overflow": {case: float(loss_object(column(y), column(p))) for case, (y, p) in OVERFLOW.items()}}
    return recorded


def functions():
    recorded = {name: [float(v) for v in np.asarray(getattr(keras.losses, name)(column(Y), column(P)))]
                for name in FUNCTIONS}
    recorded["huber delta 0.5"] = [float(v) for v in np.asarray(keras.losses.huber(column(Y), column(P), delta=0.5))]
    return recorded


def metrics():
    """Two update_state calls (the second weighted), then result(); each metric's envelope."""
    first, second = (Y[:4], P[:4]), (Y[4:], P[4:], W[4:])
    built = {"MeanAbsolutePercentageError": keras.metrics.MeanAbsolutePercentageError(),
             "MeanSquaredLogarithmicError": keras.metrics.MeanSquaredLogarithmicError(),
             "LogCoshError": keras.metrics.LogCoshError(),
             "MeanMetricWrapper(mape)": keras.metrics.MeanMetricWrapper(
                 keras.losses.mean_absolute_percentage_error, name="wrapped"),
             "MeanMetricWrapper(huber, delta=0.5)": keras.metrics.MeanMetricWrapper(keras.losses.huber,
                                                                                   name="h", delta=0.5)}
    recorded = {}
    for name, built_metric in built.items():
        built_metric.update_state(column(first[0]), column(first[1]))
        after_first = float(built_metric.result())
        built_metric.update_state(column(second[0]), column(second[1]), sample_weight=np.array(second[2], np.float32))
        recorded[name] = {"first": after_first, "both": float(built_metric.result()),
                          "config": keras.metrics.serialize(built_metric)}
    return recorded


def mean_and_sum():
    recorded = {}
    for cls in (keras.metrics.Mean, keras.metrics.Sum):
        results = {}
        for case, calls in REDUCTIONS.items():
            reducer = cls()
            for values, weight in calls:
                reducer.update_state(np.array(values, np.float32),
                                     sample_weight=None if weight is None else np.array(weight, np.float32))
            results[case] = float(reducer.result())
        reducer.reset_state()
        results["after reset_state"] = float(reducer.result())
        recorded[cls.__name__] = {"results": results, "config": keras.metrics.serialize(reducer)}
    return recorded


class BatchLogs(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.losses = []

    def on_train_batch_end(self, batch, logs=None):
        self.losses.append(float(logs["loss"]))


def dense(start):
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.set_weights([np.array(start[0], np.float32), np.array(start[1], np.float32)])
    return model


def fits():
    x, y, w = fit_data()
    recorded = {"data sums": [float(a.sum(dtype=np.float64)) for a in (x, y, w)]}
    for name, case in FITS.items():
        keras.utils.set_random_seed(0)
        model = dense(case.get("start", START))
        optimizer, config = case["optimizer"]
        model.compile(optimizer=getattr(keras.optimizers, optimizer)(**config), loss=loss(case["loss"], keras.losses),
                      metrics=[metric(m, keras.losses, keras.metrics) for m in case["metrics"]],
                      weighted_metrics=case.get("weighted_metrics"))
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
    model = dense(START)
    model.compile("sgd", "mape", metrics=["msle"])
    recorded["evaluate with a zero target"] = model.evaluate(x, with_zero, verbose=0, return_dict=True)
    return recorded


def compiled_names():
    """evaluate(return_dict=True)'s keys for metrics given by name, function, class; and what 'mean' and 'sum' do."""
    x, y, _ = fit_data()
    model = dense(START)
    model.compile("sgd", "mse", metrics=[metric(name, keras.losses, keras.metrics) for name in NAMED])
    recorded = {"keys": list(model.evaluate(x, y, verbose=0, return_dict=True))}
    for name in ("mean", "sum", "mean_metric_wrapper"):
        model = dense(START)
        try:
            model.compile("sgd", "mse", metrics=[name])
            model.evaluate(x, y, verbose=0)
        except Exception as error:  # what Keras raises is the record
            recorded[name] = f"{type(error).__name__}: {error}"
    return recorded


def main():
    print(f"# keras {keras.__version__}, backend {keras.backend.backend()}")
    for title, section in (("LOSSES", losses()), ("FUNCTIONS", functions()), ("METRICS", metrics()),
                           ("MEAN_AND_SUM", mean_and_sum()), ("FITS", fits()),
                           ("COMPILED_NAMES", compiled_names())):
        print(f"{title} = ", end="")
        pprint.pprint(section, width=118, sort_dicts=False)


if __name__ == "__main__":
    main()

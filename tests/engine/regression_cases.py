"""The inputs of the regression loss and metric cases, for Keras and linnet alike.

Shared by ``tests/tools/record_keras_regression_losses.py`` (with ``keras.losses``/``keras.metrics``) and
``test_regression_losses.py``/``test_keras_metrics_added.py`` (with ``linnet.keras``): both offer the same names.
"""

import numpy as np

# y = 0 (MAPE divides by max(|y|, 1e-7)), y = p (no gradient), negatives (MSLE clips them to 1e-7), large values
Y = [1.0, 2.0, 0.0, -3.0, 0.5, 250.0, 2.0]
P = [1.5, -1.0, 0.5, -2.0, 0.0, 240.0, 2.0]
W = [1.0, 2.0, 0.5, 0.0, 1.5, 3.0, 1.0]
OVERFLOW = {"beyond float32": ([3e38], [-3e38]), "zero target, large prediction": ([0.0], [3e38])}

REDUCTIONS = {  # Mean and Sum: (values, sample_weight) fed one after the other
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

START = ([[0.5]], [0.1])  # kernel, bias
FITS = {  # model.fit(x, y, shuffle=False, **fit) of Dense(1) on one input, from START unless given
    "mape by name, SGD": {"loss": "mape", "optimizer": ("SGD", {"learning_rate": 0.005}),
                          "metrics": ["msle", "log_cosh_error", "LogCoshError", "mean_absolute_percentage_error"],
                          "fit": {"batch_size": 4, "epochs": 3, "validation_split": 0.25}},
    "msle from negative predictions, SGD": {
        "loss": "msle", "optimizer": ("SGD", {"learning_rate": 0.5}), "start": ([[-0.3]], [0.5]),
        "metrics": ["mape", "wrapped mape"], "fit": {"batch_size": 4, "epochs": 3}},
    "MeanAbsolutePercentageError weighted, Adam": {
        "loss": "MeanAbsolutePercentageError()", "optimizer": ("Adam", {"learning_rate": 0.05}),
        "metrics": [], "weighted_metrics": ["mape", "msle"],
        "fit": {"batch_size": 5, "epochs": 2, "sample_weight": True, "validation_split": 0.2}},
    "MeanSquaredLogarithmicError, RMSprop": {
        "loss": "MeanSquaredLogarithmicError()", "optimizer": ("RMSprop", {"learning_rate": 0.02}),
        "metrics": ["MeanSquaredLogarithmicError", "LogCoshError()"], "fit": {"batch_size": 6, "epochs": 2}},
}
NAMED = ["MAPE", "MSLE", "MeanAbsolutePercentageError", "mean_squared_logarithmic_error", "log_cosh_error",
         "function mean_absolute_percentage_error", "function log_cosh", "wrapped log_cosh", "LogCoshError()"]
"""compile(metrics=NAMED): names, Keras' functions, an unnamed MeanMetricWrapper, LogCoshError()."""


def fit_data():
    """24 rows, y = 2x + 1 + noise > 0, and weights, float32."""
    rng = np.random.default_rng(18)
    x = rng.uniform(0.5, 3.0, size=(24, 1)).astype(np.float32)
    y = (2.0 * x[:, 0] + 1.0 + 0.2 * rng.normal(size=24)).astype(np.float32)
    return x, y, rng.uniform(0.0, 2.0, size=24).astype(np.float32)


def metric(name, losses, metrics):
    """A case's metric: a name, ``"LogCoshError()"``, ``"function <name>"`` or ``"wrapped <function>"``."""
    if name == "LogCoshError()":
        return metrics.LogCoshError()
    if name.startswith("function "):
        return getattr(losses, name.split()[1])
    if name == "wrapped mape":
        return metrics.MeanMetricWrapper(losses.mean_absolute_percentage_error, name="wrapped_mape")
    return metrics.MeanMetricWrapper(getattr(losses, name.split()[1])) if name.startswith("wrapped ") else name


def loss(name, losses):
    """A case's loss: a name, or ``"<Class>()"``."""
    return getattr(losses, name[:-2])() if name.endswith("()") else name

"""``keras.metrics``: the regression metrics, ``Mean``, ``Sum``, ``MeanMetricWrapper``, and Keras' loss functions,
which ``keras.metrics`` exposes too (the same functions as ``keras.losses``)."""

from ..engine.losses import FUNCTIONS
from ..engine.metrics import (
    LogCoshError,
    Mean,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanMetricWrapper,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Metric,
    R2Score,
    RootMeanSquaredError,
    Sum,
    deserialize,
    get,
    serialize,
)

huber, log_cosh = FUNCTIONS["huber"], FUNCTIONS["log_cosh"]
mean_squared_error, mean_absolute_error = FUNCTIONS["mean_squared_error"], FUNCTIONS["mean_absolute_error"]
mean_absolute_percentage_error = FUNCTIONS["mean_absolute_percentage_error"]
mean_squared_logarithmic_error = FUNCTIONS["mean_squared_logarithmic_error"]

__all__ = ["LogCoshError", "Mean", "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanMetricWrapper",
           "MeanSquaredError", "MeanSquaredLogarithmicError", "Metric", "R2Score", "RootMeanSquaredError", "Sum",
           "deserialize", "get", "serialize", *FUNCTIONS]

"""``keras.metrics``."""

from ..engine.metrics import MeanAbsoluteError, MeanSquaredError, Metric, R2Score, RootMeanSquaredError, get

__all__ = ["MeanAbsoluteError", "MeanSquaredError", "Metric", "R2Score", "RootMeanSquaredError", "get"]

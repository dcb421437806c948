"""``keras.metrics``."""

from ..metrics import MeanAbsoluteError, MeanSquaredError, Metric, R2Score, RootMeanSquaredError, get

__all__ = ["MeanAbsoluteError", "MeanSquaredError", "Metric", "R2Score", "RootMeanSquaredError", "get"]

"""``keras.losses``."""

from ..engine.losses import Huber, LogCosh, Loss, MeanAbsoluteError, MeanSquaredError, get

__all__ = ["Huber", "LogCosh", "Loss", "MeanAbsoluteError", "MeanSquaredError", "get"]

"""``keras.optimizers`` (with ``keras.optimizers.schedules``)."""

from ..engine import schedules
from ..engine.optimizers import SGD, Adagrad, Adam, Adamax, AdamW, Nadam, Optimizer, RMSprop, get

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Adamax", "Nadam", "Optimizer", "RMSprop", "get", "schedules"]

"""Optimizers with Keras 3's update rules, defaults and float32 arithmetic, on one flat parameter vector.

``base`` holds the shared machinery (iterations, learning rate or schedule, clipping, weight decay, state,
config, ``get``); each other module holds one family of update rules, written once in ``update_step``.
"""

from ..._serialization import serialize
from .adagrad import Adagrad
from .adam import Adam, Adamax, AdamW, Nadam
from .base import Optimizer, deserialize, get
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Adamax", "Nadam", "Optimizer", "RMSprop", "deserialize", "get",
           "serialize"]

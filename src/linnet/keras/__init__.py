"""``linnet.keras`` mirrors ``tensorflow.keras``: change the import word and tutorial code runs.

``import linnet as tf`` then gives ``tf.keras.Sequential``, ``tf.keras.layers.Dense``,
``tf.keras.optimizers.RMSprop``, ``tf.random.set_seed`` and so on.
"""

from ..engine.layers import Input
from ..engine.sequential import Sequential
from . import callbacks, datasets, initializers, layers, losses, metrics, models, optimizers, regularizers, utils

__all__ = ["Input", "Sequential", "callbacks", "datasets", "initializers", "layers", "losses", "metrics",
           "models", "optimizers", "regularizers", "utils"]

"""linnet: linear regression as a single-neuron neural network, Keras-compatible, on NumPy.

>>> import linnet as tf                      # tutorial code runs with only the import word changed
>>> model = tf.keras.Sequential([tf.keras.Input((1,)), tf.keras.layers.Dense(1)])
"""

__version__ = "0.1.0"

from . import callbacks, diagnostics, initializers, layers, losses, metrics, optimizers, plot, random, schedules, utils
from .initializers import RandomNormal as random_normal_initializer
from .initializers import RandomUniform as random_uniform_initializer
from .layers import Activation, Dense, Input, Normalization
from .models import Sequential, load_model
from .stats import OLSResult, ols
from .saving import ModelFileError
from .training import DivergenceError
from . import datasets, keras  # noqa: E402  (keras mirrors the modules above)

__all__ = ["Activation", "Dense", "DivergenceError", "Input", "ModelFileError", "Normalization", "OLSResult", "Sequential",
           "callbacks", "diagnostics", "ols", "plot",
           "datasets", "initializers", "keras", "layers", "load_model", "losses", "metrics", "optimizers",
           "random", "random_normal_initializer", "random_uniform_initializer", "schedules", "utils"]

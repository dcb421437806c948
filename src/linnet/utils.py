"""Keras' ``keras.utils`` helpers that tutorials call."""

from __future__ import annotations

import random as _python_random

import numpy as np

from . import random as _random


def set_random_seed(seed: int) -> None:
    """Seed everything a tutorial run draws from, like ``keras.utils.set_random_seed``.

    Seeds linnet's generator (initial weights, validation shuffles, synthetic data), and, as Keras does,
    Python's ``random`` and NumPy's legacy global generator (which tutorials use to make data).
    """
    _random.set_seed(seed)
    _python_random.seed(seed)
    np.random.seed(seed)

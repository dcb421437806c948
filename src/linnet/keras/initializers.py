"""``keras.initializers``."""

from ..engine.initializers import Constant, GlorotUniform, Initializer, Ones, RandomNormal, RandomUniform, Zeros, get

__all__ = ["Constant", "GlorotUniform", "Initializer", "Ones", "RandomNormal", "RandomUniform", "Zeros", "get"]

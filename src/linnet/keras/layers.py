"""``keras.layers``: the linear layers linnet supports."""

from ..engine.layers import Activation, Dense, Input, InputLayer, Layer, Normalization

__all__ = ["Activation", "Dense", "Input", "InputLayer", "Layer", "Normalization"]

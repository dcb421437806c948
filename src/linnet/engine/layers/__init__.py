"""The layers a linear model is made of: ``Input``, ``Dense``, ``Activation("linear")`` and ``Normalization``.

Every layer is an affine map, so any stack of them is still a linear model. A layer declares the shapes of
its trainable variables; the model packs all of them into one flat float32 vector and hands each layer views
into it (``bind``), so optimizers update every parameter with a few vectorised operations.

``base`` holds the protocol and ``Layer``; ``core`` the affine layers; ``normalization`` the one that is adapted
to data.
"""

from .base import Layer, input_dim_from_shape, unique_name
from .core import Activation, Dense, Input, InputLayer
from .normalization import Normalization

__all__ = ["Activation", "Dense", "Input", "InputLayer", "Layer", "Normalization", "input_dim_from_shape",
           "unique_name"]

"""``keras.callbacks``."""

from ..engine.callbacks import *  # noqa: F403  (the module defines __all__)

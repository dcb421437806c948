"""``keras.callbacks``."""

from ..engine.callbacks import *  # noqa: F401,F403  (the module defines __all__)

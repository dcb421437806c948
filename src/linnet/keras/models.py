"""``keras.models``."""

from ..engine.sequential import Sequential, load_model

__all__ = ["Sequential", "load_model"]

"""``keras.models``."""

from ..models import Sequential, load_model

__all__ = ["Sequential", "load_model"]

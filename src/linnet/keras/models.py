"""``keras.models``."""

from ..engine.cloning import clone_model, model_from_json
from ..engine.sequential import Sequential, load_model

__all__ = ["Sequential", "clone_model", "load_model", "model_from_json"]

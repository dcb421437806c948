"""``keras.regularizers``."""

from ..engine.regularizers import L1, L1L2, L2, Regularizer, deserialize, get, l1_l2, serialize

l1, l2 = L1, L2  # Keras 3's lower-case aliases of the classes

__all__ = ["L1", "L1L2", "L2", "Regularizer", "deserialize", "get", "l1", "l1_l2", "l2", "serialize"]

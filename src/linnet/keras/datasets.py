"""``keras.datasets``: the bundled Boston housing data, offline."""

from ..data import boston_housing

__all__ = ["boston_housing"]

"""``keras.datasets``: the bundled Boston housing data, offline."""

from ..datasets import boston_housing

__all__ = ["boston_housing"]

"""``keras.utils``."""

from ..data.sources.pydataset import PyDataset
from ..utils import set_random_seed

__all__ = ["PyDataset", "set_random_seed"]

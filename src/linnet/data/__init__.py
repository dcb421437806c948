"""Data for linnet: the Boston Housing split Keras uses, the tutorials' synthetic data, and file readers.

``boston_housing.load_data()`` returns exactly the arrays ``keras.datasets.boston_housing.load_data()`` returns,
from a copy bundled with linnet (no download). ``synthetic`` makes the seeded data of the other tutorials.
``read_table(path, target)`` reads a user's CSV, NPZ or Parquet file into ``(x, y, feature_names)``.
Importing this package imports neither pandas nor pyarrow nor matplotlib.
"""

from . import boston_housing, synthetic
from .readers import read_csv, read_npz, read_parquet, read_table

__all__ = ["boston_housing", "read_csv", "read_npz", "read_parquet", "read_table", "synthetic"]

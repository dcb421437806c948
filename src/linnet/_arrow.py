"""Arrow arrays as NumPy without pandas: pyarrow's ``to_numpy`` imports pandas on its first call (0.15 s of every
command that reads a file, 0.2 s of a fresh Dask worker), which a view of the array's data buffer does not need.
"""

from __future__ import annotations

import numpy as np


def numbers(array) -> np.ndarray:
    """A null-free Arrow array of fixed-width numbers (integers, floats) as a NumPy view of its data buffer; any
    other array (booleans are bit-packed) through ``to_numpy``."""
    try:
        dtype = np.dtype(array.type.to_pandas_dtype())
    except NotImplementedError:
        return array.to_numpy(zero_copy_only=False)
    if dtype.kind not in "iuf":
        return array.to_numpy(zero_copy_only=False)
    if not len(array):  # an empty array may have no data buffer
        return np.empty(0, dtype)
    return np.frombuffer(array.buffers()[1], dtype, len(array), array.offset * dtype.itemsize)

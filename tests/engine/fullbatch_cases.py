"""The data of the full-batch tests, shared with the Keras recorder (tests/tools/record_keras_fullbatch.py)."""

import numpy as np


def regression_data(seed: int, n: int, p: int) -> tuple[np.ndarray, np.ndarray]:
    """float32 ``x`` (n, p) with columns of different scales, ``y = x·w + 0.7 + noise``."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p)).astype(np.float32) * rng.uniform(0.5, 3, size=p).astype(np.float32)
    y = (x @ rng.normal(size=p) + 0.7 + 0.1 * rng.normal(size=n)).astype(np.float32)
    return x, y

"""Where linnet's randomness comes from: one ``numpy.random.Generator``, seeded in one place.

Every random draw in linnet (initial weights, the shuffle of each epoch, synthetic data) takes an explicit
``seed`` argument; when it is ``None`` the draw comes from the generator below, which ``set_seed`` replaces.
So ``set_seed(42)`` at the top of a script makes the whole run reproducible bit for bit across processes.
"""

from __future__ import annotations

import numbers

import numpy as np

_default = np.random.default_rng()


def set_seed(seed: int) -> None:
    """Re-seed linnet's generator (the ``tf.random.set_seed`` of linnet)."""
    global _default
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise TypeError(f"seed must be a non-negative integer. Received: seed={seed!r}")
    _default = np.random.default_rng(int(seed))


def generator(seed: int | np.random.Generator | None = None) -> np.random.Generator:
    """Return the generator to draw from: ``seed``'s own, or linnet's seeded default when ``seed`` is None."""
    if seed is None:
        return _default
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise TypeError(f"seed must be a non-negative integer, a numpy Generator or None. Received: seed={seed!r}")
    return np.random.default_rng(int(seed))

"""Seeded versions of the made-up data sets the Keras linear-regression tutorials train on.

Each generator returns ``(x, y)`` as float64 arrays and draws its randomness from
``linnet.random.generator(seed)``: pass ``seed`` for a fixed draw, or leave it ``None`` to draw from linnet's
default generator (which ``linnet.random.set_seed`` / ``linnet.utils.set_random_seed`` re-seeds).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .. import _validation as _checks
from .. import random as _random

TUTORIAL_X = (-10.0, 0.0, 2.0, 6.0, 12.0, 15.0)
HALF_MAX = float(np.finfo(np.float64).max) / 2
"""The largest half-width of uniform noise: NumPy draws ``U(-noise, noise)`` from ``2·noise``."""


def noisy_line(n: int = 51, noise: float = 10.0,
               seed: int | np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Points of ``y = x`` pushed up by uniform noise: ``y = x + noise * U(0, 1)``.

    ``x = linspace(0, 50, n)``; with the defaults this is the data of the "single neuron" tutorial
    (``x = np.linspace(0, 50, 51)``, ``y = x + 10 * np.random.random(len(x))``), so the least-squares line
    has slope about 1 and intercept about ``noise / 2``.

    Parameters
    ----------
    n : int, default 51
        Number of points, at least 1.
    noise : float, default 10
        Width of the uniform noise, finite and >= 0 (0 gives the exact line).
    seed : int, numpy Generator or None
        Where the noise comes from (see the module docstring).

    Returns
    -------
    x, y : ndarray of shape (n,), float64

    Examples
    --------
    >>> x, y = noisy_line(noise=0)
    >>> bool((x == y).all()), x[:3].tolist()
    (True, [0.0, 1.0, 2.0])
    """
    n = _checks.positive_int(n, "n")
    _checks.allocatable(2 * n, "n", f"n={n}")  # x and y
    noise = _checks.real_number(noise, "noise", low=0.0)
    rng = _random.generator(seed)
    x = np.linspace(0.0, 50.0, n)
    with np.errstate(over="ignore", invalid="ignore"):
        return x, _finite_targets(x + noise * rng.random(n), f"noise={noise!r}")


def line(slope: float = 2.0, intercept: float = 30.0,
         x: Sequence[float] | np.ndarray = TUTORIAL_X) -> tuple[np.ndarray, np.ndarray]:
    """Exact points of ``y = slope * x + intercept``, no noise.

    The defaults are the six points of the "Machine Learning Crash Course" tutorial:
    ``x = [-10, 0, 2, 6, 12, 15]``, ``y = 2x + 30 = [10, 30, 34, 42, 54, 60]``.

    Parameters
    ----------
    slope, intercept : float
        Finite coefficients of the line.
    x : 1-D array-like of finite numbers
        Where to evaluate the line (at least one value).

    Returns
    -------
    x, y : ndarray of shape (len(x),), float64

    Examples
    --------
    >>> line()[1].tolist()
    [10.0, 30.0, 34.0, 42.0, 54.0, 60.0]
    """
    slope = _checks.real_number(slope, "slope")
    intercept = _checks.real_number(intercept, "intercept")
    x = _finite_vector(x, "x")
    with np.errstate(over="ignore", invalid="ignore"):
        return x, _finite_targets(slope * x + intercept, f"slope={slope!r}, intercept={intercept!r}")


def plane(n: int = 1000, weights: Sequence[float] = (2.0, -3.0), bias: float = 5.0, noise: float = 1.0,
          seed: int | np.random.Generator | None = None,
          x_range: tuple[float, float] = (-10.0, 10.0)) -> tuple[np.ndarray, np.ndarray]:
    """Noisy samples of the plane ``y = x @ weights + bias + U(-noise, noise)``.

    Every feature is drawn from ``U(x_range)``, one column after the other, then the noise: with the
    defaults this is the data of "Linear Regression using Neural Networks - A New Way"
    (``xs, zs ~ U(-10, 10)``, ``y = 2 xs - 3 zs + 5 + U(-1, 1)``, 1000 samples).

    Parameters
    ----------
    n : int, default 1000
        Number of samples, at least 1.
    weights : sequence of float, default (2, -3)
        One finite weight per feature; ``len(weights)`` sets the number of features.
    bias : float, default 5
        Finite intercept.
    noise : float, default 1
        Half-width of the uniform noise, finite and >= 0.
    seed : int, numpy Generator or None
        Where the draws come from (see the module docstring).
    x_range : (low, high), default (-10, 10)
        Finite bounds of the uniform feature draws, ``low < high``.

    Returns
    -------
    x : ndarray of shape (n, len(weights)), float64
    y : ndarray of shape (n,), float64

    Examples
    --------
    >>> x, y = plane(n=3, noise=0, seed=0)
    >>> bool(np.allclose(y, 2 * x[:, 0] - 3 * x[:, 1] + 5))
    True
    """
    n = _checks.positive_int(n, "n")
    weights = _finite_vector(weights, "weights")
    _checks.allocatable(n * (weights.size + 1), "n", f"n={n} with {weights.size} weights")  # x and y
    bias = _checks.real_number(bias, "bias")
    noise = _checks.real_number(noise, "noise", low=0.0, high=HALF_MAX) + 0.0  # -0.0 -> 0.0: NumPy refuses U(0, -0)
    low, high = _bounds(x_range)
    rng = _random.generator(seed)
    x = np.ascontiguousarray(rng.uniform(low, high, size=(weights.size, n)).T)
    with np.errstate(over="ignore", invalid="ignore"):
        y = x @ weights + bias + rng.uniform(-noise, noise, size=n)
    return x, _finite_targets(y, f"weights={weights.tolist()!r:.80}, bias={bias!r}, noise={noise!r}")


def _finite_targets(y: np.ndarray, received: str) -> np.ndarray:
    """``y``, refused when it went beyond float64 (the coefficients times the features overflowed)."""
    if not np.isfinite(y).all():
        raise ValueError(f"The targets overflow float64 (beyond 1.8e308): the coefficients are too large for the "
                         f"features' range. Received: {received}")
    return y


def _finite_vector(values, name: str) -> np.ndarray:
    vector = _checks.numeric_array(values, name).astype(np.float64)
    if vector.ndim != 1 or vector.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D list of numbers. Received: {name}.shape={vector.shape}")
    _checks.require_finite(vector, name)
    return vector


def _bounds(x_range) -> tuple[float, float]:
    if isinstance(x_range, (str, bytes)) or not isinstance(x_range, Sequence) or len(x_range) != 2:
        raise TypeError(f"x_range must be a pair (low, high). Received: x_range={x_range!r}")
    low = _checks.real_number(x_range[0], "x_range[0]")
    high = _checks.real_number(x_range[1], "x_range[1]")
    if not low < high:
        raise ValueError(f"x_range must have low < high. Received: x_range={x_range!r}")
    if not math.isfinite(high - low):
        raise ValueError(f"x_range must be narrower than 1.8e308 (NumPy draws from high - low). "
                         f"Received: x_range={x_range!r}")
    return low, high

"""The learning-rate formulas, in float32 and in the order Keras 3 computes them.

Keras casts the step and every argument to the dtype of ``initial_learning_rate`` (float32) and evaluates
with scalar tensors (``keras/src/optimizers/schedules/learning_rate_schedule.py``). NumPy float32 scalars give
the same roundings for ``+ - * /``, but not for ``cos``, ``log`` and ``pow``: TensorFlow's scalar kernels call
the C library's ``cosf``, ``logf`` and ``powf``, while NumPy's float32 ``cos`` is its own SIMD code and its
``power`` differs too, up to one unit in the last place at some steps. ``cos``, ``log`` and ``power`` here
call the C functions (through ``ctypes``), and, as TensorFlow runs its CPU kernels with flush-to-zero on, a
subnormal result (below 1.2e-38) of theirs or of the whole formula is 0. The schedule classes in
``schedules`` validate the arguments and call these through ``float32_formula``, which keeps NumPy's
overflow warnings quiet.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from .._validation import FLOAT32_TINY, real_number

_F32 = np.float32
_PI = _F32(math.pi)


def flush_to_zero(value: np.float32) -> np.float32:
    """``value``, or a zero of its sign where it is subnormal (``0 < |value| < 1.2e-38``), as TensorFlow's CPU
    kernels (flush-to-zero mode) give it."""
    return value * _F32(0.0) if abs(value) < FLOAT32_TINY else value


@functools.cache
def _c_function(c_name: str, arguments: int) -> Callable[..., float] | None:
    """The C library's float function ``c_name`` through ``ctypes``, or None where Python finds no C math
    library; looked up on first use (``find_library`` runs ``ldconfig``: ~4 ms, kept out of ``import linnet``)."""
    import ctypes.util
    library = ctypes.util.find_library("m")
    if not library:
        return None
    function = getattr(ctypes.CDLL(library), c_name)
    function.argtypes, function.restype = [ctypes.c_float] * arguments, ctypes.c_float
    return function


def _tensorflow_scalar(c_name: str, fallback: np.ufunc) -> Callable[..., np.float32]:
    """The float32 function TensorFlow's scalar kernel computes: the C library's ``c_name``, its result flushed
    to zero; where Python finds no C math library, ``fallback`` in float64 rounded to float32 (at most one unit
    in the last place away)."""

    def compute(*args: np.float32) -> np.float32:
        function = _c_function(c_name, fallback.nin)
        value = function(*args) if function is not None else fallback(*map(np.float64, args))
        return flush_to_zero(_F32(value))
    compute.__name__ = fallback.__name__
    return compute


cos = _tensorflow_scalar("cosf", np.cos)
log = _tensorflow_scalar("logf", np.log)
power = _tensorflow_scalar("powf", np.power)


def float32_formula(formula):
    """A schedule's ``__call__`` that evaluates its float32 formula with NumPy's floating-point warnings off and
    returns a Python float (a subnormal result flushed to 0): a rate that overflows is ``inf`` (or ``nan``), as
    Keras computes it, and an optimizer refuses it by name when it reads it."""
    @functools.wraps(formula)
    def rate(self, step: int) -> float:
        step = real_number(step, "step")
        with np.errstate(all="ignore"):
            return float(flush_to_zero(formula(self, step)))
    return rate


def polynomial_decay(step: int, initial: float, decay_steps: float, end: float, exponent: float,
                     cycle: bool) -> np.float32:
    """``(initial - end) * (1 - step / decay_steps) ** exponent + end``; with ``cycle`` ``decay_steps`` is first
    multiplied by ``ceil(step / decay_steps)`` (1 at step 0), otherwise ``step`` is capped at ``decay_steps``."""
    step, steps = _F32(step), _F32(decay_steps)
    if cycle:
        steps = steps * (_F32(1.0) if step == 0 else np.ceil(step / steps))
    else:
        step = min(step, steps)
    fraction = step / steps
    return (_F32(initial) - _F32(end)) * power(_F32(1.0) - fraction, _F32(exponent)) + _F32(end)


def _cosine(step: np.float32, decay_steps: np.float32, start: np.float32, alpha: float) -> np.float32:
    """``start * ((1 - alpha) * 0.5 * (1 + cos(pi * step / decay_steps)) + alpha)``."""
    cosine = 0.5 * (1.0 + cos(_PI * (step / decay_steps)))
    return start * (_F32(1.0 - alpha) * cosine + _F32(alpha))


def cosine_decay(step: int, initial: float, decay_steps: float, alpha: float, warmup_target: float | None,
                 warmup_steps: int) -> np.float32:
    """Cosine decay from ``initial`` (or, after a linear warmup from ``initial`` to ``warmup_target`` in
    ``warmup_steps`` steps, from ``warmup_target``) to ``alpha`` times that start in ``decay_steps`` steps."""
    step, steps, initial = _F32(step), _F32(decay_steps), _F32(initial)
    if warmup_target is None:
        return _cosine(min(step, steps), steps, initial, alpha)
    target, warmup = _F32(warmup_target), _F32(warmup_steps)
    step = min(step, steps + warmup)
    if step < warmup:
        return (target - initial) * (step / warmup) + initial
    return _cosine(step - warmup, steps, target, alpha)


def cosine_decay_restarts(step: int, initial: float, first_decay_steps: float, t_mul: float, m_mul: float,
                          alpha: float) -> np.float32:
    """SGDR: period ``i`` lasts ``first_decay_steps * t_mul**i`` steps and decays from ``initial * m_mul**i``.

    ```python
    fraction = step / first_decay_steps
    i = floor(fraction)                                         if t_mul == 1
        floor(log(1 - fraction * (1 - t_mul)) / log(t_mul))     otherwise (periods grow geometrically)
    fraction = fraction - i                                     if t_mul == 1
               (fraction - (1 - t_mul**i) / (1 - t_mul)) / t_mul**i  otherwise
    learning_rate = initial * ((1 - alpha) * 0.5 * m_mul**i * (1 + cos(pi * fraction)) + alpha)
    ```
    """
    t_mul, m_mul, alpha = _F32(t_mul), _F32(m_mul), _F32(alpha)
    fraction = _F32(step) / _F32(first_decay_steps)
    if t_mul == 1.0:
        restart = np.floor(fraction)
        fraction = fraction - restart
    else:
        restart = np.floor(log(_F32(1.0) - fraction * (_F32(1.0) - t_mul)) / log(t_mul))
        period = power(t_mul, restart)  # period i's length over the first's
        fraction = (fraction - (_F32(1.0) - period) / (_F32(1.0) - t_mul)) / period
    cosine = _F32(0.5) * power(m_mul, restart) * (_F32(1.0) + cos(_PI * fraction))
    return _F32(initial) * ((_F32(1.0) - alpha) * cosine + alpha)

"""The two averages Keras keeps beside an update rule: of the weights (EMA) and of the gradients (accumulation).

Both follow ``keras/src/optimizers/base_optimizer.py`` (``_backend_apply_gradients``) in float32, on the flat
vectors of the optimizer: the slots ``average`` and ``gradient_accumulator`` have the size of ``params``.
``Averaging`` is the part of ``Optimizer`` that holds their arguments and runs them around each update.
"""

from __future__ import annotations

import numpy as np

from ..._validation import boolean, integer_at_least
from ..._warnings import warn
from ._arguments import F32, ONE, checked_ema_momentum


def accumulate(accumulator: np.ndarray, grads: np.ndarray, iteration: int, steps: int,
               out: np.ndarray) -> np.ndarray | None:
    """Gradient accumulation: the mean gradient on every ``steps``-th call, ``None`` on the others.

    ```python
    if (iteration + 1) % steps != 0:   # iteration counts apply() calls, 0 first
        accumulator += g               # no update this call
    else:
        g = (g + accumulator) / steps  # the mean of the last `steps` gradients, then clipped and applied
        accumulator = 0
    ```
    """
    if (iteration + 1) % steps:
        np.add(accumulator, grads, accumulator)
        return None
    np.add(grads, accumulator, out)
    np.divide(out, F32(steps), out)
    accumulator.fill(0.0)
    return out


def update_average(average: np.ndarray, params: np.ndarray, momentum: float, first: bool,
                   scratch: np.ndarray) -> None:
    """The exponential moving average of the weights, after each step (Keras' ``use_ema``).

    ```python
    m = 0 if first else ema_momentum   # first: iterations == 0, so the average starts at the weights
    average = m * average + (1 - m) * w
    ```
    """
    m = F32(0.0) if first else F32(momentum)
    np.multiply(average, m, average)
    np.multiply(params, ONE - m, scratch)
    np.add(average, scratch, average)


class Averaging:
    """``use_ema``, ``ema_momentum``, ``ema_overwrite_frequency``, ``gradient_accumulation_steps`` and
    Keras' two counters: ``_iterations`` (``apply`` calls) and ``iterations`` (updates)."""

    def _averaging_arguments(self, use_ema, ema_momentum, ema_overwrite_frequency, gradient_accumulation_steps):
        self.use_ema = boolean(use_ema, "use_ema")
        self.ema_momentum = checked_ema_momentum(ema_momentum)
        self.ema_overwrite_frequency = integer_at_least(ema_overwrite_frequency, "ema_overwrite_frequency", 1,
                                                        allow_none=True)
        self.gradient_accumulation_steps = integer_at_least(gradient_accumulation_steps,
                                                            "gradient_accumulation_steps", 2, allow_none=True)
        if not self.use_ema and (self.ema_overwrite_frequency is not None or self.ema_momentum != 0.99):
            warn(f"ema_momentum and ema_overwrite_frequency only act with use_ema=True (Keras ignores "
                 f"them otherwise). Received: use_ema=False, ema_momentum={ema_momentum}, "
                 f"ema_overwrite_frequency={ema_overwrite_frequency}")
        self._iterations = 0

    @property
    def iterations(self) -> int:
        """Updates applied: ``apply`` calls, floor-divided by ``gradient_accumulation_steps`` if set (Keras)."""
        steps = self.gradient_accumulation_steps
        return self._iterations // steps if steps else self._iterations

    def _averaging_slots(self) -> dict[str, float]:
        """The slots of the two averages, zeros, created before the rule's own (Keras' variable order)."""
        return {**({"average": 0.0} if self.use_ema else {}),
                **({"gradient_accumulator": 0.0} if self.gradient_accumulation_steps else {})}

    def _accumulated(self, grads: np.ndarray) -> np.ndarray | None:
        """``grads`` as is, or with accumulation the mean gradient on an update call (``None`` otherwise)."""
        steps = self.gradient_accumulation_steps
        if not steps:
            return grads
        return accumulate(self._slots["gradient_accumulator"], grads, self._iterations, steps, self._mean_grads)

    def _update_average(self, params: np.ndarray) -> None:
        """Keras' EMA step, then the overwrite every ``ema_overwrite_frequency`` (``iterations`` before += 1)."""
        iterations, average = self.iterations, self._slots["average"]
        update_average(average, params, self.ema_momentum, iterations == 0, self._scratch[0])
        frequency = self.ema_overwrite_frequency
        if frequency and (iterations + 1) % frequency == 0:
            params[...] = average

    def finalize_variable_values(self, params: np.ndarray) -> None:
        """What Keras' ``fit`` calls at its end: with ``use_ema``, copy the moving average into ``params``.

        A no-op without ``use_ema`` or before the first step (when there is no average yet).
        """
        if self.use_ema and self.built and self._iterations:
            params[...] = self._slots["average"]

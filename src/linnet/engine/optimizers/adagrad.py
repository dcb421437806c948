"""Adagrad: steps scaled by the accumulated squared gradient."""

from __future__ import annotations

import numpy as np

from ..._validation import float32_number
from ._arguments import constant
from .base import Optimizer


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011, https://www.jmlr.org/papers/v12/duchi11a.html).

    ```python
    accumulator = accumulator + g**2             # starts at initial_accumulator_value
    w = w - lr * g / sqrt(accumulator + epsilon) # epsilon inside the square root
    ```

    Parameters
    ----------
    learning_rate : float, LearningRateSchedule or callable, default 0.001
    initial_accumulator_value : float >= 0, default 0.1
    epsilon : float >= 0, default 1e-7
    **kwargs
        ``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``use_ema``, ``ema_momentum``,
        ``ema_overwrite_frequency``, ``gradient_accumulation_steps``, ``name`` (see ``Optimizer``).
    """

    _hyper_parameters = ("initial_accumulator_value", "epsilon")

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = float32_number(initial_accumulator_value, "initial_accumulator_value",
                                                        low=0.0)
        self.epsilon = float32_number(epsilon, "epsilon", low=0.0)

    def _slot_specs(self):
        return {"accumulator": self.initial_accumulator_value}

    def _prepare(self):
        self._epsilon = constant(self.epsilon)

    def update_step(self, params, grads, lr):
        update, denominator = self._scratch
        accumulator = self._slots["accumulator"]
        np.multiply(grads, grads, update)
        np.add(accumulator, update, accumulator)
        np.add(accumulator, self._epsilon, denominator)
        np.sqrt(denominator, denominator)
        np.multiply(grads, lr, update)
        np.divide(update, denominator, update)
        np.subtract(params, update, params)

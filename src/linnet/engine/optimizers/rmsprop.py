"""RMSprop: steps scaled by a running root mean square of the gradient."""

from __future__ import annotations

import numpy as np

from ..._validation import boolean, float32_number, real_number
from ._arguments import constant, decay_rate
from .base import Optimizer


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012, lecture 6e): divide by a running root-mean-square of the gradient.

    ```python
    v = rho * v + (1 - rho) * g**2
    a = rho * a + (1 - rho) * g                  # centered only
    denominator = v - a**2 + epsilon if centered else v + epsilon
    increment = lr * g / sqrt(denominator)       # epsilon inside the square root
    m = momentum * m + increment; w = w - m      # momentum > 0 (plain, not Nesterov)
    w = w - increment                            # momentum == 0
    ```

    With the defaults the first step is ``lr * g / sqrt(0.1 * g**2 + 1e-7)``, about ``3.16 * lr * sign(g)``.
    ``centered`` with ``epsilon`` near 0 can take the square root of a rounding-negative ``v - a**2``
    (NaN), as in Keras.

    Parameters
    ----------
    learning_rate : float, LearningRateSchedule or callable, default 0.001
    rho : float in [0, 1), default 0.9
    momentum : float in [0, 1], default 0.0
    epsilon : float >= 0, default 1e-7
    centered : bool, default False
    **kwargs
        ``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``use_ema``, ``ema_momentum``,
        ``ema_overwrite_frequency``, ``gradient_accumulation_steps``, ``name`` (see ``Optimizer``).
    """

    _hyper_parameters = ("rho", "momentum", "epsilon", "centered")

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho = decay_rate(rho, "rho")
        self.momentum = real_number(momentum, "momentum", low=0.0, high=1.0)
        self.epsilon = float32_number(epsilon, "epsilon", low=0.0)
        self.centered = boolean(centered, "centered")

    def _slot_specs(self):
        slots = {"velocity": 0.0}
        if self.momentum:
            slots["momentum"] = 0.0
        if self.centered:
            slots["average_gradient"] = 0.0
        return slots

    def _prepare(self):
        self._rho, self._one_minus_rho = constant(self.rho), constant(1.0 - self.rho)
        self._epsilon, self._momentum = constant(self.epsilon), constant(self.momentum)

    def update_step(self, params, grads, lr):
        increment, denominator = self._scratch
        velocity = self._slots["velocity"]
        np.multiply(grads, grads, increment)
        np.multiply(increment, self._one_minus_rho, increment)
        np.multiply(velocity, self._rho, velocity)
        np.add(velocity, increment, velocity)
        if self.centered:
            average = self._slots["average_gradient"]
            np.multiply(grads, self._one_minus_rho, increment)
            np.multiply(average, self._rho, average)
            np.add(average, increment, average)
            np.multiply(average, average, denominator)
            np.subtract(velocity, denominator, denominator)
            np.add(denominator, self._epsilon, denominator)
        else:
            np.add(velocity, self._epsilon, denominator)
        np.sqrt(denominator, denominator)
        np.multiply(grads, lr, increment)
        np.divide(increment, denominator, increment)
        if self.momentum:
            momentum = self._slots["momentum"]
            np.multiply(momentum, self._momentum, momentum)
            np.add(momentum, increment, momentum)
            increment = momentum
        np.subtract(params, increment, params)

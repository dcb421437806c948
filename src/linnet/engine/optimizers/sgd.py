"""Stochastic gradient descent, with optional (Nesterov) momentum."""

from __future__ import annotations

import numpy as np

from ..._validation import boolean, real_number
from ._arguments import constant
from .base import Optimizer


class SGD(Optimizer):
    """Gradient descent, optionally with (Nesterov) momentum.

    ```python
    w = w - lr * g                       # momentum == 0
    v = momentum * v - lr * g            # momentum > 0, v starts at 0
    w = w + v                            # plain momentum
    w = w + momentum * v - lr * g        # nesterov=True
    ```

    Parameters
    ----------
    learning_rate : float, LearningRateSchedule or callable, default 0.01
    momentum : float in [0, 1], default 0.0
    nesterov : bool, default False
    **kwargs
        ``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``use_ema``, ``ema_momentum``,
        ``ema_overwrite_frequency``, ``gradient_accumulation_steps``, ``name`` (see ``Optimizer``).
    """

    _hyper_parameters = ("momentum", "nesterov")

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.momentum = real_number(momentum, "momentum", low=0.0, high=1.0)
        self.nesterov = boolean(nesterov, "nesterov")

    def _slot_specs(self):
        return {"momentum": 0.0} if self.momentum else {}

    def _prepare(self):
        self._momentum = constant(self.momentum)

    def update_step(self, params, grads, lr):
        step, nesterov_step = self._scratch
        np.multiply(grads, lr, step)
        if not self.momentum:
            np.subtract(params, step, params)
            return
        velocity = self._slots["momentum"]
        np.multiply(velocity, self._momentum, velocity)
        np.subtract(velocity, step, velocity)
        if self.nesterov:
            np.multiply(velocity, self._momentum, nesterov_step)
            np.subtract(nesterov_step, step, nesterov_step)
            np.add(params, nesterov_step, params)
        else:
            np.add(params, velocity, params)

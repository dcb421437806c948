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

    ``learning_rate="auto"`` (a linnet extension) is set by ``fit`` from the Hessian of the loss on the training
    rows, eigenvalues ``λmin..λmax`` (``linnet.diagnostics.fastest_rate``): ``lr = 2(1 + μ)/(λmax + λmin)``,
    the fastest contraction of plain gradient descent when ``μ = 0``; ``momentum="auto"`` also sets
    ``μ = ((√κ − 1)/(√κ + 1))²``, ``κ = λmax/λmin``, and then ``lr = 4/(√λmax + √λmin)²`` (Polyak's heavy ball).
    ``automatic`` holds the values chosen (also in ``History.params``); the config stores the numbers.

    Parameters
    ----------
    learning_rate : float, LearningRateSchedule, callable or "auto", default 0.01
    momentum : float in [0, 1] or "auto" (with ``learning_rate="auto"``), default 0.0
    nesterov : bool, default False
    **kwargs
        ``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``use_ema``, ``ema_momentum``,
        ``ema_overwrite_frequency``, ``gradient_accumulation_steps``, ``name`` (see ``Optimizer``).
    """

    _hyper_parameters = ("momentum", "nesterov")

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        self.auto = tuple(name for name, value in (("learning_rate", learning_rate), ("momentum", momentum))
                          if isinstance(value, str) and value == "auto")
        if self.auto == ("momentum",):
            raise ValueError("momentum='auto' is chosen together with the learning rate: pass learning_rate='auto' "
                             f"too, or a number for momentum. Received: learning_rate={learning_rate!r}")
        super().__init__(0.01 if self.auto else learning_rate, **kwargs)
        if self.auto and self.weight_decay:  # the decay adds to the Hessian the rate is chosen from
            raise ValueError("learning_rate='auto' is chosen from the loss's Hessian, which weight decay changes "
                             "(it adds weight_decay to the curvature of each decayed variable); give a learning "
                             f"rate, or leave weight_decay out. Received: weight_decay={self.weight_decay!r}")
        self.momentum = 0.0 if "momentum" in self.auto else real_number(momentum, "momentum", low=0.0, high=1.0)
        self.nesterov = boolean(nesterov, "nesterov")
        self.automatic: dict[str, float] = {}

    def set_automatic(self, learning_rate: float, momentum: float | None = None) -> None:
        """Set the values chosen for ``"auto"`` (``fit`` calls this before training); ``momentum`` only if auto."""
        self.learning_rate = learning_rate
        self.automatic = {"learning_rate": float(learning_rate)}
        if "momentum" in self.auto:
            self.momentum = real_number(momentum, "momentum", low=0.0, high=1.0)
            self.automatic["momentum"] = float(momentum)
        if self.built:
            self._prepare()

    def _slot_specs(self):
        return {"momentum": 0.0} if self.momentum or "momentum" in self.auto else {}

    def _prepare(self):
        if self.auto and not self.automatic:
            raise ValueError("learning_rate='auto' is computed by fit from the training rows given as arrays, before "
                             "the first step; call set_automatic(...) first when driving the optimizer yourself. "
                             f"Received: {dict.fromkeys(self.auto, 'auto')}")
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

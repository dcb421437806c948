"""Learning-rate schedules: the learning rate as a function of the optimizer step, as in Keras 3.

A schedule is called with ``step``, the number of updates already applied (the optimizer's ``iterations``, 0 for the
first update), and returns it for the coming update as a Python float computed in float32, as Keras computes (in
the dtype of ``initial_learning_rate``, ``keras/src/optimizers/schedules/learning_rate_schedule.py``).

>>> ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)(10)
0.05000000074505806
"""

from __future__ import annotations

import bisect
import itertools
import numbers
from typing import Any

import numpy as np

from .._serialization import Configurable
from .._serialization import deserialize as _deserialize
from .._serialization import serialize as _serialize
from .._validation import boolean, float32_number, items, non_negative_int, real_number, text_or_default
from . import schedule_formulas as formulas

_F32, _LIST = np.float32, "a list of numbers"


class LearningRateSchedule(Configurable):
    """Base class: subclasses implement ``__call__(step)`` and ``get_config()``.

    ``deserialize`` finds every subclass by its class name, so it rebuilds user-defined schedules too,
    provided their module has been imported.
    """

    keras_module = "keras.optimizers.schedules"

    @property
    def name(self) -> str:
        """The schedule's name: a string without ``/`` (Keras opens a name scope with it), refused otherwise."""
        return self._name

    @name.setter
    def name(self, name: str) -> None:
        if not isinstance(name, str):
            raise TypeError(f"name must be a string. Received: name={name!r}")
        if "/" in name:
            raise ValueError(f"name must not contain '/' (Keras opens a name scope with it). Received: name={name!r}")
        self._name = name

    def __call__(self, step: int) -> float:
        raise NotImplementedError(f"Learning rate schedule {type(self).__name__!r} must override __call__(step).")

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(f"Learning rate schedule {type(self).__name__!r} must override get_config() "
                                  "to be serializable.")

    def __repr__(self) -> str:
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items() if key != "name")
        return f"{type(self).__name__}({arguments})"


class _StepDecay(LearningRateSchedule):
    """Shared state of the two decays driven by ``p = step / decay_steps`` (floored when ``staircase``)."""

    def __init__(self, initial_learning_rate: float, decay_steps: float, decay_rate: float,
                 staircase: bool = False, name: str | None = None):
        self.initial_learning_rate = float32_number(initial_learning_rate, "initial_learning_rate", low=0.0,
                                                    low_open=True)
        self.decay_steps = float32_number(decay_steps, "decay_steps", tiny=True, low=0.0, low_open=True)
        self.decay_rate = float32_number(decay_rate, "decay_rate", low=0.0)
        self.staircase, self.name = boolean(staircase, "staircase"), text_or_default(name, "name", type(self).__name__)

    def _progress(self, step: int) -> np.float32:
        progress = _F32(step) / _F32(self.decay_steps)
        return np.floor(progress) if self.staircase else progress

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class ExponentialDecay(_StepDecay):
    """Exponential decay of the learning rate.

    ```python
    p = step / decay_steps            # floor(step / decay_steps) if staircase
    learning_rate = initial_learning_rate * decay_rate ** p
    ```

    Parameters
    ----------
    initial_learning_rate : float
        The learning rate at step 0, > 0.
    decay_steps : float
        Steps over which the rate is multiplied by ``decay_rate`` once, > 0.
    decay_rate : float
        Factor per ``decay_steps`` steps, >= 0.
    staircase : bool
        Decay in whole jumps every ``decay_steps`` steps instead of continuously.
    """

    @formulas.float32_formula
    def __call__(self, step: int) -> float:
        return _F32(self.initial_learning_rate) * formulas.power(_F32(self.decay_rate), self._progress(step))


class InverseTimeDecay(_StepDecay):
    """Inverse-time decay of the learning rate.

    ```python
    p = step / decay_steps            # floor(step / decay_steps) if staircase
    learning_rate = initial_learning_rate / (1 + decay_rate * p)
    ```

    ``InverseTimeDecay(lr, 1, decay)`` is the legacy Keras 2 ``decay=`` argument. Parameters as in
    ``ExponentialDecay``.
    """

    @formulas.float32_formula
    def __call__(self, step: int) -> float:
        return _F32(self.initial_learning_rate) / (_F32(1.0) + _F32(self.decay_rate) * self._progress(step))


class PiecewiseConstantDecay(LearningRateSchedule):
    """A learning rate that is constant between step boundaries.

    ```python
    learning_rate = values[0]   if step <= boundaries[0]
                    values[i]   if boundaries[i-1] < step <= boundaries[i]
                    values[-1]  if step > boundaries[-1]
    ```

    Parameters
    ----------
    boundaries : list of int
        Strictly increasing step counts, one fewer than ``values``.
    values : list of float
        The learning rate on each interval, each >= 0.

    Examples
    --------
    >>> schedule = PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    >>> schedule(10), schedule(11), schedule(21)
    (1.0, 0.5, 0.10000000149011612)
    """

    def __init__(self, boundaries: list[int], values: list[float], name: str = "PiecewiseConstant"):
        boundaries, values = items(boundaries, "boundaries", _LIST), items(values, "values", _LIST)
        boundaries = [non_negative_int(b, f"boundaries[{i}]") for i, b in enumerate(boundaries)]
        values = [float32_number(v, f"values[{i}]", low=0.0) for i, v in enumerate(values)]
        if len(boundaries) != len(values) - 1:
            raise ValueError(f"values must have exactly one more entry than boundaries. Received: "
                             f"{len(boundaries)} boundaries {boundaries} and {len(values)} values {values}")
        if any(b >= c for b, c in itertools.pairwise(boundaries)):
            raise ValueError(f"boundaries must be strictly increasing. Received: boundaries={boundaries}")
        self.boundaries, self.values, self.name = boundaries, values, name

    def __call__(self, step: int) -> float:
        return float(_F32(self.values[bisect.bisect_left(self.boundaries, real_number(step, "step"))]))

    def get_config(self) -> dict[str, Any]:
        return {"boundaries": list(self.boundaries), "values": list(self.values), "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """Polynomial decay from ``initial_learning_rate`` to ``end_learning_rate`` in ``decay_steps`` steps.

    ```python
    if cycle:   # restart from a lower peak: decay_steps grows to its first multiple at or above step
        decay_steps = decay_steps * (1 if step == 0 else ceil(step / decay_steps))
    step = min(step, decay_steps)   # without cycle, the rate stays at end_learning_rate after decay_steps
    learning_rate = (initial_learning_rate - end_learning_rate) * (1 - step / decay_steps)**power + end_learning_rate
    ```

    Keras' parameters: ``initial_learning_rate`` >= 0, ``decay_steps`` > 0, ``end_learning_rate`` >= 0 (default
    0.0001), ``power`` >= 0 (default 1.0: linear; 0.5: square root), ``cycle`` (default False).

    >>> PolynomialDecay(0.05, 10, end_learning_rate=0.001)(5)   # halfway: (0.05 + 0.001) / 2
    0.02550000138580799
    """

    def __init__(self, initial_learning_rate: float, decay_steps: float, end_learning_rate: float = 0.0001,
                 power: float = 1.0, cycle: bool = False, name: str = "PolynomialDecay"):
        self.initial_learning_rate = float32_number(initial_learning_rate, "initial_learning_rate", low=0.0)
        self.decay_steps = float32_number(decay_steps, "decay_steps", tiny=True, low=0.0, low_open=True)
        self.end_learning_rate = float32_number(end_learning_rate, "end_learning_rate", low=0.0)
        self.power = float32_number(power, "power", low=0.0)
        self.cycle, self.name = boolean(cycle, "cycle"), name

    @formulas.float32_formula
    def __call__(self, step: int) -> float:
        return formulas.polynomial_decay(step, self.initial_learning_rate, self.decay_steps,
                                         self.end_learning_rate, self.power, self.cycle)

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle,
                "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Cosine decay (Loshchilov & Hutter, https://arxiv.org/abs/1608.03983), after an optional linear warmup.

    ```python
    if warmup_target is None:
        learning_rate = initial_learning_rate * decayed(min(step, decay_steps))
    else:                             # warm up from initial_learning_rate to warmup_target, then decay
        step = min(step, warmup_steps + decay_steps)
        if step < warmup_steps:
            learning_rate = (warmup_target - initial_learning_rate) * step / warmup_steps + initial_learning_rate
        else:
            learning_rate = warmup_target * decayed(step - warmup_steps)
    decayed(s) = (1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps)) + alpha
    ```

    Keras' parameters: ``initial_learning_rate`` >= 0, ``decay_steps`` > 0, ``alpha`` in [0, 1] (the final rate
    as a fraction of the starting one, default 0), ``warmup_target`` >= 0 or None, ``warmup_steps`` >= 0.

    >>> CosineDecay(0.0, 10, warmup_target=1.0, warmup_steps=4)(2), CosineDecay(1.0, 10)(5)
    (0.5, 0.4999999701976776)
    """

    def __init__(self, initial_learning_rate: float, decay_steps: float, alpha: float = 0.0,
                 name: str = "CosineDecay", warmup_target: float | None = None, warmup_steps: int = 0):
        self.initial_learning_rate = float32_number(initial_learning_rate, "initial_learning_rate", low=0.0)
        self.decay_steps = float32_number(decay_steps, "decay_steps", tiny=True, low=0.0, low_open=True)
        self.alpha = float32_number(alpha, "alpha", low=0.0, high=1.0)
        self.warmup_target = (None if warmup_target is None else
                              float32_number(warmup_target, "warmup_target", low=0.0))
        self.warmup_steps, self.name = non_negative_int(warmup_steps, "warmup_steps"), name
        if self.warmup_steps and warmup_target is None:
            raise ValueError(f"warmup_steps needs warmup_target, the rate reached after the warmup (Keras ignores "
                             f"warmup_steps without it). Received: warmup_steps={warmup_steps}, warmup_target=None")

    @formulas.float32_formula
    def __call__(self, step: int) -> float:
        return formulas.cosine_decay(step, self.initial_learning_rate, self.decay_steps, self.alpha,
                                     self.warmup_target, self.warmup_steps)

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR, Loshchilov & Hutter, https://arxiv.org/abs/1608.03983).

    ```python
    # period i lasts first_decay_steps * t_mul**i steps and starts from initial_learning_rate * m_mul**i
    i, fraction = the period that contains step, and how much of it is done (in [0, 1))
    learning_rate = initial_learning_rate * ((1 - alpha) * m_mul**i * 0.5 * (1 + cos(pi * fraction)) + alpha)
    ```

    Keras' parameters: ``initial_learning_rate`` >= 0, ``first_decay_steps`` > 0, ``t_mul`` >= 1 (default 2; below
    1 the periods shrink to a finite total, after which Keras' rate is NaN), ``m_mul`` >= 0 (default 1), ``alpha``.

    >>> [CosineDecayRestarts(1.0, 10)(step) for step in (5, 10, 20)]   # periods of 10, 20, 40, ... steps
    [0.4999999701976776, 1.0, 0.4999999701976776]
    """

    def __init__(self, initial_learning_rate: float, first_decay_steps: float, t_mul: float = 2.0,
                 m_mul: float = 1.0, alpha: float = 0.0, name: str = "SGDRDecay"):
        self.initial_learning_rate = float32_number(initial_learning_rate, "initial_learning_rate", low=0.0)
        self.first_decay_steps = float32_number(first_decay_steps, "first_decay_steps", tiny=True, low=0.0,
                                                low_open=True)
        self.t_mul, self.m_mul = float32_number(t_mul, "t_mul", low=1.0), float32_number(m_mul, "m_mul", low=0.0)
        self.alpha, self.name = float32_number(alpha, "alpha", low=0.0, high=1.0), name

    @formulas.float32_formula
    def __call__(self, step: int) -> float:
        return formulas.cosine_decay_restarts(step, self.initial_learning_rate, self.first_decay_steps,
                                              self.t_mul, self.m_mul, self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate, "first_decay_steps": self.first_decay_steps,
                "t_mul": self.t_mul, "m_mul": self.m_mul, "alpha": self.alpha, "name": self.name}


def serialize(schedule: LearningRateSchedule) -> dict[str, Any]:
    """The Keras 3 envelope of ``schedule``, the form Keras stores as an optimizer's ``learning_rate``."""
    return _serialize(schedule)


def deserialize(envelope: dict[str, Any]) -> LearningRateSchedule:
    """Rebuild a schedule from its envelope (``serialize``'s output, or Keras')."""
    return _deserialize(envelope, LearningRateSchedule)


def get(identifier: LearningRateSchedule | dict[str, Any]) -> LearningRateSchedule:
    """Return a schedule: a ``LearningRateSchedule`` as is, a serialized config rebuilt."""
    if isinstance(identifier, LearningRateSchedule):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    kind = "number" if isinstance(identifier, numbers.Number) else type(identifier).__name__
    raise TypeError(f"Expected a LearningRateSchedule or its serialized config. Received: a {kind}, {identifier!r}")

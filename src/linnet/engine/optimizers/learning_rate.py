"""The learning rate as Keras 3 holds it: a float32 variable, a schedule of the step, or a callable.

``LearningRate`` is the part of ``Optimizer`` that stores it (``_lr``, ``_schedule``, ``_rate_function``),
answers ``learning_rate``, refreshes the rate of each update and writes its config
(``keras/src/optimizers/base_optimizer.py``, ``_get_current_learning_rate`` and ``get_config``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..._serialization import function_reference
from ..._validation import float32_number
from ..schedules import LearningRateSchedule, serialize
from ._arguments import F32, called_rate, checked_rate_function, constant, scheduled_rate


class LearningRate:
    """A float (``_lr``, float32), a ``LearningRateSchedule`` called with the ``apply`` count, or a function
    of no arguments called before each update."""

    def _learning_rate_source(self, value: float | LearningRateSchedule | Callable[[], float]) -> None:
        self._schedule: LearningRateSchedule | None = None
        self._rate_function: Callable[[], float] | None = None
        self._lr = constant(0.0)  # the step's learning rate; refreshed from the schedule or callable per step
        self.learning_rate = value

    @property
    def learning_rate(self) -> float:
        """The learning rate of the next step: the schedule at the ``apply`` count, the callable's value, or
        the float32 value.

        Can be set to a number > 0 (as ``ReduceLROnPlateau`` does) unless the optimizer uses a schedule or a
        callable, or to a schedule or a callable.
        """
        if self._schedule is not None:
            return float(F32(scheduled_rate(self._schedule, self._iterations)))
        if self._rate_function is not None:
            return float(F32(called_rate(self._rate_function)))
        return float(self._lr)

    @learning_rate.setter
    def learning_rate(self, value: float | LearningRateSchedule | Callable[[], float]) -> None:
        if isinstance(value, LearningRateSchedule):
            self._schedule, self._rate_function = value, None
        elif callable(value):
            self._schedule, self._rate_function = None, checked_rate_function(value)
        elif self._schedule is not None or self._rate_function is not None:
            kind = "LearningRateSchedule" if self._schedule is not None else "callable learning rate"
            raise TypeError(f"This optimizer was created with a {kind}, so its learning rate "
                            f"cannot be set to a number; assign a schedule instead. Received: learning_rate={value!r}")
        else:
            self._lr[()] = float32_number(value, "learning_rate", tiny=True, low=0.0, low_open=True)

    @property
    def _rate_is_a_variable(self) -> bool:
        """Whether the rate is a number, saved with the state (Keras' ``learning_rate`` variable)."""
        return self._schedule is None and self._rate_function is None

    def _step_learning_rate(self) -> np.ndarray:
        """The 0-d float32 learning rate of the coming update: the schedule at the ``apply`` count, or the
        callable's value (refused unless a finite number >= 0), or the number."""
        if self._schedule is not None:
            self._lr[()] = scheduled_rate(self._schedule, self._iterations)
        elif self._rate_function is not None:
            self._lr[()] = called_rate(self._rate_function)
        return self._lr

    def _learning_rate_config(self) -> float | dict[str, Any]:
        """The float, the serialized schedule, or Keras' reference to a function (its name, not its code)."""
        if self._schedule is not None:
            return serialize(self._schedule)
        if self._rate_function is not None:
            function = self._rate_function  # named in full: linnet's config only (Keras files refuse a callable rate)
            return function_reference(getattr(function, "__qualname__", repr(function)),
                                      getattr(function, "__module__", None))
        return float(self._lr)

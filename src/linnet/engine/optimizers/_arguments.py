"""The optimizers' argument checks and float32 constants, shared by the base class and every update rule.

Keras' own messages are kept where it has them ("``ema_momentum`` must be in the range [0, 1]. Received: ...");
each check names the argument, what it expects and what it received. The integer ones (``ema_overwrite_frequency``,
``gradient_accumulation_steps``) are ``_validation.integer_at_least``.
"""

from __future__ import annotations

import functools
import inspect
import numbers
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from ..._validation import float32_number, float32_scalar, real_number
from ..._warnings import warn

F32 = np.float32
ONE, HALF, NADAM_DECAY = F32(1.0), F32(0.5), F32(0.96)
def constant(value: float) -> np.ndarray:
    """``value`` rounded to float32, as the 0-d array the update rules broadcast."""
    return np.array(value, F32)


def decay_rate(value: Any, name: str) -> float:
    """A rate in [0, 1) that stays below 1 once rounded to float32 (else ``1 - rate**t`` divides by zero)."""
    value = real_number(value, name, low=0.0, high=1.0, high_open=True)
    if F32(value) == ONE:
        raise ValueError(f"{name} must be below 1 in float32 (values above 1 - 3e-8 round to 1.0). "
                         f"Received: {name}={value!r}")
    return value


def optional(value: Any, name: str, *, low_open: bool) -> float | None:
    """``None``, or a number >= 0 (> 0 when ``low_open``, and then not one that float32 rounds to 0) float32 holds."""
    return None if value is None else float32_number(value, name, tiny=low_open, low=0.0, low_open=low_open)


def checked_ema_momentum(value: Any) -> float:
    """Keras' check, made for any ``use_ema``: a real number in [0, 1]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`ema_momentum` must be a number in [0, 1]. Received: ema_momentum={value!r} "
                        f"({type(value).__name__})")
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"`ema_momentum` must be in the range [0, 1]. Received: ema_momentum={value}")
    return float(value)


def checked_rate_function(value: Callable[[], Any]) -> Callable[[], Any]:
    """A callable learning rate must be callable with no arguments, as Keras calls it: ``learning_rate()``."""
    try:
        inspect.signature(value).bind()
    except TypeError:
        raise TypeError(f"A callable learning_rate is called with no arguments (learning_rate()), as in Keras; "
                        f"for a rate that depends on the step use a LearningRateSchedule. Received: "
                        f"learning_rate={value!r} with parameters {inspect.signature(value)}") from None
    except ValueError:  # no signature to inspect (some builtins): it is checked when first called
        pass
    return value


def called_rate(function: Callable[[], Any]) -> float:
    """The value of a callable learning rate, refused unless a finite number >= 0 that float32 holds."""
    value = function()
    return _learning_rate(value, lambda: f"A callable learning_rate must return a finite number >= 0. Received: "
                                         f"learning_rate() = {value!r} from {function!r}",
                          lambda: f"The value of the callable learning_rate {function!r}")


def scheduled_rate(schedule: Callable[[int], Any], step: int) -> float:
    """The schedule's learning rate at ``step``, refused unless a finite number >= 0 that float32 holds."""
    value = float(schedule(step))
    return _learning_rate(value, lambda: f"The learning-rate schedule {schedule!r} gave {value!r} at step {step}; "
                                         f"a learning rate must be a finite number >= 0.",
                          lambda: f"The learning rate of {schedule!r} at step {step}")


def _learning_rate(value: Any, refusal: Callable[[], str], what: Callable[[], str]) -> float:
    """``value`` if a learning rate: a real number (not a bool) in ``[0, inf)``, else ``ValueError(refusal())``,
    that float32 holds (0 or 1.18e-38 to 3.4e38, else ``float32_scalar``'s refusal naming ``what()``). The rate is
    read every step: the messages are functions, formatted only when a value is refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0.0 <= value < np.inf:
        raise ValueError(refusal())
    return float32_scalar(value, what, tiny=True)


def name_pattern(var_names: Any) -> re.Pattern | None:
    """Keras' pattern for ``exclude_from_weight_decay(var_names=...)``: any of the strings, searched."""
    if var_names is None:
        return None
    if isinstance(var_names, str) or not isinstance(var_names, (list, tuple, set)) or \
            not all(isinstance(name, str) and name for name in var_names):
        raise TypeError(f"var_names must be a list of non-empty strings such as ['bias']. Received: "
                        f"var_names={var_names!r}")
    try:
        return re.compile("|".join(sorted(set(var_names)))) if var_names else None
    except re.error as error:
        raise ValueError(f"var_names are searched as regular expressions (as in Keras) and {error}. Received: "
                         f"var_names={var_names!r}") from None


def variable_list(var_list: Any) -> list[np.ndarray]:
    if var_list is None:
        return []
    if not isinstance(var_list, (list, tuple)) or not all(isinstance(v, np.ndarray) for v in var_list):
        raise TypeError(f"var_list must be a list of the model's variables (arrays such as model.layers[0].bias). "
                        f"Received: var_list={var_list!r}")
    return list(var_list)


def keras_snake_case(name: str) -> str:
    """Keras' ``to_snake_case``: ``Adam`` -> ``adam``, ``AdamW`` -> ``adam_w``, ``RMSprop`` -> ``rm_sprop``."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def legacy_learning_rate(learning_rate, kwargs: dict):
    if "decay" in kwargs:
        raise TypeError("The `decay` argument was removed in Keras 3; for the Keras 2 behaviour pass "
                        "learning_rate=schedules.InverseTimeDecay(learning_rate, 1, decay).")
    if "lr" not in kwargs:
        return learning_rate
    warn("The `lr` argument is deprecated, use `learning_rate` instead.")
    return kwargs.pop("lr")


@functools.cache
def parameter_names(cls: type, base: type) -> tuple[str, ...]:
    """Every keyword ``cls(...)`` accepts, gathered over its ``__init__`` chain up to ``base``."""
    names = {p.name for klass in cls.__mro__ if "__init__" in vars(klass) and issubclass(klass, base)
             for p in inspect.signature(klass.__init__).parameters.values()
             if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL) and p.name != "self"}
    return tuple(sorted(names))

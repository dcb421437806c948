"""Optimizers with Keras 3's update rules, defaults and float32 arithmetic, on one flat parameter vector.

The network keeps every trainable parameter in one contiguous float32 vector (kernel then bias of each layer)
and its gradient in another. Every rule is elementwise, so an optimizer updates the whole vector with a few
NumPy operations; only ``clipnorm`` needs the per-variable segments given to ``build``.

One ``apply`` follows Keras' order (``keras/src/optimizers/base_optimizer.py``): clip the gradient, decay the
weights (``w <- w - w * weight_decay * lr``, every variable, bias included), run the rule (``update_step``),
then ``iterations += 1``. The learning rate of a step is the schedule evaluated at ``iterations`` (0 first).
Constants are rounded to float32 where Keras casts them, and operations run in Keras' order.

Speed: a step on a 2-parameter model must cost a few microseconds, so ``build`` preallocates every buffer,
the rules call ufuncs with the output buffer as third (positional) argument, and per-step constants are
0-d float32 arrays, which NumPy combines with arrays faster than scalars.
"""

from __future__ import annotations

import functools
import inspect
import sys
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import schedules
from ._checks import positive_int, real_number, reject_unknown_kwargs, unknown_name
from .schedules import LearningRateSchedule

_F32 = np.float32
_ONE, _HALF, _NADAM_DECAY = _F32(1.0), _F32(0.5), _F32(0.96)
_REGISTRY: dict[str, type[Optimizer]] = {}
# Keras config keys for features linnet does not have; a config may carry them only at their defaults.
_KERAS_ONLY_DEFAULTS = {"use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                        "loss_scale_factor": None, "gradient_accumulation_steps": None}


def _constant(value: float) -> np.ndarray:
    """``value`` rounded to float32, as the 0-d array the update rules broadcast."""
    return np.array(value, _F32)


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, received {value!r}.")
    return bool(value)


def _decay_rate(value: Any, name: str) -> float:
    """A rate in [0, 1) that stays below 1 once rounded to float32 (else ``1 - rate**t`` divides by zero)."""
    value = real_number(value, name, low=0.0, high=1.0, high_open=True)
    if _F32(value) == _ONE:
        raise ValueError(f"{name} must be below 1 in float32 (values above 1 - 3e-8 round to 1.0), "
                         f"received {value!r}.")
    return value


def _optional(value: Any, name: str, *, low_open: bool) -> float | None:
    return None if value is None else real_number(value, name, low=0.0, low_open=low_open)


def _first_caller_outside_this_module() -> int:
    """The ``stacklevel`` that points a warning at the user's line, however deep the ``__init__`` chain."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame, level = frame.f_back, level + 1
    return level


@functools.cache
def _parameter_names(cls: type) -> tuple[str, ...]:
    """Every keyword ``cls(...)`` accepts, gathered over its ``__init__`` chain (for "did you mean")."""
    names = {p.name for klass in cls.__mro__ if "__init__" in vars(klass) and issubclass(klass, Optimizer)
             for p in inspect.signature(klass.__init__).parameters.values()
             if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL) and p.name != "self"}
    return tuple(sorted(names))


class Optimizer:
    """Base class: owns iterations, learning rate or schedule, clipping, weight decay, state and config.

    A subclass declares its hyper-parameters (``_hyper_parameters``), its slots (``_slot_specs``: name ->
    initial value, one float32 value per parameter), float32 constants (``_prepare``, run once by ``build``)
    and writes ``update_step``. Hyper-parameters are fixed once the optimizer is built.

    Parameters
    ----------
    learning_rate : float or LearningRateSchedule
        Step size, > 0 (stored as float32, as Keras does), or a schedule called with ``iterations``.
    weight_decay : float, optional
        Decoupled decay ``w <- w - w * weight_decay * lr`` before each update, on every variable.
    clipnorm, global_clipnorm, clipvalue : float, optional
        Clip each variable's gradient to this L2 norm, all gradients to this joint L2 norm, or each
        component to ``[-clipvalue, clipvalue]``. At most one may be set, as in Keras.
    name : str, optional
        Defaults to the lower-case class name.
    """

    _hyper_parameters: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.__name__.startswith("_"):
            _REGISTRY[cls.__name__.lower()] = cls

    def __init__(self, learning_rate, *, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None, **kwargs):
        learning_rate = self._legacy_learning_rate(learning_rate, kwargs)
        reject_unknown_kwargs(kwargs, type(self).__name__, _parameter_names(type(self)))
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string, received {name!r}.")
        self.name = name or type(self).__name__.lower()
        self.weight_decay = _optional(weight_decay, "weight_decay", low_open=False)
        self.clipnorm = _optional(clipnorm, "clipnorm", low_open=True)
        self.clipvalue = _optional(clipvalue, "clipvalue", low_open=True)
        self.global_clipnorm = _optional(global_clipnorm, "global_clipnorm", low_open=True)
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(f"Only one of clipnorm, clipvalue and global_clipnorm can be set (as in Keras), "
                             f"received clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}.")
        self._schedule: LearningRateSchedule | None = None
        self._lr = _constant(0.0)  # the step's learning rate; refreshed from the schedule, if any, per step
        self.learning_rate = learning_rate
        self.iterations = 0
        self.built = False
        self._slots: dict[str, np.ndarray] = {}

    @staticmethod
    def _legacy_learning_rate(learning_rate, kwargs: dict):
        if "decay" in kwargs:
            raise TypeError("The `decay` argument was removed in Keras 3; for the Keras 2 behaviour pass "
                            "learning_rate=schedules.InverseTimeDecay(learning_rate, 1, decay).")
        if "lr" not in kwargs:
            return learning_rate
        warnings.warn("The `lr` argument is deprecated, use `learning_rate` instead.", UserWarning,
                      stacklevel=_first_caller_outside_this_module())
        return kwargs.pop("lr")

    @property
    def learning_rate(self) -> float:
        """The learning rate of the next step: a schedule evaluated at ``iterations``, else the float32 value.

        Can be set to a number > 0 (as ``ReduceLROnPlateau`` does) unless the optimizer uses a schedule,
        or to a schedule.
        """
        if self._schedule is not None:
            return float(_F32(self._schedule(self.iterations)))
        return float(self._lr)

    @learning_rate.setter
    def learning_rate(self, value: float | LearningRateSchedule) -> None:
        if isinstance(value, LearningRateSchedule):
            self._schedule = value
        elif self._schedule is not None:
            raise TypeError("This optimizer was created with a LearningRateSchedule, so its learning rate "
                            f"cannot be set to a number (received {value!r}); assign a schedule instead.")
        else:
            self._lr[()] = real_number(value, "learning_rate", low=0.0, low_open=True)

    def build(self, sizes: Sequence[int]) -> None:
        """Allocate the slots for variables of ``sizes`` (flat, in order); a no-op when already built."""
        sizes = [positive_int(size, f"sizes[{i}]") for i, size in enumerate(sizes)]
        if self.built:
            if sizes != self._sizes:
                raise ValueError(f"This optimizer was built for variables of sizes {self._sizes}, received "
                                 f"{sizes}; create a new optimizer for a different model.")
            return
        total, ends = sum(sizes), np.cumsum(sizes).tolist()
        self._sizes = sizes
        self._segments = [slice(end - size, end) for size, end in zip(sizes, ends)]
        self._slots = {slot: np.full(total, initial, _F32) for slot, initial in self._slot_specs().items()}
        self._scratch = (np.empty(total, _F32), np.empty(total, _F32))
        self._clipped = np.empty(total, _F32)
        self._clip = (self._clip_each_norm if self.clipnorm else self._clip_global_norm if self.global_clipnorm
                      else self._clip_value if self.clipvalue else None)
        self._decay = None if self.weight_decay is None else _constant(self.weight_decay)
        self._prepare()
        self.built = True

    def apply(self, params: np.ndarray, grads: np.ndarray) -> None:
        """One step on ``params`` in place: clip ``grads``, decay, ``update_step``, ``iterations += 1``.

        Both are float32 vectors of the built total size; ``grads`` is not modified.
        """
        if not self.built:
            raise RuntimeError(f"{type(self).__name__} is not built: call build(sizes) before apply().")
        lr = self._lr
        if self._schedule is not None:
            lr[()] = self._schedule(self.iterations)
        if self._clip is not None:
            grads = self._clip(grads)
        if self._decay is not None:
            decay = self._scratch[0]
            np.multiply(params, self._decay, decay)
            np.multiply(decay, lr, decay)
            np.subtract(params, decay, params)
        self.update_step(params, grads, lr)
        self.iterations += 1

    def update_step(self, params: np.ndarray, grads: np.ndarray, lr: np.ndarray) -> None:
        """The rule itself, in place on ``params`` and the slots; ``lr`` is a 0-d float32 array."""
        raise NotImplementedError(f"{type(self).__name__} must implement update_step(params, grads, lr).")

    def _slot_specs(self) -> dict[str, float]:
        return {}

    def _prepare(self) -> None:
        """Round the hyper-parameters to the float32 constants ``update_step`` uses."""

    def _clip_each_norm(self, grads: np.ndarray) -> np.ndarray:
        """``g * clipnorm / max(norm(g), clipnorm)`` per variable (``tf.clip_by_norm``)."""
        clip, out = _F32(self.clipnorm), self._clipped
        np.multiply(grads, clip, out)
        for segment in self._segments:
            part = grads[segment]
            out[segment] /= max(np.sqrt(np.dot(part, part)), clip)
        return out

    def _clip_global_norm(self, grads: np.ndarray) -> np.ndarray:
        """``g * clip * min(1 / norm, 1 / clip)`` with the joint norm of all variables (NaN if not finite)."""
        clip, inverse = _F32(self.global_clipnorm), _F32(1.0 / self.global_clipnorm)
        norm = np.sqrt(sum((np.dot(grads[s], grads[s]) for s in self._segments), _F32(0.0)))
        if not np.isfinite(norm):
            scale = _F32(np.nan)
        else:
            scale = clip * (inverse if norm == 0 else min(_ONE / norm, inverse))
        return np.multiply(grads, scale, self._clipped)

    def _clip_value(self, grads: np.ndarray) -> np.ndarray:
        return np.clip(grads, -self.clipvalue, self.clipvalue, out=self._clipped)

    def variables(self) -> dict[str, np.ndarray]:
        """Copies of the state: ``iterations`` (int64), ``learning_rate`` (unless a schedule), every slot."""
        state = {"iterations": np.array(self.iterations, np.int64)}
        if self._schedule is None:
            state["learning_rate"] = self._lr.copy()
        state.update({slot: values.copy() for slot, values in self._slots.items()})
        return state

    def set_variables(self, variables: dict[str, np.ndarray]) -> None:
        """Restore the state saved by ``variables()`` on a built optimizer of the same kind and sizes."""
        if not self.built:
            raise RuntimeError(f"{type(self).__name__} must be built before set_variables().")
        expected = self.variables()
        if set(variables) != set(expected):
            raise ValueError(f"variables must have the keys {sorted(expected)}, received {sorted(variables)}.")
        for key, current in expected.items():
            value = np.asarray(variables[key])
            if value.shape != current.shape:
                raise ValueError(f"variables[{key!r}] must have shape {current.shape}, received {value.shape}.")
        self.iterations = int(variables["iterations"])
        if "learning_rate" in variables:
            self.learning_rate = float(variables["learning_rate"])
        for slot, values in self._slots.items():
            values[...] = variables[slot]

    def summary_counts(self) -> tuple[int, int]:
        """``(scalars, bytes)`` of the state, as Keras' "Optimizer params" line (int64 iteration, float32 rest)."""
        floats = sum(values.size for values in self._slots.values()) + (self._schedule is None)
        return 1 + floats, 8 + 4 * floats

    def get_config(self) -> dict[str, Any]:
        """JSON-serializable constructor arguments plus ``class_name``; ``from_config`` inverts it."""
        config = {"class_name": type(self).__name__, "name": self.name,
                  "learning_rate": float(self._lr) if self._schedule is None else schedules.serialize(self._schedule),
                  "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                  "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue}
        config.update({key: getattr(self, key) for key in self._hyper_parameters})
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Optimizer:
        """Rebuild an optimizer from ``get_config()`` (or a Keras config whose extra features are off)."""
        config = dict(config)
        class_name = config.pop("class_name", cls.__name__)
        target = cls if cls is not Optimizer else _lookup(class_name)
        if str(class_name).lower() != target.__name__.lower():
            raise ValueError(f"{target.__name__}.from_config received a config of class {class_name!r}.")
        for key, default in _KERAS_ONLY_DEFAULTS.items():
            value = config.pop(key, default)
            if value != default:
                raise ValueError(f"linnet optimizers do not support {key}; received {key}={value!r}.")
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"])
        return target(**config)

    def __repr__(self) -> str:
        shown = {key: value for key, value in self.get_config().items()
                 if key not in ("class_name", "name") and value is not None}
        text = ", ".join(f"{k}={v:.7g}" if isinstance(v, float) else f"{k}={v!r}" for k, v in shown.items())
        return f"{type(self).__name__}({text})"


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
    learning_rate : float or LearningRateSchedule, default 0.01
    momentum : float in [0, 1], default 0.0
    nesterov : bool, default False
    **kwargs
        ``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``name`` (see ``Optimizer``).
    """

    _hyper_parameters = ("momentum", "nesterov")

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.momentum = real_number(momentum, "momentum", low=0.0, high=1.0)
        self.nesterov = _flag(nesterov, "nesterov")

    def _slot_specs(self):
        return {"momentum": 0.0} if self.momentum else {}

    def _prepare(self):
        self._momentum = _constant(self.momentum)

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
    learning_rate : float or LearningRateSchedule, default 0.001
    rho : float in [0, 1), default 0.9
    momentum : float in [0, 1], default 0.0
    epsilon : float >= 0, default 1e-7
    centered : bool, default False
    **kwargs
        ``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``name`` (see ``Optimizer``).
    """

    _hyper_parameters = ("rho", "momentum", "epsilon", "centered")

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho = _decay_rate(rho, "rho")
        self.momentum = real_number(momentum, "momentum", low=0.0, high=1.0)
        self.epsilon = real_number(epsilon, "epsilon", low=0.0)
        self.centered = _flag(centered, "centered")

    def _slot_specs(self):
        slots = {"velocity": 0.0}
        if self.momentum:
            slots["momentum"] = 0.0
        if self.centered:
            slots["average_gradient"] = 0.0
        return slots

    def _prepare(self):
        self._rho, self._one_minus_rho = _constant(self.rho), _constant(1.0 - self.rho)
        self._epsilon, self._momentum = _constant(self.epsilon), _constant(self.momentum)

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


class _MovingMoments(Optimizer):
    """What Adam, Adamax and Nadam share: ``beta_1``, ``beta_2``, ``epsilon`` and Keras' moving averages."""

    _hyper_parameters = ("beta_1", "beta_2", "epsilon")

    def __init__(self, learning_rate, beta_1, beta_2, epsilon, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = _decay_rate(beta_1, "beta_1")
        self.beta_2 = _decay_rate(beta_2, "beta_2")
        self.epsilon = real_number(epsilon, "epsilon", low=0.0)

    def _slot_specs(self):
        return {"momentum": 0.0, "velocity": 0.0}

    def _prepare(self):
        self._beta_1, self._beta_2 = _F32(self.beta_1), _F32(self.beta_2)  # scalars for the powers beta**t
        self._beta_2_array = _constant(self.beta_2)
        self._one_minus_beta_1, self._one_minus_beta_2 = _constant(1.0 - self.beta_1), _constant(1.0 - self.beta_2)
        self._epsilon = _constant(self.epsilon)

    def _update_moments(self, grads, *, second=True):
        """``m += (g - m) * (1 - beta_1)``, then ``v += (g**2 - v) * (1 - beta_2)`` unless ``second`` is False."""
        first, temporary = self._slots["momentum"], self._scratch[0]
        np.subtract(grads, first, temporary)
        np.multiply(temporary, self._one_minus_beta_1, temporary)
        np.add(first, temporary, first)
        if not second:
            return first, None
        velocity = self._slots["velocity"]
        np.multiply(grads, grads, temporary)
        np.subtract(temporary, velocity, temporary)
        np.multiply(temporary, self._one_minus_beta_2, temporary)
        np.add(velocity, temporary, velocity)
        return first, velocity


class Adam(_MovingMoments):
    """Adam (Kingma & Ba, 2014, https://arxiv.org/abs/1412.6980), with the bias correction in the step size.

    ```python
    t = iterations + 1
    m = m + (g - m) * (1 - beta_1)
    v = v + (g**2 - v) * (1 - beta_2)
    v_hat = max(v_hat, v); v = v_hat             # amsgrad only (Reddi et al., 2018)
    alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)
    w = w - alpha * m / (sqrt(v) + epsilon)      # epsilon added to the uncorrected sqrt(v)
    ```

    Keras' ``epsilon`` is the paper's "epsilon hat"; it equals PyTorch's ``eps * sqrt(1 - beta_2**t)``.

    Parameters
    ----------
    learning_rate : float or LearningRateSchedule, default 0.001
    beta_1, beta_2 : float in [0, 1), defaults 0.9 and 0.999
    epsilon : float >= 0, default 1e-7
    amsgrad : bool, default False
    **kwargs
        ``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``name`` (see ``Optimizer``).
    """

    _hyper_parameters = _MovingMoments._hyper_parameters + ("amsgrad",)

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, **kwargs)
        self.amsgrad = _flag(amsgrad, "amsgrad")

    def _slot_specs(self):
        return {**super()._slot_specs(), **({"velocity_hat": 0.0} if self.amsgrad else {})}

    def update_step(self, params, grads, lr):
        t = _F32(self.iterations + 1)
        alpha = lr[()] * np.sqrt(_ONE - self._beta_2 ** t) / (_ONE - self._beta_1 ** t)
        first, velocity = self._update_moments(grads)
        if self.amsgrad:
            velocity = np.maximum(self._slots["velocity_hat"], velocity, out=self._slots["velocity_hat"])
        update, denominator = self._scratch
        np.sqrt(velocity, denominator)
        np.add(denominator, self._epsilon, denominator)
        np.multiply(first, alpha, update)
        np.divide(update, denominator, update)
        np.subtract(params, update, params)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019, https://arxiv.org/abs/1711.05101).

    ```python
    w = w - w * weight_decay * lr                # every variable, bias included, before the Adam step
    # ... then exactly the Adam rule
    ```

    Parameters as ``Adam``, plus ``weight_decay`` (float >= 0, default 0.004, must not be None).
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        if weight_decay is None:
            raise ValueError("AdamW needs weight_decay (a float >= 0), received None; use Adam for no decay.")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay=weight_decay, **kwargs)


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011, https://www.jmlr.org/papers/v12/duchi11a.html).

    ```python
    accumulator = accumulator + g**2             # starts at initial_accumulator_value
    w = w - lr * g / sqrt(accumulator + epsilon) # epsilon inside the square root
    ```

    Parameters
    ----------
    learning_rate : float or LearningRateSchedule, default 0.001
    initial_accumulator_value : float >= 0, default 0.1
    epsilon : float >= 0, default 1e-7
    **kwargs
        ``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``name`` (see ``Optimizer``).
    """

    _hyper_parameters = ("initial_accumulator_value", "epsilon")

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = real_number(initial_accumulator_value, "initial_accumulator_value",
                                                     low=0.0)
        self.epsilon = real_number(epsilon, "epsilon", low=0.0)

    def _slot_specs(self):
        return {"accumulator": self.initial_accumulator_value}

    def _prepare(self):
        self._epsilon = _constant(self.epsilon)

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


class Adamax(_MovingMoments):
    """Adamax, Adam with the infinity norm (Kingma & Ba, 2014, section 7.1).

    ```python
    t = iterations + 1
    m = m + (g - m) * (1 - beta_1)
    u = max(beta_2 * u, abs(g))
    w = w - lr * m / ((1 - beta_1**t) * (u + epsilon))
    ```

    Parameters as ``Adam`` without ``amsgrad``.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, **kwargs)

    def _slot_specs(self):
        return {"momentum": 0.0, "norm": 0.0}

    def update_step(self, params, grads, lr):
        correction = _ONE - self._beta_1 ** _F32(self.iterations + 1)
        first, _ = self._update_moments(grads, second=False)
        update, denominator = self._scratch
        norm = self._slots["norm"]
        np.multiply(norm, self._beta_2_array, norm)
        np.abs(grads, update)
        np.maximum(norm, update, out=norm)
        np.add(norm, self._epsilon, denominator)
        np.multiply(denominator, correction, denominator)
        np.multiply(first, lr, update)
        np.divide(update, denominator, update)
        np.subtract(params, update, params)


class Nadam(_MovingMoments):
    """Nadam, Adam with Nesterov momentum (Dozat, 2016, http://cs229.stanford.edu/proj2015/054_report.pdf).

    ```python
    t = iterations + 1
    u_t  = beta_1 * (1 - 0.5 * 0.96**t)
    u_t1 = beta_1 * (1 - 0.5 * 0.96**(t + 1))
    u_product = u_product * u_t                  # shared, starts at 1, once per step
    m = m + (g - m) * (1 - beta_1)
    v = v + (g**2 - v) * (1 - beta_2)
    m_hat = u_t1 * m / (1 - u_product * u_t1) + (1 - u_t) * g / (1 - u_product)
    v_hat = v / (1 - beta_2**t)
    w = w - lr * m_hat / (sqrt(v_hat) + epsilon) # epsilon outside the square root
    ```

    Parameters as ``Adam`` without ``amsgrad``. ``variables()`` includes the scalar ``u_product``.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, **kwargs)

    def build(self, sizes):
        was_built = self.built
        super().build(sizes)
        if not was_built:
            self._slots["u_product"] = np.ones(1, _F32)

    def update_step(self, params, grads, lr):
        t, t_next, beta_1 = _F32(self.iterations + 1), _F32(self.iterations + 2), self._beta_1
        u_t = beta_1 * (_ONE - _HALF * _NADAM_DECAY ** t)
        u_t1 = beta_1 * (_ONE - _HALF * _NADAM_DECAY ** t_next)
        product = self._slots["u_product"]
        product[0] = product[0] * beta_1 * (_ONE - _HALF * _NADAM_DECAY ** t)  # Keras' association
        u_product, u_product_next = product[0], product[0] * u_t1
        first, velocity = self._update_moments(grads)
        m_hat, v_hat = self._scratch
        np.multiply(first, u_t1, m_hat)
        np.divide(m_hat, _ONE - u_product_next, m_hat)
        np.multiply(grads, _ONE - u_t, v_hat)
        np.divide(v_hat, _ONE - u_product, v_hat)
        np.add(m_hat, v_hat, m_hat)
        np.divide(velocity, _ONE - self._beta_2 ** t, v_hat)
        np.sqrt(v_hat, v_hat)
        np.add(v_hat, self._epsilon, v_hat)
        np.multiply(m_hat, lr, m_hat)
        np.divide(m_hat, v_hat, m_hat)
        np.subtract(params, m_hat, params)


def _lookup(name: str) -> type[Optimizer]:
    key = str(name).lower()
    if key not in _REGISTRY:
        raise unknown_name("optimizer", name, _REGISTRY)
    return _REGISTRY[key]


def get(identifier: str | dict | Optimizer) -> Optimizer:
    """Return an optimizer: an instance as is, a name (any case) with Keras' defaults, or a config dict.

    ``get("adam")`` is ``Adam(learning_rate=0.001)``; a dict is either ``get_config()`` output or Keras'
    ``{"class_name": ..., "config": {...}}``.
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        return _lookup(identifier)()
    if isinstance(identifier, dict):
        if isinstance(identifier.get("config"), dict):
            identifier = {"class_name": identifier.get("class_name", ""), **identifier["config"]}
        return Optimizer.from_config(identifier)
    raise TypeError(f"optimizer must be a name, a config dict or an Optimizer, received {identifier!r}.")


__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Adamax", "Nadam", "get"]

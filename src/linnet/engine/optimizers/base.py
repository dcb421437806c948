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
from typing import Any, ClassVar

import numpy as np

from ..._serialization import Configurable, serialize
from ..._serialization import deserialize as _deserialize
from ..._validation import (
    positive_int,
    real_number,
    reject_unknown_kwargs,
    unknown_name,
)
from .. import schedules
from ..schedules import LearningRateSchedule

_F32 = np.float32
_ONE, _HALF, _NADAM_DECAY = _F32(1.0), _F32(0.5), _F32(0.96)
_REGISTRY: dict[str, type[Optimizer]] = {}


def _constant(value: float) -> np.ndarray:
    """``value`` rounded to float32, as the 0-d array the update rules broadcast."""
    return np.array(value, _F32)


def _decay_rate(value: Any, name: str) -> float:
    """A rate in [0, 1) that stays below 1 once rounded to float32 (else ``1 - rate**t`` divides by zero)."""
    value = real_number(value, name, low=0.0, high=1.0, high_open=True)
    if _F32(value) == _ONE:
        raise ValueError(f"{name} must be below 1 in float32 (values above 1 - 3e-8 round to 1.0), "
                         f"received {value!r}.")
    return value


def _optional(value: Any, name: str, *, low_open: bool) -> float | None:
    return None if value is None else real_number(value, name, low=0.0, low_open=low_open)


def _first_caller_outside_this_package() -> int:
    """The ``stacklevel`` that points a warning at the user's line, however deep the ``__init__`` chain."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith(__package__ + "."):
        frame, level = frame.f_back, level + 1
    return level


@functools.cache
def _parameter_names(cls: type) -> tuple[str, ...]:
    """Every keyword ``cls(...)`` accepts, gathered over its ``__init__`` chain (for "did you mean")."""
    names = {p.name for klass in cls.__mro__ if "__init__" in vars(klass) and issubclass(klass, Optimizer)
             for p in inspect.signature(klass.__init__).parameters.values()
             if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL) and p.name != "self"}
    return tuple(sorted(names))


class Optimizer(Configurable):
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
    keras_module = "keras.optimizers"
    # Keras config keys for features linnet does not have; a config may carry them only at their defaults.
    keras_defaults: ClassVar[dict[str, tuple]] = {"use_ema": (False,), "ema_momentum": (0.99,), "ema_overwrite_frequency": (None,),
                      "loss_scale_factor": (None,), "gradient_accumulation_steps": (None,)}

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
                      stacklevel=_first_caller_outside_this_package())
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
                raise ValueError(f"optimizer: this {type(self).__name__} was built for a model whose variables have "
                                 f"sizes {self._sizes}, and its state belongs to that model; received a model with "
                                 f"sizes {sizes}. Give each model its own optimizer (a new instance or a name).")
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
        """Keras 3's config: ``name``, ``learning_rate`` (the float32 value, or the schedule's envelope), the
        shared options, then the hyper-parameters; ``from_config`` inverts it."""
        config = {"name": self.name,
                  "learning_rate": float(self._lr) if self._schedule is None else serialize(self._schedule),
                  "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                  "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue, **self.keras_extras()}
        config.update({key: getattr(self, key) for key in self._hyper_parameters})
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Optimizer:
        """Rebuild an optimizer of this class from ``get_config()`` (or a Keras config whose extra features are off)."""
        if cls is Optimizer:
            raise TypeError("Optimizer.from_config needs a concrete class, such as Adam.from_config(config); "
                            "rebuild an envelope {'class_name': ..., 'config': ...} with optimizers.get().")
        if isinstance(config, dict) and isinstance(config.get("learning_rate"), dict):
            config = {**config, "learning_rate": schedules.deserialize(config["learning_rate"])}
        return super().from_config(config)

    def __repr__(self) -> str:
        shown = {key: value for key, value in self.get_config().items()
                 if key != "name" and key not in self.keras_defaults and value is not None}
        shown["learning_rate"] = self._schedule or shown["learning_rate"]
        text = ", ".join(f"{k}={v:.7g}" if isinstance(v, float) else f"{k}={v!r}" for k, v in shown.items())
        return f"{type(self).__name__}({text})"


def get(identifier: str | dict | Optimizer) -> Optimizer:
    """Return an optimizer: an instance as is, a name (any case) with Keras' defaults, or an envelope.

    ``get("adam")`` is ``Adam(learning_rate=0.001)``; a dict is ``serialize(optimizer)`` output or Keras'
    ``{"class_name": ..., "config": {...}}``.
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if not isinstance(identifier, str):
        raise TypeError(f"optimizer must be a name, a serialized optimizer or an Optimizer. Received: {identifier!r}.")
    if identifier.lower() not in _REGISTRY:
        raise unknown_name("optimizer", identifier, _REGISTRY)
    return _REGISTRY[identifier.lower()]()


def deserialize(envelope: dict[str, Any]) -> Optimizer:
    """Rebuild an optimizer from its envelope (``serialize(optimizer)``)."""
    return _deserialize(envelope, Optimizer)

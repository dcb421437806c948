"""Optimizers with Keras 3's update rules, defaults and float32 arithmetic, on one flat parameter vector.

The network keeps every trainable parameter in one contiguous float32 vector (kernel then bias of each layer)
and its gradient in another. Every rule is elementwise, so an optimizer updates the whole vector with a few
NumPy operations; only ``clipnorm`` needs the per-variable segments given to ``build``.

One ``apply`` follows Keras' order (``keras/src/optimizers/base_optimizer.py``): (with gradient accumulation,
only every N-th call updates, with the mean gradient) clip the gradient, decay the weights (``w <- w - w *
weight_decay * lr``, every variable not excluded, bias included), run the rule (``update_step``); then the
moving average of the weights (``use_ema``); then the ``apply`` count += 1. The learning rate of a step is the
schedule evaluated at the ``apply`` count (0 first), or the value of a callable learning rate. Constants are
rounded to float32 where Keras casts them, and operations run in Keras' order.

Speed: a step on a 2-parameter model must cost a few microseconds, so ``build`` preallocates every buffer,
the rules call ufuncs with the output buffer as third (positional) argument, and per-step constants are
0-d float32 arrays, which NumPy combines with arrays faster than scalars.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from ..._serialization import Configurable, without_keras_defaults
from ..._serialization import deserialize as _deserialize
from ..._validation import positive_int, reject_unknown_kwargs, unknown_name
from .. import schedules
from ..layers import unique_name
from ._arguments import F32, constant, keras_snake_case, legacy_learning_rate, optional, parameter_names
from .averaging import Averaging
from .clipping import clip_each_norm, clip_global_norm, clip_value
from .learning_rate import LearningRate
from .weight_decay import WeightDecay

_REGISTRY: dict[str, type[Optimizer]] = {}


class Optimizer(LearningRate, Averaging, WeightDecay, Configurable):
    """Base class: owns iterations, learning rate, clipping, weight decay, the two averages, state and config.

    A subclass declares its hyper-parameters (``_hyper_parameters``), its slots (``_slot_specs``: name ->
    initial value, one float32 value per parameter), float32 constants (``_prepare``, run once by ``build``)
    and writes ``update_step``. Hyper-parameters are fixed once the optimizer is built.

    Parameters
    ----------
    learning_rate : float, LearningRateSchedule or callable
        Step size, > 0 (stored as float32, as Keras does); a schedule called with the number of ``apply``
        calls so far; or a function of no arguments called before each update (Keras' callable rate).
    weight_decay : float, optional
        Decoupled decay ``w <- w - w * weight_decay * lr`` before each update, on every variable not
        excluded by ``exclude_from_weight_decay``.
    clipnorm, global_clipnorm, clipvalue : float, optional
        Clip each variable's gradient to this L2 norm, all gradients to this joint L2 norm, or each
        component to ``[-clipvalue, clipvalue]``. At most one may be set, as in Keras.
    use_ema : bool, default False
        Keep ``average = m * average + (1 - m) * w`` after every step (``m = 0`` on the first);
        ``fit`` ends by copying it into the weights (``finalize_variable_values``).
    ema_momentum : float in [0, 1], default 0.99
    ema_overwrite_frequency : int >= 1, optional
        With ``use_ema``, also copy the average into the weights when ``(iterations + 1) % N == 0``.
    gradient_accumulation_steps : int >= 2, optional
        Update only on every N-th ``apply``, with the mean of the last N gradients; ``iterations`` then
        counts updates (``apply`` calls // N), while schedules see the ``apply`` calls.
    name : str, optional
        Defaults to Keras' automatic name: the snake-case class name, made unique (``adam``, ``adam_1``).
    """

    _hyper_parameters: tuple[str, ...] = ()
    keras_module = "keras.optimizers"
    # Keras config keys for features linnet does not have; a config may carry them only at their defaults.
    keras_defaults: ClassVar[dict[str, tuple]] = {"loss_scale_factor": (None,)}
    keras_positional = ("weight_decay", "clipnorm", "clipvalue", "global_clipnorm", "use_ema", "ema_momentum",
                        "ema_overwrite_frequency", "loss_scale_factor", "gradient_accumulation_steps", "name")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.__name__.startswith("_"):
            _REGISTRY[cls.__name__.lower()] = cls

    def __init__(self, learning_rate, *, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        learning_rate = legacy_learning_rate(learning_rate, kwargs)
        kwargs = without_keras_defaults(type(self), kwargs)  # loss_scale_factor=None, as Keras 3 takes it
        reject_unknown_kwargs(kwargs, type(self).__name__, parameter_names(type(self), Optimizer))
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string. Received: name={name!r}")
        self.name = name or unique_name(keras_snake_case(type(self).__name__))
        self.weight_decay = optional(weight_decay, "weight_decay", low_open=False)
        self.clipnorm = optional(clipnorm, "clipnorm", low_open=True)
        self.clipvalue = optional(clipvalue, "clipvalue", low_open=True)
        self.global_clipnorm = optional(global_clipnorm, "global_clipnorm", low_open=True)
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(f"Only one of clipnorm, clipvalue and global_clipnorm can be set (as in Keras). "
                             f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}")
        self._averaging_arguments(use_ema, ema_momentum, ema_overwrite_frequency, gradient_accumulation_steps)
        self._learning_rate_source(learning_rate)
        self.built = False
        self._slots: dict[str, np.ndarray] = {}
        self._names: list[str] = []
        self.exclude_from_weight_decay()

    def build(self, sizes: Sequence[int], names: Sequence[str] | None = None) -> None:
        """Allocate the slots for variables of ``sizes`` (flat, in order) named ``names`` (Keras' variable names,
        ``"kernel"``/``"bias"``; ``"variable"`` each if not given); a no-op, apart from new names, when built."""
        sizes = [positive_int(size, f"sizes[{i}]") for i, size in enumerate(sizes)]
        if names is not None and (len(names) != len(sizes) or not all(isinstance(n, str) for n in names)):
            raise ValueError(f"names must be one string per variable ({len(sizes)}). Received: names={names!r}")
        if self.built:
            if sizes != self._sizes:
                raise ValueError(f"optimizer: this {type(self).__name__} was built for a model whose variables have "
                                 f"sizes {self._sizes}, and its state belongs to that model; give each model its own "
                                 f"optimizer (a new instance or a name). Received: a model with sizes {sizes}")
            self._names, self._decay_where = list(names or self._names), None
            return
        total, ends = sum(sizes), np.cumsum(sizes).tolist()
        self._sizes, self._names = sizes, list(names or ["variable"] * len(sizes))
        self._segments = [slice(end - size, end) for size, end in zip(sizes, ends)]
        specs = {**self._averaging_slots(), **self._slot_specs()}
        self._slots = {slot: np.full(total, initial, F32) for slot, initial in specs.items()}
        self._scratch = (np.empty(total, F32), np.empty(total, F32))
        self._clipped, self._mean_grads = np.empty(total, F32), np.empty(total, F32)
        self._clipping = ((clip_each_norm, self.clipnorm) if self.clipnorm else
                          (clip_global_norm, self.global_clipnorm) if self.global_clipnorm else
                          (clip_value, self.clipvalue) if self.clipvalue else None)
        self._decay = None if self.weight_decay is None else constant(self.weight_decay)
        self._prepare()
        self.built = True

    def apply(self, params: np.ndarray, grads: np.ndarray) -> None:
        """One ``apply`` on ``params`` in place, in Keras' order: (accumulate; on an update call:) clip
        ``grads``, decay, ``update_step``; then the moving average; then the ``apply`` count += 1.

        Both are float32 vectors of the built total size; ``grads`` is not modified.
        """
        if not self.built:
            raise RuntimeError(f"{type(self).__name__} is not built: call build(sizes) before apply().")
        if self.gradient_accumulation_steps:
            grads = self._accumulated(grads)
        if grads is not None:
            self._update(params, grads)
        if self.use_ema:
            self._update_average(params)
        self._iterations += 1

    def _update(self, params: np.ndarray, grads: np.ndarray) -> None:
        # a plain number is the common case: its 0-d array is used as is (a few µs a step count, 2-parameter models)
        lr = self._lr if self._schedule is None and self._rate_function is None else self._step_learning_rate()
        if self._clipping is not None:
            clip, value = self._clipping
            grads = clip(grads, self._segments, value, self._clipped)
        if self._decay is not None:
            self._apply_weight_decay(params, lr)
        self.update_step(params, grads, lr)

    def update_step(self, params: np.ndarray, grads: np.ndarray, lr: np.ndarray) -> None:
        """The rule itself, in place on ``params`` and the slots; ``lr`` is a 0-d float32 array."""
        raise NotImplementedError(f"{type(self).__name__} must implement update_step(params, grads, lr).")

    def _slot_specs(self) -> dict[str, float]:
        return {}

    def _prepare(self) -> None:
        """Round the hyper-parameters to the float32 constants ``update_step`` uses."""

    def variables(self) -> dict[str, np.ndarray]:
        """Copies of the state: ``iterations`` (int64, the ``apply`` count), ``learning_rate`` (if a number),
        every slot."""
        state = {"iterations": np.array(self._iterations, np.int64)}
        if self._rate_is_a_variable:
            state["learning_rate"] = self._lr.copy()
        state.update({slot: values.copy() for slot, values in self._slots.items()})
        return state

    def set_variables(self, variables: dict[str, np.ndarray]) -> None:
        """Restore the state saved by ``variables()`` on a built optimizer of the same kind and sizes."""
        if not self.built:
            raise RuntimeError(f"{type(self).__name__} must be built before set_variables().")
        expected = self.variables()
        if set(variables) != set(expected):
            raise ValueError(f"variables must have the keys {sorted(expected)}. Received: keys {sorted(variables)}")
        for key, current in expected.items():
            value = np.asarray(variables[key])
            if value.shape != current.shape:
                raise ValueError(f"variables[{key!r}] must have shape {current.shape}. "
                                 f"Received: variables[{key!r}].shape={value.shape}")
        self._iterations = int(variables["iterations"])
        if "learning_rate" in variables:
            self.learning_rate = float(variables["learning_rate"])
        for slot, values in self._slots.items():
            values[...] = variables[slot]

    def summary_counts(self) -> tuple[int, int]:
        """``(scalars, bytes)`` of the state, as Keras' "Optimizer params" line (int64 iteration, float32 rest)."""
        floats = sum(values.size for values in self._slots.values()) + self._rate_is_a_variable
        return 1 + floats, 8 + 4 * floats

    def get_config(self) -> dict[str, Any]:
        """Keras 3's config: ``name``, ``learning_rate`` (the float32 value, the schedule's envelope, or Keras'
        reference to a function), the shared options, then the hyper-parameters; ``from_config`` inverts it."""
        config = {"name": self.name, "learning_rate": self._learning_rate_config(),
                  "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                  "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                  "use_ema": self.use_ema, "ema_momentum": self.ema_momentum,
                  "ema_overwrite_frequency": self.ema_overwrite_frequency,
                  "gradient_accumulation_steps": self.gradient_accumulation_steps, **self.keras_extras()}
        config.update({key: getattr(self, key) for key in self._hyper_parameters})
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Optimizer:
        """Rebuild an optimizer of this class from ``get_config()`` (or a Keras config whose extra features are
        off); a callable learning rate cannot be rebuilt (its code is not stored)."""
        if cls is Optimizer:
            raise TypeError("Optimizer.from_config needs a concrete class, such as Adam.from_config(config); "
                            "rebuild an envelope {'class_name': ..., 'config': ...} with optimizers.get().")
        rate = config.get("learning_rate") if isinstance(config, dict) else None
        if isinstance(rate, dict):
            if rate.get("class_name") == "function":
                raise ValueError(f"A callable learning_rate cannot be rebuilt from a config (its code is not stored); "
                                 f"pass the function again. Received: learning_rate={rate!r}")
            config = {**config, "learning_rate": schedules.deserialize(rate)}
        return super().from_config(config)

    def __repr__(self) -> str:
        quiet = {"name": None, "use_ema": False, "ema_momentum": 0.99}  # shown only when not these
        shown = {key: value for key, value in self.get_config().items()
                 if value is not None and key not in self.keras_defaults and quiet.get(key, ...) not in (value, None)}
        if self._schedule is not None:
            shown["learning_rate"] = self._schedule
        text = ", ".join(f"{k}={v:.7g}" if isinstance(v, float) else f"{k}={v!r}" for k, v in shown.items())
        return f"{type(self).__name__}({text})"


def get(identifier: str | dict | Optimizer | None) -> Optimizer | None:
    """Return an optimizer: an instance as is, a name (any case) with Keras' defaults, or an envelope;
    ``None`` gives ``None``, as in Keras.

    ``get("adam")`` is ``Adam(learning_rate=0.001)``; a dict is ``serialize(optimizer)`` output or Keras'
    ``{"class_name": ..., "config": {...}}``.
    """
    if identifier is None or isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if not isinstance(identifier, str):
        raise TypeError(f"optimizer must be a name, a serialized optimizer or an Optimizer. Received: {identifier!r}.")
    if identifier.lower() not in _REGISTRY:
        raise unknown_name("optimizer", identifier, _REGISTRY)
    return _REGISTRY[identifier.lower()]()


def deserialize(envelope: dict[str, Any]) -> Optimizer:
    """Rebuild an optimizer from its envelope (``serialize(optimizer)``); as in Keras, the class name may also be
    written in lower case (``{"class_name": "adam", "config": {...}}``)."""
    if isinstance(envelope, dict) and isinstance(envelope.get("class_name"), str):
        known = _REGISTRY.get(envelope["class_name"].lower())
        envelope = {**envelope, "class_name": known.__name__} if known is not None else envelope
    return _deserialize(envelope, Optimizer)

"""One serialization envelope for every configurable object, in Keras 3's format.

``serialize(obj)`` returns what Keras 3's ``serialize_keras_object`` writes
(``keras/src/saving/serialization_lib.py``)::

    {"module": "keras.optimizers", "class_name": "Adam", "config": {...}, "registered_name": None}

A linnet class that mirrors a Keras class is written under Keras' public module with ``registered_name``
None, so Keras reads it as its own; any other class (a user's schedule, linnet's own ``MeanOfLoss``) is
written under its Python module with ``registered_name`` = its class name, as Keras writes an unregistered
custom object. Nested objects (a schedule inside an optimizer, initializers inside a layer, a loss inside a
metric) are envelopes inside ``config``, written by the owner's ``get_config``.

``deserialize(envelope, kind)`` finds ``class_name`` among the subclasses of ``kind`` (so a user's subclass
is found once its module is imported) and calls its ``from_config``. Keras config keys for features linnet
does not have (``use_ema``, ``kernel_regularizer``, ...) are accepted at their Keras default only.
"""

from __future__ import annotations

import functools
import inspect
import re
from typing import Any, ClassVar

import numpy as np

from ._validation import reject_unknown_kwargs, unknown_name

KERAS_DTYPE_POLICY = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
                      "registered_name": None}
"""The ``dtype`` a Keras 3 layer writes for float32, linnet's only dtype."""


class CheckedKeywords:
    """A class each of whose constructors without ``**kwargs`` refuses an unknown keyword with a "did you mean" hint
    naming the class (``EarlyStopping(patiense=2)``), not Python's message naming the function that happens to
    define ``__init__``; the keys of ``keras_defaults`` are taken at the values listed there (see
    :class:`Configurable`). Every constructor, ``**kwargs`` or not, refuses a call that does not fit its signature
    naming the class and what it received (``Dense(1, units=2)``)."""

    keras_defaults: ClassVar[dict[str, tuple]] = {}
    keras_positional: ClassVar[tuple[str, ...]] = ()
    """Keras' positional parameters, in Keras' order, that linnet's constructor takes by keyword only (or not at
    all): a positional argument past linnet's own is passed as the next of these not already positional in
    linnet's signature (``SGD(0.01, 0.9, False, 0.004)`` is ``weight_decay=0.004``, as in Keras), so it binds as in
    Keras or is refused by name. Only linnet's own classes use it: a user's subclass keeps its signature."""

    def __init__(self):
        """No argument: what a class without a constructor of its own (``Initializer``, a user's ``Fives``) inherits,
        refusing one as every constructor does (``_keywords_checked`` wraps it below); the next class in the
        method order is initialised too, as ``object.__init__`` would leave it: a user's mixin (``class
        S(Initializer, Mixin)``)."""
        super().__init__()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        init = vars(cls).get("__init__")
        if init is None:
            return
        parameters = list(inspect.signature(init).parameters.values())[1:]
        own = [p.name for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD]
        tail = tuple(name for name in cls.keras_positional if name not in own) \
            if cls.__module__.split(".")[0] == "linnet" else ()
        cls.__init__ = _keywords_checked(init, tail)


class Configurable(CheckedKeywords):
    """What a configurable object shares: a JSON-ready ``get_config()``, ``from_config`` and a ``repr``.

    A family's base class sets ``keras_module`` (the ``keras.*`` namespace its Keras twins live in, or None
    for a linnet-only class) and a class lists in ``keras_defaults`` the Keras config keys for features it
    lacks, each with the values it accepts; the first is the one ``keras_extras()`` writes.

    A constructor without ``**kwargs`` takes those keys as ``from_config`` does (``R2Score(num_regressors=0)``, as in
    Keras; any other value is refused by name), and refuses an unknown keyword with a "did you mean" hint naming the
    class (``Huber(detla=1.0)``), not Python's message naming the function that happens to define ``__init__``.
    """

    keras_module: ClassVar[str | None] = None

    def get_config(self) -> dict[str, Any]:
        return {}

    def keras_extras(self) -> dict[str, Any]:
        """The Keras-only config keys at the values linnet's behaviour corresponds to."""
        return {key: accepted[0] for key, accepted in self.keras_defaults.items()}

    @classmethod
    def from_config(cls, config: dict[str, Any]):
        """Rebuild an instance from ``get_config()`` output (or the same config written by Keras 3)."""
        return cls(**constructor_arguments(cls, config))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k not in self.keras_defaults)
        return f"{type(self).__name__}({args})"


def _keywords_checked(init, tail: tuple[str, ...] = ()):
    """``init`` refusing keywords it does not name when it takes no ``**kwargs`` (see :class:`Configurable`), and a
    call that does not fit its signature (an argument missing, given twice, too many given) with a TypeError naming
    the class and what it received, not Python's message naming the function that happens to define ``__init__``
    (``_StepDecay.__init__() missing ...``); positional arguments past its own are passed as the keywords ``tail``
    names (``CheckedKeywords.keras_positional``).

    The signature is bound only once Python has refused the call (a call that does not fit raises before the body
    runs, so its traceback has no frame of ``init``): a construction that fits, and the ``super().__init__`` calls
    inside it, bind nothing, and a TypeError from the body (or from a decorator's wrapper) is left as it is."""
    signature = inspect.signature(init)
    parameters = list(signature.parameters.values())[1:]
    names = [p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    known = frozenset(names)
    positional = sum(p.kind is p.POSITIONAL_OR_KEYWORD for p in parameters)
    checks_keywords = not any(p.kind is p.VAR_KEYWORD for p in parameters)

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        cls = type(self)
        if tail and len(args) > positional:
            args, kwargs = _keras_positional(cls, args, kwargs, positional, tail)
        if checks_keywords and not known.issuperset(kwargs):
            others = {key: value for key, value in kwargs.items() if key not in known}
            reject_unknown_kwargs(without_keras_defaults(cls, others), cls.__name__, [*names, *cls.keras_defaults])
            kwargs = {key: value for key, value in kwargs.items() if key in known}
        try:
            init(self, *args, **kwargs)
        except TypeError as error:
            if error.__traceback__.tb_next is None:  # raised by the call itself, before any frame of init ran
                _refuse_unbound(cls, signature, names, (self, *args), kwargs)
            raise
    return __init__


CheckedKeywords.__init__ = _keywords_checked(CheckedKeywords.__init__)


def _refuse_unbound(cls: type, signature: inspect.Signature, names: list[str], args: tuple, kwargs: dict) -> None:
    """Raise the TypeError of a call of ``cls`` that ``signature`` does not bind (nothing when it binds): "``cls``:
    Python's reason; its arguments are ``names``. Received: ..." (``args`` start with ``self``)."""
    try:
        signature.bind(*args, **kwargs)
    except TypeError as error:
        raise TypeError(f"{cls.__name__}: {error}; its arguments are {names}. Received: {len(args) - 1} positional "
                        f"argument(s){' and ' + ', '.join(map(repr, kwargs)) if kwargs else ''}") from None


def _keras_positional(cls: type, args: tuple, kwargs: dict, positional: int, tail: tuple[str, ...]):
    """``args`` past the first ``positional`` moved into ``kwargs`` under Keras' names ``tail``, in order."""
    if len(args) > positional + len(tail):
        raise TypeError(f"{cls.__name__} takes at most {positional + len(tail)} positional arguments, as in Keras "
                        f"(the last {len(tail)}: {list(tail)}). Received: {len(args)} positional arguments.")
    kwargs = dict(kwargs)
    for name, value in zip(tail, args[positional:]):
        if name in kwargs:
            raise TypeError(f"{cls.__name__} got multiple values for argument {name!r} (positional argument "
                            f"{tail.index(name) + positional + 1} is Keras' {name!r}). Received: {name}="
                            f"{kwargs[name]!r:.100} and positional argument {value!r:.100}.")
        kwargs[name] = value
    return args[:positional], kwargs


def without_keras_defaults(cls: type, arguments: dict[str, Any], defaults: dict[str, tuple] | None = None
                           ) -> dict[str, Any]:
    """``arguments`` without the Keras-only keys of ``cls.keras_defaults`` (or ``defaults``), each refused unless at
    a value linnet's behaviour corresponds to (``Adam(loss_scale_factor=None)`` as in Keras; any other is named)."""
    arguments = dict(arguments)
    for key, accepted in (cls.keras_defaults if defaults is None else defaults).items():
        if key in arguments and not any(_same(arguments[key], value) for value in accepted):
            raise ValueError(f"linnet's {cls.__name__} does not support Keras' {key}: it must be "
                             f"{accepted[0]!r}. Received: {key}={arguments[key]!r}.")
        arguments.pop(key, None)
    return arguments


def constructor_arguments(cls: type, config: Any) -> dict[str, Any]:
    """``config`` without the Keras-only keys (refused unless at their default), checked against ``cls()``."""
    if not isinstance(config, dict):
        raise TypeError(f"The config of {cls.__name__} must be a dict. Received: {config!r}.")
    config = without_keras_defaults(cls, config)
    parameters = inspect.signature(cls).parameters.values()
    missing = [p.name for p in parameters if p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD,
                                                                                 p.KEYWORD_ONLY)
               and p.name not in config]
    if missing:
        raise TypeError(f"The config of {cls.__name__} is missing {', '.join(map(repr, missing))}. "
                        f"Received: {config!r}.")
    if not any(p.kind is p.VAR_KEYWORD for p in parameters):
        names = [p.name for p in parameters]
        reject_unknown_kwargs({k: v for k, v in config.items() if k not in names}, f"{cls.__name__} config", names)
    return config


def _same(value: Any, default: Any) -> bool:
    """Whether ``value`` is ``default`` (a bool only as a bool, and a number never as a bool, ``R2Score(
    num_regressors=False)``); an array, compared element-wise, is not."""
    if isinstance(default, (bool, np.bool_)) != isinstance(value, (bool, np.bool_)):
        return False
    equal = value == default
    return isinstance(equal, (bool, np.bool_)) and bool(equal)


def serialize(obj: Any) -> dict[str, Any]:
    """The Keras 3 envelope ``{"module", "class_name", "config", "registered_name"}`` of ``obj``."""
    if not isinstance(obj, Configurable):
        raise TypeError(f"Only linnet's configurable objects (optimizers, schedules, losses, metrics, initializers, "
                        f"layers) can be serialized. Received: {obj!r} ({type(obj).__name__}).")
    cls = type(obj)
    mirrors_keras = cls.keras_module is not None and cls.__module__.split(".")[0] == "linnet"
    envelope = {"module": cls.keras_module if mirrors_keras else cls.__module__, "class_name": cls.__name__,
                "config": obj.get_config(), "registered_name": None if mirrors_keras else cls.__name__}
    build_config = getattr(obj, "get_build_config", lambda: None)()
    if build_config is not None:
        envelope["build_config"] = build_config
    return envelope


def function_reference(name: str, module: str | None = "builtins") -> dict[str, Any]:
    """Keras 3's reference to a function in a config: its name, not its code, as a ``MeanMetricWrapper``'s ``fn`` is
    written (``module`` ``"builtins"``; a config only linnet reads may name the function's own module)."""
    return {"module": module, "class_name": "function", "config": name, "registered_name": "function"}


def deserialize(envelope: Any, kind: type) -> Any:
    """Rebuild the object ``serialize`` described, as an instance of a subclass of ``kind``.

    ``module`` and ``registered_name`` may be missing (Keras 2 wrote ``{"class_name", "config"}``).
    """
    expected = f"A serialized {_noun(kind)} must be a dict with a 'class_name' string and a 'config' dict"
    if not isinstance(envelope, dict):
        raise TypeError(f"{expected}, as serialize() writes. Received: {envelope!r}.")
    if not isinstance(envelope.get("class_name"), str) or not isinstance(envelope.get("config", {}), dict):
        raise ValueError(f"{expected}. Received: {envelope!r}.")
    cls = _find_class(kind, envelope["class_name"], envelope.get("module"))
    return cls.from_config(dict(envelope.get("config", {})))


def _noun(kind: type) -> str:
    """``LearningRateSchedule`` -> ``learning rate schedule``."""
    return re.sub(r"(?<!^)(?=[A-Z][a-z])", " ", kind.__name__).lower()


def _find_class(kind: type, class_name: str, module: Any) -> type:
    """The concrete subclass of ``kind`` called ``class_name`` (the latest defined when several are)."""
    found, pending = [], list(kind.__subclasses__())
    while pending:
        cls = pending.pop(0)
        pending.extend(cls.__subclasses__())
        if not cls.__name__.startswith("_"):
            found.append(cls)
    matches = [cls for cls in found if cls.__name__ == class_name]
    in_module = [cls for cls in matches if module in (cls.__module__, cls.keras_module)]
    if not matches:
        raise unknown_name(_noun(kind), class_name, {cls.__name__ for cls in found})
    return (in_module or matches)[-1]


def resolve(kind: type, identifier: Any, by_name: dict[str, type], example: str) -> Any:
    """Return ``identifier`` as an instance of ``kind``.

    ``identifier`` is an instance (returned as is), a name looked up case-insensitively in ``by_name`` or as a
    class name, or an envelope (what :func:`serialize` writes).
    """
    if isinstance(identifier, kind):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier, kind)
    if isinstance(identifier, str):
        classes = {cls.__name__: cls for cls in by_name.values()}
        cls = by_name.get(identifier.lower()) or classes.get(identifier)
        if cls is None:
            raise unknown_name(_noun(kind), identifier, by_name)
        return cls()
    raise TypeError(f"{_noun(kind)} must be a name such as {example!r}, a linnet {kind.__name__} or a serialized "
                    f"config dict. Received: {identifier!r}.")

"""One way to turn a Keras identifier (instance, name or config dict) into an object, shared by the registries."""

from __future__ import annotations

from typing import Any

from ._validation import unknown_name


class Configurable:
    """What a registered object shares: a JSON-ready ``get_config()`` and a ``repr`` that shows it."""

    def get_config(self) -> dict[str, Any]:
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def resolve(kind: str, identifier: Any, base: type, by_name: dict[str, type], example: str) -> Any:
    """Return ``identifier`` as an instance of ``base``.

    ``identifier`` is an instance (returned as is), a name looked up case-insensitively in ``by_name`` or as a
    class name, or a ``{"class_name": ..., "config": {...}}`` dict (what :func:`serialize` writes).
    """
    classes = {cls.__name__: cls for cls in by_name.values()}
    if isinstance(identifier, base):
        return identifier
    if isinstance(identifier, dict):
        cls = classes.get(identifier.get("class_name"))
        if cls is None:
            raise unknown_name(kind, identifier.get("class_name"), classes)
        return cls(**identifier.get("config", {}))
    if isinstance(identifier, str):
        cls = by_name.get(identifier.lower()) or classes.get(identifier)
        if cls is None:
            raise unknown_name(kind, identifier, by_name)
        return cls()
    raise TypeError(f"{kind} must be a name such as {example!r}, a linnet {base.__name__} or a config dict, "
                    f"received {identifier!r}.")


def serialize(instance: Any) -> dict[str, Any]:
    """The JSON-ready ``{"class_name", "config"}`` description of ``instance`` (inverse of :func:`resolve`)."""
    return {"class_name": type(instance).__name__, "config": instance.get_config()}

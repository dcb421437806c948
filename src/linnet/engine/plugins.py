"""What ``Sequential`` takes from the packages above the engine, registered by ``linnet/__init__.py``.

``PLUGINS`` maps ``"save_model"``, ``"load_model"``, ``"save_weights"``, ``"load_weights"``, ``"get_config"``,
``"from_config"``, ``"to_json"`` and ``"model_from_json"`` (``linnet.saving``), ``"equation"`` and
``"compare_to_ols"`` (``linnet.diagnostics.equation``) and ``"data_source"`` (``linnet.data.sources``: generators
and ``PyDataset`` as data sources for ``fit``) to their implementations, so the engine calls them without
importing them (the layer rule of ``docs/architecture.md``).
"""

from __future__ import annotations

from collections.abc import Callable

PLUGINS: dict[str, Callable] = {}


def plugin(name: str) -> Callable:
    """The implementation registered under ``name``."""
    if name not in PLUGINS:
        raise RuntimeError(f"linnet.engine.plugins.PLUGINS has no {name!r}: it is registered when the linnet "
                           f"package is imported (linnet/__init__.py); was it removed? Registered: {sorted(PLUGINS)}.")
    return PLUGINS[name]

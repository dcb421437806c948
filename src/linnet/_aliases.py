"""The import paths of linnet 0.1, kept working after the move to packages.

``import linnet.stats`` or ``from linnet.layers import Dense`` gives the very module object that now lives at
its new home (``linnet.exact.results``, ``linnet.engine.layers``), so classes, ``isinstance`` checks and
monkeypatching behave the same through either name. The new module is imported only when an old name is
first used.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

MOVED = {
    "linnet.layers": "linnet.engine.layers",
    "linnet.network": "linnet.engine.network",
    "linnet.losses": "linnet.engine.losses",
    "linnet.metrics": "linnet.engine.metrics",
    "linnet.initializers": "linnet.engine.initializers",
    "linnet.schedules": "linnet.engine.schedules",
    "linnet.optimizers": "linnet.engine.optimizers",
    "linnet.optimizers.base": "linnet.engine.optimizers.base",
    "linnet.optimizers.sgd": "linnet.engine.optimizers.sgd",
    "linnet.optimizers.rmsprop": "linnet.engine.optimizers.rmsprop",
    "linnet.optimizers.adam": "linnet.engine.optimizers.adam",
    "linnet.optimizers.adagrad": "linnet.engine.optimizers.adagrad",
    "linnet.callbacks": "linnet.engine.callbacks",
    "linnet.monitor_callbacks": "linnet.engine.callbacks.monitor",
    "linnet.training": "linnet.engine.trainer",
    "linnet.models": "linnet.engine.sequential",
    "linnet.progress": "linnet.engine.progress",
    "linnet.summary": "linnet.engine.summary",
    "linnet.stats": "linnet.exact.results",
    "linnet.equation": "linnet.diagnostics.equation",
    "linnet.datasets": "linnet.data",
    "linnet.datasets.boston_housing": "linnet.data.boston_housing",
    "linnet.datasets.readers": "linnet.data.readers",
    "linnet.datasets.synthetic": "linnet.data.synthetic",
    "linnet.plot_exact": "linnet.plot.exact",
    "linnet.workflow": "linnet.cli.tasks",
}
"""Old module name -> the module that holds its contents now."""


class _AliasFinder:  # a meta-path finder and loader by protocol (importlib.abc costs ~15 ms to import)
    """Finds an old name in ``MOVED`` and loads it as the module at its new home."""

    def __init__(self) -> None:
        self._home_specs: dict = {}

    def find_spec(self, name, path=None, target=None):
        if name not in MOVED:
            return None
        is_package = importlib.util.find_spec(MOVED[name]).submodule_search_locations is not None
        return importlib.util.spec_from_loader(name, self, is_package=is_package)

    def create_module(self, spec):
        module = importlib.import_module(MOVED[spec.name])
        self._home_specs[module.__name__] = module.__spec__
        return module

    def exec_module(self, module) -> None:
        """Nothing to run; only give back the module's own spec, which the import system replaced by the alias's
        (``importlib.resources`` and ``pickle`` read it)."""
        module.__spec__ = self._home_specs[module.__name__]


def install() -> None:
    """Put the finder on ``sys.meta_path`` once (idempotent, so reloading linnet adds no second copy)."""
    if not any(isinstance(finder, _AliasFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _AliasFinder())  # before the path finder, which would load a second copy

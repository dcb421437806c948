"""linnet: linear regression as a single-neuron neural network, Keras-compatible, on NumPy.

>>> import linnet as tf                      # tutorial code runs with only the import word changed
>>> model = tf.keras.Sequential([tf.keras.Input((1,)), tf.keras.layers.Dense(1)])

The training engine is imported at once; the exact answer, the diagnostics, the plots, the model file and
the scikit-learn estimator load on first use (``linnet.ols``, ``linnet.plot``, ...), so ``import linnet``
stays fast.
"""

import importlib as _importlib

import numpy as _np

__version__ = "0.1.0"

from . import _aliases, _html, _sources, data, keras, random, utils
from .engine import callbacks, initializers, layers, losses, metrics, optimizers, regularizers, schedules
from .engine import fitplan as _fitplan
from .engine import plugins as _plugins
from .engine.initializers import RandomNormal as random_normal_initializer
from .engine.initializers import RandomUniform as random_uniform_initializer
from .engine.layers import Activation, Dense, Input, Normalization
from .engine.sequential import Sequential, load_model
from .engine.trainer import DivergenceError

_aliases.install()  # linnet.layers, linnet.stats, ...: the 0.1 paths of modules now in packages


def _on_first_call(module: str, name: str):
    """``linnet.<module>.<name>``, imported when first called (so that ``import linnet`` stays fast)."""
    def call(*args, **kwargs):
        return getattr(_importlib.import_module(f".{module}", __name__), name)(*args, **kwargs)
    return call


# The engine imports nothing above itself: the diagnostics and the model file plug into it here.
_fitplan.ADVISERS.update({name: _on_first_call("diagnostics.advisers", name)
                             for name in ("auto_learning_rate", "sorted_validation_tail", "sgd_learning_rate")})
_plugins.PLUGINS.update({name: _on_first_call("saving.model_file", name)
                            for name in ("save_model", "load_model")})
_plugins.PLUGINS.update({name: _on_first_call("saving.weights_file", name)
                            for name in ("save_weights", "load_weights")})
_plugins.PLUGINS.update({name: _on_first_call("saving.keras_model", name)
                            for name in ("get_config", "from_config", "to_json", "model_from_json")})
_plugins.PLUGINS.update({name: _on_first_call("diagnostics.equation", name)
                            for name in ("equation", "compare_to_ols")})
_html.PLUGINS["render"] = _on_first_call("notebook.display", "render")  # rich display in notebooks
_adapted = _on_first_call("data.sources.adapters", "data_source")  # generators, PyDataset


def _data_source(x, shuffle=None, steps_per_epoch=None, epochs=1):
    """``linnet.data.sources.adapters.data_source``, not imported for what is never a data source: an array, an
    ``(x_val, y_val)`` tuple or None (a fit on arrays skips ~7 ms of imports)."""
    if x is None or isinstance(x, (_np.ndarray, tuple)):
        return None
    return _adapted(x, shuffle, steps_per_epoch, epochs)


_plugins.PLUGINS["data_source"] = _data_source


def _is_dask(data) -> bool:
    """A Dask collection (array, DataFrame), recognised without importing Dask."""
    return type(data).__module__.split(".")[0] == "dask" and hasattr(data, "__dask_graph__")


_sources.SOURCES["dask"] = (_is_dask, _on_first_call("dask.reduce", "ols"))  # linnet.ols of a Dask collection


datasets = data  # the 0.1 name of linnet.data

_LAZY = {"diagnostics": ("diagnostics", None), "exact": ("exact", None), "plot": ("plot", None),
         "notebook": ("notebook", None), "explore": ("notebook.explore", "explore"),
         "sklearn": ("sklearn", None), "stats": ("exact.results", None), "ols": ("data.sources.streaming", "ols"),
         "OLSResult": ("exact.results", "OLSResult"), "ModelFileError": ("saving.model_file", "ModelFileError")}


def __getattr__(name: str):
    """Load the modules in ``_LAZY`` on first access (PEP 562)."""
    if name not in _LAZY:
        raise AttributeError(f"module 'linnet' has no attribute {name!r}")
    module_name, attribute = _LAZY[name]
    module = _importlib.import_module(f".{module_name}", __name__)
    return module if attribute is None else getattr(module, attribute)


__all__ = ["Activation", "Dense", "DivergenceError", "Input", "ModelFileError", "Normalization", "OLSResult",
           "Sequential", "callbacks", "data", "datasets", "diagnostics", "exact", "initializers", "keras", "layers",
           "load_model", "losses", "metrics", "ols", "optimizers", "plot", "random", "random_normal_initializer",
           "random_uniform_initializer", "regularizers", "schedules", "sklearn", "utils"]
__all__ += ["explore", "notebook"]  # linnet.notebook: rich display, the explore widget (pip install linnet[notebook])

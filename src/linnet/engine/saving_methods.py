"""Keras 3's model-file methods of ``Sequential`` (mixed into it): ``save_weights``/``load_weights`` and
``get_config``/``from_config``/``to_json``.

The files and configs are written and read by ``linnet.saving`` (``weights_file``, ``keras_model``: they check
what they read as model files are checked), which the engine reaches through ``plugins.PLUGINS`` without
importing it (the layer rule of ``docs/architecture.md``).
"""

from __future__ import annotations

from typing import Any

from .. import _validation as check
from .plugins import plugin


class SavingMethods:
    """``save_weights``/``load_weights`` and the model config of Keras 3, in Keras 3's argument order."""

    def save_weights(self, filepath: Any, overwrite: bool = True, max_shard_size: None = None) -> None:
        """Write the weights to a Keras 3 ``.weights.h5`` file (atomically), which ``keras.Model.load_weights``
        reads.

        As in Keras 3.15.1 the file holds every layer's weights and, when the model is compiled, the optimizer's
        state: all its variables once it has taken a step (is built), else its step count and learning rate.
        ``filepath`` must end in ``.weights.h5``; an existing file is overwritten unless ``overwrite=False``, which
        asks first (Keras' question). ``max_shard_size`` must stay None: linnet writes one file.
        """
        plugin("save_weights")(self, filepath, overwrite, max_shard_size)

    def load_weights(self, filepath: Any, skip_mismatch: bool = False, **kwargs) -> None:
        """Set the weights from a ``.weights.h5`` file (``save_weights``' or Keras 3's) or from a ``.keras`` file.

        The model must be built (as Keras 3 requires) with the architecture the weights were saved from: weights of
        other shapes, or of a layer one side has and the other lacks, are refused naming what differs
        (``skip_mismatch=True``: warned and skipped). As in Keras 3.15.1 the optimizer's state is restored when the
        model is compiled with an optimizer holding as many variables as the file's (after a step, of the same
        kind); otherwise it is skipped with Keras' warning, so compile and train one step first to resume
        training where it stopped. A damaged or implausible file is a ``linnet.ModelFileError``.
        """
        check.reject_unknown_kwargs(kwargs, "load_weights", ["filepath", "skip_mismatch"])
        plugin("load_weights")(self, filepath, skip_mismatch)

    def get_config(self) -> dict[str, Any]:
        """Keras 3.15.1's ``Sequential.get_config()``: ``{"name", "trainable", "dtype", "layers",
        "build_input_shape"}``, the layers' Keras envelopes after an ``InputLayer`` (both absent until the input
        width is known). Real Keras rebuilds the model from it (``keras.Sequential.from_config``). A
        ``Normalization`` is written as Keras writes an adapted one: its statistics are weights (``save_weights``
        keeps them), not config."""
        return plugin("get_config")(self)

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: None = None):
        """The model a ``get_config()`` (linnet's or Keras 3's) describes, with fresh weights; unbuilt when it
        declares no input shape. Anything linnet cannot build (another layer, a nonlinear activation, sizes beyond
        the caps of model files, wrong types) is refused with a ``ValueError`` naming the field."""
        return plugin("from_config")(config, custom_objects)

    def to_json(self, **kwargs) -> str:
        """Keras' ``model.to_json()``: the model's envelope (config, ``build_config``, ``compile_config``) as JSON,
        which ``keras.models.model_from_json`` and ``linnet.keras.models.model_from_json`` read; ``kwargs`` go to
        ``json.dumps``."""
        return plugin("to_json")(self, **kwargs)

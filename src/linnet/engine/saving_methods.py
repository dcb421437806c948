"""Keras 3's model-file methods of ``Sequential`` (mixed into it): ``save_weights`` and ``load_weights``.

The files are written and read by ``linnet.saving`` (``weights_file``), which the engine reaches through
``plugins.PLUGINS`` without importing it (the layer rule of ``docs/architecture.md``).
"""

from __future__ import annotations

from typing import Any

from .. import _validation as check
from .plugins import plugin


class SavingMethods:
    """``save_weights``/``load_weights`` of Keras 3, in Keras 3's argument order."""

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

"""Keras 3's one-batch methods of a model: ``train_on_batch``, ``test_on_batch`` and ``predict_on_batch``.

``BatchMethods`` is mixed into ``Sequential`` (as Keras mixes its ``Trainer`` into ``Model``): it uses the model's
argument checks (``_xy``, ``_checked_x``, ``_require_compiled``), its ``network`` and ``evaluate``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _validation as check
from .sources import refuse_class_weight, sample_weight_column
from .trainer import Trainer

_BATCH_ARGUMENTS = ["x", "y", "sample_weight", "class_weight", "return_dict"]


class BatchMethods:
    """``train_on_batch``, ``test_on_batch`` and ``predict_on_batch``: one batch, no callbacks, no progress output."""

    def train_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None, class_weight: None = None,
                       return_dict: bool = False, **kwargs) -> float | list[float] | dict[str, float]:
        """One optimizer step on all of ``(x, y)`` at once, as Keras 3's: returns the batch's loss
        ``(1/n) Σ wᵢ·lᵢ`` (and metrics) with the weights from before the step, as ``evaluate`` returns them
        (a float, a list ``[loss, *metrics]``, or a dict). The optimizer's state carries over between calls.
        Keras' ``class_weight`` (weights by class of a classifier's target) is refused unless None."""
        check.reject_unknown_kwargs(kwargs, "train_on_batch", _BATCH_ARGUMENTS)
        refuse_class_weight(class_weight)
        self._require_compiled("train_on_batch")
        x, y = self._xy(x, y)
        logs = Trainer(self).train_batch(x, y, sample_weight_column(sample_weight, x.shape[0]))
        return results(logs, return_dict)

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None, return_dict: bool = False,
                      **kwargs) -> float | list[float] | dict[str, float]:
        """The loss (and metrics) of ``(x, y)`` as one batch, as Keras 3's: ``evaluate`` without progress output."""
        check.reject_unknown_kwargs(kwargs, "test_on_batch", _BATCH_ARGUMENTS)
        self._require_compiled("test_on_batch")
        return self.evaluate(x, y, verbose=0, return_dict=return_dict, sample_weight=sample_weight)

    def predict_on_batch(self, x: Any) -> np.ndarray:
        """Predictions for ``x`` in one pass (builds the model from ``x`` if needed, as Keras does)."""
        return self._forward(self._checked_x(x))

    def _forward(self, x: np.ndarray, first_row: int = 0) -> np.ndarray:
        """The network's predictions for checked rows ``x`` (row ``first_row`` onwards of the caller's), refused
        when one is beyond the float32 range."""
        with np.errstate(over="ignore", invalid="ignore"):
            prediction = self.network.forward(x)
        bad = check.nonfinite_index(prediction)
        if bad is not None:
            raise ValueError(f"The prediction for x row {first_row + bad[0]} is beyond the float32 range (it, or a "
                             f"product x·w forming it, exceeds 3.4e38): that input is far outside the data the model "
                             f"was trained on; rescale x.")
        return prediction


def results(logs: dict[str, float], return_dict: bool) -> float | list[float] | dict[str, float]:
    """Keras' return value for logs: the dict, or else the loss alone, or the list ``[loss, *metrics]``."""
    if check.boolean(return_dict, "return_dict"):
        return logs
    return logs["loss"] if len(logs) == 1 else list(logs.values())

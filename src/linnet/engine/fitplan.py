"""What ``fit`` is about to do (``FitPlan``, built from arrays by ``array_plan``), and the checks it runs on
that before training (``ADVISERS``).

The engine defines no check itself: the diagnostics, a package above it, register theirs here (see
``linnet/__init__.py``), so that the engine imports nothing above itself.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import positive_int
from .fullbatch import full_batch_arrays
from .sources import ArrayBatches, in_order, split_validation, validation_source


@dataclass(frozen=True)
class FitPlan:
    """What ``fit`` is about to do, as the ``ADVISERS`` see it.

    ``source`` and ``validation`` are what the trainer will read. On arrays, ``x`` and ``y`` are all the rows
    given (checked, float32; any validation tail included), ``x_train`` the rows trained on, and
    ``batch_size`` and ``validation_split`` (0.0 when ``validation_data`` is given) as ``fit`` uses them; for a
    data source those are None and 0.0.
    """

    model: Any
    source: Any
    validation: Any = None
    x: np.ndarray | None = None
    y: np.ndarray | None = None
    x_train: np.ndarray | None = None
    batch_size: int | None = None
    validation_split: float = 0.0


ADVISERS: dict[str, Callable[[FitPlan], str | None]] = {}
"""The checks ``fit`` runs before training, by name: ``adviser(plan) -> warning text or None``; ``fit`` warns
(``UserWarning``) with each text. ``linnet.diagnostics`` registers the sorted-validation-tail check and SGD's
stable learning rate (``linnet.diagnostics.advisers``); delete a key to silence one, add one to check more."""


def array_plan(model, x: np.ndarray, y: np.ndarray, batch_size: int | None, validation_split: float,
               validation_data: Any, shuffle: bool | str) -> FitPlan:
    """The plan of ``fit`` on checked arrays: Keras' validation tail (or ``validation_data``), shuffled batches.

    ``batch_size="full"`` trains on all the training rows at once from their least-squares state
    (:class:`~linnet.engine.fullbatch.FullBatch`: Keras' ``batch_size=n``, each step O(p²)).
    """
    full = isinstance(batch_size, str) and batch_size == "full"
    batch_size = None if full else positive_int(batch_size, "batch_size", allow_none=True) or 32
    if validation_data is not None:
        train, validation, split = (x, y), validation_source(validation_data, x.shape[1]), 0.0
    elif validation_split:
        train, (x_val, y_val) = split_validation(x, y, validation_split)
        validation, split = in_order(x_val, y_val), validation_split
    else:
        train, validation, split = (x, y), None, 0.0
    if full:
        source, batch_size = full_batch_arrays(*train), train[0].shape[0]
    else:
        source = ArrayBatches(*train, batch_size=batch_size, shuffle=shuffle)
    return FitPlan(model, source, validation, x, y, train[0], batch_size, split)


def advise(plan: FitPlan) -> None:
    """Warn (``UserWarning``, pointing at the caller of ``fit``) with every text the ``ADVISERS`` return."""
    for adviser in list(ADVISERS.values()):
        message = adviser(plan)
        if message:
            warnings.warn(message, UserWarning, stacklevel=3)

"""What ``fit`` is about to do (``FitPlan``, built from arrays by ``array_plan``), and the checks it runs on
that before training (``ADVISERS``).

The engine defines no check itself: the diagnostics, a package above it, register theirs here (see
``linnet/__init__.py``), so that the engine imports nothing above itself.
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import positive_int
from .._warnings import warn
from .ahead import ShuffleAhead, shuffle_ahead
from .sources import (
    ArrayBatches,
    in_order,
    is_source,
    refuse_array_arguments,
    sample_weight_column,
    split_validation,
    validation_source,
)
from .steps import Steps, passes


@dataclass(frozen=True)
class FitPlan:
    """What ``fit`` is about to do, as the ``ADVISERS`` see it.

    ``source`` and ``validation`` are what the trainer will read. On arrays, ``x`` and ``y`` are all the rows
    given (checked, float32; any validation tail included), ``x_train`` the rows trained on, and
    ``batch_size`` and ``validation_split`` (0.0 when ``validation_data`` is given) as ``fit`` uses them, and
    ``sample_weight`` the checked float32 ``(n, 1)`` weights of all rows (or None); for a data source those are
    None and 0.0.
    """

    model: Any
    source: Any
    validation: Any = None
    x: np.ndarray | None = None
    y: np.ndarray | None = None
    x_train: np.ndarray | None = None
    batch_size: int | None = None
    validation_split: float = 0.0
    sample_weight: np.ndarray | None = None

    def __enter__(self) -> FitPlan:
        return self

    def __exit__(self, *exc_info) -> None:
        """End the thread of a first shuffle drawn ahead (``fit_plan``) that no epoch took (``fit`` raised)."""
        ahead = getattr(self.source, "ahead", None)
        if ahead is not None:
            ahead.close()


ADVISERS: dict[str, Callable[[FitPlan], str | None]] = {}
"""The checks ``fit`` runs before training, by name: ``adviser(plan) -> warning text or None``; ``fit`` warns
(``UserWarning``) with each text. ``linnet.diagnostics`` registers the sorted-validation-tail check and SGD's
stable learning rate (``linnet.diagnostics.advisers``); delete a key to silence one, add one to check more."""


def fit_plan(model, x: Any, y: Any, *, batch_size: int | None, validation_split: float, validation_data: Any,
             shuffle: bool | str, sample_weight: Any, validation_batch_size: int | None, seed: Any = None,
             steps_per_epoch: int | None = None, validation_steps: int | None = None,
             test_batches: bool = False) -> FitPlan:
    """The plan of ``model.fit`` on arrays (checked here) or on a data source ``x``, which yields whole batches in
    its own order: then the arguments that only mean something for arrays are refused unless left unset.
    ``steps_per_epoch`` (checked) bounds the epochs on arrays (a source ``x`` comes bounded); ``validation_steps``
    (checked) limits every validation to its first batches; ``test_batches``: the callbacks take the validation's
    batch hooks or ``on_test_begin`` (``takes_batches``), so validation arrays are read in Keras' batches.

    On large arrays the first epoch's shuffle is drawn ahead, from ``seed``'s generator (``engine.ahead``), while
    ``x`` is checked here and the ``ADVISERS`` run; use the plan as a context (``with fit_plan(...) as plan``)
    so that its thread ends even if ``fit`` stops before its first epoch."""
    if is_source(x):
        refuse_array_arguments("x", y=y, batch_size=batch_size, validation_split=validation_split,
                               shuffle=shuffle, sample_weight=sample_weight)
    if is_source(validation_data):
        refuse_array_arguments("validation_data", validation_batch_size=validation_batch_size)
    if is_source(x):
        validation = validation_source(validation_data, model._source_features(x))
        return FitPlan(model, x, _batched(validation, validation_batch_size, test_batches, 32, validation_steps))
    ahead = _first_shuffle(model, x, batch_size, validation_split, shuffle, seed)  # drawn while x is checked
    try:
        x, y = model._xy(x, y)
        ahead = ahead or _first_shuffle(model, x, batch_size, validation_split, shuffle, seed)  # built by now
        plan = array_plan(model, x, y, batch_size, validation_split, validation_data, shuffle, sample_weight,
                          validation_batch_size, ahead, test_batches, validation_steps)
        rows = f"a pass over the {plan.x_train.shape[0]} training rows in batches of {plan.batch_size}"
        return dataclasses.replace(plan, source=passes(plan.source, steps_per_epoch, rows))
    except BaseException:
        if ahead is not None:
            ahead.close()
        raise


def _first_shuffle(model, x: Any, batch_size: Any, validation_split: Any, shuffle: Any,
                   seed: Any) -> ShuffleAhead | None:
    """The first epoch's ``rng.permutation(len(x))``, started on a background thread, when the fit will draw it
    first: shuffled mini-batches of all the rows of a 2-D array. Not before a model that this fit builds from
    linnet's generator is built (its initial weights are drawn first: the shuffle would be drawn again)."""
    if (shuffle is not True or not isinstance(x, np.ndarray) or x.ndim != 2 or isinstance(batch_size, str)
            or not (isinstance(validation_split, (int, float)) and validation_split == 0)
            or (seed is None and not model.built)):
        return None
    return shuffle_ahead(seed, x.shape[0])


def array_plan(model, x: np.ndarray, y: np.ndarray, batch_size: int | None, validation_split: float,
               validation_data: Any, shuffle: bool | str, sample_weight: Any = None,
               validation_batch_size: int | None = None, ahead: ShuffleAhead | None = None,
               test_batches: bool = False, validation_steps: int | None = None) -> FitPlan:
    """The plan of ``fit`` on checked arrays: Keras' validation tail (or ``validation_data``), shuffled batches.

    ``sample_weight`` ``(n,)`` weights the rows (split with them, as Keras splits it); ``validation_batch_size``
    rows are evaluated at a time when given, or ``batch_size`` rows with ``test_batches`` or ``validation_steps``
    (otherwise all at once: the mean is the same). ``batch_size="full"``
    trains on all the training rows at once from their least-squares state
    (:class:`~linnet.engine.fullbatch.FullBatch`: Keras' ``batch_size=n``, each step O(p²)).
    """
    full = isinstance(batch_size, str) and batch_size == "full"
    batch_size = None if full else positive_int(batch_size, "batch_size", allow_none=True) or 32
    weight = sample_weight_column(sample_weight, x.shape[0])
    if full and weight is not None:
        raise ValueError("batch_size='full' trains from the least-squares state of unweighted rows; give "
                         "batch_size=len(x) to weight them. Received: sample_weight with batch_size='full'")
    if validation_data is not None:
        train, validation, split = (x, y, weight), validation_source(validation_data, x.shape[1]), 0.0
    elif validation_split is not None and (not isinstance(validation_split, numbers.Real) or validation_split):
        # not 'elif validation_split:', ambiguous for an array: split_validation refuses what is not a number
        train, held_out = split_validation(x, y, validation_split, weight)
        validation, split = in_order(*held_out), validation_split
    else:
        train, validation, split = (x, y, weight), None, 0.0
    if full:
        from .fullbatch import full_batch_arrays  # it brings the exact state: on first use
        source, batch_size = full_batch_arrays(*train[:2]), train[0].shape[0]
    else:
        source = ArrayBatches(*train[:2], batch_size=batch_size, shuffle=shuffle, reuse=True,  # read by the trainer
                              sample_weight=train[2] if len(train) == 3 else None, ahead=ahead)
    validation = _batched(validation, validation_batch_size, test_batches, batch_size, validation_steps)
    return FitPlan(model, source, validation, x, y, train[0], batch_size, split, weight)


def _batched(validation: Any, validation_batch_size: int | None, test_batches: bool, batch_size: int,
             validation_steps: int | None) -> Any:
    """Validation arrays read ``validation_batch_size`` rows at a time, or Keras' ``batch_size`` rows when the
    callbacks see each batch (``test_batches``) or only the first ``validation_steps`` batches are read; otherwise
    as they are (all at once). With ``validation_steps``, the first that many batches of every validation (Keras 3
    reads them afresh each time; more than the data has are refused)."""
    validation_batch_size = positive_int(validation_batch_size, "validation_batch_size", allow_none=True)
    arrays = isinstance(validation, ArrayBatches)
    if arrays and (validation_batch_size or test_batches or validation_steps):
        validation = dataclasses.replace(validation, batch_size=validation_batch_size or batch_size)
    if validation is None or validation_steps is None:
        return validation
    data = f"the validation rows in batches of {validation.batch_size}" if arrays else "the validation data"
    return Steps(validation, validation_steps, "validation_steps", data)


def validation_frequency(value: Any) -> int | list[int]:
    """``fit``'s ``validation_freq``: a positive int, or a list of positive 1-based epoch numbers (Keras 3)."""
    if isinstance(value, (list, tuple)):
        return [positive_int(epoch, "each epoch in validation_freq") for epoch in value]
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"validation_freq must be a positive int or a list of epoch numbers (1-based). "
                        f"Received: validation_freq={value!r}")
    return positive_int(value, "validation_freq")


def advise(plan: FitPlan) -> None:
    """Warn (``UserWarning``, pointing at the caller of ``fit``) with every text the ``ADVISERS`` return."""
    for adviser in list(ADVISERS.values()):
        message = adviser(plan)
        if message:
            warn(message)

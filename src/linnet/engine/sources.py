"""Where batches come from: the data-source protocol, and in-memory arrays as its first implementation.

A data source is any object with

- ``epoch(rng) -> iterator`` of batches ``(x, y)`` or ``(x, y, sample_weight)``: ``x`` of shape
  ``(B, n_features)``, ``y`` of shape ``(B,)`` or ``(B, 1)``, ``sample_weight`` of shape ``(B,)`` or ``(B, 1)``
  (non-negative). ``rng`` is the ``numpy.random.Generator`` of the run; a source that shuffles draws from it, so
  ``fit(seed=...)`` and ``linnet.utils.set_random_seed`` make its order reproducible. Each call is one pass.
- ``n_features``: the number of feature columns, which builds the model before the first batch;
- optionally ``__len__``: the number of batches of one epoch. Without it the progress bar shows
  ``7/Unknown`` during the first epoch, and the count of that epoch is used afterwards (as Keras does).

``Sequential.fit(source)``, ``fit(validation_data=source)`` and ``evaluate(source)`` accept such an object in
place of arrays; the trainer checks every batch it yields (shapes, numbers, finiteness) and casts it to float32.
Nothing else is asked of a source: in particular it need not know about the fused one-neuron step, which is the
trainer's choice (``ArrayBatches.design_batches`` is an optional capability of in-memory arrays).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from .._validation import features, one_of, positive_int, real_number, targets
from .ahead import ShuffleAhead
from .gather import gathered, in_background

Batch = tuple  # (x, y) or (x, y, sample_weight)
EVALUATION_ROWS = 65_536  # rows per batch when evaluating arrays (bounds memory; the loss is the same)


class DataSource(Protocol):
    """The protocol ``fit``, ``evaluate`` and ``validation_data=`` accept besides arrays (``__len__`` optional)."""

    n_features: int

    def epoch(self, rng: np.random.Generator) -> Iterator[Batch]:
        """Yield the batches of one pass: ``(x, y)`` or ``(x, y, sample_weight)``."""


def is_source(data: Any) -> bool:
    """Whether ``data`` is a data source (has ``epoch`` and ``n_features``) rather than an array."""
    return callable(getattr(data, "epoch", None)) and hasattr(data, "n_features")


def source_features(source: Any, expected: int | None) -> int:
    """The source's ``n_features``: a positive int, equal to ``expected`` (the model's inputs) unless None."""
    n_features = positive_int(getattr(source, "n_features", None), "the data source's n_features")
    if expected is not None and n_features != expected:
        raise ValueError(f"The data source has n_features={n_features} but the model expects {expected} "
                         f"feature(s). Received: {source!r:.200}")
    return n_features


def source_length(source: Any) -> int | None:
    """The number of batches of one epoch of ``source``, or None when it does not say (no ``__len__``)."""
    return len(source) if hasattr(source, "__len__") else None


def split_validation(x: np.ndarray, y: np.ndarray, validation_split: float, *weights: np.ndarray | None):
    """Keras' split: training rows ``[0, floor(n(1-s)))``, validation the remaining tail, in the given order.

    Returns ``(train, validation)``, each ``(x, y)``, or ``(x, y, sample_weight)`` when ``weights`` holds an
    array of sample weights (None is left out), split at the same row."""
    split = real_number(validation_split, "validation_split", low=0.0, high=1.0, high_open=True)
    n = x.shape[0]
    split_at = math.floor(n * (1.0 - split))
    if split_at == 0 or split_at == n:
        raise ValueError(f"validation_split={validation_split} leaves {split_at} training and {n - split_at} "
                         f"validation rows out of {n}; both parts need at least one row.")
    arrays = (x, y, *(w for w in weights if w is not None))
    return tuple(a[:split_at] for a in arrays), tuple(a[split_at:] for a in arrays)


@dataclass
class ArrayBatches:
    """Batches of in-memory float32 arrays ``x (n, d)``, ``y (n, 1)``, already checked (``fit`` checks them).

    ``batch_size`` rows per batch (the last, partial batch is kept); ``shuffle`` is True (a new permutation of
    the rows every epoch), ``"batch"`` (consecutive batches, each shuffled within) or False (in order). With
    ``sample_weight`` (float32 ``(n, 1)``, checked) the batches are ``(x, y, sample_weight)``. ``ahead`` is the
    first epoch's shuffle when ``fit`` started drawing it early (``engine.ahead``: used only if it is exactly the
    permutation the epoch would draw). With ``reuse`` the batches gathered in the background are views of buffers
    that are reused, valid only until the next batch is asked for (``fit`` sets it: the trainer steps on each).
    """

    x: np.ndarray
    y: np.ndarray
    batch_size: int = 32
    shuffle: bool | str = True
    sample_weight: np.ndarray | None = None
    background: bool = True
    ones: bool = False  # batches of x are the design rows [x, 1] (see design_batches)
    ahead: ShuffleAhead | None = None
    reuse: bool = False

    def __post_init__(self):
        one_of(self.shuffle, "shuffle", (True, False, "batch"),
               f"shuffle must be True, False or 'batch'. Received: shuffle={self.shuffle!r} "
               f"({type(self.shuffle).__name__})")

    def __len__(self) -> int:
        return (self.x.shape[0] + self.batch_size - 1) // self.batch_size

    @property
    def n_features(self) -> int:
        return self.x.shape[1] + self.ones

    @property
    def n_samples(self) -> int:
        return self.x.shape[0]

    @property
    def nbytes(self) -> int:
        return self.x.nbytes

    def design_batches(self) -> ArrayBatches:
        """The same batches (same order for the same ``rng``) with ``x`` as the design matrix ``[x, 1]``.

        An optional capability the trainer uses for the fused one-neuron step (``Network.mse_step``): the
        column of ones is appended once, here, so that each batch is a view or one gather, with no copy per step;
        when the epochs are gathered in the background, that thread appends it to each block instead.
        """
        if self._gathers_in_background():  # the gather thread appends the ones block by block: no copy of x
            return dataclasses.replace(self, ones=True)
        return dataclasses.replace(self, x=np.hstack([self.x, np.ones((self.x.shape[0], 1), dtype=self.x.dtype)]))

    def _gathers_in_background(self) -> bool:
        return self.shuffle is not False and self.background and in_background(self.batch_size, self.x.shape[0])

    def epoch(self, rng: np.random.Generator | None) -> Iterator[Batch]:
        """Yield the batches of one epoch; shuffled batches are gathered one at a time (no copy of the data)."""
        if self.sample_weight is not None:
            yield from self._weighted_epoch(rng)
            return
        x, y, size = self.x, self.y, self.batch_size  # the tutorials' path: a few µs a step count
        order = self._order(rng)
        if self._gathers_in_background():
            yield from gathered((x, y), order, size, self.ones, self.reuse)  # the next block gathered on the other core
            return
        for start in range(0, x.shape[0], size):
            if order is None:
                yield x[start:start + size], y[start:start + size]
            else:
                rows = order[start:start + size]
                yield x.take(rows, axis=0), y.take(rows, axis=0)

    def _weighted_epoch(self, rng: np.random.Generator | None) -> Iterator[Batch]:
        arrays, size, order = (self.x, self.y, self.sample_weight), self.batch_size, self._order(rng)
        if self._gathers_in_background():
            yield from gathered(arrays, order, size, self.ones, self.reuse)
            return
        for start in range(0, self.x.shape[0], size):
            rows = slice(start, start + size) if order is None else order[start:start + size]
            yield tuple(a[rows] for a in arrays)

    def _order(self, rng: np.random.Generator | None) -> np.ndarray | None:
        n = self.x.shape[0]
        if self.shuffle is False:
            return None
        if self.shuffle is True:
            ahead, self.ahead = self.ahead, None
            order = None if ahead is None else ahead.take(rng, n)
            return rng.permutation(n) if order is None else order
        order = np.arange(n)
        for start in range(0, n, self.batch_size):
            rng.shuffle(order[start:start + self.batch_size])
        return order


def checked_batches(source: Any, rng: np.random.Generator, n_features: int) -> Iterable[Batch]:
    """The batches of one epoch of ``source``, each checked and cast to float32 as ``fit`` checks arrays.

    ``ArrayBatches`` holds arrays checked once, up front, and is passed through, as is a source whose ``checked``
    attribute is True (it promises float32, finite ``x (B, n_features)`` and ``y (B, 1)``, which may be strided views
    of a wider array, e.g. the file sources of ``linnet.data.sources``, which check each chunk as they read it and
    yield views of its ``[x, 1, y]`` rows); any other source's batches are checked one by one, and a wrong batch raises
    ValueError/TypeError naming the batch and what it held.
    """
    batches = source.epoch(rng)
    if isinstance(source, ArrayBatches) or getattr(source, "checked", False) is True:
        return batches
    return (_checked(batch, step, n_features) for step, batch in enumerate(batches))


def unpacked(batch: Any, where: str) -> tuple:
    """``batch`` as the tuple ``(x, y)`` or ``(x, y, sample_weight)``; anything else is refused, naming ``where``."""
    if not isinstance(batch, (tuple, list)) or len(batch) not in (2, 3):
        raise TypeError(f"A data source's epoch(rng) must yield (x, y) or (x, y, sample_weight) tuples; "
                        f"{where} is {type(batch).__name__} {_brief(batch)}. Received: {batch!r:.200}")
    return tuple(batch)


def _checked(batch: Any, step: int, n_features: int) -> Batch:
    where = f"batch {step + 1} of the data source"
    batch = unpacked(batch, where)
    x = features(batch[0], f"x of {where}", n_features=n_features)
    y = targets(batch[1], x.shape[0], f"y of {where}")
    if len(batch) == 2 or batch[2] is None:
        return x, y
    weight = targets(batch[2], x.shape[0], f"sample_weight of {where}")
    if weight.min() < 0:
        raise ValueError(f"sample_weight of {where} must be non-negative; its smallest value is "
                         f"{weight.min():g}.")
    return x, y, weight


def _brief(batch: Any) -> str:
    return f"of length {len(batch)}" if isinstance(batch, (tuple, list)) else "(not a tuple)"


def refuse_array_arguments(data_name: str, **given: Any) -> None:
    """Refuse the arguments that only mean something for arrays (``y``, ``batch_size``, ``validation_split``,
    ``shuffle``) when ``data_name`` is a data source, rather than ignore them: the source yields whole batches
    in its own order."""
    unset = {"y": None, "batch_size": None, "validation_split": 0, "shuffle": True, "sample_weight": None,
             "validation_batch_size": None}
    for name, value in given.items():
        if value is not unset[name] and not (name == "validation_split" and _is_zero(value)):
            raise ValueError(f"{name} cannot be used when {data_name} is a data source: the source yields whole "
                             f"(x, y) batches in its own order (leave {name} at {unset[name]!r}). "
                             f"Received: {name}={value!r:.100}")


def _is_zero(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) and value == 0


def in_order(x: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None) -> ArrayBatches:
    """Checked arrays as the batches ``evaluate`` and validation read: in order, ``EVALUATION_ROWS`` at a time.

    (Keras evaluates ``batch_size`` rows at a time; the loss, a mean over the rows, is the same.)"""
    return ArrayBatches(x, y, EVALUATION_ROWS, shuffle=False, sample_weight=sample_weight)


def sample_weight_column(sample_weight: Any, n_samples: int, name: str = "sample_weight") -> np.ndarray | None:
    """``sample_weight`` of ``fit``/``evaluate`` as float32 ``(n, 1)``: finite, non-negative (None stays None)."""
    if sample_weight is None:
        return None
    weight = targets(sample_weight, n_samples, name)
    if weight.min() < 0:
        raise ValueError(f"{name} must be non-negative. Received: a smallest value of {weight.min():g} at row "
                         f"{int(weight.argmin())}.")
    return weight


def refuse_class_weight(class_weight: Any) -> None:
    """Keras' ``class_weight`` of ``fit``/``train_on_batch`` (a weight for each class of a classifier's integer
    target): a regression neuron has no classes, so anything but None is refused, pointing at ``sample_weight``."""
    if class_weight is not None:
        raise ValueError(f"class_weight weights the rows of each class of a classifier's target; linnet's neuron is a "
                         f"regression, whose target has no classes. Weight the rows with sample_weight (one weight "
                         f"per row) instead. Received: class_weight={class_weight!r:.100}")


def validation_source(validation_data: Any, n_features: int) -> Any:
    """``fit``'s ``validation_data`` as a source: a data source as it is (its ``n_features`` checked against the
    model's: a file source's batches are not checked one by one), ``(x_val, y_val)`` checked and :func:`in_order`
    (None stays None)."""
    if validation_data is None:
        return None
    if is_source(validation_data):
        source_features(validation_data, n_features)
        return validation_data
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        raise ValueError(f"validation_data must be a tuple (x_val, y_val) or (x_val, y_val, sample_weight_val), "
                         f"or a data source. Received: {type(validation_data).__name__} {validation_data!r:.100}")
    x = features(validation_data[0], "validation_data x", n_features=n_features)
    weight = validation_data[2] if len(validation_data) == 3 else None
    return in_order(x, targets(validation_data[1], x.shape[0], "validation_data y"),
                    sample_weight_column(weight, x.shape[0], "validation_data sample_weight"))

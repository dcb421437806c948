"""Python iterables, generators and generator factories as a data source (Keras' generator input, minus its trap).

``GeneratorSource(data)`` takes batches ``(x, y)`` or ``(x, y, sample_weight)`` from

- a **factory**: a function of no arguments returning a new iterator; it is called at every epoch, so each epoch
  is a fresh pass (the form to prefer: ``GeneratorSource(lambda: batches(path))``);
- a **re-iterable** such as a list of batches or an object with ``__iter__``: ``iter(data)`` every epoch;
- a **one-shot iterator** such as a generator object: it can be read once. With ``steps_per_epoch`` each epoch
  takes that many batches from where the previous one stopped (Keras' semantics, for infinite generators);
  without it the first epoch reads it to the end and a second epoch is refused (``one_shot`` tells ``fit`` to
  refuse before training). Keras 3 instead caches the first batches and silently trains on them again.

With ``steps_per_epoch`` an epoch that runs out of batches early is refused too (Keras warns and stops).
``n_features`` is read from the first batch, which is kept and yielded, not lost. It has no ``__len__`` (the
number of batches is counted in the first epoch); ``fit(steps_per_epoch=...)`` wraps a one-shot generator's in
``Steps``, which has, and a factory's in ``engine.steps.Passes``, whose epochs go on through the factory's passes
(``GeneratorSource(factory, steps_per_epoch=k)`` itself takes the first ``k`` of a new pass every epoch).
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from ..._validation import positive_int

FIX = ("pass a function that returns a new generator (linnet calls it at every epoch), a list of batches as "
       "linnet.data.sources.GeneratorSource(batches), or steps_per_epoch with a generator that never ends")


class GeneratorSource:
    """Batches from an iterable, a generator, or a zero-argument factory of generators (see the module)."""

    def __init__(self, data: Iterable | Callable[[], Iterator], steps_per_epoch: int | None = None):
        self.steps_per_epoch = positive_int(steps_per_epoch, "steps_per_epoch", allow_none=True)
        self._factory = _factory(data)
        self.one_shot = self._factory is None and self.steps_per_epoch is None
        self._data = data
        self._iterator: Iterator | None = iter(data) if self._factory is None and iter(data) is data else None
        self._exhausted = False
        self._pending = self._first_epoch()
        self.n_features = batch_width(self._pending[0])

    def _first_epoch(self) -> tuple[Any, Iterator]:
        """The first batch and the iterator of the rest of the first epoch."""
        iterator = self._new_iterator()
        first = next(iterator, None)
        if first is None:
            raise ValueError(f"The generator yielded no batch: a data source needs at least one (x, y) batch. "
                             f"Received: {self._data!r:.200}")
        return first, iterator

    def _new_iterator(self) -> Iterator:
        if self._iterator is not None:
            return self._iterator
        if self._factory is None:
            return iter(self._data)
        made = self._factory()
        if not isinstance(made, Iterable):
            raise TypeError(f"A generator factory must return a new iterator of (x, y) batches each time it is "
                            f"called; {self._data!r:.100} returned {type(made).__name__}.")
        return iter(made)

    def __repr__(self) -> str:
        return f"GeneratorSource({self._data!r:.80}, steps_per_epoch={self.steps_per_epoch})"

    def epoch(self, rng: np.random.Generator | None = None) -> Iterator[tuple]:
        """The batches of one epoch (``rng`` is unused: the generator decides its own order)."""
        if self._pending is not None:
            (first, iterator), self._pending = self._pending, None
            batches = itertools.chain([first], iterator)
        elif self._exhausted:
            raise ValueError(f"The generator given as a data source was read to its end in the first epoch and "
                             f"cannot be read again; linnet will not train on cached batches. To train for several "
                             f"epochs, {FIX}.")
        else:
            batches = self._new_iterator()
        return self._limited(batches)

    def _limited(self, batches: Iterator) -> Iterator[tuple]:
        count = 0
        for batch in batches:  # a for loop, not yield from: stopping early must not close the user's generator
            yield batch
            count += 1
            if count == self.steps_per_epoch:
                return
        if self.steps_per_epoch is not None:
            raise ValueError(f"The generator ran out of data after {count} batch(es) of an epoch of "
                             f"steps_per_epoch={self.steps_per_epoch}: it must yield at least steps_per_epoch × "
                             f"epochs batches (or {FIX}).")
        self._exhausted = self._factory is None and self._iterator is not None


def _factory(data: Any) -> Callable[[], Iterator] | None:
    """``data`` itself when it is a function of no arguments (a generator factory), else None."""
    if isinstance(data, (str, bytes)) or not callable(data) or hasattr(data, "__iter__"):
        return None
    try:
        inspect.signature(data).bind()
    except (TypeError, ValueError):
        raise TypeError(f"A callable data source must take no arguments and return a new iterator of (x, y) "
                        f"batches each time it is called. Received: {data!r:.200}") from None
    return data


def batch_width(batch: Any) -> int:
    """The number of columns of the first batch's ``x`` (1 for a 1-D ``x``)."""
    if not isinstance(batch, (tuple, list)) or len(batch) not in (2, 3):
        raise TypeError(f"A generator must yield (x, y) or (x, y, sample_weight) tuples; its first batch is "
                        f"{type(batch).__name__}. Received: {batch!r:.200}")
    try:
        shape = np.shape(batch[0])
    except ValueError:  # NumPy refuses rows of different lengths
        raise ValueError("x of batch 1 of the generator must be an array of numbers; its rows have different "
                         f"lengths. Received: {batch[0]!r:.200}") from None
    if len(shape) not in (1, 2) or 0 in shape:
        raise ValueError(f"x of batch 1 of the generator must be 1-D (one feature) or 2-D (samples, features) "
                         f"and non-empty; it has shape {shape}.")
    return 1 if len(shape) == 1 else int(shape[1])


def is_iterable_input(data: Any) -> bool:
    """Whether ``data`` is a generator, an iterator, or a zero-argument function (what fit adapts)."""
    return isinstance(data, Iterator) or inspect.isgenerator(data) or (
        callable(data) and not hasattr(data, "__array__") and not hasattr(data, "__iter__"))

"""Epochs of a given number of batches: ``steps_per_epoch`` of ``fit``, ``steps`` of ``evaluate`` and ``predict``.

- ``Steps``: the first ``steps`` batches of each epoch of a data source (``fit(source, steps_per_epoch=N)``,
  ``evaluate(source, steps=N)``); a source with fewer is refused.
- ``Passes``: ``fit(x, y, steps_per_epoch=N)`` on arrays. As in Keras 3, an epoch takes the next ``N`` batches of
  a pass over the rows (a new shuffle each pass), so successive epochs step through the rows; where the pass ends
  inside an epoch, the epoch goes on into the next pass, so every epoch has ``N`` steps (Keras 3.15.1 ends that
  epoch short instead, at the end of the pass, and warns "Your input ran out of data; interrupting training"
  while training goes on: an epoch of fewer steps, its loss logged beside the others').
- ``step_count`` checks the argument; ``at_most`` refuses more steps than the data has batches (Keras runs all
  of them and warns, its ``params["steps"]`` and progress bar counting steps that never run).
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Iterator
from typing import Any


def step_count(value: Any, name: str) -> int | None:
    """``steps``/``steps_per_epoch``: None (every batch) or a number of batches, an int >= 1.

    Keras 3.15.1 takes 0 and True as "every batch" and fails on a float inside TensorFlow; both are refused here."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer (a number of batches) or None for all of them. "
                        f"Received: {name}={value!r} ({type(value).__name__})")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer (a number of batches) or None for all of them. "
                         f"Received: {name}={value}")
    return int(value)


def at_most(steps: int, batches: int, name: str, data: str) -> int:
    """``steps`` when the data has that many ``batches`` (``data`` says what they are), else ValueError with the fix."""
    if steps > batches:
        raise ValueError(f"{name}={steps} is more than the {batches} batch(es) of {data}; give {name} <= {batches}, "
                         f"or leave it unset for all of them (Keras 3 runs the {batches} and warns that the input "
                         f"ran out of data). Received: {name}={steps}")
    return steps


class Steps:
    """A data source limited to its first ``steps`` batches per epoch; ``name`` is the argument that asked for
    them. One with fewer batches is refused: before training when it has a length, else when an epoch runs out."""

    def __init__(self, source: Any, steps: int, name: str = "steps_per_epoch"):
        self.source, self.name, self.steps = source, name, step_count(steps, name)
        self.n_features = source.n_features
        if hasattr(source, "__len__"):
            at_most(self.steps, len(source), name, "one epoch of the data source")

    def __len__(self) -> int:
        return self.steps

    def epoch(self, rng) -> Iterator[tuple]:
        """The first ``steps`` batches of the source's epoch; a source that has fewer is refused when it runs out
        (training on fewer steps than asked, under a progress bar counting them, would not say so)."""
        count = 0
        for batch in self.source.epoch(rng):
            yield batch
            count += 1
            if count == self.steps:
                return
        at_most(self.steps, count, self.name, "one epoch of the data source")


class Passes:
    """``steps`` batches per epoch from consecutive passes over in-memory arrays (``ArrayBatches``): see the module.

    Epoch ``e`` (from 0) takes batches ``e·steps .. (e+1)·steps − 1`` of the endless sequence of passes, each pass
    ``len(source)`` batches in a new order; ``close`` ends the pass left open after the last epoch."""

    checked = True  # its batches are the arrays', checked once by fit (``sources.checked_batches``)

    def __init__(self, source: Any, steps: int):
        self.source, self.steps = source, steps
        self._stream: Iterator[tuple] | None = None

    n_features = property(lambda self: self.source.n_features)
    nbytes = property(lambda self: self.source.nbytes)
    sample_weight = property(lambda self: self.source.sample_weight)
    ahead = property(lambda self: self.source.ahead, doc="The first shuffle drawn ahead (``fitplan``), if any.")

    def __len__(self) -> int:
        return self.steps

    def design_batches(self) -> Passes:
        """The same batches with ``x`` as the design rows ``[x, 1]`` (``ArrayBatches.design_batches``)."""
        return Passes(self.source.design_batches(), self.steps)

    def epoch(self, rng) -> Iterator[tuple]:
        """The next ``steps`` batches of the passes, the first drawn with ``rng`` (the run's generator)."""
        if self._stream is None:
            self._stream = self._passes(rng)
        return itertools.islice(self._stream, self.steps)

    def _passes(self, rng) -> Iterator[tuple]:
        while True:
            yield from self.source.epoch(rng)

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()


def passes(source: Any, steps: int | None, rows: str) -> Any:
    """``source`` (arrays' batches) read ``steps`` batches an epoch (``Passes``); itself when ``steps`` is None or
    all its batches (an epoch is one pass, as without ``steps_per_epoch``). ``rows`` describes the rows trained on."""
    if steps is None or at_most(steps, len(source), "steps_per_epoch", rows) == len(source):
        return source
    return Passes(source, steps)

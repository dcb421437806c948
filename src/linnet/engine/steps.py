"""Epochs of a given number of batches: ``steps_per_epoch`` of ``fit``, ``steps`` of ``evaluate`` and ``predict``.

- ``Steps``: the first ``steps`` batches of each epoch of a data source (``evaluate(source, steps=N)``, as
  Keras 3 reads a fresh pass at every ``evaluate``; ``fit`` on a one-shot generator, whose epochs go on where the
  last one stopped); a source with fewer is refused.
- ``Passes``: ``fit(x, y, steps_per_epoch=N)`` on arrays (``ArrayPasses``) and ``fit(source, steps_per_epoch=N)``
  on a data source (a file source, a generator factory: ``linnet.data.sources``). As in Keras 3, an epoch takes
  the next ``N`` batches of a pass (a new shuffle each pass), so successive epochs step through the data rather
  than re-reading its first ``N`` batches; where the pass ends inside an epoch, the epoch goes on into the next
  pass, so every epoch has ``N`` steps (Keras 3.15.1 ends that epoch short instead, at the end of the pass, and
  warns "Your input ran out of data; interrupting training" while training goes on: an epoch of fewer steps, its
  loss logged beside the others').
- ``step_count`` checks the argument; ``at_most`` refuses more steps than the data has batches (Keras runs all
  of them and warns, its ``params["steps"]`` and progress bar counting steps that never run).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .._validation import positive_int
from .sources import ArrayBatches, source_length


def step_count(value: Any, name: str) -> int | None:
    """``steps``/``steps_per_epoch``: None (every batch) or a number of batches, an int >= 1.

    Keras 3.15.1 takes 0 and True as "every batch" and fails on a float inside TensorFlow; both are refused here."""
    return positive_int(value, name, allow_none=True,
                        expected="a positive integer (a number of batches) or None for all of them")


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

    def __init__(self, source: Any, steps: int, name: str = "steps_per_epoch",
                 data: str = "one epoch of the data source"):
        self.source, self.name, self.steps, self.data = source, name, step_count(steps, name), data
        self.n_features = source.n_features
        if hasattr(source, "__len__"):
            at_most(self.steps, len(source), name, data)

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
        at_most(self.steps, count, self.name, self.data)


class Passes:
    """``steps`` batches per epoch from consecutive passes over a data source: see the module.

    Epoch ``e`` (from 0) takes batches ``e·steps .. (e+1)·steps − 1`` of the endless sequence of passes, each pass
    one ``source.epoch(rng)`` (in-memory arrays: ``len(source)`` batches in a new order). A pass that ends inside an
    epoch with fewer than ``steps`` batches is refused; one that has given ``len(source)`` batches is run to its end
    when the epoch ends (a ``PyDataset``'s ``on_epoch_end``, a file closed); ``close`` ends the pass left open."""

    def __init__(self, source: Any, steps: int):
        self.source, self.steps = source, steps
        self._pass: Iterator[tuple] | None = None
        self._taken = 0  # batches taken from the current pass

    n_features = property(lambda self: self.source.n_features)
    checked = property(lambda self: getattr(self.source, "checked", False) is True)

    def __len__(self) -> int:
        return self.steps

    def epoch(self, rng) -> Iterator[tuple]:
        """The next ``steps`` batches of the passes, the first pass drawn with ``rng`` (the run's generator)."""
        for _ in range(self.steps):
            yield self._next(rng)
        if self._taken == source_length(self.source):
            next(self._pass, None)  # the pass is done: let it finish now rather than when the next epoch asks
            self._pass = None

    def _next(self, rng) -> tuple:
        if self._pass is None:
            self._pass, self._taken = iter(self.source.epoch(rng)), 0
        batch = next(self._pass, None)
        if batch is None:  # the pass ended inside the epoch: the next one goes on
            at_most(self.steps, self._taken, "steps_per_epoch", "one epoch of the data source")
            self._pass = None
            return self._next(rng)
        self._taken += 1
        return batch

    def close(self) -> None:
        if callable(getattr(self._pass, "close", None)):
            self._pass.close()


class ArrayPasses(Passes):
    """``Passes`` over in-memory arrays (``ArrayBatches``), with their capabilities: batches checked once by ``fit``
    (``sources.checked_batches``), the fused step's ``design_batches`` and a first shuffle drawn ahead."""

    checked = True
    nbytes = property(lambda self: self.source.nbytes)
    sample_weight = property(lambda self: self.source.sample_weight)
    ahead = property(lambda self: self.source.ahead, doc="The first shuffle drawn ahead (``fitplan``), if any.")

    def design_batches(self) -> ArrayPasses:
        """The same batches with ``x`` as the design rows ``[x, 1]`` (``ArrayBatches.design_batches``)."""
        return ArrayPasses(self.source.design_batches(), self.steps)


def passes(source: Any, steps: int | None, data: str = "one epoch of the data source") -> Any:
    """``source`` read ``steps`` batches an epoch (``Passes``; ``ArrayPasses`` for arrays), or itself when ``steps``
    is None or all its batches (an epoch is one pass, as without ``steps_per_epoch``). More steps than the batches
    of a source that knows its length are refused (``data`` says what they are)."""
    length = source_length(source)
    if steps is None or (length is not None and at_most(steps, length, "steps_per_epoch", data) == length):
        return source
    return (ArrayPasses if isinstance(source, ArrayBatches) else Passes)(source, steps)

"""Work started on a background thread before it is needed: a block of rows gathered, an epoch's shuffle drawn.

``Background(fn, *args)`` runs ``fn(*args)`` on its own thread; ``result()`` waits for it. NumPy releases the
GIL in ``take`` and in ``Generator.permutation`` of a number (the shuffle of a 1-D integer array), so the work
runs on the other core while the trainer's thread carries on.

``ShuffleAhead(rng, n)`` draws ``rng.permutation(n)`` in the background, on a copy of ``rng`` so that ``rng``
itself is not touched. ``take(rng, n)`` hands that permutation over only if ``rng`` is still in the state the copy
started from (nothing drew from it since), and then moves ``rng`` on to the state the draw left the copy in::

    state s₀ = rng's state when the shuffle is started;   copy ← s₀;   order = copy.permutation(n)
    take: rng in state s₀  →  rng ← copy's state, return order      (exactly what rng.permutation(n) does)
          otherwise         →  None, rng unchanged: the caller draws rng.permutation(n) itself

So a seeded run gives the same batches, bit for bit, whether the shuffle was drawn ahead, drawn late because
something else drew first, or never used. Generators with a ``PCG64`` bit generator (``default_rng``'s) are
drawn ahead; others, whose state holds arrays, are left to draw in order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import random as _random

AHEAD_MIN_ROWS = 65_536
"""Shuffles of at least this many rows are drawn ahead: ~0.5 ms of drawing, against ~0.1 ms to copy the
generator and start a thread (1M rows: ~12 ms on the 2-core development machine)."""


class Background:
    """``fn(*args)`` running on a thread of its own (named ``name``) from construction on."""

    def __init__(self, fn: Callable, *args: Any, name: str = "linnet-background"):
        self._fn, self._args = fn, args
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._fn(*self._args)
        except BaseException as error:  # handed to the thread that asks for the result
            self._error = error

    def wait(self) -> None:
        """Wait for ``fn`` to finish (its value or exception kept for ``result``)."""
        self._thread.join()

    def result(self) -> Any:
        """Wait for ``fn`` to finish; return its value or raise its exception."""
        self.wait()
        if self._error is not None:
            raise self._error
        return self._value


class ShuffleAhead:
    """``rng.permutation(n)`` drawn now on a background thread from a copy of ``rng`` (see the module)."""

    def __init__(self, rng: np.random.Generator, n: int):
        self.n, self._start = n, rng.bit_generator.state
        self._copy = np.random.Generator(np.random.PCG64())
        self._copy.bit_generator.state = self._start
        self._order = Background(self._copy.permutation, n, name="linnet-shuffle")

    def take(self, rng: np.random.Generator, n: int) -> np.ndarray | None:
        """``rng.permutation(n)``, ``rng`` moved on as the draw moves it, if ``rng`` is still where the shuffle
        started; otherwise None and ``rng`` unchanged. Either way the thread has ended."""
        order = self._order.result()
        if n != self.n or not _drawable(rng) or rng.bit_generator.state != self._start:
            return None
        rng.bit_generator.state = self._copy.bit_generator.state
        return order

    def close(self) -> None:
        """Wait for the thread (the shuffle is not used)."""
        self._order.wait()


def shuffle_ahead(seed: Any, n: int) -> ShuffleAhead | None:
    """A ``ShuffleAhead`` of ``n`` rows from ``seed``'s generator (``linnet.random.generator``), or None when it
    would not pay (``AHEAD_MIN_ROWS``), ``seed`` is not one (it is refused later, where it always was), or the
    generator's state cannot be copied and compared as plain numbers (not ``PCG64``)."""
    if n < AHEAD_MIN_ROWS:
        return None
    try:
        rng = _random.generator(seed)
    except TypeError:
        return None
    return ShuffleAhead(rng, n) if _drawable(rng) else None


def _drawable(rng: Any) -> bool:
    return isinstance(rng, np.random.Generator) and type(rng.bit_generator) is np.random.PCG64

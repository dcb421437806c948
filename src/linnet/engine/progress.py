"""Keras' progress output, byte for byte on a terminal and as plain lines on a pipe.

``verbose=1``: a live bar per epoch (``18/18 ━━━━━━━━━━━━━━━━━━━━ 0s 8ms/step - loss: 232.5937``), redrawn at
most every 0.05 s on a terminal; on a pipe or file only the epoch's final line, without control codes.
``verbose=2``: one line per epoch (``18/18 - 0s - 10ms/step - loss: 232.5937``). Without a known number of
steps (``target=None``: a data source without a length, in its first epoch) the live line reads
``      7/Unknown 0s 8ms/step - loss: ...`` as in Keras; set ``target`` before the final update.
Written this small class instead of using a progress-bar library because the text has to be Keras' own.
"""

from __future__ import annotations

import math
import sys
import time
from typing import IO

BAR_WIDTH = 20
REDRAW_INTERVAL = 0.05


def format_time_per_step(seconds: float) -> str:
    """Keras' ``_format_time``: `` 1s/step``, `` 8ms/step`` or `` 350us/step``."""
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/step"
    return f" {seconds * 1e6:.0f}us/step"


def format_eta(seconds: float) -> str:
    if seconds > 3600:
        return f"{int(seconds) // 3600}:{(int(seconds) % 3600) // 60:02d}:{int(seconds) % 60:02d}"
    if seconds > 60:
        return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"
    return f"{seconds:.0f}s"


def format_logs(logs: dict[str, float], verbose: int) -> str:
    """`` - loss: 252.4942 - val_loss: 303.8532``; tiny values in ``.4e`` as Keras prints them."""
    parts = []
    for name, value in logs.items():
        tiny = abs(value) <= 1e-3 if verbose == 1 else value <= 1e-3
        parts.append(f" - {name}: {value:.4e}" if tiny else f" - {name}: {value:.4f}")
    return "".join(parts)


class Progbar:
    """Progress of one epoch (or one ``evaluate``/``predict`` pass) of ``target`` steps."""

    def __init__(self, target: int | None, verbose: int = 1, stream: IO[str] | None = None):
        self.target = target
        self.verbose = verbose
        self.stream = stream if stream is not None else sys.stdout
        self.dynamic = verbose == 1 and _is_terminal(self.stream)
        self.start = time.perf_counter()
        self.after_first_step: float | None = None
        self.last_draw = 0.0
        self.width = 0

    def due(self, now: float) -> bool:
        """Whether an intermediate redraw is due (only on a terminal, at most every 0.05 s)."""
        return self.dynamic and now - self.last_draw >= REDRAW_INTERVAL

    def update(self, step: int, logs: dict[str, float], finalize: bool = False) -> None:
        now = time.perf_counter()
        if step == 1:  # Keras leaves the first (slowest) step out of the time per step
            self.after_first_step = now
        if self.verbose == 2:
            if finalize:
                self._write(f"{step}/{self.target} - {now - self.start:.0f}s -"
                            f"{format_time_per_step(self._per_step(step, now))}"
                            f"{format_logs(logs, 2)}\n")
            return
        if finalize or self.due(now):
            self._draw(step, logs, now, finalize)

    def _per_step(self, step: int, now: float) -> float:
        if self.after_first_step is not None and step > 1:
            return (now - self.after_first_step) / (step - 1)
        return (now - self.start) / max(step, 1)

    def _draw(self, step: int, logs: dict[str, float], now: float, finalize: bool) -> None:
        self.last_draw = now
        per_step = self._per_step(step, now)
        tail = format_time_per_step(per_step) + format_logs(logs, 1)
        if self.target is None:  # only live lines: the final one has a target
            self._redraw(f"{step:7d}/Unknown \x1b[1m{now - self.start:.0f}s\x1b[0m{tail}", finalize)
            return
        digits = int(math.log10(self.target)) + 1 if self.target > 0 else 1
        counter = f"{step:{digits}d}/{self.target}"
        done = int(BAR_WIDTH * step / self.target) if self.target else BAR_WIDTH
        clock = f"{now - self.start:.0f}s" if finalize else format_eta(per_step * (self.target - step))
        if not self.dynamic:
            self._write(f"{counter} {'━' * BAR_WIDTH} {clock}{tail}\n")
            return
        line = (f"\x1b[1m{counter}\x1b[0m \x1b[32m{'━' * done}\x1b[0m\x1b[37m{'━' * (BAR_WIDTH - done)}\x1b[0m "
                f"\x1b[1m{clock}\x1b[0m{tail}")
        self._redraw(line, finalize)

    def _redraw(self, line: str, finalize: bool) -> None:
        """Overwrite the terminal's current line with ``line``: back over the previous one, then carriage return."""
        self._write("\b" * self.width + "\r" + line + ("\n" if finalize else ""))
        self.width = len(line)

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()


def _is_terminal(stream: IO[str]) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # closed stream
        return False

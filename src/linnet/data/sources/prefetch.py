"""Read ahead on a background thread, so that decoding the next chunk overlaps the arithmetic on this one.

pyarrow's decoding and NumPy's large operations release the GIL, so on two cores the reader thread and the
consumer really run at once. At most ``depth`` items wait in the queue (bounded memory); an exception in the
reader is raised in the consumer, at the item where it happened; a consumer that stops early stops the reader.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Any

_DONE = object()


def prefetched(items: Iterable[Any], depth: int = 2) -> Iterator[Any]:
    """The items of ``items``, produced by a background thread at most ``depth`` ahead (``depth=0``: inline)."""
    if depth <= 0:
        yield from items
        return
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                ready.put((item, None))
            ready.put((_DONE, None))
        except BaseException as error:  # handed to the consumer, raised there
            ready.put((_DONE, error))

    thread = threading.Thread(target=produce, name="linnet-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item, error = ready.get()
            if error is not None:
                raise error
            if item is _DONE:
                return
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # unblock a reader waiting on a full queue, then let it finish
            with contextlib.suppress(queue.Empty):
                ready.get(timeout=0.01)

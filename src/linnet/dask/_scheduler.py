"""Which Dask scheduler computes, and the errors of a cluster said plainly.

``scheduler`` is what ``dask.compute`` accepts, plus a scheduler's address:

- ``None``: Dask's current default (the active ``distributed.Client`` if there is one, else threads);
- ``"threads"``, ``"processes"``, ``"sync"`` (``"synchronous"``, ``"single-threaded"``): a local scheduler;
- a ``distributed.Client``: that cluster;
- an address (:func:`linnet._validation.is_scheduler_address`) such as ``"tcp://10.0.0.5:8786"`` (or
  ``"10.0.0.5:8786"``): a client is connected for the call and closed after it. No Dask scheduler answering
  there within ``CONNECT_TIMEOUT`` seconds raises ``ConnectionError`` naming the address and saying which of
  three it was: nothing listening, something listening that is not a Dask scheduler (a listener that never
  answers, another kind of service), or a Dask worker or nanny; a string that is neither a local scheduler's
  name nor an address is a ``ValueError``; a closed client too.

A worker that dies mid-pass makes the ``distributed`` scheduler re-run its tasks on the other workers (the
data of a partition is read again); a task whose workers died more than ``distributed.scheduler.allowed-failures``
times raises :class:`WorkerLostError` naming the partition. Either way no result is built from fewer partitions.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import threading
from collections.abc import Iterator
from typing import Any

import dask

from .._validation import is_scheduler_address

CONNECT_TIMEOUT = 10
"""Seconds to wait for a scheduler given by its address."""
PROBE_TIMEOUT = 1.0
"""Seconds to wait, once no scheduler answered, for a plain TCP connection: does anything listen there?"""
LOCAL = ("threads", "processes", "sync", "synchronous", "single-threaded")


class WorkerLostError(RuntimeError):
    """Dask workers kept dying while computing a partition: the pass is abandoned, no partial result is returned."""


@contextlib.contextmanager
def compute_options(scheduler: Any) -> Iterator[dict]:
    """The keyword arguments of ``dask.compute`` for ``scheduler`` (a client is connected to an address)."""
    if scheduler is None:
        yield {}
    elif isinstance(scheduler, str) and scheduler in LOCAL:
        yield {"scheduler": scheduler}
    elif is_scheduler_address(scheduler):
        client = connect(scheduler)
        try:
            yield {"scheduler": client}
        finally:
            client.close()
    elif callable(getattr(scheduler, "get", None)) and hasattr(scheduler, "scheduler_info"):
        if getattr(scheduler, "status", None) in ("closing", "closed"):
            raise ValueError(f"scheduler is a distributed.Client that is closed; give an open one or its address. "
                             f"Received: {scheduler!r:.100}")
        yield {"scheduler": scheduler}
    else:
        kind = ValueError if isinstance(scheduler, str) else TypeError
        raise kind(f"scheduler must be None, one of {list(LOCAL)}, a distributed.Client or a scheduler address "
                   f"such as 'tcp://127.0.0.1:8786'. Received: {scheduler!r:.100}")


def connect(address: str):
    """A ``distributed.Client`` of the scheduler at ``address``, once :func:`handshake` has found one there."""
    try:
        from distributed import Client
    except ImportError:
        raise ImportError(f"Connecting to the Dask scheduler at {address!r} needs the distributed package: "
                          "pip install 'linnet[dask]'.") from None
    handshake(address)
    try:
        return Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except Exception as error:
        raise _unreachable(address, error) from None


def handshake(address: str) -> None:
    """Ask the scheduler at ``address`` who it is, within ``CONNECT_TIMEOUT`` seconds (and ``PROBE_TIMEOUT`` more
    to tell, when nothing answered as Dask does, whether anything listens there); a port nobody listens on, a
    listener that never answers and a service that is not a Dask scheduler each raise ``ConnectionError``.

    Done before a ``Client`` is made: a Client's own timeout does not bound a listener that accepts and never
    answers, a service speaking another protocol made it raise a ``MemoryError`` (a length read from foreign
    bytes), and a Client that failed to start spent 20 s at exit trying to close itself. The question runs on
    a thread of its own, with its own event loop, so that it also works where a loop is running (a notebook).
    """
    from distributed.core import rpc

    async def identity() -> Any:
        async with rpc(address) as scheduler:
            return await scheduler.identity()

    answer: dict = {}

    def ask() -> None:
        try:
            answer["identity"] = asyncio.run(asyncio.wait_for(identity(), CONNECT_TIMEOUT))
        except BaseException as error:  # handed to the caller below
            answer["error"] = error

    thread = threading.Thread(target=ask, name="linnet-dask-handshake", daemon=True)
    thread.start()
    thread.join(CONNECT_TIMEOUT + 1)
    error = answer.get("error", None if answer else TimeoutError("no answer"))
    if error is not None and _unsecured(address, error):
        raise ValueError(f"A scheduler at a {address.partition('://')[0]}:// address needs TLS settings "
                         f"(certificates), which an address cannot carry: make a distributed.Client(address, "
                         f"security=...) and give it as scheduler=. Received: scheduler={address!r}; Dask said: "
                         f"{_said(error):.200}")
    if error is not None:
        raise (_not_dask(address, error) if _listens(address) else _unreachable(address, error)) from None
    who = answer["identity"]
    if not (isinstance(who, dict) and who.get("type") == "Scheduler"):
        raise ConnectionError(f"The service at {address!r} answered, but it is not a Dask scheduler: {_who(who)}. "
                              f"Give the scheduler's address (e.g. 'tcp://host:8786'). Received: identity {who!r:.100}")


def _unsecured(address: str, error: BaseException) -> bool:
    """Whether the handshake with a ``tls://``/``wss://`` address failed on this side, for want of TLS settings (a
    configuration error, not one of the connection)."""
    return address.startswith(("tls://", "wss://")) and isinstance(error, (TypeError, ValueError))


def _listens(address: str) -> bool:
    """Whether something accepts a plain TCP connection at ``address`` within ``PROBE_TIMEOUT`` seconds (False for
    the addresses that are not TCP: ``ucx://``, ``inproc://``). Asked only once Dask's handshake failed, so that a
    scheduler never sees the probe."""
    from distributed.comm.addressing import parse_address, parse_host_port
    scheme, location = parse_address(address)
    if scheme not in ("tcp", "tls", "ws", "wss"):
        return False
    try:
        with socket.create_connection(parse_host_port(location), timeout=PROBE_TIMEOUT):
            return True
    except OSError:
        return False


def _who(identity: Any) -> str:
    """What a Dask service says it is: ``"it is a Dask Worker, whose scheduler is at '...'"``."""
    if not isinstance(identity, dict):
        return f"its identity is a {type(identity).__name__}, not Dask's dictionary"
    kind, scheduler = identity.get("type"), identity.get("scheduler")
    known = f", whose scheduler is at {scheduler!r}" if isinstance(scheduler, str) else ""
    return f"it is a Dask {kind:.40}{known}" if isinstance(kind, str) else "its identity names no type"


def _said(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _unreachable(address: str, error: BaseException) -> ConnectionError:
    return ConnectionError(f"Could not reach the Dask scheduler at {address!r} within {CONNECT_TIMEOUT} s: is it "
                           f"running, and is the address right (e.g. 'tcp://host:8786')? Dask said: "
                           f"{_said(error):.300}")


def _not_dask(address: str, error: BaseException) -> ConnectionError:
    if isinstance(error, (TimeoutError, asyncio.TimeoutError)):  # one class from Python 3.11
        how = ("it did not answer Dask's handshake (a web server or another service; or, if it is a Dask "
               "scheduler, one too busy to answer)")
    else:
        how = f"it does not speak Dask's protocol (Dask read: {_said(error):.120})"
    return ConnectionError(f"Could not reach the Dask scheduler at {address!r} within {CONNECT_TIMEOUT} s: "
                           f"something listens there, but it is not a Dask scheduler: {how}. Give the scheduler's "
                           f"address (e.g. 'tcp://host:8786').")


def compute(tasks: list, options: dict) -> list:
    """``dask.compute(*tasks, **options)``, a worker lost too often raised as :class:`WorkerLostError`."""
    try:
        return list(dask.compute(*tasks, **options))
    except Exception as error:
        if type(error).__name__ != "KilledWorker":
            raise
        raise WorkerLostError(f"Every Dask worker that tried {_which(error)} died (more often than the "
                              f"scheduler's distributed.scheduler.allowed-failures); the pass was abandoned and no "
                              f"partial result is returned. Check the workers' memory limit and logs. Dask said: "
                              f"{error}") from None


def _which(error: Exception) -> str:
    """'partition 3' from linnet's task key ``linnet-<name>-3-<token>``, 'a merge of partition states' (key
    ``linnet-merge-<token>``), or the key of the task that read the data (``('read_parquet-...', 3)``: partition 3
    of that read)."""
    key = getattr(error, "task", None) or str(error)
    if "linnet-merge-" in str(key):
        return "a merge of partition states"
    found = re.search(r"linnet-(\w+)-(\d+)-", str(key))
    return f"task {key!r} (reading the data)" if found is None else f"partition {found.group(2)}"

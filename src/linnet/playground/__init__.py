"""``linnet explore``: the playground, a local page where the learning rate moves and the real engine re-fits.

:func:`serve` starts the server (:mod:`.server`, bound to 127.0.0.1) and opens the page in the browser, or
prints its address. The page (``static/``: plain HTML, CSS and JavaScript, nothing fetched from elsewhere) posts
its settings to ``/api/fit`` and draws what :func:`.api.answer` returns.
"""

from __future__ import annotations

import errno
import sys
import webbrowser

from .. import _validation as _checks
from .server import PlaygroundServer

DEFAULT_PORT = 8765


def start(host: str = "127.0.0.1", port: int = DEFAULT_PORT, log: bool = False) -> PlaygroundServer:
    """A listening server on ``host:port`` (another free port if ``port`` is taken); call ``serve_forever()``."""
    try:
        return PlaygroundServer(host, port, log=log)
    except OSError as error:
        if error.errno != errno.EADDRINUSE or port == 0:  # an unknown host, a port that needs root: say which
            raise OSError(error.errno, f"cannot listen on host={host!r}, port={port}: {error.strerror or error}"
                          ) from None
        return PlaygroundServer(host, 0, log=log)


def serve(host: str = "127.0.0.1", port: int = DEFAULT_PORT, open_browser: bool = True, log: bool = False) -> None:
    """Serve the playground until Ctrl-C, opening it in the default browser when ``open_browser``."""
    open_browser = _checks.boolean(open_browser, "open_browser")
    server = start(host, port, log)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"linnet explore: warning: listening on {host}, not only this computer: anyone who can reach it "
              f"can run fits on it.", file=sys.stderr)
    print(f"The linnet playground is at {server.url} (Ctrl-C stops it).", flush=True)
    if open_browser:
        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
    finally:
        server.server_close()


__all__ = ["DEFAULT_PORT", "PlaygroundServer", "serve", "start"]

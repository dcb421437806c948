"""The playground's local web server: the page's own static files and one JSON endpoint, ``POST /api/fit``.

It is the standard library's ``ThreadingHTTPServer``, kept safe for a page that runs code on the user's machine:

- it listens on ``127.0.0.1`` unless told otherwise;
- it answers only requests whose ``Host`` is its own address (``127.0.0.1:port``, ``localhost:port``, or the host
  it was bound to) and refuses a ``POST`` whose ``Origin`` is another site, so a page elsewhere cannot reach it,
  even through DNS rebinding;
- a request body is at most ``MAX_BODY_BYTES`` and must say its length; a slow client times out after
  ``TIMEOUT_SECONDS``; the work of one fit is bounded in :mod:`.settings`;
- it serves only the files shipped in ``linnet/playground/static``, looked up by exact name (no paths);
- a bad request gets ``{"error": "..."}`` with status 400, which the page shows.
"""

from __future__ import annotations

import json
import socket
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any

from .. import _validation as _checks
from .api import answer, presets
from .settings import MAX_UPLOAD_CHARS

MAX_BODY_BYTES = 4 * MAX_UPLOAD_CHARS + 65_536  # a CSV of MAX_UPLOAD_CHARS characters, JSON-escaped, and settings
TIMEOUT_SECONDS = 15
_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8", ".png": "image/png", ".svg": "image/svg+xml"}
_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def static_files() -> dict[str, tuple[bytes, str]]:
    """``{url path: (content, content type)}`` for every file of the package's ``static`` folder."""
    folder = resources.files(__package__) / "static"
    files = {f"/static/{item.name}": (item.read_bytes(), _TYPES[item.name[item.name.rfind("."):]])
             for item in folder.iterdir() if item.is_file() and item.name[item.name.rfind("."):] in _TYPES}
    files["/"] = files["/static/index.html"]
    return files


class PlaygroundServer(ThreadingHTTPServer):
    """The server; ``url`` is its address, ``allowed_hosts`` the ``Host`` values it answers."""

    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, log: bool = False) -> None:
        log = _checks.boolean(log, "log")  # before binding: asked at every request, an array would fail each one
        if host in ("", "0.0.0.0", "::"):
            raise ValueError(f"host must be one address that the browser will name (the server answers only "
                             f"requests addressed to it), such as 127.0.0.1 or this computer's LAN address. "
                             f"Received: host={host!r}")
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, port), PlaygroundHandler)
        self.files = static_files()
        self.log = log
        port = self.server_address[1]
        shown = f"[{host}]" if ":" in host else host
        names = {shown, "127.0.0.1", "localhost"} if host in ("127.0.0.1", "localhost") else {shown}
        self.allowed_hosts = {f"{name}:{port}" for name in names}
        self.url = f"http://{shown}:{port}/"

    def handle_error(self, request, client_address) -> None:
        """A page that left (reloaded, closed) before its answer is no error; anything else is printed."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class PlaygroundHandler(BaseHTTPRequestHandler):
    """``GET`` a static file, ``POST /api/fit`` a run; refuses foreign hosts and origins first."""

    server: PlaygroundServer
    server_version = "linnet-playground"
    timeout = TIMEOUT_SECONDS

    def do_GET(self) -> None:
        if not self._trusted():
            return
        if self.path == "/api/presets":
            self._json(HTTPStatus.OK, presets())
            return
        file = self.server.files.get(self.path.split("?", 1)[0])
        if file is None:
            self._send(HTTPStatus.NOT_FOUND, b"Not found: the playground serves only its own page.",
                       "text/plain; charset=utf-8")
            return
        self._send(HTTPStatus.OK, *file)

    def do_POST(self) -> None:
        if not self._trusted():
            return
        if self.path != "/api/fit":
            self._error(HTTPStatus.NOT_FOUND, f"There is no {self.path!r} to post to; the page posts to /api/fit.")
            return
        body = self._body()
        if body is None:
            return
        try:
            request = json.loads(body.decode("utf-8"))
        except UnicodeDecodeError:
            self._error(HTTPStatus.BAD_REQUEST, "The request must be JSON in UTF-8; its bytes are not UTF-8.")
            return
        except RecursionError:
            self._error(HTTPStatus.BAD_REQUEST, "The request's JSON is nested too deeply to be a playground request.")
            return
        except ValueError as error:  # json's JSONDecodeError, and Python's limit on an integer's digits
            self._error(HTTPStatus.BAD_REQUEST, f"The request is not valid JSON: {error}")
            return
        try:
            self._json(HTTPStatus.OK, answer(request))
        except (ValueError, TypeError, OverflowError) as error:
            self._error(HTTPStatus.BAD_REQUEST, str(error))

    def _trusted(self) -> bool:
        """Refuse (403) a ``Host`` that is not this server, or a request from a page of another origin."""
        host = self.headers.get("Host")
        origin = self.headers.get("Origin")
        if host not in self.server.allowed_hosts:
            self._error(HTTPStatus.FORBIDDEN, f"Refused: the Host header must be this server's address "
                                              f"({self.server.url}). Received: Host={host!r}")
            return False
        if origin is not None and origin != f"http://{host}":  # a browser names the page that sent it
            self._error(HTTPStatus.FORBIDDEN, f"Refused: requests must come from the playground's own page "
                                              f"(http://{host}). Received: Origin={origin!r}")
            return False
        return True

    def _body(self) -> bytes | None:
        """The request body, or None after refusing a missing, bad or too large ``Content-Length`` (411/400/413)."""
        length = self.headers.get("Content-Length")
        if length is None:
            self._error(HTTPStatus.LENGTH_REQUIRED, "A request to the playground must give its Content-Length.")
            return None
        if not length.isdigit():
            self._error(HTTPStatus.BAD_REQUEST, "Content-Length must be a number of bytes. "
                                                f"Received: Content-Length={length!r}")
            return None
        if int(length) > MAX_BODY_BYTES:
            self.close_connection = True
            self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"The request is too large for the playground: at most "
                        f"{MAX_BODY_BYTES:,} bytes (a CSV of about {MAX_UPLOAD_CHARS:,} characters). Received: "
                        f"{int(length):,} bytes")
            return None
        return self.rfile.read(int(length))

    def _json(self, status: HTTPStatus, payload: dict) -> None:
        self._send(status, json.dumps(payload, allow_nan=False).encode(), "application/json")

    def _error(self, status: HTTPStatus, message: str) -> None:
        self._json(status, {"error": message})

    def _send(self, status: HTTPStatus, content: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(content)))
        for name, value in _HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(content)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log:
            sys.stderr.write(f"linnet explore: {self.address_string()} {format % args}\n")

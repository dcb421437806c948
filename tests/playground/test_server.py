"""The server without a browser: loopback only, foreign Host/Origin refused, sizes bounded, no path traversal."""

from __future__ import annotations

import http.client
import json

import numpy as np
import pytest

from linnet.playground import serve, start
from linnet.playground.server import MAX_BODY_BYTES
from linnet.playground.settings import MAX_UPLOAD_CHARS

FIT = {"preset": "line", "optimizer": "adam", "learning_rate": 0.1, "batch_size": 32, "epochs": 50}


def ask(server, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    """One raw request; returns (status, headers, body). ``Host`` is the server's own unless given."""
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=30)
    connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for name, value in {"Host": f"127.0.0.1:{port}", **(headers or {})}.items():
        if value is not None:
            connection.putheader(name, value)
    if body is not None and "Content-Length" not in (headers or {}):
        connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    reply = connection.getresponse()
    answer = reply.status, dict(reply.getheaders()), reply.read()
    connection.close()
    return answer


def post(server, payload, **headers):
    return ask(server, "POST", "/api/fit", json.dumps(payload).encode(), headers)


def test_it_listens_on_loopback_only_by_default(server):
    assert server.server_address[0] == "127.0.0.1"
    assert server.url == f"http://127.0.0.1:{server.server_address[1]}/"


def test_the_page_and_its_files_are_served_with_a_strict_policy(server):
    status, headers, body = ask(server, "GET", "/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert b'role="status"' in body and b"http" not in body.replace(b"http-equiv", b"")  # nothing from elsewhere
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    status, headers, body = ask(server, "GET", "/static/app.js")
    assert status == 200 and headers["Content-Type"] == "text/javascript; charset=utf-8" and b"/api/fit" in body
    port = server.server_address[1]
    assert ask(server, "GET", "/", headers={"Host": f"localhost:{port}"})[0] == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1", "127.0.0.1:1", "", None])
def test_a_foreign_host_is_refused_dns_rebinding(server, host):
    port = server.server_address[1]
    status, _, body = ask(server, "GET", "/", headers={"Host": None if host is None else host.format(port=port)})
    assert status == 403
    assert json.loads(body)["error"].startswith("Refused: the Host header must be this server's address")
    assert post(server, FIT, Host=None if host is None else host.format(port=port))[0] == 403


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1:1", "https://127.0.0.1:{port}"])
def test_a_post_from_another_origin_is_refused(server, origin):
    status, _, body = post(server, FIT, Origin=origin.format(port=server.server_address[1]))
    assert status == 403 and "requests must come from the playground's own page" in json.loads(body)["error"]


def test_a_post_from_its_own_page_is_answered(server):
    status, _, body = post(server, FIT, Origin=f"http://127.0.0.1:{server.server_address[1]}")
    assert status == 200 and json.loads(body)["verdict"]["kind"] in ("converged", "far")


@pytest.mark.parametrize("path", ["/static/../server.py", "/static/%2e%2e/server.py", "/../../../../etc/passwd",
                                  "/static/", "/static//etc/passwd", "/settings.py", "/static/app.js/..",
                                  "/%2fetc%2fpasswd", "/api/fit"])
def test_only_its_own_files_are_served(server, path):
    status, _, body = ask(server, "GET", path)
    assert status == 404 and body == b"Not found: the playground serves only its own page."


def test_request_sizes_are_bounded(server):
    status, _, body = ask(server, "POST", "/api/fit", b"", {"Content-Length": str(MAX_BODY_BYTES + 1)})
    assert status == 413 and f"Received: {MAX_BODY_BYTES + 1:,} bytes" in json.loads(body)["error"]
    status, _, body = ask(server, "POST", "/api/fit", None, {})
    assert status == 411
    status, _, body = ask(server, "POST", "/api/fit", b"{}", {"Content-Length": "-2"})
    assert status == 400
    assert "Content-Length must be a number of bytes. Received: Content-Length='-2'" in json.loads(body)["error"]


def test_an_upload_over_the_limit_is_refused_with_its_size(server):
    text = "x,y\n" + "1,2\n" * (MAX_UPLOAD_CHARS // 4)
    payload = {**FIT, "preset": "csv", "csv": {"name": "big.csv", "text": text, "target": "y", "features": ["x"]}}
    status, _, body = post(server, payload)
    assert status == 400
    assert json.loads(body)["error"] == (f"The CSV is too large for the playground: at most {MAX_UPLOAD_CHARS:,} "
                                         f"characters; use `linnet train` for large files. Received: a CSV of "
                                         f"{len(text):,} characters")


@pytest.mark.parametrize(("change", "message"), [
    ({"learning_rate": -1}, "learning_rate must be a finite number in (0.0, 1000000.0]. Received: learning_rate=-1.0"),
    ({"batch_size": 2.5}, "batch_size must be a positive integer. Received: batch_size=2.5 (float)"),
    ({"epochs": "many"}, "epochs must be a positive integer. Received: epochs='many' (str)"),
    ({"optimizer": "adamm"}, "Unknown optimizer 'adamm'. Did you mean 'adam'?"),
    ({"lr": 0.1}, "The playground got unexpected keyword argument(s): 'lr'."),
    ({"epochs": 5001}, "epochs must be at most 5000 in the playground. Received: epochs=5001"),
    ({"preset": "plane", "epochs": 3000}, "3000 epochs × 1,000 rows = 3,000,000 row-passes is more work than the "
     "playground does per fit (at most 2,000,000): lower the epochs to at most 2000."),
    ({"csv": {"text": "a,b\n1,2\n"}}, "A CSV is read only with the preset 'csv'. Received: a CSV with preset='line'"),
    ({"momentum": 1}, "momentum must be a finite number in [0.0, 1.0). Received: momentum=1.0"),
    ({"momentum": 0.5}, "momentum is a setting of SGD and RMSprop only; adam has none. Set it to 0. "
                        "Received: momentum=0.5"),
    ({"preset": "csv", "csv": {"text": "a,b\n1,2\n", "name": "w.csv", "target": "b", "features": ["a"] * 51}},
     "Choose at most 50 feature columns in the playground. Received: 51 columns"),
])
def test_a_bad_parameter_gets_a_clear_message(server, change, message):
    status, _, body = post(server, {**FIT, **change})
    assert status == 400
    assert json.loads(body)["error"].startswith(message)


def test_a_body_that_is_not_json_gets_a_clear_message(server):
    status, _, body = ask(server, "POST", "/api/fit", b"preset=boston")
    assert status == 400 and json.loads(body)["error"].startswith("The request is not valid JSON: Expecting value")
    status, _, body = ask(server, "POST", "/api/fit", b"[1, 2]")
    assert status == 400 and json.loads(body)["error"] == ("The request must be a JSON object of settings. "
                                                           "Received: list")


def test_a_wildcard_host_is_refused_with_the_reason():
    from linnet.playground import start
    with pytest.raises(ValueError, match=r"host must be one address .*\. Received: host='0\.0\.0\.0'"):
        start("0.0.0.0", 0)


def test_it_can_listen_on_ipv6_loopback_and_names_it_in_brackets():
    from linnet.playground import start
    try:
        server = start("::1", 0)
    except OSError as error:  # a machine without IPv6
        pytest.skip(f"no IPv6 loopback here: {error}")
    try:
        port = server.server_address[1]
        assert server.url == f"http://[::1]:{port}/" and server.allowed_hosts == {f"[::1]:{port}"}
    finally:
        server.server_close()


@pytest.mark.parametrize(("body", "message"), [
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"preset": "line\xff"}', "The request must be JSON in UTF-8"),
    (b'{"epochs": ' + b"9" * 5000 + b"}", "The request is not valid JSON: "),
    (json.dumps({**FIT, "preset": "csv", "csv": {"text": "x,y\n1,2\ud800\n", "name": "odd.csv", "target": "y",
                                                   "features": ["x"]}}).encode(),
     r"The CSV 'odd.csv' holds a character that is not text (code point 0xd800"),
], ids=["nested", "not utf-8", "5000 digits", "lone surrogate"])
def test_hostile_bodies_get_a_json_error_naming_the_problem(server, body, message):
    """Deep nesting closed the connection after a RecursionError traceback; the others answered with a codec's
    or the int parser's words."""
    status, _, answer = ask(server, "POST", "/api/fit", body)
    assert status == 400 and message in json.loads(answer)["error"]
    assert ask(server, "GET", "/")[0] == 200  # still serving


@pytest.mark.parametrize("call, name", [(lambda flag: start(port=0, log=flag), "log"),
                                        (lambda flag: serve(port=0, open_browser=flag), "open_browser")])
def test_a_flag_that_is_no_bool_is_refused_before_listening(call, name):
    """start(log=np.array([1, 0])) listened, then every request stopped on NumPy's "truth value of an array ... is
    ambiguous"; serve(open_browser=...) failed the same way only after the server was up."""
    with pytest.raises(TypeError, match=rf"^{name} must be True or False\. Received: {name}=array\(\[1, 0\]\)"):
        call(np.array([1, 0]))

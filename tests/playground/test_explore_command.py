"""``linnet explore``: one command from the shell to a page answering on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from linnet.cli.main import build_parser

ROOT = Path(__file__).resolve().parents[2]


def test_the_subcommand_defaults_to_loopback_and_opens_the_browser():
    args = build_parser().parse_args(["explore"])
    assert (args.host, args.port, args.browser) == ("127.0.0.1", 8765, True)
    assert build_parser().parse_args(["explore", "--no-browser", "--port", "0"]).browser is False


def test_linnet_explore_prints_the_address_and_serves_the_page():
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    process = subprocess.Popen([sys.executable, "-m", "linnet.cli", "explore", "--no-browser", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
    try:
        line = process.stdout.readline()
        assert line.startswith("The linnet playground is at http://127.0.0.1:")
        url = line.split(" is at ", 1)[1].split(" ", 1)[0]
        with urllib.request.urlopen(url, timeout=30) as reply:
            assert b"<label for=\"lr-slider\">Learning rate</label>" in reply.read()
        with urllib.request.urlopen(url + "api/presets", timeout=30) as reply:
            assert json.load(reply)["plane"]["optimizer"] == "sgd"
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_host_that_cannot_be_listened_on_is_named(capsys):
    """'[Errno -2] Name or service not known' did not say it was --host's (an '.invalid' name never resolves)."""
    from linnet.cli.main import main
    assert main(["explore", "--no-browser", "--host", "nope.invalid", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("linnet: error: [Errno ") and "cannot listen on host='nope.invalid', port=0: " in err

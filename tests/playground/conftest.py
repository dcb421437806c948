"""A playground server on a free loopback port, and headless Chromium (Debian's, driven by Playwright) for the page."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from linnet.playground import start

CHROMIUM = os.environ.get("LINNET_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def server():
    playground = start(port=0)
    thread = threading.Thread(target=playground.serve_forever, daemon=True)
    thread.start()
    yield playground
    playground.shutdown()
    playground.server_close()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="the browser tests need Playwright's Python client: "
                                   "pip install -e '.[playground-test]'")
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"the browser tests need Chromium at {CHROMIUM}: apt-get install -y chromium (Debian/Ubuntu), or "
                    f"set LINNET_CHROMIUM to a Chromium binary")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    """Where each preset's screenshot is kept (LINNET_SCREENSHOTS to keep them elsewhere)."""
    folder = os.environ.get("LINNET_SCREENSHOTS")
    return Path(folder) if folder else tmp_path_factory.mktemp("playground-screenshots")

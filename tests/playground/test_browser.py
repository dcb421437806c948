"""The playground in headless Chromium: presets, divergence and back, the link, a CSV, and nothing leaves 127.0.0.1."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from linnet.cli.tasks import DEMOS

PRESET_SETTINGS = {"boston": ("rmsprop", "0.005", "16", "101"), "noisy-line": ("adam", "0.1", "32", "200"),
                   "line": ("adam", "0.1", "32", "500"), "plane": ("sgd", "0.02", "32", "100")}


@pytest.fixture
def page(browser, server):
    """A fresh page that records console errors, page errors and every request's host."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.problems, page.hosts = [], set()
    page.on("console", lambda message: message.type in ("error", "warning") and page.problems.append(message.text))
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.on("request", lambda request: page.hosts.add(urlsplit(request.url).hostname))
    yield page
    context.close()


def wait_for_fit(page, count: int = 1) -> str:
    """Wait until the page has shown ``count`` more fits; return the status text."""
    page.wait_for_function("(count) => Number(document.body.dataset.ready || 0) >= count", arg=count, timeout=20_000)
    return page.get_by_role("status").inner_text()


def shown_fits(page) -> int:
    return int(page.evaluate("Number(document.body.dataset.ready || 0)"))


@pytest.mark.parametrize("name", DEMOS)
def test_each_preset_loads_runs_and_draws(page, server, screenshots, name):
    page.goto(server.url)
    wait_for_fit(page)
    page.get_by_label("Data set", exact=True).select_option(name)
    before = shown_fits(page)
    status = wait_for_fit(page, before + 1)
    optimizer, rate, batch, epochs = PRESET_SETTINGS[name]
    assert page.get_by_label("Optimizer", exact=True).input_value() == optimizer
    assert page.get_by_label("Learning rate (exact value)", exact=True).input_value() == rate
    assert page.get_by_label("Batch size", exact=True).input_value() == batch
    assert page.get_by_label("Epochs", exact=True).input_value() == epochs
    assert re.match(r"(Converged|Still far from the optimum)", status), status
    assert page.locator("#rule").inner_text().startswith({"rmsprop": "RMSprop", "adam": "Adam", "sgd": "SGD"}[optimizer])
    assert "model.fit(" in page.locator("#code").inner_text()
    assert page.get_by_label("Learning rate", exact=True).is_visible()
    page.screenshot(path=str(screenshots / f"playground-{name}.png"), full_page=True)
    assert page.problems == []
    assert page.hosts == {"127.0.0.1"}

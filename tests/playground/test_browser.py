"""The playground in headless Chromium: presets, divergence and back, the link, a CSV, and nothing leaves 127.0.0.1."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from linnet.cli.tasks import DEMOS

AXES = {"boston": ("rooms against price", "slope (rooms) against intercept"),
        "noisy-line": ("x against y", "slope (x) against intercept"),
        "line": ("x against y", "slope (x) against intercept"),
        "plane": ("prediction against actual y", "slope of x1 against slope of x2")}
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
    """Wait until request ``count`` or a later one was sent and the latest one answered; return the status text."""
    page.wait_for_function("(count) => { const d = document.body.dataset; "
                           "return Number(d.asked || 0) >= count && d.ready === d.asked; }", arg=count, timeout=20_000)
    return page.get_by_role("status").inner_text()


def shown_fits(page) -> int:
    """The number of requests sent so far."""
    return int(page.evaluate("Number(document.body.dataset.asked || 0)"))


def inked(page, canvas: str, left: int, top: int, width: int, height: int) -> int:
    """How many pixels of a canvas's rectangle are drawn on (not transparent)."""
    return page.evaluate(f"""(() => {{ const data = document.getElementById({canvas!r}).getContext("2d")
        .getImageData({left}, {top}, {width}, {height}).data;
        let count = 0; for (let i = 3; i < data.length; i += 4) count += data[i] > 0; return count; }})()""")


@pytest.mark.parametrize("name", DEMOS)
def test_each_preset_loads_runs_and_draws(page, server, screenshots, name):
    page.goto(server.url)
    wait_for_fit(page)
    for choice in ("line" if name == "boston" else "boston", name):  # the menu, from another preset
        before = shown_fits(page)
        page.get_by_label("Data set", exact=True).select_option(choice)
        status = wait_for_fit(page, before + 1)
    optimizer, rate, batch, epochs = PRESET_SETTINGS[name]
    assert page.get_by_label("Optimizer", exact=True).input_value() == optimizer
    assert page.get_by_label("Learning rate (exact value)", exact=True).input_value() == rate
    assert page.get_by_label("Batch size", exact=True).input_value() == batch
    assert page.get_by_label("Epochs", exact=True).input_value() == epochs
    assert re.match(r"(Converged|Still far from the optimum)", status), status
    rule = page.locator("#rule").inner_text()
    assert rule.startswith({"rmsprop": "RMSprop", "adam": "Adam", "sgd": "SGD"}[optimizer])
    assert "model.fit(" in page.locator("#code").inner_text()
    assert page.get_by_label("Learning rate", exact=True).is_visible()
    data_axes, landscape_axes = AXES[name]  # each view redrawn for this preset, not the one before
    assert page.locator("#data-view").get_attribute("aria-label").startswith(data_axes + ":")
    assert page.locator("#landscape-view").get_attribute("aria-label").startswith(landscape_axes + ":")
    page.screenshot(path=str(screenshots / f"playground-{name}.png"), full_page=True)
    assert page.problems == []
    assert page.hosts == {"127.0.0.1"}
    for canvas in ("data-view", "loss-view", "landscape-view"):  # a legend above, a plot inside the frame
        assert inked(page, canvas, 62, 6, 200, 14) > 100 and inked(page, canvas, 70, 30, 370, 250) > 500


def set_and_wait(page, label: str, value: str) -> str:
    before = shown_fits(page)
    page.get_by_label(label, exact=True).fill(value)
    page.get_by_label(label, exact=True).dispatch_event("change")
    return wait_for_fit(page, before + 1)


def test_past_the_stability_limit_it_diverges_and_says_why_then_converges_again(page, server):
    page.goto(server.url + "#preset=plane&optimizer=sgd&lr=0.01&batch=256&epochs=200&momentum=0&normalize=0&seed=42"
                           "&validation=0")
    assert wait_for_fit(page).startswith("Converged")
    limit = float(re.search(r"Stability limit of this SGD: ([0-9.e-]+)", page.locator("#limit-text").inner_text())[1])
    assert limit == pytest.approx(0.02943, rel=1e-3)  # 2/λmax of the plane's Hessian (test_api checks it by numpy)
    assert page.locator("#limit-mark").is_visible()
    status = set_and_wait(page, "Learning rate", "-1")  # the slider is log10 of the rate: 0.1, over 3 times the limit
    assert page.get_by_label("Learning rate (exact value)", exact=True).input_value() == "0.1"
    assert status.startswith("Diverged. The learning rate 0.1 is above the largest stable learning rate of SGD")
    assert f"use learning_rate <= {limit:.4g}" in status
    assert page.get_by_role("status").get_attribute("class") == "verdict diverged"
    assert set_and_wait(page, "Learning rate (exact value)", "0.01").startswith("Converged to the least-squares answer")
    assert page.problems == [] and page.hosts == {"127.0.0.1"}


def test_the_link_reproduces_the_run(page, browser, server):
    page.goto(server.url)
    wait_for_fit(page)
    before = shown_fits(page)
    page.get_by_label("Data set", exact=True).select_option("noisy-line")
    wait_for_fit(page, before + 1)
    before = shown_fits(page)
    page.get_by_label("Optimizer", exact=True).select_option("sgd")
    wait_for_fit(page, before + 1)
    for label, value in (("Learning rate (exact value)", "0.0004"), ("Batch size", "8"), ("Epochs", "150"),
                         ("Momentum", "0.5"), ("Seed", "7")):
        status = set_and_wait(page, label, value)
    fragment = page.url.split("#", 1)[1]
    assert dict(part.split("=") for part in fragment.split("&")) == {
        "preset": "noisy-line", "optimizer": "sgd", "lr": "0.0004", "batch": "8", "epochs": "150", "momentum": "0.5",
        "normalize": "0", "seed": "7", "validation": "0"}
    other = browser.new_page()
    other.goto(page.url)
    assert wait_for_fit(other) == status  # the same numbers: the same run
    assert other.get_by_label("Momentum", exact=True).input_value() == "0.5"
    assert other.locator("#code").inner_text() == page.locator("#code").inner_text()
    other.close()
    assert page.problems == []


SMALL_CSV = "id,hours,score,group\n" + "".join(f"{i},{h},{3 * h + 1 + (0.5 if i % 2 else -0.5)},a\n"
                                               for i, h in enumerate([1, 2, 3, 4, 5, 6, 7, 8]))


def test_an_uploaded_csv_trains_on_the_chosen_columns(page, server, screenshots):
    page.goto(server.url + "#preset=csv&optimizer=sgd&lr=0.01&batch=8&epochs=2000&momentum=0.9&normalize=0&seed=1"
                           "&validation=0")
    assert "Choose a CSV file" in page.get_by_role("alert").inner_text()
    before = shown_fits(page)
    page.get_by_label("CSV file", exact=True).set_input_files(
        {"name": "small.csv", "mimeType": "text/csv", "buffer": SMALL_CSV.encode()})
    wait_for_fit(page, before + 1)
    # the defaults: the last numeric column is the target, the other numeric ones the features (id, hours)
    assert page.get_by_label("Target column", exact=True).input_value() == "score"
    before = shown_fits(page)
    page.get_by_label("Feature columns", exact=True).select_option(["hours"])
    status = wait_for_fit(page, before + 1)
    assert status.startswith("Converged"), status
    code = page.locator("#code").inner_text()
    assert "read_table('small.csv', 'score', ['hours'])" in code
    assert "score = 3·hours + 1" in code or "model.equation(['hours'], 'score')" in code
    page.screenshot(path=str(screenshots / "playground-csv.png"), full_page=True)
    assert page.problems == [] and page.hosts == {"127.0.0.1"}


def test_a_bad_value_gets_a_clear_message_on_the_page(page, server):
    page.goto(server.url)
    wait_for_fit(page)
    page.get_by_label("Batch size", exact=True).fill("0")
    page.get_by_label("Batch size", exact=True).dispatch_event("change")
    alert = page.get_by_role("alert")
    alert.wait_for(state="visible")
    assert alert.inner_text() == "batch_size must be a positive integer. Received: batch_size=0"
    assert all("400 (Bad Request)" in problem for problem in page.problems)  # the browser logs the refused fit


def test_copy_as_code_puts_the_runnable_script_on_the_clipboard(page, server):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url.rstrip("/"))
    page.goto(server.url + "#preset=line&optimizer=sgd&lr=0.005&batch=6&epochs=300&momentum=0.5&normalize=1&seed=3"
                           "&validation=0")
    wait_for_fit(page)
    page.get_by_role("button", name="Copy as code").click()
    page.get_by_text("Copied: paste it into a .py file and run it.").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#code").inner_text()
    assert "keras.optimizers.SGD(learning_rate=0.005, momentum=0.5)" in copied
    assert "normalization.adapt(x)" in copied and "seed=rng" in copied
    assert page.problems == [] and page.hosts == {"127.0.0.1"}

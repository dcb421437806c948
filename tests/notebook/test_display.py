"""Rich display: each object's HTML holds its numbers (checked against oracles), scoped CSS, no script, and
its text as the fallback; the text forms stay what they were."""

import html
import re
import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from html_tables import Tables, css_selectors

import linnet
from linnet import _html
from linnet.diagnostics import convergence
from linnet.engine.summary import ModelSummary
from linnet.notebook import display

X = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
Y = np.array([1.0, 2.9, 5.2, 7.1, 8.8])  # y ≈ 2x + 1


def trained(epochs=200, lr=0.05):
    model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1, name="dense")], name="tiny")
    model.compile(linnet.optimizers.SGD(lr), "mse")
    model.fit(X, Y, epochs=epochs, batch_size=5, verbose=0, seed=0)
    return model


def check_block(block: str, text: str) -> Tables:
    """Scoped CSS, no script, the text as the fallback <pre>, the rich part hidden unless the CSS shows it."""
    parsed = Tables(block)
    assert "<script" not in block.lower() and "javascript:" not in block.lower()
    selectors = css_selectors("".join(parsed.styles))
    assert selectors and all(selector.startswith(".linnet-repr") for selector in selectors), selectors
    fallback = re.search(r'<pre class="linnet-fallback">(.*?)</pre>', block, re.S).group(1)
    assert html.unescape(fallback) == text
    assert ("div", {"class": "linnet-rich", "hidden": None}) in parsed.tags
    return parsed


def test_ols_summary_is_the_old_text_and_renders_statsmodels_tables():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(40, 2))
    y = x @ [1.5, -2.0] + 0.3 + rng.normal(size=40)
    result = linnet.ols(x, y)
    summary = result.summary("target")
    assert isinstance(summary, str) and repr(summary) == str(summary) and "\\n" not in repr(summary)
    reference = sm.OLS(y, sm.add_constant(x)).fit()
    parsed = check_block(summary._repr_html_(), str(summary))
    info, parameters, footer = parsed.tables
    assert ["R-squared:", f"{reference.rsquared:.3f}"] == info[0][2:] and info[0][:2] == ["Dep. Variable:", "target"]
    assert parameters[0] == ["", "coef", "std err", "t", "P>|t|", "[0.025", "0.975]"]
    low, high = reference.conf_int()[2]
    assert parameters[3] == ["x2", f"{reference.params[2]:.4f}", f"{reference.bse[2]:.3f}",
                             f"{reference.tvalues[2]:.3f}", f"{reference.pvalues[2]:.3f}", f"{low:.3f}", f"{high:.3f}"]
    assert footer == [["Rank:", "3", "Cond. No.:", f"{reference.condition_number:.3g}"]]
    assert result._repr_html_() == result.summary()._repr_html_()
    import copy
    import pickle
    for clone in (pickle.loads(pickle.dumps(summary)), copy.deepcopy(summary)):
        assert clone == summary and clone.parameters == summary.parameters


def test_ols_summary_without_residual_degrees_of_freedom_shows_n_a():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        summary = linnet.ols([[1.0], [2.0]], [1.0, 3.0]).summary()
    parameters = Tables(summary._repr_html_()).tables[1]
    assert parameters[1] == ["const", "-1.0000", "n/a", "n/a", "n/a", "n/a", "n/a"]


def test_the_notes_of_a_summary_and_of_a_comparison_are_shown_too():
    """Where y is constant the text says why R² is undefined; the notebook's tables alone would not."""
    summary = linnet.ols(np.c_[X, X ** 2], np.full(5, 3.0)).summary()
    block = summary._repr_html_()
    check_block(block, str(summary))
    assert Tables(block).tables[0][0][2:] == ["R-squared:", "undefined"]
    assert html.escape(summary.notes[0]) in block.split('class="linnet-rich"')[1]
    comparison = trained().compare_to_ols(X, np.full(5, 3.0), print_fn=None)
    assert html.escape(comparison.note) in comparison._repr_html_().split('class="linnet-rich"')[1]


def test_an_exact_fit_shows_the_limits_of_its_statistics_and_the_note_saying_why():
    """y = 2x + 30 showed std err 0, t inf, F and Log-Likelihood inf in the tables, with no word of why."""
    result = linnet.ols(X[:, None], 2 * X + 30)
    block = result._repr_html_()
    parsed = check_block(block, str(result.summary()))
    info, parameters, _ = parsed.tables
    assert [row[3] for row in info[2:]] == ["inf", "0", "inf", "-inf", "-inf"]
    assert parameters[1:] == [["const", "30.0000", "0", "inf", "0.000", "30.000", "30.000"],
                              ["x", "2.0000", "0", "inf", "0.000", "2.000", "2.000"]]
    rich = block.split('class="linnet-rich"')[1]
    assert html.escape("Exact fit: the residuals are 0 (y is fitted exactly, to float64's rounding). So the "
                       "standard errors are 0, and t, F and the log-likelihood are infinite") in rich


def test_model_shows_its_summary_and_equation_without_building_itself():
    model = trained()
    parsed = check_block(model._repr_html_(), str(ModelSummary(model, build=False)) + "\n" + model.equation())
    assert parsed.tables[0][1] == ["dense (Dense)", "(None, 1)", "2"]
    assert html.escape(model.equation()) in model._repr_html_()
    unbuilt = linnet.Sequential([linnet.Dense(1)])
    assert "not built yet" in unbuilt._repr_html_() and not unbuilt.built


def test_model_summary_prints_keras_text_outside_a_notebook():
    model = trained()
    lines = []
    model.summary(print_fn=lines.append)
    assert lines == [str(ModelSummary(model))] and lines[0].startswith('Model: "tiny"\n┏')
    assert Tables(ModelSummary(model)._repr_html_()).tables[0][1] == ["dense (Dense)", "(None, 1)", "2"]


def test_comparison_html_holds_the_neuron_and_least_squares_numbers():
    model = trained()
    comparison = model.compare_to_ols(X, Y, print_fn=None)
    slope, intercept = np.polyfit(X, Y, 1)
    rows = check_block(comparison._repr_html_(), str(comparison)).tables[0]
    assert rows[0] == ["", "neuron", "least squares", "difference"]
    assert rows[1][0] == "x" and float(rows[1][2]) == pytest.approx(slope, rel=1e-5)
    assert rows[2][0] == "intercept" and float(rows[2][2]) == pytest.approx(intercept, rel=1e-5)
    assert float(rows[1][1]) == pytest.approx(model.coef_[0], rel=1e-5)
    ols_mse = np.mean((np.polyval([slope, intercept], X) - Y) ** 2)
    assert rows[3][0] == "loss (MSE)" and float(rows[3][2]) == pytest.approx(ols_mse, rel=1e-5)
    assert "Comparison(" not in repr(comparison) and len(repr(comparison).splitlines()) == 1


def test_compare_to_ols_prints_its_table_with_print_fn():
    printed = []
    comparison = trained().compare_to_ols(X, Y, print_fn=printed.append)
    assert printed == [str(comparison)]


def test_convergence_verdict_renders_the_words_numbers_and_advice():
    verdict = convergence(trained(epochs=2, lr=0.001), X, Y)
    assert repr(verdict) == str(verdict) and not verdict.converged
    block = verdict._repr_html_()
    parsed = check_block(block, str(verdict))
    assert 'class="linnet-bad"' in block and "Not converged" in block
    assert parsed.tables[0][1] == ["least-squares loss", f"{verdict.ols_loss:.6g}"]
    assert all(html.escape(advice) in block for advice in verdict.advice) and verdict.advice
    good = convergence(trained(epochs=2000, lr=0.05), X, Y)
    assert good.converged and 'class="linnet-good"' in good._repr_html_()


def test_history_html_reports_first_lowest_last_and_the_best_epoch():
    history = trained(epochs=30).history
    losses = history.history["loss"]
    rows = check_block(history._repr_html_(), repr(history)).tables[0]
    best = int(np.argmin(losses))
    assert rows[1][:5] == ["loss", f"{losses[0]:.6g}", f"{losses[best]:.6g}", str(best + 1), f"{losses[-1]:.6g}"]
    assert "<polyline" in history._repr_html_()



@pytest.mark.parametrize("values", [[], [None, 1.0], ["a", "b"], [[1.0, 2.0]], 1.0])
def test_history_html_of_an_empty_or_odd_log_says_n_a_instead_of_raising(values):
    """A History whose log is empty ([]: IndexError) or holds what no fit logs (text, nested lists, a number:
    TypeError or ValueError from deep in NumPy) stopped the notebook's display; it now shows n/a."""
    history = trained(epochs=3).history
    history.history["odd"] = values
    rows = check_block(history._repr_html_(), repr(history)).tables[0]
    assert rows[1][0] == "loss" and rows[2][0] == "odd"
    if values != [None, 1.0]:
        assert rows[2][1:5] == ["n/a"] * 4
    else:
        assert rows[2][1:5] == ["nan", "1", "2", "1"]

def test_sparkline_maps_the_values_to_the_box():
    from linnet.notebook.html import sparkline
    svg = sparkline([3.0, 1.0, 2.0], width=12, height=12)
    assert 'points="1.0,1.0 6.0,11.0 11.0,6.0"' in svg  # max at the top (y=1), min at the bottom (y=11)
    assert sparkline([1.0]) == "" and sparkline([np.nan, np.inf]) == ""


def test_drawn_shows_a_short_text_and_no_html_outside_the_inline_backend():
    drawn = linnet.plot.fit(trained(), X, Y)
    assert not repr(drawn).startswith("Drawn(") and "points" in repr(drawn)
    assert drawn._repr_html_() is None  # Agg: the figure stays the user's, the text is shown


def test_drawn_under_the_inline_backend_is_its_figure_once(monkeypatch):
    import base64

    import matplotlib
    import matplotlib.pyplot as plt
    monkeypatch.setattr(matplotlib, "get_backend", lambda: "module://matplotlib_inline.backend_inline")
    drawn = linnet.plot.loss(trained(epochs=5).history)
    number = drawn.figure.number
    block = drawn._repr_html_()
    image = re.search(r'src="data:image/png;base64,([^"]+)"', block).group(1)
    assert base64.b64decode(image).startswith(b"\x89PNG")
    assert not plt.fignum_exists(number)  # closed, so that the inline backend does not show it a second time


def test_objects_without_a_renderer_have_no_html():
    assert display.render(object()) is None
    assert _html.kernel() is None  # pytest is no notebook kernel: show() prints


def test_show_prints_outside_a_kernel_and_prints_nothing_for_none():
    printed = []
    _html.show("text", printed.append)
    _html.show("text", None)
    assert printed == ["text"]

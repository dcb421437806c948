"""The HTML each linnet object shows in a notebook; :func:`render` is what ``linnet._html.html`` calls.

The objects keep a one-line hook (``_repr_html_ = _html.html``); the layout lives here, above every layer, so
it can read any object. Each block is built with :mod:`linnet.notebook.html`: scoped CSS, no script, the
object's text as the fallback.
"""

from __future__ import annotations

import base64
import io
from html import escape

import numpy as np

from ..diagnostics.convergence_check import Convergence
from ..diagnostics.equation import Comparison
from ..engine.callbacks import History
from ..engine.sequential import Sequential
from ..engine.summary import HEADERS, ModelSummary
from ..exact.results import OLSResult
from ..exact.summary import PARAMETER_HEADER, Summary
from ..plot._common import logged_series
from ..plot.figures import Drawn
from .html import bullets, frame, paragraph, sparkline, table


def model_summary(summary: ModelSummary) -> str:
    """Keras' summary as a table: one row per layer, then the parameter counts."""
    text = str(summary)
    counts = [line.strip() for line in text.splitlines() if line.startswith(" ") and "params:" in line]
    return frame(text, _model_table(summary), bullets(counts))


def _model_table(summary: ModelSummary) -> str:
    return table(HEADERS, summary.rows, caption=f'Model: "{summary.model.name}"')


def sequential(model: Sequential) -> str:
    """The model's summary table and, once it has weights, its equation in the units of the data."""
    summary = ModelSummary(model, build=False)
    equation = model.equation() if model.built else "not built yet: fit it, or give it an Input(shape=...)"
    return frame(f"{summary}\n{equation}", _model_table(summary), paragraph(equation, "linnet-equation"))


def ols_summary(summary: Summary) -> str:
    """statsmodels' three tables: the model statistics, the parameters, rank and condition number."""
    return frame(str(summary), table(None, summary.info, caption="OLS Regression Results"),
                 table(("", *PARAMETER_HEADER), summary.parameters), table(None, [summary.footer]),
                 *(paragraph(note) for note in summary.notes))


def ols_result(result: OLSResult) -> str:
    """An ``OLSResult`` shows its summary."""
    return ols_summary(result.summary())


def comparison(result: Comparison) -> str:
    """The neuron beside least squares: every parameter, the loss (MSE) and R², with the differences."""
    header = ("", "neuron", "least squares", "difference")
    caption = "The neuron against the exact least-squares answer"
    note = [paragraph(result.note)] if result.note else []
    return frame(str(result), table(header, result.cells(), caption=caption), *note)


def convergence(verdict: Convergence) -> str:
    """The verdict in words (green or red), the numbers behind it, and the advice."""
    headline = ("Converged to the least-squares answer" if verdict.converged
                else "Not converged to the least-squares answer")
    rows = [("loss (MSE)", f"{verdict.loss:.6g}"), ("least-squares loss", f"{verdict.ols_loss:.6g}"),
            ("loss ratio", f"{verdict.loss_ratio:.6g}"),
            ("parameter distance (relative)", f"{verdict.parameter_distance:.3g}")]
    note = paragraph(verdict.note) if verdict.note else ""
    return frame(str(verdict), paragraph(headline, "linnet-good" if verdict.converged else "linnet-bad"),
                 table(None, rows), bullets(verdict.advice), note)


def history(record: History) -> str:
    """One row per logged quantity: its first, best (lowest) and last value, the best epoch and a sparkline."""
    rows = []
    for name, values in record.history.items():
        series = logged_series(values)
        if series is None or not series.size:  # nothing logged, or what no fit logs: its text stays in the fallback
            rows.append((name, "n/a", "n/a", "n/a", "n/a", ""))
            continue
        best = int(np.nanargmin(series)) if np.isfinite(series).any() else None
        rows.append((name, f"{series[0]:.6g}", "n/a" if best is None else f"{series[best]:.6g}",
                     "n/a" if best is None else str(best + 1), f"{series[-1]:.6g}", sparkline(series)))
    header = ("", "first", "lowest", "at epoch", "last", "")
    caption = f"History of {len(record.epoch)} epoch(s)"
    return frame(repr(record), table(header, rows, caption=caption, raw_columns=(5,)))


def drawn(result: Drawn) -> str | None:
    """The figure as an inline PNG, which closes it in pyplot so that the inline backend does not draw it twice.

    Only under the inline backend (``%matplotlib inline``, a notebook's default): an interactive backend keeps
    its live figure, and the display falls back to the text.
    """
    import matplotlib
    import matplotlib.pyplot as plt
    figure = result.figure
    if "inline" not in matplotlib.get_backend().lower():
        return None
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    if plt.fignum_exists(figure.number if hasattr(figure, "number") else -1):
        plt.close(figure)
    image = base64.b64encode(buffer.getvalue()).decode("ascii")
    return frame(repr(result), f'<img src="data:image/png;base64,{image}" alt="{escape(_describe(result))}"/>')


def _describe(result: Drawn) -> str:
    title, xlabel, ylabel = result.ax.get_title(), result.ax.get_xlabel(), result.ax.get_ylabel()
    return " ".join(f"{title or 'plot'}: {ylabel} against {xlabel}".split())


_RENDERERS = ((Summary, ols_summary), (ModelSummary, model_summary), (Sequential, sequential),
              (OLSResult, ols_result), (Comparison, comparison), (Convergence, convergence), (History, history),
              (Drawn, drawn))


def render(obj) -> str | None:
    """``obj`` as HTML, or None for an object without a renderer here."""
    for kind, function in _RENDERERS:
        if isinstance(obj, kind):
            return function(obj)
    return None

"""HTML building blocks of the notebook display: scoped CSS, no script, and a plain-text fallback.

As scikit-learn's estimator display does, every block carries its text in a ``<pre>`` that the CSS hides and
its tables in a ``hidden`` ``<div>`` that the CSS shows: where a viewer strips styles (an untrusted notebook,
a code host's preview) the text is what remains. Every CSS selector starts with ``.linnet-repr``, so nothing
leaks into the rest of the page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

CSS = (".linnet-repr{font-family:var(--jp-ui-font-family,sans-serif);font-size:13px;color:inherit}"
       ".linnet-repr .linnet-fallback{display:none}"
       ".linnet-repr .linnet-rich{display:block}"
       ".linnet-repr table{border-collapse:collapse;margin:0.25em 0 0.5em 0}"
       ".linnet-repr caption{font-weight:bold;text-align:left;padding:0.2em 0}"
       ".linnet-repr th,.linnet-repr td{padding:0.15em 0.7em;text-align:right;border-bottom:1px solid #8884}"
       ".linnet-repr th:first-child,.linnet-repr td:first-child{text-align:left}"
       ".linnet-repr td{font-family:var(--jp-code-font-family,monospace)}"
       ".linnet-repr .linnet-good{color:#1a7f37;font-weight:bold}"
       ".linnet-repr .linnet-bad{color:#cf222e;font-weight:bold}"
       ".linnet-repr .linnet-equation{font-family:var(--jp-code-font-family,monospace);margin:0.3em 0}"
       ".linnet-repr svg{vertical-align:middle}")


def frame(text: str, *parts: str) -> str:
    """One display block: ``text`` as the fallback, ``parts`` (HTML) as what a styled viewer shows."""
    return (f'<div class="linnet-repr"><style>{CSS}</style><pre class="linnet-fallback">{escape(text)}</pre>'
            f'<div class="linnet-rich" hidden>{"".join(parts)}</div></div>')


def table(header: Sequence[str] | None, rows: Iterable[Sequence[object]], caption: str | None = None,
          raw_columns: Sequence[int] = ()) -> str:
    """A ``<table>``; cells are escaped except those in ``raw_columns`` (already HTML, e.g. a sparkline)."""
    def cell(tag: str, index: int, value: object) -> str:
        return f"<{tag}>{value if index in raw_columns else escape(str(value))}</{tag}>"

    head = "" if header is None else "<thead><tr>" + "".join(cell("th", -1, h) for h in header) + "</tr></thead>"
    body = "".join("<tr>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>" for row in rows)
    title = "" if caption is None else f"<caption>{escape(caption)}</caption>"
    return f"<table>{title}{head}<tbody>{body}</tbody></table>"


def paragraph(text: str, css_class: str | None = None) -> str:
    """An escaped ``<p>``, with a class from the scoped CSS (``linnet-good``, ``linnet-bad``, ``linnet-equation``)."""
    attribute = "" if css_class is None else f' class="{css_class}"'
    return f"<p{attribute}>{escape(text)}</p>"


def bullets(items: Iterable[str]) -> str:
    """An escaped ``<ul>`` (empty string for no items)."""
    items = list(items)
    return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>" if items else ""


def sparkline(values: Sequence[float], width: int = 120, height: int = 24) -> str:
    """A tiny inline SVG polyline of ``values`` (finite ones; empty string when fewer than two)."""
    points = [(i, float(v)) for i, v in enumerate(values) if v == v and abs(float(v)) != float("inf")]
    if len(points) < 2:
        return ""
    low, high = min(v for _, v in points), max(v for _, v in points)
    last = max(i for i, _ in points) or 1
    spread = (high - low) or 1.0
    coordinates = " ".join(f"{i / last * (width - 2) + 1:.1f},{(high - v) / spread * (height - 2) + 1:.1f}"
                           for i, v in points)
    return (f'<svg width="{width}" height="{height}" role="img" aria-label="trend">'
            f'<polyline points="{coordinates}" fill="none" stroke="currentColor" stroke-width="1.2"/></svg>')

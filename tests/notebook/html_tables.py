"""Reading the notebook display's HTML back: its tables, its CSS selectors."""

import re
from html.parser import HTMLParser


class Tables(HTMLParser):
    """Every <table> of a document as a list of rows of cell texts; also the <style> texts and tags seen."""

    def __init__(self, html: str):
        super().__init__()
        self.tables, self.styles, self.tags, self._cell, self._in_style = [], [], [], None, False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = ""
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.tables[-1][-1].append(self._cell.strip())
            self._cell = None
        self._in_style = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        if self._in_style:
            self.styles.append(data)


def css_selectors(style: str) -> list[str]:
    """The selectors of a CSS text (no @-rules are used)."""
    return [selector.strip() for block in re.findall(r"([^{}]+)\{[^{}]*\}", style) for selector in block.split(",")]

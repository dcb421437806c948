"""The one hook between linnet's objects and a notebook's rich display, at the bottom of the layers.

An object that displays richly has ``_repr_html_ = _html.html``: the HTML comes from the renderer that
``linnet/__init__.py`` registers in ``PLUGINS["render"]`` (:func:`linnet.notebook.display.render`, imported on
first display), so the engine, the exact answer and the diagnostics import nothing above themselves. Functions that
print (``model.summary()``, ``compare_to_ols``) call :func:`show`: ``print_fn(str(obj))`` as before, or, in a
notebook kernel with the default ``print``, one display of the text and the HTML together.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from ._validation import function

PLUGINS: dict[str, Callable[[Any], str | None]] = {}
"""``"render"``: ``render(obj) -> HTML or None`` (None: no HTML for this object, its text is shown)."""

_last_shown: list = [None, None]  # [object, execution count] of the last show() in a kernel


def html(obj) -> str | None:
    """``obj`` as HTML for a notebook (scoped CSS, no script), or None when no renderer is registered."""
    render = PLUGINS.get("render")
    return None if render is None else render(obj)


def kernel():
    """The running IPython kernel's shell, or None (a script, a terminal IPython, no IPython at all)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    return shell if shell is not None and getattr(shell, "kernel", None) is not None else None


def show(obj, print_fn: Callable[[str], Any] | None) -> None:
    """``print_fn(str(obj))``; in a notebook kernel with ``print_fn=print``, display ``obj`` as text and HTML."""
    function(print_fn, "print_fn", "a function called with the text (such as print)", allow_none=True)
    shell = kernel() if print_fn is print else None
    if shell is None:
        if print_fn is not None:
            print_fn(str(obj))
        return
    _publish(obj)
    _last_shown[:] = [obj, shell.execution_count]


def display_once(obj) -> None:
    """IPython's display of ``obj`` (its ``_ipython_display_``), skipped when :func:`show` displayed this very
    object in the running cell: ``model.compare_to_ols(x, y)`` prints its table and returns it, and a notebook
    would show the returned value a second time."""
    shell = kernel()
    if shell is not None and _last_shown[0] is obj and _last_shown[1] == shell.execution_count:
        return
    _publish(obj)


def _publish(obj) -> None:
    from IPython.display import display
    bundle = {"text/plain": str(obj)}
    rich = html(obj)
    if rich is not None:
        bundle["text/html"] = rich
    display(bundle, raw=True)

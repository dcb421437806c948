"""Data ``linnet.exact.ols`` reads besides arrays, registered by the layers above it (the package root registers Dask
collections, answered by ``linnet.dask.ols`` on their cluster), so that ``exact`` imports none of them.

``SOURCES`` maps a name to ``(accepts(x) -> bool, ols_of_them(x, y, fit_intercept, **keywords))``.
"""

from __future__ import annotations

from collections.abc import Callable

SOURCES: dict[str, tuple[Callable, Callable]] = {}

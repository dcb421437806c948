"""Warnings that point at the user's line, however deep inside linnet they are raised.

A hand-counted ``stacklevel`` is right for one call path only: the same check reached from ``predict`` and from
``fit`` (a few calls deeper) would name a line of linnet's for one of them. :func:`warn` counts the frames instead,
as pandas' ``find_stack_level`` does: the warning names the first caller outside the ``linnet`` package.
"""

from __future__ import annotations

import sys
import warnings

_PACKAGE = __name__.partition(".")[0]


def warn(message: str, category: type[Warning] = UserWarning) -> None:
    """``warnings.warn(message, category)`` attributed to the first frame outside linnet (the user's line)."""
    warnings.warn(message, category, stacklevel=_user_stacklevel())


def _user_stacklevel() -> int:
    """The ``stacklevel`` of the first frame outside linnet, for a ``warnings.warn`` in this function's caller
    (whose own frame is level 1)."""
    frame, level = sys._getframe(1), 1
    while frame is not None and _in_linnet(frame.f_globals.get("__name__", "")):
        frame, level = frame.f_back, level + 1
    return level


def _in_linnet(module: str) -> bool:
    return module == _PACKAGE or module.startswith(_PACKAGE + ".")

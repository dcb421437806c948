"""The zoom inset of :func:`linnet.plot.landscape`, and which corners of the picture are free for the legend.

The inset redraws the landscape's scene (same contours, same directions) around the slow end of the path and
adds an arrow towards the optimum (least squares', or a regularized model's penalized one), however far away it
lies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .exact import _Scene

_ZOOM_LEVELS = 8
"""Contour levels in the zoom inset, spread over the MSEs it shows."""
_ZOOM_BELOW = 0.05
"""Magnify the second half of the path when it spans less than this fraction of the axes."""
_CORNERS = {"lower left": (0.03, 0.03, 0.4, 0.4), "upper right": (0.57, 0.57, 0.4, 0.4),
            "upper left": (0.03, 0.57, 0.4, 0.4), "lower right": (0.57, 0.03, 0.4, 0.4)}
"""Where the legend may go, as axes fractions (x0, y0, width, height)."""
_OUTSIDE = (1.05, 0.2, 0.6, 0.6)
"""Where the zoom inset goes: right of the main axes, clear of the data (axes fractions, square)."""


def zoom_inset(ax, scene: _Scene, window):
    """An inset magnifying the second half of the path when the axes draw it in under a twentieth of their size.

    The inset sits right of the main axes (``_OUTSIDE``), clear of the data; it is square in axes fractions, so
    directions in it are the directions in the main picture.
    """
    if scene.track is None:
        return None
    origin = np.array([window[0][0], window[1][0]])
    spans = np.array([window[0][-1], window[1][-1]]) - origin
    now, optimum = (scene.now - origin) / spans, (scene.optimum - origin) / spans
    tail = np.vstack([(scene.track[len(scene.track) // 2:] - origin) / spans, now])
    size = np.ptp(tail, axis=0).max()
    if size >= _ZOOM_BELOW:
        return None
    reach = np.hypot(*(optimum - now))  # leave room ahead of the model, on the way to the optimum
    ahead = now + (optimum - now) * min(1.0, 0.6 * size / reach) if reach else now
    tail = np.vstack([tail, ahead])
    half = max(np.ptp(tail, axis=0).max() * 0.6, _ZOOM_BELOW / 20)
    centre = (tail.min(axis=0) + tail.max(axis=0)) / 2
    low, high = origin + (centre - half) * spans, origin + (centre + half) * spans
    inset = ax.inset_axes(_OUTSIDE)
    points = len(window[0]) // 2  # half the main grid's resolution
    scene.draw(inset, tuple(np.linspace(lo, hi, points) for lo, hi in zip(low, high)), _ZOOM_LEVELS, from_lowest=True)
    _pointer(inset, scene.now, scene.optimum, f"to {scene.optimum_name}")
    inset.set_xticks([])  # the inset shows directions; its tick labels would collide with the main axes'
    inset.set_yticks([])
    inset.set_title(f"zoom: epochs {scene.epochs[len(scene.epochs) // 2]:g} to {scene.epochs[-1]:g}",
                    fontsize="x-small")
    ax.indicate_inset_zoom(inset, edgecolor="black")
    return inset


def _pointer(ax, now: np.ndarray, optimum: np.ndarray, text: str) -> None:
    """An arrow from the model towards the optimum, drawn inside ``ax`` however far the optimum lies."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    start = (now - [x0, y0]) / [x1 - x0, y1 - y0]
    direction = (optimum - [x0, y0]) / [x1 - x0, y1 - y0] - start
    if not np.hypot(*direction):
        return
    direction = direction / np.hypot(*direction)
    room = min((0.93 - s) / d if d > 0 else (s - 0.07) / -d for s, d in zip(start, direction) if d)
    length = min(0.35, room)
    ax.annotate(text, xy=start, xytext=start + length * direction, xycoords="axes fraction",
                textcoords="axes fraction", fontsize="x-small", ha="center", va="center",
                arrowprops={"arrowstyle": "<|-", "color": "black", "shrinkA": 2, "shrinkB": 6})


def free_corners(ax, scene: _Scene) -> list[str]:
    """The corners of ``ax`` ordered from the emptiest: fewest path points, markers and valley points."""
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    slopes = np.linspace(*xlim, 100)
    valley = np.column_stack([slopes, scene.bowl.valley(slopes)])
    points = (np.vstack([scene.points, valley]) - [xlim[0], ylim[0]]) / [np.ptp(xlim), np.ptp(ylim)]

    def crowd(corner: str) -> int:
        x0, y0, width, height = _CORNERS[corner]
        return int(((points >= [x0, y0]) & (points <= [x0 + width, y0 + height])).all(axis=1).sum())
    return sorted(_CORNERS, key=crowd)

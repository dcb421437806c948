"""What the figures share: a fresh Axes when none is given, axis labels, checked data with its names, and a
``History``'s logs."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import _naming
from .. import _validation as _checks


def axes_or_new(ax):
    """``ax`` itself (a matplotlib ``Axes``, refused otherwise), or the Axes of a new figure for None."""
    if ax is not None:
        return matplotlib_axes(ax, "ax", ", or None for a new figure")
    import matplotlib.pyplot as plt
    return plt.subplots()[1]


def matplotlib_axes(ax: Any, name: str, alternative: str = "") -> Any:
    """``ax`` if it is a matplotlib ``Axes``, else a TypeError naming ``name``. What is not one is refused before
    matplotlib is imported: no Axes exists until it is."""
    axes_class = getattr(sys.modules.get("matplotlib.axes"), "Axes", None)
    if axes_class is None or not isinstance(ax, axes_class):
        raise TypeError(f"{name} must be a matplotlib Axes (such as plt.subplots()[1]){alternative}. "
                        f"Received: {name}={ax!r:.100} ({type(ax).__name__})")
    return ax


def set_labels(ax, xlabel: str, ylabel: str) -> None:
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)


def xy_names(x: Any, y: Any, feature_name, target_name, *, single_feature: str | None = None):
    """Checked ``x`` (float64, 2-D), ``y`` (float64, 1-D), the feature names and the target name."""
    xs = _checks.features(x, "x", dtype=np.float64)
    ys = _checks.targets(y, xs.shape[0], "y", dtype=np.float64)[:, 0]
    if single_feature and xs.shape[1] != 1:
        raise ValueError(f"{single_feature}() draws one feature against y, but x has {xs.shape[1]} features "
                         f"(shape {xs.shape}); pass one column, e.g. x[:, 0].")
    return (xs, ys, _naming.feature_names(feature_name, xs.shape[1], x, name="feature_name"),
            _naming.target_name(target_name, y))


def history_dict(history) -> dict[str, np.ndarray]:
    """The logs of ``history`` (a ``History`` or its ``.history`` dict), each as float64 ``(epochs,)`` (None read
    as NaN), refusing what is no dict of lists of numbers, or holds no ``loss``/``val_loss`` value."""
    logs = getattr(history, "history", history)
    if not isinstance(logs, Mapping):
        raise TypeError("history must be the History fit() returns or its .history dict. "
                        f"Received: history={history!r}")
    logs = {name: _series(name, values) for name, values in logs.items()}
    if not any(len(logs.get(name, ())) for name in ("loss", "val_loss")):
        raise ValueError(f"history has no 'loss' or 'val_loss' values to draw; its keys are {list(logs)}.")
    return logs


def logged_series(values: Any) -> np.ndarray | None:
    """One logged quantity as float64 ``(epochs,)`` (None read as NaN), or None when it is no list of numbers."""
    try:
        series = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return series if series.ndim == 1 else None


def _series(name: Any, values: Any) -> np.ndarray:
    """:func:`logged_series`, refused by name when it is None."""
    series = logged_series(values)
    if series is None:
        raise TypeError(f"history[{name!r}] must be a list of numbers, one per epoch. Received: {values!r:.100}")
    return series


def least_squares(exact: Any, solve: Any, xs: np.ndarray, ys: np.ndarray, features: list[str]):
    """The least-squares answer to draw: solved on ``(xs, ys)`` when ``exact is solve`` (True for ``fit``, None for
    ``partial_fits``), None for False, or ``exact`` itself when it is an ``OLSResult`` of as many features as x."""
    from ..exact.results import OLSResult, ols
    if exact is solve:
        return ols(xs, ys, feature_names=features)
    if exact is False:
        return None
    if not isinstance(exact, OLSResult):
        raise TypeError(f"exact must be {solve} (solve least squares on the data drawn), False (draw no "
                        f"least-squares line) or an OLSResult such as linnet.ols(x, y). "
                        f"Received: exact={exact!r:.100} ({type(exact).__name__})")
    if exact.coef_.size != xs.shape[1]:
        raise ValueError(f"exact must be the least squares of x's {xs.shape[1]} feature(s). "
                         f"Received: an OLSResult of {exact.coef_.size} feature(s)")
    return exact


def model_coef(model: Any) -> np.ndarray:
    """A linnet model's ``coef_`` as float64 ``(p,)``, refused by name when ``model`` has none."""
    if not hasattr(model, "coef_") or not callable(getattr(model, "predict", None)):
        raise TypeError(f"model must be a linnet model (with coef_ and predict()). "
                        f"Received: model={model!r:.100} ({type(model).__name__})")
    return np.asarray(model.coef_, dtype=np.float64).reshape(-1)

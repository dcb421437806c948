"""``linnet.explore``: move the learning rate (and the rest) and watch gradient descent, in a notebook.

The controls are ipywidgets (``pip install 'linnet[notebook]'``), which Jupyter and Colab render with no extra
front-end build; every change re-runs the real engine (:mod:`linnet.notebook.playground`) and redraws one
image in place. The learning-rate scale below the slider marks SGD's stable limit, and the verdict sits in a
``role="status"`` region.
"""

from __future__ import annotations

import math
from dataclasses import replace
from html import escape
from typing import Any

from .playground import OPTIMIZERS, WITH_MOMENTUM, Playground, Run, Settings
from .views import new_figure, png

RATE_RANGE = (-6, 1)
"""The learning-rate slider spans ``10**-6 .. 10**1``."""
_CONTROLS = ("optimizer", "learning_rate", "batch_size", "epochs", "momentum", "normalize", "seed")


def explore(x: Any = None, y: Any = None, *, feature_name: str | None = None, target_name: str | None = None,
            **settings) -> Explorer:
    """A playground for gradient descent on ``(x, y)`` (one feature): display it as a cell's last expression.

    Without data it uses the noisy line of the "single neuron" tutorial (``linnet.data.synthetic.noisy_line``,
    seed 0). ``settings`` are the starting controls: ``optimizer`` (``"sgd"``, ``"adam"``, ``"rmsprop"``,
    ``"adagrad"``), ``learning_rate``, ``batch_size``, ``epochs``, ``momentum``, ``normalize`` and ``seed``
    (:class:`~linnet.notebook.playground.Settings`).

    >>> linnet.explore(learning_rate=0.001)       # doctest: +SKIP
    """
    if x is None and y is None:
        from ..data.synthetic import noisy_line
        x, y = noisy_line(seed=0)
    unknown = sorted(set(settings) - set(_CONTROLS))
    if unknown:
        raise TypeError(f"explore got unknown setting(s) {unknown}; the controls are {list(_CONTROLS)}. "
                        f"Received: {settings!r}")
    return Explorer(Playground(x, y, feature_name, target_name), Settings(**settings).checked())


def limit_marker(learning_rate: float, limit: float | None, low: int = RATE_RANGE[0], high: int = RATE_RANGE[1]) -> str:
    """The learning-rate scale as HTML (inline styles, no script): the stable limit as a red tick, the chosen
    rate as a dark one, both at ``(log10(rate) - low) / (high - low)`` of the width."""
    def position(rate: float) -> float:
        return min(max((math.log10(rate) - low) / (high - low), 0.0), 1.0) * 100

    ticks = [f'<div title="learning rate" style="position:absolute;left:{position(learning_rate):.2f}%;top:0;'
             f'width:3px;height:14px;background:#333"></div>']
    label = "no fixed stable limit for an adaptive optimizer"
    if limit is not None:
        ticks.append(f'<div title="stable limit" style="position:absolute;left:{position(limit):.2f}%;top:0;'
                     f'width:3px;height:14px;background:#cf222e"></div>')
        side = "above" if learning_rate > limit else "below"
        label = f"stable limit {limit:.3g} (red); the learning rate {learning_rate:.3g} is {side} it"
    return (f'<div style="position:relative;width:100%;height:14px;background:linear-gradient(to right,#dfe,#fdd)">'
            f'{"".join(ticks)}</div><div style="font-size:12px">{escape(label)}</div>')


def verdict_html(run: Run) -> str:
    """The verdict in a ``role="status"`` region, green when converged, red when diverged."""
    color = "#1a7f37" if run.converged else "#cf222e" if run.diverged else "#9a6700"
    return f'<div role="status" style="color:{color};font-weight:bold">{escape(run.verdict)}</div>'


class Explorer:
    """The widget: controls, the learning-rate scale, the verdict and the three views; :meth:`update` is what
    moving a control does, and can be called directly (headless, in tests)."""

    def __init__(self, playground: Playground, settings: Settings):
        widgets = _ipywidgets()
        self.playground, self.figure, self.run, self.drawn = playground, new_figure(), None, {}
        self.controls = _controls(widgets, settings, playground.x.shape[0])
        self.scale, self.status = widgets.HTML(), widgets.HTML()
        self.image = widgets.Image(format="png")
        rows = [widgets.HBox([self.controls[name] for name in _CONTROLS[:4]]),
                widgets.HBox([self.controls[name] for name in _CONTROLS[4:]])]
        self.widget = widgets.VBox([*rows, self.scale, self.status, self.image])
        self._updating = False
        for control in self.controls.values():
            control.observe(lambda change: self.update(), names="value")
        self.update()

    def settings(self) -> Settings:
        """The controls' values as :class:`Settings` (momentum 0 for the optimizers without it)."""
        values = {name: control.value for name, control in self.controls.items()}
        if values["optimizer"] not in WITH_MOMENTUM:
            values["momentum"] = 0.0
        return Settings(**values)

    def update(self, **changes) -> Run | None:
        """Set the controls named in ``changes``, re-run the engine and redraw; the run (None if refused)."""
        if self._updating:
            return self.run
        self._updating = True
        try:
            for name in changes:
                if name not in self.controls:
                    raise TypeError(f"update got an unknown control {name!r}; the controls are {list(_CONTROLS)}.")
            checked = {name: _within(self.controls[name], name, value) for name, value in changes.items()}
            for name, value in checked.items():  # all checked first: a refused change leaves every control as it was
                self.controls[name].value = value
        finally:
            self._updating = False
        return self._redraw()

    def _redraw(self) -> Run | None:
        self.controls["momentum"].disabled = self.controls["optimizer"].value not in WITH_MOMENTUM
        try:
            settings = self.settings().checked()
        except (TypeError, ValueError) as error:
            self.status.value = f'<div role="status" style="color:#cf222e">{escape(str(error))}</div>'
            return None
        self.run = self.playground.run(settings)
        self.drawn = self.playground.draw(self.run, self.figure)
        self.image.value = png(self.figure)
        self.scale.value = limit_marker(settings.learning_rate, self.run.limit)
        self.status.value = verdict_html(self.run)
        return self.run

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _ipywidgets():
    try:
        import ipywidgets
    except ImportError:
        raise ImportError("linnet.explore needs ipywidgets: pip install 'linnet[notebook]'") from None
    return ipywidgets


def _within(control, name: str, value: Any) -> Any:
    """``value`` checked as :class:`Settings` checks it (each alone), and inside ``control``'s range, which the
    widget would otherwise clamp it to in silence; a batch larger than the rows is all of them, as in ``fit``."""
    value = getattr(replace(Settings(), **{name: value}).checked(), name)
    low, high = getattr(control, "min", None), getattr(control, "max", None)
    if low is None or name == "batch_size":
        return value
    if type(control).__name__ == "FloatLogSlider":
        low, high = control.base ** low, control.base ** high
    if not low <= value <= high:
        raise ValueError(f"{name} must be in [{low:g}, {high:g}], the range of its control. Received: {name}={value!r}")
    return value


def _controls(widgets, settings: Settings, rows: int) -> dict[str, Any]:
    """One labelled widget per control, starting at ``settings``."""
    style = {"description_width": "initial"}
    return {
        "optimizer": widgets.Dropdown(options=list(OPTIMIZERS), value=settings.optimizer, description="Optimizer"),
        "learning_rate": widgets.FloatLogSlider(value=settings.learning_rate, base=10, min=RATE_RANGE[0],
                                                max=RATE_RANGE[1], step=0.05, readout_format=".3g",
                                                description="Learning rate", style=style),
        "batch_size": widgets.IntSlider(value=min(settings.batch_size, rows), min=1, max=rows,
                                        description="Batch size", style=style),
        "epochs": widgets.IntSlider(value=settings.epochs, min=1, max=max(1000, settings.epochs),
                                    description="Epochs"),
        "momentum": widgets.FloatSlider(value=settings.momentum, min=0.0, max=0.99, step=0.01,
                                        description="Momentum"),
        "normalize": widgets.Checkbox(value=settings.normalize, description="Normalization"),
        "seed": widgets.BoundedIntText(value=settings.seed, min=0, max=2**31 - 1, description="Seed"),
    }

"""The logic of ``linnet.explore``: one run of the real engine for a set of controls, and its three pictures.

No widgets here, so it runs, and is tested, headless: ``Playground(x, y).update(settings)`` trains a one-feature
neuron with those settings, then draws into one figure the data with the neuron's line and the least-squares
line, the loss curves with the least-squares loss, and the loss landscape with the optimizer's path and the
optimum. The verdict says in words whether the run converged, diverged and why, or is still far from the optimum.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .. import _naming
from .. import _validation as check
from ..diagnostics.convergence_check import convergence
from ..diagnostics.stability import model_stable_learning_rate
from ..engine import optimizers
from ..engine.callbacks import ParameterHistory
from ..engine.initializers import GlorotUniform
from ..engine.layers import Dense, Input, Normalization
from ..engine.sequential import Sequential
from ..engine.trainer import DivergenceError
from ..exact.results import ols

OPTIMIZERS = {"sgd": optimizers.SGD, "adam": optimizers.Adam, "rmsprop": optimizers.RMSprop,
              "adagrad": optimizers.Adagrad}
WITH_MOMENTUM = ("sgd", "rmsprop")


@dataclass(frozen=True)
class Settings:
    """The controls of one run. ``momentum`` is SGD's and RMSprop's (the others have none); ``normalize`` puts a
    ``Normalization`` layer adapted to ``x`` before the neuron; ``seed`` fixes the first weights and the shuffles."""

    optimizer: str = "sgd"
    learning_rate: float = 0.01
    batch_size: int = 32
    epochs: int = 50
    momentum: float = 0.0
    normalize: bool = False
    seed: int = 0

    def checked(self) -> Settings:
        """These settings, validated (a ``ValueError``/``TypeError`` naming the control and what it received)."""
        check.one_of(self.optimizer, "optimizer", OPTIMIZERS,
                     f"optimizer must be one of {list(OPTIMIZERS)}. Received: optimizer={self.optimizer!r}")
        momentum = check.real_number(self.momentum, "momentum", low=0, high=1, high_open=True)
        if momentum and self.optimizer not in WITH_MOMENTUM:
            raise ValueError(f"momentum applies to {' and '.join(WITH_MOMENTUM)} only; set it to 0 for "
                             f"{self.optimizer}. Received: momentum={self.momentum!r}")
        return replace(self, learning_rate=check.real_number(self.learning_rate, "learning_rate", low=0, low_open=True),
                       batch_size=check.positive_int(self.batch_size, "batch_size"),
                       epochs=check.positive_int(self.epochs, "epochs"),
                       momentum=momentum,
                       normalize=check.boolean(self.normalize, "normalize"),
                       seed=check.non_negative_int(self.seed, "seed"))


@dataclass(frozen=True)
class Run:
    """One run: the trained ``model``, its ``losses`` per epoch, the ``path`` of its parameters, SGD's largest
    stable learning rate ``limit`` for these inputs (None for an adaptive optimizer), and the verdict."""

    settings: Settings
    model: Sequential
    losses: list[float]
    path: ParameterHistory
    limit: float | None
    diverged: bool
    converged: bool
    verdict: str


class Playground:
    """One data set (one feature) and its exact answer; :meth:`run` and :meth:`draw` do the rest.

    Examples
    --------
    >>> playground = Playground([0.0, 1.0, 2.0, 3.0], [1.0, 3.0, 5.0, 7.0])
    >>> run = playground.run(Settings(learning_rate=0.1, epochs=200, batch_size=4))
    >>> run.converged, round(float(run.model.coef_[0]), 3)
    (True, 2.0)
    """

    def __init__(self, x: Any, y: Any, feature_name: str | None = None, target_name: str | None = None):
        self.x = check.features(x, "x", dtype=np.float64)
        if self.x.shape[1] != 1:
            raise ValueError(f"explore draws one feature against y (a line and a two-parameter landscape), but x "
                             f"has {self.x.shape[1]} features. Received: x of shape {self.x.shape}")
        self.y = check.targets(y, self.x.shape[0], "y", dtype=np.float64)[:, 0]
        self.feature_name = _naming.feature_names(feature_name, 1, x, name="feature_name")[0]
        self.target_name = _naming.target_name(target_name, y)
        self.least_squares = ols(self.x, self.y, feature_names=[self.feature_name])
        self.ols_loss = self.least_squares.ssr / self.least_squares.nobs

    def model(self, settings: Settings) -> Sequential:
        """The neuron of these settings, compiled (``Normalization`` first when asked), not yet trained."""
        layers = [Input((1,))]
        if settings.normalize:
            normalization = Normalization()
            normalization.adapt(self.x)
            layers.append(normalization)
        model = Sequential([*layers, Dense(1, kernel_initializer=GlorotUniform(seed=settings.seed))])
        kwargs = {"momentum": settings.momentum} if settings.optimizer in WITH_MOMENTUM else {}
        model.compile(OPTIMIZERS[settings.optimizer](settings.learning_rate, **kwargs), loss="mse")
        return model

    def limit(self, settings: Settings) -> float | None:
        """SGD's largest stable learning rate on these inputs: ``2(1 + β)/λmax`` for momentum ``β`` (heavy ball;
        ``2/λmax`` without), with ``λmax`` the largest eigenvalue of the MSE's Hessian in the trained parameters.
        None for the adaptive optimizers, whose steps have no such fixed limit."""
        if settings.optimizer != "sgd":
            return None
        stability = model_stable_learning_rate(self.model(settings), self.x)
        return 2 * (1 + settings.momentum) / stability.largest_eigenvalue

    def run(self, settings: Settings) -> Run:
        """Train the model of ``settings`` with the real engine and judge the result against least squares."""
        settings = settings.checked()
        model, path = self.model(settings), ParameterHistory()
        limit = self.limit(settings)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # the verdict says it: above the limit, it diverges
                history = model.fit(self.x, self.y, batch_size=settings.batch_size, epochs=settings.epochs,
                                    verbose=0, callbacks=[path], seed=settings.seed)
        except DivergenceError as error:
            losses = list(error.history.history.get("loss", []))
            return Run(settings, model, losses, path, limit, True, False, _diverged(str(error), settings, limit))
        verdict = convergence(model, self.x, self.y, self.least_squares)
        words = (f"Converged: loss {verdict.loss:.4g}, the least-squares loss is {verdict.ols_loss:.4g}."
                 if verdict.converged else
                 f"Still far from the optimum: loss {verdict.loss:.4g} against {verdict.ols_loss:.4g} "
                 f"(ratio {verdict.loss_ratio:.3g}). " + "; ".join(verdict.advice))
        return Run(settings, model, history.history["loss"], path, limit, False, verdict.converged, words)

    def draw(self, run: Run, figure=None) -> dict[str, Any]:
        """Draw ``run`` on ``figure``'s three Axes (a new figure outside pyplot by default); return the
        :class:`~linnet.plot.Drawn` of each, by name (``"data"``, ``"loss"``, ``"landscape"``), plus the figure."""
        from .views import draw
        return draw(self, run, figure)


def _diverged(message: str, settings: Settings, limit: float | None) -> str:
    """The verdict of a run that blew up: what happened, and why when the learning rate passed the limit."""
    why = ""
    if limit is not None and settings.learning_rate > limit:
        why = (f" The learning rate {settings.learning_rate:.3g} is above the stable limit {limit:.3g}: each step "
               f"overshoots the valley's floor by more than it corrects, so the error grows every step.")
    return f"Diverged: {message.split('. ')[0].rstrip('.')}.{why}"

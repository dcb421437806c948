"""How far a trained model is from the exact least-squares answer on its data, and what to change if not."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _html
from .._validation import boolean, targets
from ..engine import losses as losses_module
from ..engine.callbacks.optimum import round_off
from ..engine.optimizers import Adam, Adamax, Nadam, RMSprop
from ..exact.penalized import PenalizedResult, penalized
from ..exact.results import OLSResult
from ..exact.state import Moments
from ._hessian import SingleNeuron, prefix_lift, single_neuron, spectrum, standardizing_lift
from .equation import built_network, checked_ols_result, has_intercept, residual_sum_of_squares
from .penalty import model_penalty
from .stability import sgd_limit, trainable_x

LOSS_TOLERANCE = 0.01
"""The verdict rule: converged when the loss is at most ``(1 + LOSS_TOLERANCE)`` times least squares'."""
LOSS_RATIO_TOLERANCE = 1 + LOSS_TOLERANCE
EXACT_FIT_FLOOR = 1e-6
"""The reference loss is never taken below ``EXACT_FIT_FLOOR·var(y)``: when least squares fits (almost) exactly,
a ratio to its (almost) zero loss says nothing, so the neuron must then explain y as well as ``R² = 1 - 1e-6``."""
PARAMETER_TOLERANCE = 0.01
HOW = {"epochs": ("fit(epochs=...)", "--epochs"), "rate": ("the optimizer's learning_rate", "--learning-rate"),
       "normalize": ("add a Normalization layer adapted to x", "--normalize, or drop --no-standardize"),
       "noise": ("the optimizer's learning_rate, fit(batch_size=...)", "--learning-rate, --batch-size")}
"""Where each piece of advice is acted on: in the library (``cli=False``) and as ``linnet train``'s flag."""
CONDITION_LIMIT = 1e3
SLOW_FACTOR = 10
_ADAPTIVE = (Adam, Adamax, Nadam, RMSprop)  # steps of about learning_rate per parameter (AdamW is an Adam)


@dataclass(frozen=True)
class Convergence:
    """How close a trained model is to the least-squares optimum on some data, and what to change if not.

    ``loss`` is the model's MSE (whatever loss it was trained with), ``ols_loss`` the least-squares MSE
    ``ssr/n``, ``loss_ratio`` their ratio, ``parameter_distance`` ``||θ - θ*|| / ||θ*||`` over
    ``θ = (intercept, coef)`` in the original units (absolute when ``θ* = 0``). The one verdict rule:
    ``converged`` is ``loss_ratio <= 1 + LOSS_TOLERANCE`` (1.01), within 1% of the best loss (or a loss
    above the optimum's by float32 round-off at most, ``optimum.round_off``; the reference loss is at least
    ``EXACT_FIT_FLOOR·var(y)``, so an exact fit of a varying y gives a finite ratio). Parameters more
    than ``PARAMETER_TOLERANCE`` (1%) away at that loss lie in a ``flat_valley``: directions along which the
    loss hardly changes (correlated or badly scaled features), so the data do not pin them down.
    Each ``advice`` entry starts with what to do ("train more epochs", "use a larger learning rate",
    "normalize the inputs", "lower the learning rate or use larger batches") and where (the argument, or the
    flag of ``linnet train``), then why. ``note`` explains a gap that is expected (a loss other than MSE has
    another optimum).
    """

    loss: float
    ols_loss: float
    loss_ratio: float
    parameter_distance: float
    converged: bool
    advice: tuple[str, ...] = ()
    note: str = ""

    @property
    def flat_valley(self) -> bool:
        return self.converged and self.parameter_distance > PARAMETER_TOLERANCE

    def __str__(self) -> str:
        verdict = "converged to" if self.converged else "not converged to"
        within = (f"{LOSS_TOLERANCE:.0%} of its" if self.loss_ratio <= LOSS_RATIO_TOLERANCE or not self.converged
                  else "float32 round-off of its")
        ratio = f" (ratio {self.loss_ratio:.6g})" if math.isfinite(self.loss_ratio) else ""
        lines = [f"Training has {verdict} the least-squares answer (loss within {within}): loss (MSE) "
                 f"{self.loss:.6g} vs {self.ols_loss:.6g}{ratio}, parameters {self.parameter_distance:.3g} away "
                 f"(relative distance)."]
        if self.flat_valley:
            lines.append("  The parameters differ although the loss is the same: the loss is a flat valley along "
                         "some direction (correlated or badly scaled features), which the data do not pin down.")
        lines += [f"  - {advice}" for advice in self.advice]
        return "\n".join(lines + ([self.note] if self.note else []))

    __repr__ = __str__  # the verdict in words, not a dataclass dump
    _repr_html_ = _html.html  # the verdict and the advice (linnet.notebook.display)


def convergence(model, x: Any, y: Any, ols_result: OLSResult | None = None, *, cli: bool = False) -> Convergence:
    """Compare a trained model with least squares on ``(x, y)``; say what to change when it falls short.

    ``ols_result`` (from :func:`linnet.stats.ols` on the same data) saves refitting; by default least squares
    is fitted with an intercept iff a ``Dense`` layer has a bias; ``cli`` names ``linnet train``'s flags in the
    advice instead of the library's arguments (``HOW``). Advice, only when not converged:

    - "train more epochs": the history's mean loss over the last 10% of epochs fell by more than 1%, and by
      more than twice its epoch-to-epoch spread there (mini-batch noise is no fall), against the 10% before
      (or the model has not been trained);
    - "use a larger learning rate": Adam-like optimizers move each parameter by about ``learning_rate`` per
      step, and the distance left (largest, in the units the neuron trains in) exceeds ``lr × steps run``;
      or SGD's learning rate is ``SLOW_FACTOR`` (10) times below its stable limit;
    - "normalize the inputs": the Hessian's condition number on the inputs the first trainable layer sees
      exceeds ``CONDITION_LIMIT`` (10³; gradient descent needs about ``κ/2`` steps per e-fold) and
      standardizing would lower it at least tenfold;
    - otherwise "lower the learning rate or use larger batches": the loss stopped falling short of the optimum.
    """
    network = built_network(model)
    x = trainable_x(x, network.input_dim)
    y = targets(y, x.shape[0], "y", dtype=np.float64)[:, 0]
    moments, penalty = Moments().update(x, y), model_penalty(network)
    if ols_result is None:  # a regularized model is measured against its penalized optimum
        ols_result = (penalized(moments, penalty, has_intercept(network)) if penalty
                      else OLSResult.from_moments(moments, has_intercept(network)))
    reference = checked_ols_result(ols_result, network)
    coef, intercept = network.affine()
    loss = residual_sum_of_squares(coef, intercept, x, y) / x.shape[0]
    ols_loss = reference.ssr / reference.nobs
    if isinstance(reference, PenalizedResult):  # compare Keras' loss, mse + penalty, with its minimum
        loss, ols_loss = loss + reference.penalty.value(coef, intercept), reference.objective
    reference_loss = max(ols_loss, EXACT_FIT_FLOOR * float(np.var(y)))
    ratio = loss / reference_loss if reference_loss > 0 else (1.0 if loss == 0 else math.inf)
    target = np.concatenate([[reference.intercept_], reference.coef_])
    distance = float(np.linalg.norm(np.concatenate([[intercept], coef]) - target) / (np.linalg.norm(target) or 1.0))
    converged = (ratio <= LOSS_RATIO_TOLERANCE
                 or loss <= ols_loss + round_off(x, y, reference.coef_, reference.intercept_))
    mse = model.loss is None or isinstance(model.loss, losses_module.MeanSquaredError)
    note = "" if mse else (f"The model minimizes {model.loss.name}, whose optimum is not least squares': part of "
                           f"the gap is expected.")
    return Convergence(loss, ols_loss, ratio, distance, converged,
                       () if converged else _advice(model, moments, reference, mse, int(boolean(cli, "cli"))), note)


def _advice(model, moments: Moments, reference: OLSResult, mse: bool, where: int) -> tuple[str, ...]:
    found = [(key, text) for key, text in (("epochs", _more_epochs(model.history)),
                                           ("rate", _larger_learning_rate(model, moments, reference)),
                                           ("normalize", _normalize(model, moments))) if text]
    if not found and mse:
        found.append(("noise", "lower the learning rate or use larger batches: the loss stopped falling short of the "
                               "optimum, the mark of gradient noise (mini-batches) or of a step too large to settle"))
    return tuple(_with_where(text, HOW[key][where]) for key, text in found)


def _with_where(text: str, where: str) -> str:
    """``"do X: why"`` as ``"do X (where): why"``."""
    action, _, why = text.partition(": ")
    return f"{action} ({where}): {why}"


def _more_epochs(history) -> str | None:
    losses = history.history.get("loss", []) if history is not None else []
    if len(losses) < 2:
        return "train more epochs: " + ("only one epoch was run" if losses else "the model has not been trained")
    window = max(1, round(0.1 * len(losses)))
    recent = np.asarray(losses[-window:])
    before, last = np.mean(losses[-2 * window:-window]), recent.mean()
    drop = (before - last) / before if before > 0 else 0.0
    # a steady fall, not the epoch-to-epoch noise of mini-batches (a loss of 0 has nothing left to fall)
    if last > 0 and drop > max(0.01, 2 * recent.std() / last):
        return (f"train more epochs: the loss still fell {drop:.1%} over the last {window} epoch(s) (mean over "
                f"them against the {window} before)")
    return None


def _larger_learning_rate(model, moments: Moments, reference: OLSResult) -> str | None:
    optimizer, neuron = model.optimizer, single_neuron(model.network)
    if neuron is None or not getattr(optimizer, "iterations", 0):
        return None
    if isinstance(optimizer, _ADAPTIVE):
        return _adaptive_reach(optimizer, neuron, reference)
    rule = sgd_limit(optimizer, spectrum(moments, neuron.lift, neuron.dense.use_bias, *_curvature(model))[0])
    if rule is None or not math.isfinite(rule[0]) or optimizer.learning_rate * SLOW_FACTOR >= rule[0]:
        return None  # (no finite limit: a loss without curvature, MAE or MAPE, bounds no stable rate)
    return (f"use a larger learning rate: {optimizer.learning_rate:.3g} is {rule[0] / optimizer.learning_rate:.0f} "
            f"times below the largest stable learning rate of SGD on these inputs, {rule[0]:.4g} ({rule[1]}), "
            f"and the steps shrink the error that many times more slowly")


def _adaptive_reach(optimizer, neuron: SingleNeuron, reference: OLSResult) -> str | None:
    """Advice when the distance left exceeds what ``iterations`` steps of about ``learning_rate`` can cover."""
    matrix, offset = neuron.lift[1:, 1:], neuron.lift[0, 1:]
    kernel = np.linalg.lstsq(matrix, reference.coef_ / neuron.gain, rcond=None)[0]
    gaps = np.abs(neuron.dense.kernel[:, 0] - kernel)
    if neuron.dense.use_bias:
        bias = (reference.intercept_ - neuron.offset) / neuron.gain - offset @ kernel
        gaps = np.append(gaps, abs(neuron.dense.bias[0] - bias))
    travel = optimizer.learning_rate * optimizer.iterations
    if gaps.max() <= travel:
        return None
    return (f"use a larger learning rate: {type(optimizer).__name__} moves each parameter by about the learning "
            f"rate ({optimizer.learning_rate:.3g}) per step, about {travel:.3g} in the {optimizer.iterations} "
            f"steps run, but a parameter is still {gaps.max():.3g} from least squares (in the units the neuron "
            f"trains in)")


def _curvature(model) -> tuple[float, np.ndarray | None]:
    """The curvature arguments of ``_hessian.spectrum`` for the model's neuron (``SingleNeuron.curvature``; an
    uncompiled model's loss taken as MSE's); ``(1, None)`` for a stack of several trainable layers."""
    neuron = single_neuron(model.network)
    if neuron is None:
        return 1.0, None
    return neuron.curvature(model.loss.curvature() if model.loss is not None else 2.0)


def _normalize(model, moments: Moments) -> str | None:
    fit_intercept = has_intercept(model.network)
    curvature = _curvature(model)
    condition = spectrum(moments, prefix_lift(model.network), fit_intercept, *curvature)[1]
    normalized = spectrum(moments, standardizing_lift(moments), fit_intercept, *curvature)[1]
    if condition <= CONDITION_LIMIT or condition <= 10 * normalized:
        return None
    return (f"normalize the inputs: the loss is {condition:.3g} times more curved along one direction than "
            f"another (condition number of its Hessian), so gradient descent crawls along the flat one; "
            f"standardized inputs bring this to {normalized:.3g}")

"""What can go wrong when a linear neuron is trained by gradient descent, checked by pure functions.

- :func:`stable_learning_rate` / :func:`model_stable_learning_rate`: the largest learning rate at which gradient
  descent converges, from the largest eigenvalue of the loss's Hessian; :func:`learning_rate_warning` checks a
  compiled model before ``fit``.
- :func:`exploding`: the rule that declares a run of epoch losses diverged.
- :func:`sorted_tail_warning`: whether the tail that ``validation_split`` holds out is a fair sample.
- :func:`convergence`: how far a trained model is from the exact least-squares answer, and what to change.

For a single ``Dense`` layer the loss is a quadratic (MSE) or bounded by one (Huber, log-cosh) in the
parameters ``θ = (bias, kernel)``: with ``Xa = [1, x]`` (the inputs the layer sees) its Hessian is
``H = c·(1/n)·Xaᵀ Xa``, ``c`` the loss's ``curvature()`` (2 for MSE). Gradient descent ``θ ← θ - lr·∇L``
multiplies the error along each eigenvector of ``H`` by ``1 - lr·λ`` per step, so it converges iff
``lr < 2/λmax``; the flattest direction then needs about ``κ/2`` steps per e-fold, ``κ = λmax/λmin``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from . import losses as losses_module
from ._checks import features, positive_int, targets
from ._moments import ROWS_PER_CHUNK, Moments
from .equation import built_network, has_intercept, residual_sum_of_squares
from .optimizers import SGD, Adam, Adamax, Nadam, RMSprop
from .stats import OLSResult
from .training import EXPLOSION_FACTOR, RISING_EPOCHS, exploding, split_validation  # noqa: F401 (public here too)

BATCH_EIGEN_BUDGET = 2e7
"""Per-batch eigenvalues are computed when ``batches × (d+1)³`` is at most this (about 0.1 s)."""


@dataclass(frozen=True)
class StabilityLimit:
    """The largest stable learning rate of plain gradient descent for one data set and loss.

    Attributes
    ----------
    learning_rate : float
        ``2 / largest_eigenvalue``: full-batch gradient descent converges below it and diverges above it
        (``inf`` for a loss without curvature, such as MAE).
    largest_eigenvalue : float
        λmax of the Hessian of the mean loss with respect to (bias, kernel).
    condition_number : float
        λmax / λmin of that Hessian (``inf`` when singular).
    normalized_learning_rate, normalized_condition_number : float
        The same for standardized inputs (what a ``Normalization`` layer adapted to ``x`` gives).
    batch_note : str
        What mini-batches change.
    batch_learning_rate : float or None
        ``2 / max λmax`` over the batches in row order: below it every step is non-expansive, so the loss
        cannot blow up. None when not computed (full batch, or too many batches to check cheaply).
    """

    learning_rate: float
    largest_eigenvalue: float
    condition_number: float
    normalized_learning_rate: float
    normalized_condition_number: float
    batch_note: str
    batch_learning_rate: float | None = None

    def __str__(self) -> str:
        return (f"Largest stable learning rate of gradient descent: {self.learning_rate:.4g} (2/λmax, λmax = "
                f"{self.largest_eigenvalue:.4g} the largest eigenvalue of the loss's Hessian; condition number "
                f"{self.condition_number:.4g}). Standardized inputs would allow {self.normalized_learning_rate:.4g} "
                f"(condition number {self.normalized_condition_number:.4g}). {self.batch_note}")


def stable_learning_rate(x: Any, loss: Any = "mse", fit_intercept: bool = True,
                         batch_size: int | None = None) -> StabilityLimit:
    """The largest stable learning rate of plain SGD for a ``Dense(1)`` layer on inputs ``x``.

    Parameters
    ----------
    x : array-like, shape (n, d) or (n,)
        The inputs the layer sees (after any normalization). Processed 65,536 rows at a time in float64.
    loss : str or Loss
        Its ``curvature()`` scales the Hessian (2 for MSE; 1 for Huber and log-cosh, an upper bound there).
    fit_intercept : bool
        Whether the layer has a bias (a column of ones in ``Xa``).
    batch_size : int, optional
        The training batch size; ``None`` or ``>= n`` means full-batch gradient descent.

    Examples
    --------
    ``x = [1, 2, 3]`` with MSE: ``H = (2/3)·[[3, 6], [6, 14]]``, ``λmax = (17 + √265)/3 ≈ 11.09``:

    >>> round(stable_learning_rate([1.0, 2.0, 3.0]).learning_rate, 4)
    0.1803
    """
    x = features(x, "x", dtype=None)
    batch_size = positive_int(batch_size, "batch_size", allow_none=True)
    if not isinstance(fit_intercept, (bool, np.bool_)):
        raise TypeError(f"fit_intercept must be True or False, received {fit_intercept!r}.")
    curvature = losses_module.get(loss).curvature()
    moments = Moments().update(x, np.zeros(x.shape[0]))
    return _stability(x, moments, curvature, bool(fit_intercept), batch_size, np.eye(x.shape[1] + 1))


def model_stable_learning_rate(model, x: Any, batch_size: int | None = None) -> StabilityLimit | None:
    """:func:`stable_learning_rate` for a compiled, built model, on the inputs its ``Dense`` layer sees.

    Layers before the ``Dense`` layer (a ``Normalization``) transform ``x`` first; layers after it scale the
    output by a gain ``g`` and so the Hessian by ``g²``. Returns None when the model has more than one
    ``Dense`` layer: the loss is then not quadratic in the parameters (the product of the kernels is) and
    has no single stable learning rate.
    """
    network = built_network(model)
    neuron = _single_neuron(network)
    if neuron is None:
        return None
    if model.loss is None:
        raise ValueError("The model has no loss yet; compile it first, e.g. model.compile('sgd', loss='mse').")
    x = features(x, "x", n_features=network.input_dim, dtype=None)
    batch_size = positive_int(batch_size, "batch_size", allow_none=True)
    moments = Moments().update(x, np.zeros(x.shape[0]))
    curvature = model.loss.curvature() * neuron.gain ** 2
    return _stability(x, moments, curvature, neuron.dense.use_bias, batch_size, neuron.lift)


def learning_rate_warning(model, x: Any, batch_size: int | None = None) -> str | None:
    """The warning ``fit`` gives when SGD's learning rate is above the stable limit, else None.

    Only for ``SGD`` with a constant learning rate (no schedule) on a model with one ``Dense`` layer. On a
    quadratic with Hessian eigenvalue ``λ`` and ``a = lr·(λ + weight_decay)`` (Keras' decoupled weight decay
    adds to every eigenvalue), the iteration is stable iff (Jury's criterion on its characteristic
    polynomial):

    - plain SGD, ``θ ← θ - lr·g``: ``a < 2``;
    - heavy-ball momentum ``μ`` (``z² - (1 + μ - a)z + μ``): ``a < 2(1 + μ)``;
    - Nesterov momentum (``z² - (1 + μ)(1 - a)z + μ(1 - a)``): ``a < 2(1 + μ)/(1 + 2μ)``.
    """
    optimizer = model.optimizer
    stability = model_stable_learning_rate(model, x, batch_size) if _constant_rate_sgd(optimizer) else None
    if stability is None or stability.largest_eigenvalue == 0:
        return None
    limit, formula = _sgd_limit(optimizer, stability.largest_eigenvalue)
    if optimizer.learning_rate <= limit:
        return None
    normalized = _sgd_limit(optimizer, 2.0 / stability.normalized_learning_rate)[0]
    outcome = "will diverge" if isinstance(model.loss, losses_module.MeanSquaredError) else "can diverge"
    fix = (f"normalize the inputs (a Normalization layer adapted to x allows learning rates up to "
           f"{normalized:.4g}), or " if normalized > 1.5 * limit else "")
    return (f"The learning rate {optimizer.learning_rate:.4g} is above the largest stable learning rate of SGD "
            f"on these inputs, {limit:.4g} ({formula}, λmax = {stability.largest_eigenvalue:.4g} the largest "
            f"eigenvalue of the loss's Hessian): training {outcome}. Fix: {fix}use learning_rate <= {limit:.4g}.")


def _constant_rate_sgd(optimizer) -> bool:
    return isinstance(optimizer, SGD) and not isinstance(optimizer.get_config()["learning_rate"], dict)


def _sgd_limit(optimizer, eigenvalue: float) -> tuple[float, str] | None:
    """SGD's largest stable learning rate for Hessian eigenvalue ``eigenvalue``, and its formula.

    None for other optimizers and for learning-rate schedules.
    """
    if not _constant_rate_sgd(optimizer):
        return None
    mu, decay = optimizer.momentum, optimizer.weight_decay or 0.0
    eigen = "(λmax + weight_decay)" if decay else "λmax"
    if not mu:
        factor, formula = 1.0, f"2/{eigen}"
    elif optimizer.nesterov:
        factor, formula = (1 + mu) / (1 + 2 * mu), f"2(1+μ)/((1+2μ)·{eigen}) for Nesterov momentum μ = {mu:g}"
    else:
        factor, formula = 1 + mu, f"2(1+μ)/{eigen} for momentum μ = {mu:g}"
    return factor * _limit(eigenvalue + decay), formula


@dataclass(frozen=True)
class _SingleNeuron:
    """A stack with one trainable ``Dense`` layer: ``y = gain·(([1, x] @ lift)[:, 1:] @ kernel + bias) + offset``."""

    dense: Any
    lift: np.ndarray
    gain: float
    offset: float


def _layers_map(layers, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """``(A, b)`` such that the affine ``layers`` map ``z`` (``dim`` features) to ``z @ A + b``."""
    def run(z):
        for layer in layers:
            z = layer.call(z)
        return np.asarray(z, dtype=np.float64)
    offset = run(np.zeros((1, dim)))
    return run(np.eye(dim)) - offset, offset[0]


def _lift(matrix: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """``T`` with ``[1, z] @ T = [1, z @ matrix + offset]``."""
    lift = np.zeros((matrix.shape[0] + 1, matrix.shape[1] + 1))
    lift[0, 0], lift[0, 1:], lift[1:, 1:] = 1.0, offset, matrix
    return lift


def _prefix_lift(network) -> np.ndarray:
    """The lift of the untrained layers before the first trainable one (a ``Normalization``, say)."""
    return _lift(*_layers_map(network.layers[:network.first_trainable], network.input_dim))


def _single_neuron(network) -> _SingleNeuron | None:
    trainable = [i for i, layer in enumerate(network.layers) if layer.trainable_names]
    if len(trainable) != 1:
        return None
    index = trainable[0]
    gain, offset = _layers_map(network.layers[index + 1:], 1)
    return _SingleNeuron(network.layers[index], _prefix_lift(network), float(gain[0, 0]), float(offset[0]))


def _standardizing_lift(moments: Moments) -> np.ndarray:
    """The lift of ``(x - mean) / std`` (a constant column keeps std 1)."""
    std = np.sqrt(np.diag(moments.sxx) / moments.n)
    std = np.where(std > 0, std, 1.0)
    return _lift(np.diag(1.0 / std), -moments.mean_x / std)


def _spectrum(moments: Moments, lift: np.ndarray, fit_intercept: bool) -> tuple[float, float]:
    """λmax and λmax/λmin of ``(1/n) Xaᵀ Xa`` for ``Xa = [1, x] @ lift`` (without the ones if no intercept)."""
    gram = lift.T @ (moments.gram(fit_intercept=True) / moments.n) @ lift
    eigenvalues = np.linalg.eigvalsh(gram if fit_intercept else gram[1:, 1:])
    largest, smallest = float(eigenvalues[-1]), float(eigenvalues[0])
    return largest, largest / smallest if smallest > 1e-12 * largest else math.inf


def _limit(eigenvalue: float) -> float:
    return 2.0 / eigenvalue if eigenvalue > 0 else math.inf


def _stability(x, moments, curvature, fit_intercept, batch_size, lift) -> StabilityLimit:
    largest, condition = _spectrum(moments, lift, fit_intercept)
    normalized, normalized_condition = _spectrum(moments, _standardizing_lift(moments), fit_intercept)
    n, columns = x.shape[0], x.shape[1] + fit_intercept
    batches = -(-n // batch_size) if batch_size else 1
    batch_largest = None
    if batches > 1 and batches * columns ** 3 <= BATCH_EIGEN_BUDGET:
        batch_largest = curvature * _largest_batch_eigenvalue(x, batch_size, lift, fit_intercept)
    limit = _limit(curvature * largest)
    return StabilityLimit(limit, curvature * largest, condition, _limit(curvature * normalized),
                          normalized_condition, _batch_note(n, batch_size, batches, batch_largest),
                          None if batch_largest is None else _limit(batch_largest))


def _largest_batch_eigenvalue(x: np.ndarray, batch_size: int, lift: np.ndarray, fit_intercept: bool) -> float:
    """Max over the batches (in row order) of λmax of ``(1/B) Xbᵀ Xb``, whole batches of ~65,536 rows at a time.

    Each batch's Gram is taken of the raw ``[1, x]`` and then lifted (``Tᵀ G T``): ``d³`` per batch, instead
    of lifting every row (``B·d²`` per batch).
    """
    columns = slice(0 if fit_intercept else 1, None)
    rows = max(1, min(ROWS_PER_CHUNK // batch_size, 2 ** 20 // lift.shape[0] ** 2)) * batch_size
    largest = 0.0
    for start in range(0, x.shape[0], rows):
        chunk = x[start:start + rows]
        design = np.column_stack([np.ones(chunk.shape[0]), chunk.astype(np.float64)])
        full = design.shape[0] // batch_size * batch_size
        for group in (design[:full].reshape(-1, batch_size, design.shape[1]), design[full:][None]):
            if group.size:
                grams = lift.T @ (group.transpose(0, 2, 1) @ group) @ lift / group.shape[1]
                largest = max(largest, float(np.linalg.eigvalsh(grams[:, columns, columns])[:, -1].max()))
    return largest


def _batch_note(n: int, batch_size: int | None, batches: int, batch_largest: float | None) -> str:
    if batch_size is None:
        return ("This is the limit of full-batch gradient descent; mini-batches see noisy Hessians whose largest "
                "eigenvalue can exceed the average's, so they may need a smaller rate.")
    if batches == 1:
        return f"Full-batch gradient descent (batch_size {batch_size} >= {n} rows): the limit is exact."
    rows = f"{batch_size} row{'s' * (batch_size > 1)}"
    start = f"Mini-batches of {rows} see noisy Hessians: the limit is that of their average."
    if batch_largest is None:
        return (f"{start} A batch's own λmax can be larger, so training may need a smaller rate (the {batches} "
                f"batches were too many to check one by one).")
    return (f"{start} Over the {batches} batches in row order the largest λmax is {batch_largest:.4g}: below "
            f"learning rate {_limit(batch_largest):.4g} every step is non-expansive and the loss cannot blow up; "
            f"between the two limits training may or may not diverge.")


SORTED_TAIL_MIN_ROWS = 30
ORDER_CORRELATION = 0.5
OUT_OF_RANGE_SHARE = 0.5
_RANKED_ROWS = 10_000


def sorted_tail_warning(x: Any, y: Any, validation_split: float) -> str | None:
    """A warning when the validation rows ``fit(validation_split=...)`` holds out are not a fair sample, else None.

    Keras takes the last ``validation_split`` of the rows, before any shuffling. That tail is suspect when,
    for ``y`` or any feature,

    - more than ``OUT_OF_RANGE_SHARE`` (half) of the validation rows lie outside the training rows' range
      (a random split puts about ``2/n_train`` of them there), or
    - the column is ordered by row number: ``|Spearman ρ| > ORDER_CORRELATION`` (0.5) between its values
      and the row index, on at most 10,000 evenly spaced rows (for shuffled rows ``ρ`` is about
      ``±1/√n``).

    Data with fewer than ``SORTED_TAIL_MIN_ROWS`` (30) rows are not judged: chance orderings are common there.
    """
    names = [str(column) for column in x.columns] if hasattr(x, "columns") else None
    x = features(x, "x", dtype=None)
    y = targets(y, x.shape[0], "y", dtype=None)
    (x_train, y_train), (x_val, y_val) = split_validation(x, y, validation_split)
    n = x.shape[0]
    if n < SORTED_TAIL_MIN_ROWS:
        return None
    names = ["y"] + (names or [f"x[:, {j}]" for j in range(x.shape[1])])
    low, high, outside = (np.concatenate(parts) for parts in zip(_range_check(y_train, y_val),
                                                                   _range_check(x_train, x_val)))
    problems = [f"{outside[j]:.0%} of the validation rows have {name} outside the training range "
                f"[{low[j]:.4g}, {high[j]:.4g}]" for j, name in enumerate(names) if outside[j] > OUT_OF_RANGE_SHARE]
    step = max(1, n // _RANKED_ROWS)
    sample = np.hstack([y[::step], x[::step]])
    for j, name in enumerate(names):
        rho = _order_correlation(sample[:, j])
        if abs(rho) > ORDER_CORRELATION:
            problems.append(f"{name} is ordered by row number (Spearman ρ = {rho:.2f})")
    if not problems:
        return None
    more = f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
    return (f"validation_split={validation_split:g} holds out the last {x_val.shape[0]} of {n} rows, and they do "
            f"not look like a random sample: {'; '.join(problems[:3])}{more}. Keras takes this split before "
            f"shuffling (fit's shuffle only reorders the training rows), so shuffle the rows before fit (e.g. "
            f"order = np.random.permutation(len(x)); x, y = x[order], y[order]) or pass "
            f"validation_data=(x_val, y_val).")


def _range_check(train: np.ndarray, validation: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per column: the training minimum and maximum, and the share of validation rows outside them."""
    low, high = train.min(axis=0), train.max(axis=0)
    return low, high, ((validation < low) | (validation > high)).mean(axis=0)


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n, ties sharing their average rank (as Spearman's ρ needs)."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    return (ends - (counts - 1) / 2.0)[inverse.ravel()]


def _order_correlation(column: np.ndarray) -> float:
    """Spearman's ρ between ``column`` and the row number."""
    ranks = _average_ranks(column)
    if ranks.min() == ranks.max():
        return 0.0
    return float(np.corrcoef(ranks, np.arange(ranks.size))[0, 1])


LOSS_RATIO_TOLERANCE = 1.01
PARAMETER_TOLERANCE = 0.01
CONDITION_LIMIT = 1e3
SLOW_FACTOR = 10
_ADAPTIVE = (Adam, Adamax, Nadam, RMSprop)  # steps of about learning_rate per parameter (AdamW is an Adam)


@dataclass(frozen=True)
class Convergence:
    """How close a trained model is to the least-squares optimum on some data, and what to change if not.

    ``loss`` is the model's MSE (whatever loss it was trained with), ``ols_loss`` the least-squares MSE
    ``ssr/n``, ``loss_ratio`` their ratio, ``parameter_distance`` ``||θ - θ*|| / ||θ*||`` over
    ``θ = (intercept, coef)`` in the original units (absolute when ``θ* = 0``). ``converged`` is
    ``loss_ratio < 1.01 and parameter_distance < 0.01``: within 1% of the best loss and of the parameters.
    Each ``advice`` entry starts with what to do ("train more epochs", "use a larger learning rate",
    "normalize the inputs", "lower the learning rate or use larger batches"), then why. ``note`` explains a
    gap that is expected (a loss other than MSE has another optimum).
    """

    loss: float
    ols_loss: float
    loss_ratio: float
    parameter_distance: float
    converged: bool
    advice: tuple[str, ...] = ()
    note: str = ""

    def __str__(self) -> str:
        verdict = "converged to" if self.converged else "not converged to"
        lines = [f"Training has {verdict} the least-squares answer: loss (MSE) {self.loss:.6g} vs "
                 f"{self.ols_loss:.6g} (ratio {self.loss_ratio:.6g}), parameters {self.parameter_distance:.3g} away "
                 f"(relative distance)."]
        lines += [f"  - {advice}" for advice in self.advice]
        return "\n".join(lines + ([self.note] if self.note else []))


def convergence(model, x: Any, y: Any, ols_result: OLSResult | None = None) -> Convergence:
    """Compare a trained model with least squares on ``(x, y)``; say what to change when it falls short.

    ``ols_result`` (from :func:`linnet.stats.ols` on the same data) saves refitting; by default least squares
    is fitted with an intercept iff a ``Dense`` layer has a bias. Advice, only when not converged:

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
    x = features(x, "x", n_features=network.input_dim, dtype=None)
    y = targets(y, x.shape[0], "y", dtype=np.float64)[:, 0]
    moments = Moments().update(x, y)
    reference = OLSResult.from_moments(moments, has_intercept(network)) if ols_result is None else ols_result
    if not isinstance(reference, OLSResult) or reference.coef_.size != network.input_dim:
        raise ValueError(f"ols_result must be the OLSResult of linnet.stats.ols on {network.input_dim} feature(s), "
                         f"received {reference!r}.")
    coef, intercept = network.affine()
    loss = residual_sum_of_squares(coef, intercept, x, y) / x.shape[0]
    ols_loss = reference.ssr / reference.nobs
    ratio = loss / ols_loss if ols_loss > 0 else (1.0 if loss == 0 else math.inf)
    target = np.concatenate([[reference.intercept_], reference.coef_])
    distance = float(np.linalg.norm(np.concatenate([[intercept], coef]) - target) / (np.linalg.norm(target) or 1.0))
    converged = ratio < LOSS_RATIO_TOLERANCE and distance < PARAMETER_TOLERANCE
    mse = model.loss is None or isinstance(model.loss, losses_module.MeanSquaredError)
    note = "" if mse else (f"The model minimizes {model.loss.name}, whose optimum is not least squares': part of "
                           f"the gap is expected.")
    return Convergence(loss, ols_loss, ratio, distance, converged,
                       () if converged else _advice(model, moments, reference, mse), note)


def _advice(model, moments: Moments, reference: OLSResult, mse: bool) -> tuple[str, ...]:
    advice = [text for text in (_more_epochs(model.history), _larger_learning_rate(model, moments, reference),
                                _normalize(model.network, moments)) if text]
    if not advice and mse:
        advice.append("lower the learning rate or use larger batches: the loss stopped falling short of the "
                      "optimum, the mark of gradient noise (mini-batches) or of a step too large to settle")
    return tuple(advice)


def _more_epochs(history) -> str | None:
    losses = history.history.get("loss", []) if history is not None else []
    if len(losses) < 2:
        return "train more epochs: " + ("only one epoch was run" if losses else "the model has not been trained")
    window = max(1, round(0.1 * len(losses)))
    recent = np.asarray(losses[-window:])
    before, last = np.mean(losses[-2 * window:-window]), recent.mean()
    drop = (before - last) / before if before > 0 else 0.0
    if drop > max(0.01, 2 * recent.std() / last):  # a steady fall, not the epoch-to-epoch noise of mini-batches
        return (f"train more epochs: the loss still fell {drop:.1%} over the last {window} epoch(s) (mean over "
                f"them against the {window} before)")
    return None


def _larger_learning_rate(model, moments: Moments, reference: OLSResult) -> str | None:
    optimizer, neuron = model.optimizer, _single_neuron(model.network)
    if neuron is None or not getattr(optimizer, "iterations", 0):
        return None
    if isinstance(optimizer, _ADAPTIVE):
        return _adaptive_reach(optimizer, neuron, reference)
    largest = _spectrum(moments, neuron.lift, neuron.dense.use_bias)[0]
    rule = _sgd_limit(optimizer, model.loss.curvature() * neuron.gain ** 2 * largest)
    if rule is None or optimizer.learning_rate * SLOW_FACTOR >= rule[0]:
        return None
    return (f"use a larger learning rate: {optimizer.learning_rate:.3g} is {rule[0] / optimizer.learning_rate:.0f} "
            f"times below the largest stable learning rate of SGD on these inputs, {rule[0]:.4g} ({rule[1]}), "
            f"and the steps shrink the error that many times more slowly")


def _adaptive_reach(optimizer, neuron: _SingleNeuron, reference: OLSResult) -> str | None:
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
            f"rate ({optimizer.learning_rate:.3g}) per step, at most {travel:.3g} in the {optimizer.iterations} "
            f"steps run, but a parameter is still {gaps.max():.3g} from least squares (in the units the neuron "
            f"trains in)")


def _normalize(network, moments: Moments) -> str | None:
    fit_intercept = has_intercept(network)
    condition = _spectrum(moments, _prefix_lift(network), fit_intercept)[1]
    normalized = _spectrum(moments, _standardizing_lift(moments), fit_intercept)[1]
    if condition <= CONDITION_LIMIT or condition <= 10 * normalized:
        return None
    return (f"normalize the inputs: the loss is {condition:.3g} times more curved along one direction than "
            f"another (condition number of its Hessian), so gradient descent crawls along the flat one; "
            f"standardized inputs bring this to {normalized:.3g} (add a Normalization layer adapted to x)")

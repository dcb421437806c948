"""The largest learning rate at which gradient descent on a linear neuron converges, and the warning ``fit``
gives above it; see :mod:`linnet.diagnostics` for the theory."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import boolean, ceil_div, features, positive_int
from ..engine import losses as losses_module
from ..engine.network import built_network, linnet_model
from ..engine.optimizers import SGD
from ..exact.state import ROWS_PER_CHUNK, Moments
from ._hessian import single_neuron, spectrum, standardizing_lift

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
        λmax of the Hessian of the mean loss with respect to (bias, kernel), its L2 penalties included (a
        regularized model's loss is ``mse + l2·Σk²``, whose curvature adds ``2·l2``).
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
    x : array-like, shape (n, d) or (n,), or LeastSquaresState
        The inputs the layer sees (after any normalization), processed 8,192 rows at a time in float64; or a
        :class:`linnet.exact.LeastSquaresState` of them (then per-batch limits, which need the rows, are
        not computed).
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
    x, moments = _rows_and_state(x)
    batch_size = positive_int(batch_size, "batch_size", allow_none=True)
    fit_intercept = boolean(fit_intercept, "fit_intercept")
    curvature = losses_module.get(loss).curvature()
    return _stability(x, moments, curvature, bool(fit_intercept), batch_size, np.eye(moments.n_features + 1))


def _x_state(x: np.ndarray) -> Moments:
    """The least-squares state of ``x`` alone: the Hessian needs only x's cross-products. Its y column is
    standard normal noise (fixed seed), not zeros: a y the rows fit exactly would send the state to its QR path,
    which the residual's accuracy needs and the Hessian does not."""
    noise = np.random.default_rng(0).standard_normal(x.shape[0])
    return Moments().update(x, noise)


def _rows_and_state(x: Any) -> tuple[np.ndarray | None, Moments]:
    """``(rows, state)`` for rows; ``(None, x)`` for a :class:`linnet.exact.LeastSquaresState` of them."""
    if isinstance(x, Moments):
        if x.n == 0:
            raise ValueError("x is an empty LeastSquaresState; update it with rows first.")
        return None, x
    x = trainable_x(x)
    return x, _x_state(x)


def trainable_x(x: Any, n_features: int | None = None, dtype: Any = None) -> np.ndarray:
    """``x`` checked as ``features`` checks it (as ``dtype``; None keeps its own), and refused beyond float32, as
    ``fit`` refuses it: no neuron trains there, and ``X'X`` would overflow float64 (a ``RuntimeWarning``)."""
    x = features(x, "x", n_features=n_features, dtype=dtype)
    features(x, "x (as float32, which training uses)")
    return x


def model_stable_learning_rate(model, x: Any, batch_size: int | None = None) -> StabilityLimit | None:
    """:func:`stable_learning_rate` for a compiled, built model, on the inputs its ``Dense`` layer sees.

    Layers before the ``Dense`` layer (a ``Normalization``) transform ``x`` first; layers after it scale the
    output by a gain ``g`` and so the Hessian by ``g²``. Returns None when the model has more than one
    ``Dense`` layer: the loss is then not quadratic in the parameters (the product of the kernels is) and
    has no single stable learning rate.
    """
    network = built_network(model)
    neuron = single_neuron(network)
    if neuron is None:
        return None
    if model.loss is None:
        raise ValueError("The model has no loss yet; compile it first, e.g. model.compile('sgd', loss='mse').")
    x = trainable_x(x, network.input_dim)
    batch_size = positive_int(batch_size, "batch_size", allow_none=True)
    moments = _x_state(x)
    curvature, ridge = neuron.curvature(model.loss.curvature())
    return _stability(x, moments, curvature, neuron.dense.use_bias, batch_size, neuron.lift, ridge)


def learning_rate_warning(model, x: Any, batch_size: int | None = None) -> str | None:
    """The warning ``fit`` gives when SGD's learning rate is above the stable limit, else None.

    Only for ``SGD`` with a constant learning rate (no schedule) on a model with one ``Dense`` layer. On a
    quadratic with Hessian eigenvalue ``λ``, ``a = lr·λ`` and ``d = lr·weight_decay`` (Keras decays ``w ← w - d·w``
    before the step, outside the velocity, with the gradient taken before the decay), the iteration is stable iff
    (Jury's criterion on its characteristic polynomial):

    - plain SGD, ``θ ← (1 - d)θ - a·θ``: ``a + d < 2``;
    - heavy-ball momentum ``μ`` (``z² - (1 + μ - a - d)z + μ(1 - d)``): ``a + (1 + μ)d < 2(1 + μ)``;
    - Nesterov momentum (``z² - (1 + μ - (1 + μ)a - d)z + μ(1 - a - d)``): ``(1 + 2μ)a + (1 + μ)d < 2(1 + μ)``.
    """
    optimizer = linnet_model(model).optimizer
    stability = model_stable_learning_rate(model, x, batch_size) if _constant_rate_sgd(optimizer) else None
    if stability is None or stability.largest_eigenvalue == 0:
        return None
    limit, formula = sgd_limit(optimizer, stability.largest_eigenvalue)
    if optimizer.learning_rate <= limit:
        return None
    normalized = sgd_limit(optimizer, 2.0 / stability.normalized_learning_rate)[0]
    outcome = "will diverge" if isinstance(model.loss, losses_module.MeanSquaredError) else "can diverge"
    fix = (f"normalize the inputs (a Normalization layer adapted to x allows learning rates up to "
           f"{normalized:.4g}), or " if normalized > 1.5 * limit else "")
    return (f"The learning rate {optimizer.learning_rate:.4g} is above the largest stable learning rate of SGD "
            f"on these inputs, {limit:.4g} ({formula}, λmax = {stability.largest_eigenvalue:.4g} the largest "
            f"eigenvalue of the loss's Hessian): training {outcome}. Fix: {fix}use learning_rate <= {limit:.4g}.")


def _constant_rate_sgd(optimizer) -> bool:
    return isinstance(optimizer, SGD) and not isinstance(optimizer.get_config()["learning_rate"], dict)


def sgd_limit(optimizer, eigenvalue: float) -> tuple[float, str] | None:
    """SGD's largest stable learning rate for Hessian eigenvalue ``eigenvalue``, and its formula.

    None for other optimizers and for learning-rate schedules.
    """
    if not _constant_rate_sgd(optimizer):
        return None
    mu, decay = optimizer.momentum, optimizer.weight_decay or 0.0
    nesterov = bool(mu and optimizer.nesterov)
    denominator = (1 + 2 * mu * nesterov) * eigenvalue + (1 + mu) * decay
    limit = 2 * (1 + mu) / denominator if denominator > 0 else math.inf
    if not mu:
        return limit, "2/(λmax + weight_decay)" if decay else "2/λmax"
    damping = " + (1+μ)·weight_decay" if decay else ""
    kind = ("(1+2μ)·λmax", "Nesterov momentum") if nesterov else ("λmax", "momentum")
    return limit, f"2(1+μ)/({kind[0]}{damping}) for {kind[1]} μ = {mu:g}"


def _limit(eigenvalue: float) -> float:
    return 2.0 / eigenvalue if eigenvalue > 0 else math.inf


def _stability(x, moments, curvature, fit_intercept, batch_size, lift, ridge=None) -> StabilityLimit:
    largest, condition = spectrum(moments, lift, fit_intercept, curvature, ridge)
    normalized, normalized_condition = spectrum(moments, standardizing_lift(moments), fit_intercept, curvature, ridge)
    n, columns = moments.n, moments.n_features + fit_intercept
    batches = ceil_div(n, batch_size) if batch_size else 1
    batch_largest = None
    if x is not None and batches > 1 and batches * columns ** 3 <= BATCH_EIGEN_BUDGET:
        batch_largest = _largest_batch_eigenvalue(x, batch_size, lift, fit_intercept, curvature, ridge)
    return StabilityLimit(_limit(largest), largest, condition, _limit(normalized),
                          normalized_condition, _batch_note(n, batch_size, batches, batch_largest),
                          None if batch_largest is None else _limit(batch_largest))


def _largest_batch_eigenvalue(x: np.ndarray, batch_size: int, lift: np.ndarray, fit_intercept: bool,
                              curvature: float, ridge: np.ndarray | None) -> float:
    """Max over the batches (in row order) of λmax of ``curvature·(1/B) Xbᵀ Xb + diag(ridge)``, whole batches of
    ~65,536 rows at a time.

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
                grams = curvature * (lift.T @ (group.transpose(0, 2, 1) @ group) @ lift) / group.shape[1]
                grams = grams if ridge is None else grams + np.diag(ridge)
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

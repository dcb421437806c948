"""Where batches come from and how an epoch runs, with Keras 3's semantics.

``split_validation`` takes Keras' tail before any shuffling; ``ArrayBatches`` cuts in-memory arrays into
batches (default 32, the last partial batch kept), optionally as design matrices ``[x, 1]`` for the fused
one-neuron step. ``run_epochs`` feeds any such source of batches to the network and the optimizer, logging the
epoch ``loss`` as the sample-weighted mean of the batch losses computed before each update, and ``val_loss``
over the whole validation set with end-of-epoch weights. Another source (file chunks, a Dask cluster) only has
to provide ``__len__`` and ``epoch(rng)`` (and ``design = True`` if it yields design matrices).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np

from .._validation import real_number
from .progress import Progbar


class DivergenceError(ArithmeticError):
    """Training stopped because the loss became NaN or infinite; ``history`` holds the epochs before it."""

    def __init__(self, message: str, history=None):
        super().__init__(message)
        self.history = history


def split_validation(x: np.ndarray, y: np.ndarray, validation_split: float):
    """Keras' split: training rows ``[0, floor(n(1-s)))``, validation the remaining tail, in the given order."""
    split = real_number(validation_split, "validation_split", low=0.0, high=1.0, high_open=True)
    n = x.shape[0]
    split_at = int(math.floor(n * (1.0 - split)))
    if split_at == 0 or split_at == n:
        raise ValueError(f"validation_split={validation_split} leaves {split_at} training and {n - split_at} "
                         f"validation rows out of {n}; both parts need at least one row.")
    return (x[:split_at], y[:split_at]), (x[split_at:], y[split_at:])


@dataclass
class ArrayBatches:
    """Batches of in-memory arrays: ``shuffle`` is True (new permutation per epoch), ``"batch"`` or False."""

    x: np.ndarray
    y: np.ndarray
    batch_size: int = 32
    shuffle: bool | str = True
    design: bool = False  # yield [x, 1] (a column of ones appended, copied once) for Network.mse_step

    def __post_init__(self):
        if self.shuffle not in (True, False, "batch"):
            raise ValueError(f"shuffle must be True, False or 'batch', received {self.shuffle!r}.")
        if self.design:
            self.x = np.hstack([self.x, np.ones((self.x.shape[0], 1), dtype=self.x.dtype)])

    def __len__(self) -> int:
        return -(-self.x.shape[0] // self.batch_size)

    @property
    def n_samples(self) -> int:
        return self.x.shape[0]

    def epoch(self, rng: np.random.Generator) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield the batches of one epoch; shuffled batches are gathered one at a time (no copy of the data)."""
        x, y, size = self.x, self.y, self.batch_size
        order = self._order(rng)
        for start in range(0, x.shape[0], size):
            if order is None:
                yield x[start:start + size], y[start:start + size]
            else:
                rows = order[start:start + size]
                yield x.take(rows, axis=0), y.take(rows, axis=0)

    def _order(self, rng: np.random.Generator) -> np.ndarray | None:
        n = self.x.shape[0]
        if self.shuffle is False:
            return None
        if self.shuffle is True:
            return rng.permutation(n)
        order = np.arange(n)
        for start in range(0, n, self.batch_size):
            rng.shuffle(order[start:start + self.batch_size])
        return order


def evaluate_arrays(network, loss, metrics, x: np.ndarray, y: np.ndarray, chunk: int = 65536) -> dict[str, float]:
    """Loss and metrics over all of ``(x, y)`` with the current weights (chunked to bound memory)."""
    for metric in metrics:
        metric.reset_state()
    total = 0.0
    for start in range(0, x.shape[0], chunk):
        xb, yb = x[start:start + chunk], y[start:start + chunk]
        prediction = network.forward(xb)
        total += loss.value_and_grad(yb, prediction)[0] * xb.shape[0]
        for metric in metrics:
            metric.update_state(yb, prediction)
    return {"loss": total / x.shape[0], **{m.name: m.result() for m in metrics}}


def train_epoch(network, loss, optimizer, metrics, source, rng, callbacks, progbar) -> dict[str, float]:
    """One pass over ``source``: per batch, gradient, optimizer step, running logs; returns the epoch logs.

    Raises ``DivergenceError`` as soon as a batch loss is NaN or infinite (before that batch's update), or
    when the epoch leaves non-finite weights. Run it under ``np.errstate(over="ignore", invalid="ignore")``:
    overflow is detected here, as a non-finite loss, not by NumPy's warnings.
    """
    params, grads = network.params, network.grads
    batch_hooks = callbacks.wants_batch_hooks
    live = progbar is not None and progbar.dynamic
    design = getattr(source, "design", False)
    steps = len(source)
    for metric in metrics:
        metric.reset_state()
    total, count = 0.0, 0
    for step, (xb, yb) in enumerate(source.epoch(rng)):
        if batch_hooks:
            callbacks.on_train_batch_begin(step)
        if design:
            value, prediction = network.mse_step(xb, yb), None
        else:
            value, prediction = network.gradient(xb, yb, loss)
        if not math.isfinite(value):
            raise DivergenceError(f"the loss of batch {step + 1}/{steps} is {value}")
        optimizer.apply(params, grads)
        total += value * xb.shape[0]
        count += xb.shape[0]
        for metric in metrics:
            metric.update_state(yb, prediction)
        if batch_hooks or live:
            logs = _logs(total / count, metrics)
            if batch_hooks:
                callbacks.on_train_batch_end(step, logs)
                if callbacks.model.stop_training:  # a batch hook asked to stop, as Keras 3 allows
                    break
            if live and step + 1 < steps and progbar.due(time.perf_counter()):
                progbar.update(step + 1, logs)
    if not np.isfinite(params.sum()):
        raise DivergenceError("an update made the weights NaN or infinite (the last batch's step overflowed)")
    return _logs(total / count, metrics)


EXPLOSION_FACTOR = 1e4
RISING_EPOCHS = 3


def exploding(losses: Sequence[float]) -> bool:
    """Whether a run of epoch losses has diverged: a loss is NaN or infinite, or the last loss is more than
    ``EXPLOSION_FACTOR`` (10⁴) times the first and rose in each of the last ``RISING_EPOCHS`` (3) epochs.

    Above the stable learning rate the error along the steepest direction grows by ``|1 - lr·λmax| > 1`` per
    step, so the loss grows geometrically and passes any fixed multiple of its start within a few dozen
    epochs. A converging run stays near or below its first loss: momentum and Adam can overshoot, but by
    factors of a few, not 10⁴, and a single spike is not three rises in a row. The rule compares with the
    first epoch's loss, the scale of the problem; a run that starts at (almost) zero loss, such as one
    initialized at an exact fit, can trip it.
    """
    values = [float(value) for value in losses]
    if not all(math.isfinite(value) for value in values):
        return True
    if len(values) <= RISING_EPOCHS or values[-1] <= EXPLOSION_FACTOR * values[0]:
        return False
    recent = values[-RISING_EPOCHS - 1:]
    return all(later > earlier for earlier, later in zip(recent, recent[1:]))


def run_epochs(model, source, validation, epochs: int, initial_epoch: int, verbose: int, callbacks,
               rng: np.random.Generator):
    """``fit``'s loop: epochs of ``source`` with validation, progress, callbacks and divergence checks.

    Returns the ``History``. On divergence (a non-finite loss or weights, or an exploding loss) the weights
    of the epoch with the lowest loss are restored and ``DivergenceError`` says why and what to try.
    """
    from .callbacks import CallbackList, History
    history = model.history = History()
    params = {"verbose": verbose, "epochs": epochs, "steps": len(source)}
    hooks = CallbackList([*(callbacks or []), history], model, params)
    model.stop_training = False
    hooks.on_train_begin()
    best = _BestWeights(model.network.params)
    with np.errstate(over="ignore", invalid="ignore"):  # overflow surfaces as a DivergenceError
        for epoch in range(initial_epoch, epochs):
            _one_epoch(model, source, validation, epoch, epochs, verbose, hooks, rng, best)
            if model.stop_training:
                break
    model.optimizer.finalize_variable_values(model.network.params)  # Keras: the EMA, if kept, becomes the weights
    hooks.on_train_end()
    return history


def _one_epoch(model, source, validation, epoch, epochs, verbose, hooks, rng, best) -> None:
    hooks.on_epoch_begin(epoch)
    if verbose and epochs > 1:
        print(f"Epoch {epoch + 1}/{epochs}")
    progbar = Progbar(len(source), verbose) if verbose else None
    try:
        logs = train_epoch(model.network, model.loss, model.optimizer, model.metrics, source, rng, hooks, progbar)
    except DivergenceError as error:
        best.restore(model.network.params)
        raise DivergenceError(_divergence_message(epoch, str(error), model.optimizer), model.history) from None
    if validation is not None:
        val = evaluate_arrays(model.network, model.loss, model.metrics, *validation)
        logs.update({f"val_{name}": value for name, value in val.items()})
    if progbar is not None:
        progbar.update(len(source), logs, finalize=True)
    hooks.on_epoch_end(epoch, logs)
    best.offer(logs["loss"], model.network.params)
    losses = model.history.history["loss"]
    if losses[-1] > EXPLOSION_FACTOR * losses[0] and exploding(losses):
        best.restore(model.network.params)
        raise DivergenceError(_divergence_message(
            epoch, f"the loss grew from {losses[0]:.4g} to {losses[-1]:.4g} and rose for {RISING_EPOCHS} epochs "
            f"in a row", model.optimizer), model.history)


class _BestWeights:
    """The weights at the end of the epoch with the lowest loss, kept to restore after a divergence."""

    def __init__(self, params: np.ndarray):
        self.params, self.loss = params.copy(), math.inf

    def offer(self, loss: float, params: np.ndarray) -> None:
        if loss < self.loss:
            self.loss = loss
            self.params[...] = params

    def restore(self, params: np.ndarray) -> None:
        params[...] = self.params


def _divergence_message(epoch: int, what: str, optimizer) -> str:
    return (f"Training diverged in epoch {epoch + 1}: {what}. The weights were restored to those of the epoch "
            f"with the lowest loss (or the initial ones). The learning rate ({optimizer.learning_rate:g}) is probably too large for the "
            f"scale of the inputs: try a smaller learning rate, or normalize the inputs (a Normalization layer "
            f"adapted to x, or standardized features).")


def _logs(loss_value: float, metrics) -> dict[str, float]:
    logs = {"loss": loss_value}
    for metric in metrics:
        logs[metric.name] = metric.result()
    return logs

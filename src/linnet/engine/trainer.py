"""The epoch loop: ``Trainer`` feeds the batches of a data source to the network and the optimizer (Keras 3).

The data path of one batch:

1. **source** -- ``source.epoch(rng)`` yields ``(x, y)`` or ``(x, y, sample_weight)`` (see ``sources``); the
   batches of any source but in-memory arrays are checked and cast to float32 on the way in.
2. **trainer** -- chooses the step. For the tutorials' model (one ``Dense`` layer, MSE, no metric) on in-memory
   arrays it asks the arrays once per ``fit`` for design batches ``[x, 1]`` and takes the fused step
   ``Network.mse_step`` (one product forward, one back); otherwise ``Network.gradient`` runs the layers forward,
   the loss (sample-weighted if the batch has weights) and the layers backward.
3. **network** -- either way ``network.grads`` now holds ``dL/dparams`` and the batch loss is returned, computed
   with the weights from before the update. A NaN or infinite loss stops training here (``DivergenceError``).
4. **optimizer** -- ``optimizer.apply(params, grads)`` updates the one flat float32 parameter vector in place.

Then the running logs (epoch ``loss`` = ``Σ_b B_b·L_b / Σ_b B_b``, the metrics), the batch hooks of the callbacks
that want them, and the progress bar. At the end of an epoch the validation source is evaluated with the
end-of-epoch weights (``val_loss`` over all of it), the epoch's logs go to the callbacks, and the divergence rule
(``exploding``) is applied.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import random as _random
from .._validation import instances
from .callbacks import Callback, CallbackList, History
from .divergence import EXPLOSION_FACTOR, RISING_EPOCHS, BestWeights, DivergenceError, divergence_message, exploding
from .progress import Progbar
from .sources import ArrayBatches, checked_batches, source_length, split_validation  # noqa: F401 (linnet.training's names)
from .steps import Passes

# The fused one-neuron step saves ~2 µs a step but needs a copy of [x, 1], ~0.2 ms a MB: worth it when the
# arrays hold at most this many bytes per training step to run.
DESIGN_BYTES_PER_STEP = 10_000


class Trainer:
    """One model's training loop and its state: network, optimizer, loss, metrics, callbacks and generator.

    ``Sequential.fit`` checks its arguments, makes a data source of them and calls ``Trainer(...).fit``;
    ``Sequential.evaluate`` calls ``Trainer(model).evaluate``. ``callbacks`` is a list of ``Callback`` (a single
    one is accepted too, as Keras does); ``rng`` (default: linnet's seeded generator) orders the batches.
    """

    def __init__(self, model, callbacks: Sequence[Callback] | Callback | None = None, verbose: int = 0,
                 rng: np.random.Generator | None = None):
        if getattr(model, "network", None) is None or getattr(model, "optimizer", None) is None:
            raise ValueError(f"Trainer needs a built and compiled model (give it an Input, or call build(), and "
                             f"compile()). Received: {model!r}")
        self.model = model
        self.network, self.optimizer = model.network, model.optimizer
        self.loss, self.metrics = model.loss, list(model.metrics)
        self.weighted_metrics = list(getattr(model, "weighted_metrics", []))  # updated with the sample weights
        self.callbacks = instances(callbacks, "callbacks", Callback)
        self.verbose = verbose
        self.rng = _random.generator(None) if rng is None else rng
        self.steps: int | None = None  # batches per training epoch; counted in the first when the source has no length
        self.evaluated_steps = 0  # batches of the last evaluate
        self.params: dict[str, Any] = {}
        self._hooks: CallbackList | None = None
        self._fused = False

    # ----- fit ---------------------------------------------------------------------------------------------
    def fit(self, source, validation=None, epochs: int = 1, initial_epoch: int = 0,
            validation_freq: int | Sequence[int] = 1) -> History:
        """Train on ``source`` for epochs ``initial_epoch .. epochs - 1``; return the ``History``.

        ``validation`` is evaluated after epoch ``e`` (1-based) when ``e % validation_freq == 0``, or when ``e``
        is in the list ``validation_freq`` (Keras 3's ``_should_eval``).

        On divergence (a non-finite loss or weights, or an exploding loss) the weights the epoch with the lowest
        loss started from are restored and ``DivergenceError`` says why and what to try.
        """
        model = self.model
        self.model.build_optimizer()
        history = model.history = History()
        self.steps = source_length(source)
        self._hooks = CallbackList([*self.callbacks, history], model=model, verbose=self.verbose, epochs=epochs,
                                   steps=self.steps, **getattr(self.optimizer, "automatic", {}))  # SGD's "auto" values
        self.params = self._hooks.params  # the callbacks' params, one dict ("steps" is set after a first epoch)
        if self.verbose and getattr(self.optimizer, "automatic", None):  # a linnet extension: say what was chosen
            print("Chosen from the data (auto): " + ", ".join(f"{k} {v:.4g}" for k, v in self.params.items()
                                                             if k in self.optimizer.automatic))
        self.validation_freq = validation_freq
        source, self._fused = self._step_source(source, epochs - initial_epoch)
        model.stop_training = False
        self._hooks.on_train_begin()
        best = BestWeights(self.network.params)
        ending = contextlib.closing(source) if isinstance(source, Passes) else contextlib.nullcontext()
        logs: dict[str, float] = {}  # the last epoch's, which on_train_end gets (as in Keras 3; {} for no epoch)
        with np.errstate(over="ignore", invalid="ignore"), ending:  # overflow surfaces as a DivergenceError
            for epoch in range(initial_epoch, epochs):
                logs = self._run_epoch(source, validation, epoch, epochs, best)
                if model.stop_training:
                    break
        self.optimizer.finalize_variable_values(self.network.params)  # Keras: the EMA, if kept, becomes the weights
        self._hooks.on_train_end(dict(logs))
        return history

    def _step_source(self, source, epochs: int) -> tuple[Any, bool]:
        """The source to step through, and whether the fused one-neuron step is taken on it.

        Fused when the network allows it (``Network.takes_design``), the source can give design batches
        ``[x, 1]`` (in-memory arrays can), and their one copy pays for itself over the steps to run.
        """
        design_batches = getattr(source, "design_batches", None)
        if (design_batches is None or getattr(source, "sample_weight", None) is not None
                or not self.network.takes_design(self.loss, self.metrics + self.weighted_metrics)
                or source.nbytes > DESIGN_BYTES_PER_STEP * len(source) * epochs):
            return source, False
        return design_batches(), True

    def _run_epoch(self, source, validation, epoch: int, epochs: int, best: BestWeights) -> dict[str, float]:
        """One epoch, its validation and its hooks; returns its logs (``loss``, metrics, ``val_*``)."""
        hooks, model = self._hooks, self.model
        hooks.on_epoch_begin(epoch)
        if self.verbose and epochs > 1:
            print(f"Epoch {epoch + 1}/{epochs}")
        progbar = Progbar(self.steps, self.verbose) if self.verbose else None
        best.begin(self.network.params)
        try:
            logs = self._train_epoch(source, progbar)
        except DivergenceError as error:
            best.restore(self.network.params)
            raise DivergenceError(divergence_message(epoch, str(error), self.optimizer,
                                                     getattr(source, "sample_weight", None)), model.history) from None
        if validation is not None and _should_eval(epoch, self.validation_freq):
            logs.update({f"val_{name}": value for name, value in self.evaluate(validation).items()})
        if progbar is not None:
            progbar.target = self.steps
            progbar.update(self.steps, logs, finalize=True)
        hooks.on_epoch_end(epoch, logs)
        best.offer(logs["loss"])
        losses = model.history.history["loss"]
        if losses[-1] > EXPLOSION_FACTOR * losses[0] and exploding(losses):
            best.restore(self.network.params)
            raise DivergenceError(divergence_message(
                epoch, f"the loss grew from {losses[0]:.4g} to {losses[-1]:.4g} and rose for {RISING_EPOCHS} epochs "
                f"in a row", self.optimizer, getattr(source, "sample_weight", None)), model.history)
        return logs

    def _train_epoch(self, source, progbar: Progbar | None) -> dict[str, float]:
        """One pass over ``source``: per batch, gradient, optimizer step, running logs; returns the epoch logs.

        Raises ``DivergenceError`` as soon as a batch loss is NaN or infinite (before that batch's update), or
        when the epoch leaves non-finite weights; overflow is detected here, not by NumPy's warnings.
        """
        network, optimizer, loss, hooks, model = self.network, self.optimizer, self.loss, self._hooks, self.model
        params, grads, fused = network.params, network.grads, self._fused
        batch_hooks = hooks.wants_batch_hooks
        live = progbar is not None and progbar.dynamic
        metrics = self._reset_metrics()
        total, count, step = 0.0, 0, -1
        # closed on break or error too: a source's background thread (engine.gather) ends with the epoch
        with _closing(checked_batches(source, self.rng, network.input_dim)) as batches:
            for step, batch in enumerate(batches):
                if batch_hooks:
                    hooks.on_train_batch_begin(step)
                if fused:
                    xb, yb = batch
                    value, prediction = network.mse_step(xb, yb), None
                else:
                    xb, yb, weight = _unpack(batch)
                    value, prediction = network.gradient(xb, yb, loss, weight)
                if not math.isfinite(value):
                    raise DivergenceError(f"the loss of batch {step + 1}{_of(self.steps)} is {value}")
                optimizer.apply(params, grads)
                total += value * xb.shape[0]
                count += xb.shape[0]
                if metrics:
                    self._update_metrics(yb, prediction, weight)
                if batch_hooks or live:
                    self._batch_end(step, _logs(total / count, metrics), progbar)
                if model.stop_training:  # set by any hook, on_epoch_begin's too: Keras 3 checks after every batch
                    break
        self._count_steps(step + 1, "training", source)
        if not np.isfinite(params.sum()):
            raise DivergenceError("an update made the weights NaN or infinite (the last batch's step overflowed)")
        return _logs(total / count, metrics)

    def _reset_metrics(self) -> list:
        """Reset every metric for a new pass; return them all (unweighted first), as the logs list them."""
        metrics = self.metrics + self.weighted_metrics
        for metric in metrics:
            metric.reset_state()
        return metrics

    def _update_metrics(self, y: np.ndarray, prediction: np.ndarray, weight: np.ndarray | None) -> None:
        """``metrics`` ignore the sample weights and ``weighted_metrics`` use them, as Keras 3's compile does."""
        for metric in self.metrics:
            metric.accumulate(y, prediction, None)
        for metric in self.weighted_metrics:
            metric.accumulate(y, prediction, weight)

    def _batch_end(self, step: int, logs: dict[str, float], progbar: Progbar | None) -> None:
        """Batch hooks and the live progress bar after ``step`` (not redrawn when a batch hook asked to stop)."""
        if self._hooks.wants_batch_hooks:
            self._hooks.on_train_batch_end(step, logs)
            if self.model.stop_training:  # the epoch ends here: its final bar is drawn by _run_epoch
                return
        if progbar is not None and progbar.dynamic and (self.steps is None or step + 1 < self.steps) \
                and progbar.due(time.perf_counter()):
            progbar.update(step + 1, logs)

    def _count_steps(self, steps: int, what: str, source: Any) -> None:
        """After the first epoch of a source without a length, its count becomes ``steps`` (as Keras does)."""
        if steps == 0:
            raise ValueError(f"The {what} data source {source!r} yielded no batch: its epoch(rng) must yield at "
                             f"least one (x, y) batch per call.")
        if self.steps is None:
            self.steps = self.params["steps"] = steps

    def train_batch(self, x: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None) -> dict[str, float]:
        """One optimizer step on all of the checked batch ``(x, y)`` (Keras 3's ``train_on_batch``): the loss
        ``(1/B) Σ wᵢ·lᵢ`` (plus any penalty) and the metrics, reset first, with the weights from before the step.

        A NaN or infinite loss, or a step that overflows the weights, raises ``DivergenceError`` and leaves the
        weights as they were before the call.
        """
        self.model.build_optimizer()
        self._hooks, self.steps, before = CallbackList([], model=self.model), 1, self.network.params.copy()
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                return self._train_epoch(ArrayBatches(x, y, x.shape[0], False, sample_weight), None)
        except DivergenceError as error:
            self.network.params[:] = before
            raise DivergenceError(f"train_on_batch: {error}; the weights were left as they were. Try a smaller "
                                  f"learning rate, or rescale x and y.") from None

    # ----- evaluate ----------------------------------------------------------------------------------------
    def evaluate(self, source) -> dict[str, float]:
        """Loss and metrics over one pass of ``source`` with the current weights.

        The loss is ``Σ_b B_b·L_b / Σ_b B_b`` over the batches (the loss of all rows at once for unweighted
        batches), plus the regularization penalty (as Keras' ``evaluate``); ``evaluated_steps`` is set to the
        number of batches. The callbacks (``fit``'s during its validation) get the ``on_test_*`` hooks, the batch
        ones with the running logs of the batches so far, as in Keras 3; one that sets ``model.stop_evaluating``
        ends the pass after the current batch, and the logs are those of the batches read (Keras 3 too).
        """
        network, loss = self.network, self.loss
        hooks = self._hooks or CallbackList(self.callbacks, model=self.model, verbose=self.verbose, epochs=1,
                                            steps=source_length(source))
        batch_hooks, metrics = hooks.wants("test"), self._reset_metrics()
        penalty = network.penalty() if network.regularized else 0.0  # the weights do not change here
        total, count, steps = 0.0, 0, 0
        self.model.stop_evaluating = False  # a callback sets it to stop after the current batch (Keras 3)
        hooks.on_test_begin({})
        for steps, batch in enumerate(checked_batches(source, self.rng, network.input_dim), 1):
            if batch_hooks:
                hooks.on_test_batch_begin(steps - 1, {})
            xb, yb, weight = _unpack(batch)
            prediction = network.forward(xb)
            value = (loss.value_and_grad(yb, prediction) if weight is None
                     else loss.value_and_grad(yb, prediction, weight))[0]
            total += (value + penalty) * xb.shape[0]
            count += xb.shape[0]
            self._update_metrics(yb, prediction, weight)
            if batch_hooks:
                hooks.on_test_batch_end(steps - 1, _logs(total / count, metrics))
            if self.model.stop_evaluating:
                break
        self._count_steps(steps, "evaluation", source)
        self.evaluated_steps, logs = steps, _logs(total / count, metrics)
        hooks.on_test_end(dict(logs))
        return logs


def _closing(batches):
    """A context that closes ``batches`` on exit when it can be closed (a generator), else does nothing."""
    return contextlib.closing(batches) if callable(getattr(batches, "close", None)) else contextlib.nullcontext(batches)


def _unpack(batch: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """``(x, y, sample_weight or None)``."""
    return (batch[0], batch[1], None) if len(batch) == 2 else batch


def _should_eval(epoch: int, validation_freq: int | Sequence[int]) -> bool:
    """Keras 3: validate after 1-based epoch ``e`` when ``e % validation_freq == 0`` or ``e in validation_freq``."""
    if isinstance(validation_freq, int):
        return (epoch + 1) % validation_freq == 0
    return epoch + 1 in validation_freq


def _of(steps: int | None) -> str:
    return "" if steps is None else f"/{steps}"


def _logs(loss_value: float, metrics) -> dict[str, float]:
    logs = {"loss": loss_value}
    for metric in metrics:
        logs[metric.name] = metric.result()
    return logs

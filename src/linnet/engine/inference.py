"""Keras 3's ``evaluate`` and ``predict`` of a model, with their ``steps`` and ``callbacks``.

``Inference`` is mixed into ``Sequential`` (as ``BatchMethods`` is): it uses the model's argument checks (``_xy``,
``_checked_x``, ``_require_compiled``, ``_source_features``) and its ``network``. ``evaluate`` with callbacks, and
``predict`` with callbacks that take its batch hooks (or stop it in ``on_predict_begin``), read arrays in Keras'
batches of ``batch_size`` rows (``params["steps"]`` counts them); otherwise all at once (the same numbers).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _validation as check
from .batch_methods import results
from .callbacks import Callback, CallbackList
from .plugins import plugin
from .progress import Progbar
from .sources import ArrayBatches, in_order, refuse_array_arguments, sample_weight_column, source_length
from .steps import Steps, at_most, step_count
from .trainer import Trainer

_AUTO = "auto"
READING_SEED = 0
"""Seeds the generator a source that shuffles (a file source's pieces and shuffle buffer) is read with by
``evaluate``: the same order at every call, so the same loss to the last digit, and linnet's own generator
(``linnet.random``), which a later ``fit`` draws from, left as it was."""
_EVALUATE_ARGUMENTS = ["x", "y", "batch_size", "verbose", "sample_weight", "steps", "callbacks", "return_dict"]


class Inference:
    """``evaluate`` and ``predict``: the first ``steps`` batches; the callbacks' ``on_test_*``, ``on_predict_*``."""

    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None, verbose: Any = _AUTO,
                 sample_weight: Any = None, steps: int | None = None,
                 callbacks: Sequence[Callback] | Callback | None = None, return_dict: bool = False,
                 **kwargs) -> float | list[float] | dict[str, float]:
        """Loss (and metrics) over ``(x, y)`` or a data source: a float, a list ``[loss, *metrics]``, or a dict;
        ``sample_weight`` ``(n,)`` weights the loss ``(1/n) Σ wᵢ·lᵢ`` and the ``weighted_metrics``.

        ``steps``: only the first ``steps`` batches (of ``batch_size`` rows, or of the source). ``callbacks`` get
        ``on_test_begin({})``, ``on_test_batch_begin(b, {})``, ``on_test_batch_end(b, logs)`` with the running loss
        and metrics of batches ``0..b``, and ``on_test_end(logs)``, as in Keras 3. One that sets
        ``model.stop_evaluating`` stops after the current batch: the results are those of the batches read, and the
        progress bar ends at the steps known beforehand (Keras' ``target``; the steps read when none were known).
        A source that shuffles is read in one fixed order (``READING_SEED``), not drawn from linnet's generator.
        The arguments come in Keras 3's order (linnet 0.1 took ``return_dict`` fifth: a bool there is refused).
        """
        check.reject_unknown_kwargs(kwargs, "evaluate", _EVALUATE_ARGUMENTS)
        if isinstance(sample_weight, (bool, np.bool_)):
            raise TypeError(f"sample_weight must hold one weight per row. Received: sample_weight={sample_weight}. "
                            f"evaluate takes Keras 3's order (x, y, batch_size, verbose, sample_weight, steps, "
                            f"callbacks, return_dict); linnet 0.1 took return_dict fifth: pass it by name.")
        self._require_compiled("evaluate")
        steps, callbacks = step_count(steps, "steps"), check.instances(callbacks, "callbacks", Callback)
        verbose = check.verbosity(verbose, auto=1)
        source, shown = self._evaluation_source(x, y, batch_size, sample_weight, steps, bool(callbacks))
        trainer = Trainer(self, callbacks, verbose, np.random.default_rng(READING_SEED))
        bar = Progbar(shown, verbose) if verbose else None  # started before the pass, which it times
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused by finite_results
            logs = check.finite_results(trainer.evaluate(source), "evaluate")
        if bar is not None:
            bar.target = shown or trainer.evaluated_steps
            bar.update(bar.target, logs, finalize=True)
        return results(logs, return_dict)

    def _evaluation_source(self, x: Any, y: Any, batch_size: Any, sample_weight: Any, steps: int | None,
                           batches: bool) -> tuple[Any, int | None]:
        """The source ``evaluate`` reads, and the steps its progress bar counts: Keras', known before reading (the
        batches of ``batch_size`` rows of arrays, ``steps``, a source's length), or None (a source without one).

        Arrays are read in those batches when ``batches`` (callbacks see each), else all at once."""
        source = plugin("data_source")(x, None, None, 1)
        if source is not None:
            refuse_array_arguments("x", y=y, batch_size=batch_size, sample_weight=sample_weight)
            self._source_features(source)
            source = source if steps is None else Steps(source, steps, "steps")
            return source, source_length(source)
        x, y = self._xy(x, y)
        batch_size = check.positive_int(batch_size, "batch_size", allow_none=True) or 32
        rows = first_rows(x.shape[0], batch_size, steps)
        x, y, weight = x[:rows], y[:rows], sample_weight_column(sample_weight, x.shape[0])
        weight = None if weight is None else weight[:rows]
        source = ArrayBatches(x, y, batch_size, False, weight) if batches else in_order(x, y, weight)
        return source, check.ceil_div(rows, batch_size)

    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = 0, steps: int | None = None,
                callbacks: Sequence[Callback] | Callback | None = None, **kwargs) -> np.ndarray:
        """Predictions of shape ``(n, 1)``, float32. Accepts arrays, lists and pandas objects; quiet by default.

        ``steps``: only the rows of the first ``steps`` batches of ``batch_size``. ``callbacks`` get
        ``on_predict_begin({})``, ``on_predict_batch_begin(b, {})``, ``on_predict_batch_end(b, {"outputs": p_b})``
        with batch ``b``'s predictions ``(B, 1)``, and ``on_predict_end({})``, as in Keras 3. A callback that sets
        ``model.stop_predicting`` stops after the current batch: the predictions of the batches done are returned.
        """
        check.reject_unknown_kwargs(kwargs, "predict", ["x", "batch_size", "verbose", "steps", "callbacks"])
        batch_size = check.positive_int(batch_size, "batch_size", allow_none=True) or 32
        verbose, steps = check.verbosity(verbose, auto=0), step_count(steps, "steps")
        callbacks = check.instances(callbacks, "callbacks", Callback)
        x = self._checked_x(x)
        x = x[:first_rows(x.shape[0], batch_size, steps)]
        shown = check.ceil_div(x.shape[0], batch_size)
        hooks = CallbackList(callbacks, model=self, verbose=verbose, epochs=1, steps=shown)
        bar = Progbar(shown, verbose) if verbose else None  # started before the pass, which it times
        self.stop_predicting = False
        hooks.on_predict_begin({})
        batched = hooks.wants("predict") or self.stop_predicting  # set in on_predict_begin: one batch, as in Keras
        prediction = self._predicted(x, batch_size, hooks) if batched else self._forward(x)
        hooks.on_predict_end({})
        if bar is not None:
            bar.update(shown, {}, finalize=True)
        return prediction

    def _predicted(self, x: np.ndarray, batch_size: int, hooks: CallbackList) -> np.ndarray:
        """The predictions for checked ``x`` batch by batch, each passed to the callbacks as ``{"outputs": ...}``."""
        outputs = []
        for step, start in enumerate(range(0, x.shape[0], batch_size)):
            hooks.on_predict_batch_begin(step, {})
            outputs.append(self._forward(x[start:start + batch_size], start))
            hooks.on_predict_batch_end(step, {"outputs": outputs[-1]})
            if self.stop_predicting:
                break
        return np.concatenate(outputs)


def first_rows(n_rows: int, batch_size: int, steps: int | None) -> int:
    """The rows of the first ``steps`` batches of ``batch_size`` (all ``n_rows`` for None); more steps than the
    ``⌈n_rows / batch_size⌉`` batches are refused."""
    if steps is None:
        return n_rows
    data = f"the {n_rows} rows in batches of {batch_size}"
    return min(n_rows, at_most(steps, check.ceil_div(n_rows, batch_size), "steps", data) * batch_size)


"""The checks ``fit`` runs before training, registered in ``linnet.engine.fitplan.ADVISERS``.

Each takes the ``FitPlan`` of the fit about to start and returns a warning text or None. They import their
diagnostics only when they have something to check, so that a ``fit`` pays only for the checks it runs.
"""

from __future__ import annotations

from ..engine.optimizers import SGD

LIMIT_CHECK_ROWS = 10_000  # evenly spaced rows that estimate SGD's stable learning rate on large data (~1% error)


def auto_learning_rate(plan) -> None:
    """Set ``SGD(learning_rate="auto")``'s rate (and momentum) from the training rows before ``fit`` starts
    (:func:`linnet.diagnostics.fastest_rate.auto_rate`); it warns nothing, and runs before the other checks."""
    optimizer = plan.model.optimizer
    if not getattr(optimizer, "auto", ()):
        return None
    if plan.x_train is None:
        raise ValueError("learning_rate='auto' is computed from the training rows, so fit needs arrays, not a "
                         f"data source. Received: x={plan.source!r}")
    from .fastest_rate import auto_rate
    chosen = auto_rate(plan.model, plan.x_train, momentum="momentum" in optimizer.auto)
    optimizer.set_automatic(chosen.learning_rate, chosen.momentum)
    return None


def sorted_validation_tail(plan) -> str | None:
    """:func:`linnet.diagnostics.sorted_tail_warning` on the rows of a fit with ``validation_split``."""
    if plan.x is None or not plan.validation_split:
        return None
    from .validation import sorted_tail_warning
    return sorted_tail_warning(plan.x, plan.y, plan.validation_split)


def sgd_learning_rate(plan) -> str | None:
    """:func:`linnet.diagnostics.learning_rate_warning` for SGD (the only optimizer with a known stability
    limit), on the training rows or, beyond ``LIMIT_CHECK_ROWS``, an evenly spaced sample of them; not for
    ``learning_rate="auto"``, chosen below the limit from all training rows (a sample's estimate could differ)."""
    if plan.x_train is None or not isinstance(plan.model.optimizer, SGD) or plan.model.optimizer.auto:
        return None
    from .stability import learning_rate_warning
    step = -(-plan.x_train.shape[0] // LIMIT_CHECK_ROWS)
    return learning_rate_warning(plan.model, plan.x_train[::step], plan.batch_size if step == 1 else None)


ADVISERS = {"auto_learning_rate": auto_learning_rate, "sorted_validation_tail": sorted_validation_tail,
            "sgd_learning_rate": sgd_learning_rate}

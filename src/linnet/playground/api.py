"""The playground's one question, "fit this", answered with everything the page shows.

:func:`answer` checks the request (:mod:`.settings`), runs the real engine (:mod:`.run`) and returns a JSON-ready
dict: the verdict in words, the stability limit, the views to draw (:mod:`.views`), the update rule and the
run as a script (:mod:`.script`), and how long the fit took.
"""

from __future__ import annotations

import threading
from typing import Any

from ..cli.tasks import DEMOS, demo
from . import views
from .run import fit, verdict
from .script import code, update_rule
from .settings import read_settings

_ONE_FIT_AT_A_TIME = threading.Lock()
"""Fits run one after another: ``warnings.catch_warnings`` is process-wide, and a shared machine stays responsive."""


def answer(request: Any) -> dict:
    """The page's view of one fit of ``request`` (a dict of settings); ``ValueError``/``TypeError`` if bad."""
    settings = read_settings(request)
    with _ONE_FIT_AT_A_TIME:
        run = fit(settings)
        kind, words = verdict(run)
    stability = run.stability
    return {
        "verdict": {"kind": kind, "words": words},
        "limit": views.finite([run.limit])[0] if run.limit is not None else None,
        "limit_note": stability.batch_note if stability is not None else "",
        "data": views.data_view(run),
        "losses": views.losses_view(run),
        "landscape": views.landscape_view(run),
        "equation": run.model.equation(run.task.feature_names, run.task.target_name),
        "rule": update_rule(run.model.optimizer),
        "code": code(settings, run.task.feature_names, run.task.target_name),
        "notes": [note for note in run.notes if note not in words],  # fit's warning that the verdict repeats
        "fit_ms": round(run.seconds * 1000, 1),
    }


def presets() -> dict:
    """The four tutorials' settings (``cli.tasks.demo``), keyed by name, for the page's preset menu."""
    return {name: {"optimizer": task.optimizer, "learning_rate": task.learning_rate, "batch_size": task.batch_size,
                   "epochs": task.epochs, "validation_split": task.validation_split, "normalize": task.normalize}
            for name, task in ((name, demo(name)) for name in DEMOS)}

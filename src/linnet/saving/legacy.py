"""Reading model files written by linnet 0.1 (format version 1), whose configs predate the envelope.

Version 1 wrote layers, initializers and losses as ``{"class_name", "config"}`` (an envelope without
``module`` and ``registered_name``, which ``deserialize`` accepts as Keras 2's form), but an optimizer as one
flat dict ``{"class_name", "name", "learning_rate", ...}`` and a metric as ``{"class_name", "name"[, "loss"]}``,
where a metric with a ``loss`` was always rebuilt as a ``MeanOfLoss``. ``upgrade_v1`` rewrites those two into
envelopes; everything else is already readable.
"""

from __future__ import annotations

from typing import Any


def upgrade_v1(compile_config: dict[str, Any]) -> dict[str, Any]:
    """The version-2 ``compile`` section equivalent to a version-1 one (inputs are not modified)."""
    return {"optimizer": _flat_to_envelope(compile_config["optimizer"]),
            "loss": compile_config["loss"],
            "metrics": [_metric(entry) for entry in compile_config["metrics"]]}


def _flat_to_envelope(flat: dict[str, Any]) -> dict[str, Any]:
    config = {key: value for key, value in flat.items() if key != "class_name"}
    return {"class_name": flat["class_name"], "config": config}


def _metric(entry: dict[str, Any]) -> dict[str, Any]:
    envelope = _flat_to_envelope(entry)
    if "loss" in entry:  # version 1 rebuilt every loss-shaped metric as the mean of its loss
        envelope["class_name"] = "MeanOfLoss"
    return envelope

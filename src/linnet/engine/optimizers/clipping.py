"""Keras' three gradient clippings, on the flat gradient vector cut into its variables' ``segments``.

Each writes into ``out`` and returns it; ``grads`` is not modified. Keras applies at most one of them,
before weight decay and the update rule (``keras/src/optimizers/base_optimizer.py``, ``_clip_gradients``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._arguments import F32, ONE


def clip_each_norm(grads: np.ndarray, segments: Sequence[slice], clipnorm: float, out: np.ndarray) -> np.ndarray:
    """``g * clipnorm / max(norm(g), clipnorm)`` per variable, in ``tf.clip_by_norm``'s order (Keras' roundings);
    where ``g * clipnorm`` leaves float32 (a ``clipnorm`` such as 1e38) the scale, at most 1, is formed first."""
    clip = F32(clipnorm)
    for segment in segments:
        part, clipped = grads[segment], out[segment]
        norm = max(np.sqrt(np.dot(part, part)), clip)
        with np.errstate(over="ignore"):
            np.multiply(part, clip, clipped)
        if np.isfinite(clipped).all():
            clipped /= norm
        else:
            np.multiply(part, clip / norm, clipped)
    return out


def clip_global_norm(grads: np.ndarray, segments: Sequence[slice], global_clipnorm: float,
                     out: np.ndarray) -> np.ndarray:
    """``g * clip * min(1 / norm, 1 / clip)`` with the joint norm of all variables (NaN if not finite)."""
    clip, inverse = F32(global_clipnorm), F32(1.0 / global_clipnorm)
    norm = np.sqrt(sum((np.dot(grads[s], grads[s]) for s in segments), F32(0.0)))
    if not np.isfinite(norm):
        scale = F32(np.nan)
    else:
        scale = clip * (inverse if norm == 0 else min(ONE / norm, inverse))
    return np.multiply(grads, scale, out)


def clip_value(grads: np.ndarray, segments: Sequence[slice], clipvalue: float, out: np.ndarray) -> np.ndarray:
    """Each component to ``[-clipvalue, clipvalue]``."""
    return np.clip(grads, -clipvalue, clipvalue, out=out)

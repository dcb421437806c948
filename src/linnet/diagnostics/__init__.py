"""What can go wrong when a linear neuron is trained by gradient descent, checked by pure functions.

- :func:`stable_learning_rate` / :func:`model_stable_learning_rate`: the largest learning rate at which gradient
  descent converges, from the largest eigenvalue of the loss's Hessian; :func:`learning_rate_warning` checks a
  compiled model before ``fit`` (:mod:`.stability`).
- :func:`exploding`: the rule that declares a run of epoch losses diverged (from :mod:`linnet.training`).
- :func:`sorted_tail_warning`: whether the tail that ``validation_split`` holds out is a fair sample
  (:mod:`.validation`).
- :func:`convergence`: how far a trained model is from the exact least-squares answer, and what to change
  (:mod:`.convergence_check`); converged means a loss within ``LOSS_TOLERANCE`` (1%) of least squares'.
- :func:`auto_rate`: the learning rate (and momentum) of fastest contraction, ``SGD(learning_rate="auto")``
  (:mod:`.fastest_rate`).

For a single ``Dense`` layer the loss is a quadratic (MSE) or bounded by one (Huber, log-cosh) in the
parameters ``θ = (bias, kernel)``: with ``Xa = [1, x]`` (the inputs the layer sees) its Hessian is
``H = c·(1/n)·Xaᵀ Xa``, ``c`` the loss's ``curvature()`` (2 for MSE). Gradient descent ``θ ← θ - lr·∇L``
multiplies the error along each eigenvector of ``H`` by ``1 - lr·λ`` per step, so it converges iff
``lr < 2/λmax``; the flattest direction then needs about ``κ/2`` steps per e-fold, ``κ = λmax/λmin``.
"""

import importlib

_HOMES = {
    "exploding": "..training", "EXPLOSION_FACTOR": "..training", "RISING_EPOCHS": "..training",
    "AutoRate": ".fastest_rate", "auto_rate": ".fastest_rate",
    **dict.fromkeys(["CONDITION_LIMIT", "LOSS_TOLERANCE", "LOSS_RATIO_TOLERANCE", "PARAMETER_TOLERANCE",
                     "SLOW_FACTOR", "Convergence", "convergence"], ".convergence_check"),
    **dict.fromkeys(["BATCH_EIGEN_BUDGET", "StabilityLimit", "learning_rate_warning", "model_stable_learning_rate",
                     "stable_learning_rate"], ".stability"),
    **dict.fromkeys(["ORDER_CORRELATION", "OUT_OF_RANGE_SHARE", "SORTED_TAIL_MIN_ROWS", "sorted_tail_warning"],
                    ".validation"),
}


def __getattr__(name: str):
    """Import each check's module on first use, so that ``fit`` pays only for the checks it runs (PEP 562)."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name], __name__), name)


__all__ = ["BATCH_EIGEN_BUDGET", "CONDITION_LIMIT", "EXPLOSION_FACTOR", "LOSS_RATIO_TOLERANCE", "LOSS_TOLERANCE",
           "ORDER_CORRELATION", "OUT_OF_RANGE_SHARE", "PARAMETER_TOLERANCE", "RISING_EPOCHS", "SLOW_FACTOR",
           "SORTED_TAIL_MIN_ROWS", "AutoRate", "Convergence", "StabilityLimit", "auto_rate", "convergence",
           "exploding", "learning_rate_warning", "model_stable_learning_rate", "sorted_tail_warning",
           "stable_learning_rate"]

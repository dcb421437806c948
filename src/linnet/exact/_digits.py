"""How many digits of a least-squares solution to trust: a first-order bound on what rounding moves each
parameter by, row by row of the covariance root, measured against the parameter's size
(:func:`solution_digits`, used by the solve, and by the refinement for its own rounding)."""

from __future__ import annotations

import math

import numpy as np

MAX_DIGITS = 15.0
"""No estimate claims more digits than this (float64 holds 15.95; the NIST values are certified to 15)."""
DIGITS_MARGIN = 2.0
"""The digits estimate doubles its bound (0.3 digits): the factorization and the triangular solve each round.
Without it, on about 5,000 random ill-conditioned designs, it claimed at most 0.07 digits more than measured."""


def solution_digits(rounding: float, params: np.ndarray, root: np.ndarray, scale: np.ndarray, size: float, rho: float,
                    negligible: np.ndarray, fit_intercept: bool) -> float:
    """Estimated correct digits of the worst parameter: first-order perturbation theory of least squares, row by
    row of the covariance root ``T`` (``root``).

    ``u`` is the state's ``rounding``, ``size`` is ``|b_s|_1 + |z_y|``. A QR factorization is exact for data
    whose columns moved by ``u`` times their norms (Householder's backward error, up to a small constant). In
    scaled units (``Rs = Rxx / D``, unit columns, ``b_s = D b``) such a move ``dA`` of x and ``dz`` of y moves the
    solution by (Wedin)::

        d b_s = Rs^-1 (dz - dA b_s) + (Rs'Rs)^-1 dA' r,    |dz - dA b_s| <= u (|b_s|_1 + |z_y|),
                                                              |dA' r| <= u sqrt(p) rho

    with ``|z_y| = sqrt(|rxy|**2 + rho**2)``. ``T`` maps it to the parameters: a slope's row is ``D_i^-1`` times row
    ``i`` of ``Rs^-1``, the intercept's (``mean_y - mean_x' b``) is ``[1/sqrt(W), -mean_x' Rxx^-1]``, its first
    entry the rounding of the means (about ``u |z| / sqrt(W)``). By Cauchy-Schwarz on each row::

        |d b_i| <= u (|T_i| (|b_s|_1 + |z_y|) + |T_i,x Rs^-T| sqrt(p) rho)      (T_i,x: row i on x's columns)

    doubled (``DIGITS_MARGIN``), each parameter measured against the larger of its size and its ``negligible``
    size (``linnet.exact.solve.NEGLIGIBLE``: a coefficient near 0 has no relative digits to lose). The intercept's
    single row lets the slopes' errors cancel in ``mean_x' b`` as they do (summed slope by slope, Filip's estimate
    was 2.7 for 7.6 measured, now 5.3); the second term, the ``k**2 tan(theta)`` of a large residual, was left out
    and its slopes then claimed 1.5 digits too many on Wampler5, and up to 2.7 on random designs of two nearly
    parallel columns. Measured, the estimate is at most the digits achieved and at most 2.3 below on NIST, at most
    8.4 below on random ill-conditioned designs (tests/exact/test_digits.py, docs/accuracy.md). A componentwise
    (Skeel) estimate that matched Filip (7.4) claimed 9.2 digits where 6.2 were measured on a degree-5 polynomial
    in x from 100 to 110 (QR's rounding is columnwise, not componentwise), so it is not used.
    """
    error = first_order_error(root, scale, size, math.sqrt(scale.size) * rho, fit_intercept)
    return digits_of(DIGITS_MARGIN * rounding * error, in_scaled_units(params, scale, fit_intercept),
                     in_scaled_units(negligible, scale, fit_intercept))


def kept_digits(params: np.ndarray, negligible: np.ndarray, exponent: int) -> float:
    """Digits the worst coefficient keeps once scaled back by ``2**exponent`` (``params`` and ``negligible`` in the
    scaled units): 15 unless one falls below float64's normal numbers, where rounding is absolute, at most
    ``2**-1075`` (y near 1e-320 has coefficients of 2 or 3 digits)."""
    rounding = math.ldexp(1.0, -1075 - exponent)  # negligible unless y is near 1e-308 or less
    return digits_of(np.full(params.shape, rounding), params, negligible)


def digits_of(error: np.ndarray, params: np.ndarray, negligible: np.ndarray) -> float:
    """``-log10`` of the worst ``error_i / max(|params_i|, negligible_i)``, in ``[0, MAX_DIGITS]``: the correct
    digits of the worst parameter (``linnet.exact.solve.NEGLIGIBLE``: a coefficient near 0 has no relative digits
    to lose)."""
    reach = np.maximum(np.abs(params), negligible)
    with np.errstate(over="ignore", invalid="ignore"):
        worst = float((error[reach > 0] / reach[reach > 0]).max(initial=0.0))
    if not math.isfinite(worst):
        return 0.0
    return float(np.clip(-math.log10(worst), 0.0, MAX_DIGITS)) if worst > 0 else MAX_DIGITS


def first_order_error(root: np.ndarray, scale: np.ndarray, size: float, residual: float,
                      fit_intercept: bool) -> np.ndarray:
    """Per parameter, in scaled units (:func:`in_scaled_units`), ``|S_i| size + |S_i,x Rs^-T| residual`` with
    ``S = diag(1, D) T`` the scaled covariance root (``Rs^-1`` the slopes' block, the intercept's row
    ``[1/sqrt(W), -(mean_x / D)' Rs^-1]``): what a rounding of ``u`` moves it by, over ``u``, when the rounding
    moves ``Rs b_s - rxy`` by at most ``u size`` and ``dA' r`` by at most ``u residual`` (see
    :func:`solution_digits`). Scaled, nothing overflows for x near 1e-300."""
    scaled = root * in_scaled_units(np.ones(root.shape[0]), scale, fit_intercept)[:, None]
    slopes = slice(int(fit_intercept), None)
    with np.errstate(over="ignore", invalid="ignore"):
        through_residual = np.linalg.norm(scaled[:, slopes] @ scaled[slopes, slopes].T, axis=1)
        return np.linalg.norm(scaled, axis=1) * size + through_residual * residual


def in_scaled_units(values: np.ndarray, scale: np.ndarray, fit_intercept: bool) -> np.ndarray:
    """``values`` (one per parameter) with each slope's times its column's norm ``D`` (``b_s = D b``)."""
    return values * np.concatenate([np.ones(int(fit_intercept)), scale])

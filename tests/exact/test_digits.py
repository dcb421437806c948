"""``fit.digits`` is a safe estimate: never more than 1 digit above the digits measured against the exact answer
(the normal equations solved in rational arithmetic from the float64 data), on random polynomial designs whose
conditioning ranges from benign to NIST-Wampler-like."""

import warnings
from fractions import Fraction

import nist
import numpy as np
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from linnet.exact import ols


def exact_least_squares(design: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``(X'X)^-1 X'y`` in exact rational arithmetic (every float64 is a rational number)."""
    rows = [[Fraction(float(v)) for v in row] for row in design]
    target = [Fraction(float(v)) for v in y]
    k = design.shape[1]
    system = [[sum(r[i] * r[j] for r in rows) for j in range(k)] + [sum(r[i] * t for r, t in zip(rows, target))]
              for i in range(k)]
    for col in range(k):  # Gauss-Jordan; exact, so any nonzero pivot will do
        pivot = next(r for r in range(col, k) if system[r][col] != 0)
        system[col], system[pivot] = system[pivot], system[col]
        for r in range(k):
            if r != col and system[r][col] != 0:
                factor = system[r][col] / system[col][col]
                system[r] = [a - factor * b for a, b in zip(system[r], system[col])]
    return np.array([float(system[i][k] / system[i][i]) for i in range(k)])


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), degree=st.integers(1, 5), offset=st.sampled_from([0.0, 1.0, 10.0, 100.0]),
       rows=st.integers(12, 40), noise=st.sampled_from([0.0, 1e-6, 1.0, 1e3]), fit_intercept=st.booleans())
@example(seed=2537175, degree=1, offset=0.0, rows=35, noise=1.0, fit_intercept=False)  # R2 8e-5: 14.0 measured
@example(seed=0, degree=5, offset=100.0, rows=12, noise=1.0, fit_intercept=True)  # 6.2 measured
def test_the_digits_estimate_never_claims_more_than_a_digit_too_many(seed, degree, offset, rows, noise,
                                                                     fit_intercept):
    rng = np.random.default_rng(seed)
    x = offset + rng.uniform(0, 10, size=rows)
    design = x[:, None] ** np.arange(1, degree + 1)
    y = design @ rng.uniform(-2, 2, size=degree) + 3 + noise * rng.standard_normal(rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the few-digits warning
        fit = ols(design, y, fit_intercept, refine=False)
    full = np.column_stack([np.ones(rows), design]) if fit_intercept else design
    measured = nist.lre(fit.params, exact_least_squares(full, y))
    assert fit.digits <= measured + 1.0, (fit.digits, measured)


# --- claimed against achieved, both ways -------------------------------------------------------------------------
NIST_GAP = 2.3
"""On NIST (all rows at once, no refinement) ``digits`` is at most the digits achieved and at most this many below
(Filip: 5.3 claimed, 7.6 achieved; the estimate's first gap was 4.9 there)."""
DESIGN_GAP = 7.0
"""The same on random designs against the exact answer: a bound on the worst rounding, it is this pessimistic where
the rounding happened to cancel (near-exact fits of near-collinear columns): up to 6.3 on 1,500 designs of
:func:`design` (8.4 on the broader families of docs/accuracy.md)."""
REFINED_GAP = 7.0
"""After refinement ``digits`` is the error before the pass (with the pass's own rounding), which the pass usually
divides by far more: up to 6.5 below the digits achieved on 1,500 designs of :func:`design` (9.7 on the broader
families of docs/accuracy.md)."""


def certified_digits(estimate, certified) -> float:
    """NIST's log relative error, agreement within a unit of the certificate's 15th significant digit counted as
    15: the certificate is rounded there, by up to half a unit, and so is an estimate of 15 correct digits (NoInt1's
    2.07438016528926 is 2.0743801652892562 in float64, LRE 14.7)."""
    estimate, certified = np.atleast_1d(estimate), np.atleast_1d(certified)
    magnitude = np.floor(np.log10(np.abs(np.where(certified == 0, 1.0, certified))))
    unit = np.where(certified == 0, 0.0, 10.0 ** (magnitude - 14))
    within = np.abs(estimate - certified) <= unit
    return nist.lre(np.where(within, certified, estimate), certified)


def test_on_nist_the_digits_claimed_are_at_most_those_achieved_and_close_to_them():
    """Without refinement within ``NIST_GAP``; as ``ols`` does by default (refined below 10 digits: Wampler1, 3-5) at
    most the digits achieved. (``refine=True`` on Wampler2 claims 13.3 for 13.2 achieved: refined, the answer is
    that of the float64 data to 15 digits, and its decimal data, rounded to float64, move it by that much.)"""
    table = {}
    for name in nist.NAMES:
        dataset = nist.load(name)
        for refine in (False, None):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                fit = ols(dataset.x, dataset.y, dataset.fit_intercept, refine=refine)
            achieved = min(certified_digits(fit.params, dataset.params), certified_digits(fit.bse, dataset.bse))
            table[name, refine] = (round(fit.digits, 2), round(achieved, 2))
    assert all(claimed <= achieved for claimed, achieved in table.values()), table
    assert all(achieved - NIST_GAP <= claimed for (_, refine), (claimed, achieved) in table.items()
               if refine is False), table


def design(seed: int, family: str, rows: int, fit_intercept: bool):
    """A random ill-conditioned problem: ``"poly"``, powers 1..5 of x in [o, o + 10] (o up to 1e3: scaled condition
    numbers to 1e13); ``"pair"``, columns of widely different scales, the last nearly a multiple of the first
    (condition numbers 1e3 to 1e12); y a noisy combination of them."""
    rng = np.random.default_rng(seed)
    if family == "poly":
        x = rng.choice([0.0, 10.0, 100.0, 1000.0]) + rng.uniform(0, 10, size=rows)
        columns = x[:, None] ** np.arange(1, int(rng.integers(2, 6)) + 1)
    else:
        columns = rng.normal(size=(rows, int(rng.integers(2, 5)))) * 10.0 ** rng.uniform(-5, 5, size=1)
        columns[:, -1] = 3 * columns[:, 0] + 10.0 ** -rng.uniform(3, 12) * columns[:, -1]
    coef = rng.uniform(-2, 2, size=columns.shape[1]) / np.abs(columns).max(axis=0)
    y = columns @ coef + rng.choice([0.0, 3.0]) + rng.choice([0.0, 1e-9, 1e-3, 1.0]) * rng.standard_normal(rows)
    full = np.column_stack([np.ones(rows), columns]) if fit_intercept else columns
    return columns, y, full


def claimed_and_achieved(seed: int, family: str, rows: int, fit_intercept: bool, refine: bool) -> tuple[float, float]:
    """``digits`` of the fit of :func:`design`, and the correct digits of its worst coefficient against the exact
    answer (rational arithmetic), each measured against the larger of its size and its negligible size, as
    ``digits`` is. Rank-deficient draws are skipped."""
    x, y, full = design(seed, family, rows, fit_intercept)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        fit = ols(x, y, fit_intercept, refine=refine)
    assume(fit.rank == full.shape[1])
    exact = exact_least_squares(full, y)
    reach = np.maximum(np.abs(exact), np.ldexp(fit._solution.negligible, fit._solution.y_exponent))
    error = float((np.abs(fit.params - exact) / reach).max())
    return fit.digits, 15.0 if error == 0 else float(np.clip(-np.log10(error), 0.0, 15.0))


RANDOM_DESIGNS = {"seed": st.integers(0, 2**32 - 1), "family": st.sampled_from(["poly", "pair"]),
                  "rows": st.integers(8, 40), "fit_intercept": st.booleans()}


@settings(max_examples=60, deadline=None, derandomize=True)
@given(**RANDOM_DESIGNS)
@example(seed=32, family="pair", rows=8, fit_intercept=False)  # 6.0 claimed, 5.2 achieved: the residual's k**2 term
def test_on_random_designs_the_digits_claimed_are_at_most_those_achieved(seed, family, rows, fit_intercept):
    """The same examples every run (a bound measured, not proved: a chance finding is pinned with ``@example``,
    not left to turn the suite red)."""
    claimed, achieved = claimed_and_achieved(seed, family, rows, fit_intercept, refine=False)
    assert achieved - DESIGN_GAP <= claimed <= achieved, (claimed, achieved)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(**RANDOM_DESIGNS)
@example(seed=71, family="poly", rows=13, fit_intercept=False)  # 12.2 claimed, 11.6 achieved: a correction of noise
@example(seed=26, family="poly", rows=34, fit_intercept=True)  # 11.2 claimed, 10.4: the intercept's row cancelling
def test_after_refinement_the_digits_claimed_are_at_most_those_achieved(seed, family, rows, fit_intercept):
    """The correction measured the error before it, and the pass was taken to have removed it: on near-exact fits
    the correction is itself mostly rounding, and with an intercept the pass made 5% of these fits worse (the
    intercept's row of the root met a gradient that cancels). Both were claimed as digits."""
    claimed, achieved = claimed_and_achieved(seed, family, rows, fit_intercept, refine=True)
    assert achieved - REFINED_GAP <= claimed <= achieved, (claimed, achieved)


def test_the_automatic_pass_never_lowers_the_digits_claimed_nor_adds_a_warning():
    """On a wide, nearly collinear design the pass's bound on the error before it (``|d| + 2E``) is looser than the
    solution's own estimate: refined by default (below 10 digits), the fit claimed 5.9 digits where unrefined it
    claimed 6.2, and warned of fewer than 6. The tighter bound is kept."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20_000, 20))
    y = x[:, 0] + rng.normal(size=20_000)
    x[:, 1] = x[:, 0] + 1e-6 * x[:, 1]
    solved = ols(x, y, refine=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        fit = ols(x, y)
    assert fit.refined and 6.0 < solved.digits <= fit.digits, (solved.digits, fit.digits)

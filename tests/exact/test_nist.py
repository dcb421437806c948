"""The exact answer against NIST's certified values: every dataset, every statistic, streamed and merged.

Floors (correct significant digits, NIST's log relative error; see docs/accuracy.md for the measured table):
at least 6 everywhere and 7 on Filip without refinement, the same when streamed one row, 7 or 64 rows at a
time or merged as a tree of four parts, within 1 digit of all rows at once (merges re-triangularize in extended
precision and the state keeps its factor there, so streaming does not pile up rounding); with
``refine=True`` at least 9 everywhere except Filip (whose float64 design limits it to about 8), and so by default
(``refine=None`` refines where fewer than 10 digits are claimed).
"""

import itertools
import warnings

import nist
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linnet.exact import LeastSquaresState, OLSResult, ols

FLOOR = {name: 7.0 if name == "Filip" else 6.0 for name in nist.NAMES}
STREAM_GAP = 1.0 if np.finfo(np.longdouble).nmant > 52 else 1.6
"""Digits a streamed or merged state may lose against all rows at once: 1 where merges run in extended precision
(``longdouble`` wider than float64, as on x86), 1.6 where ``longdouble`` is float64 (as on arm64 macOS)."""
REFINED_FLOOR = {name: 7.0 if name == "Filip" else 9.0 for name in nist.NAMES}


def digits(fit, dataset) -> dict[str, float]:
    found = [fit.params, fit.bse, fit.resid_std, fit.rsquared]
    return {name: nist.lre(value, dataset.certified()[name]) for name, value in zip(nist.STATISTICS, found)}


def quietly(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the digits warning (from_moments cannot refine)
        return function(*args, **kwargs)


def streamed(dataset, rows: int) -> LeastSquaresState:
    state = LeastSquaresState()
    for start in range(0, len(dataset.y), rows):
        state.update(dataset.x[start:start + rows], dataset.y[start:start + rows])
    return state


def tree(dataset) -> LeastSquaresState:
    """Four parts (three for NoInt2's three rows) merged as ``(a + b) + (c + d)``."""
    parts = [LeastSquaresState().update(x, y) for x, y in zip(np.array_split(dataset.x, min(4, len(dataset.y))),
                                                                np.array_split(dataset.y, min(4, len(dataset.y))))]
    return (parts[0] + parts[1]) + (parts[2] + parts[3]) if len(parts) == 4 else (parts[0] + parts[1]) + parts[2]


@pytest.fixture(scope="module", params=nist.NAMES)
def dataset(request):
    return nist.load(request.param)


def test_all_rows_at_once_meet_the_floor_on_every_statistic(dataset):
    found = digits(quietly(ols, dataset.x, dataset.y, dataset.fit_intercept, refine=False), dataset)
    assert min(found.values()) >= FLOOR[dataset.name], found


@pytest.mark.parametrize("chunking", ["1 row", "7 rows", "64 rows", "tree of 4"])
def test_streamed_and_merged_meet_the_floor_within_a_digit_of_all_rows(dataset, chunking):
    state = tree(dataset) if chunking == "tree of 4" else streamed(dataset, int(chunking.split()[0]))
    assert state.n == len(dataset.y)
    found = digits(quietly(OLSResult.from_moments, state, dataset.fit_intercept), dataset)
    whole = digits(quietly(ols, dataset.x, dataset.y, dataset.fit_intercept, refine=False), dataset)
    assert min(found.values()) >= FLOOR[dataset.name], found
    assert all(found[name] >= min(whole[name], 14.0) - STREAM_GAP for name in found), (found, whole)


def test_refinement_reaches_nine_digits_except_on_filip(dataset):
    """Filip (``2 eps k**2 >= 1``) is left as solved: the pass could not halve its error."""
    fit = quietly(ols, dataset.x, dataset.y, dataset.fit_intercept, refine=True)
    found = digits(fit, dataset)
    assert fit.refined == (dataset.name != "Filip") and min(found.values()) >= REFINED_FLOOR[dataset.name], found


def test_by_default_refinement_runs_where_fewer_than_ten_digits_are_claimed(dataset):
    """Wampler1/3/4 (8.4, 8.0 and 6.2 digits claimed) were left at 9.3, 9.4 and 8.2 correct digits when the
    default refined only below 6; now they meet the refined floor, and well-conditioned data are not refined."""
    solved = quietly(ols, dataset.x, dataset.y, dataset.fit_intercept, refine=False)
    fit = quietly(ols, dataset.x, dataset.y, dataset.fit_intercept)
    assert fit.refined == (solved.digits < 10 and dataset.name != "Filip"), (solved.digits, fit.refined)
    assert min(digits(fit, dataset).values()) >= REFINED_FLOOR[dataset.name], digits(fit, dataset)


def test_the_digits_estimate_never_claims_more_than_a_digit_too_many(dataset):
    for refine in (False, True):
        fit = quietly(ols, dataset.x, dataset.y, dataset.fit_intercept, refine=refine)
        assert fit.digits <= digits(fit, dataset)["coefficients"] + 1.0, (refine, fit.digits)


def test_filip_is_full_rank_with_a_finite_condition_number_and_no_rank_warning():
    filip = nist.load("Filip")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = ols(filip.x, filip.y)
    assert fit.rank == 11 and 1e15 < fit.condition_number < 3e15  # statsmodels: 1.7e15
    assert not [w for w in caught if "rank-deficient" in str(w.message)]


def test_exact_fits_give_zero_standard_errors_r2_one_and_no_warning():
    for name in ("Wampler1", "Wampler2"):
        data = nist.load(name)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fit = ols(data.x, data.y)
        assert fit.ssr == 0 and fit.rsquared == 1 and (fit.bse == 0).all() and fit.resid_std == 0


@settings(max_examples=25, deadline=None)
@given(cuts=st.lists(st.integers(1, 81), max_size=6, unique=True), order=st.randoms(use_true_random=False))
def test_any_chunking_merged_in_any_order_gives_the_same_state(cuts, order):
    filip = nist.load("Wampler4")
    bounds = sorted({0, 21, *(c % 21 for c in cuts)})
    parts = [LeastSquaresState().update(filip.x[a:b], filip.y[a:b]) for a, b in itertools.pairwise(bounds)]
    order.shuffle(parts)
    while len(parts) > 1:  # merge random neighbours: a random tree
        i = order.randrange(len(parts) - 1)
        parts[i:i + 2] = [parts[i] + parts[i + 1]]
    whole = LeastSquaresState().update(filip.x, filip.y)
    np.testing.assert_allclose(parts[0].mean, whole.mean, rtol=1e-13)
    np.testing.assert_allclose(parts[0].scatter, whole.scatter, rtol=1e-10, atol=1e-12 * np.abs(whole.scatter).max())
    fit = quietly(OLSResult.from_moments, parts[0])
    assert min(digits(fit, filip).values()) >= 6


def test_the_digits_estimate_on_filip_is_safe_and_says_so():
    """Conservative by about 2 digits (5.3 estimated, 7.6 measured; 2.7 when the intercept's error was the sum of
    the slopes'): the tighter componentwise estimate that matched Filip was unsafe elsewhere (see
    linnet.exact._digits.solution_digits)."""
    filip = nist.load("Filip")
    fit = quietly(ols, filip.x, filip.y, refine=False)
    assert 5.0 <= fit.digits <= digits(fit, filip)["coefficients"]
    with pytest.warns(UserWarning, match=r"condition number 3\.8e\+09: about 5 digits of these coefficients"):
        OLSResult.from_moments(streamed(filip, 7))


def peer_digits(dataset, params, bse, resid_std, rsquared) -> dict[str, float]:
    found = [params, bse, resid_std, rsquared]
    return {name: nist.lre(value, dataset.certified()[name]) if value is not None else 0.0
            for name, value in zip(nist.STATISTICS, found)}


def test_never_more_than_half_a_digit_below_the_best_of_lstsq_sklearn_and_statsmodels(dataset):
    """The benchmark's comparison (benchmarks/accuracy.py): lstsq and scikit-learn give no standard errors; their
    residual SD and R-squared come from their coefficients' residuals."""
    import statsmodels.api as sm
    from sklearn.linear_model import LinearRegression

    x, y = dataset.x, dataset.y
    design = sm.add_constant(x, has_constant="add") if dataset.fit_intercept else x
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels calls Filip rank-deficient
        fits = [sm.OLS(y, design).fit(method=method) for method in ("pinv", "qr")]
    peers = [peer_digits(dataset, fit.params, fit.bse, np.sqrt(fit.mse_resid), fit.rsquared) for fit in fits]
    model = LinearRegression(fit_intercept=dataset.fit_intercept).fit(x, y)
    for params in (np.linalg.lstsq(design, y, rcond=None)[0],
                   np.append(model.intercept_, model.coef_) if dataset.fit_intercept else model.coef_):
        residual = y - design @ params
        centered = y - y.mean() if dataset.fit_intercept else y
        peers.append(peer_digits(dataset, params, None, np.sqrt(residual @ residual / (len(y) - design.shape[1])),
                                 1 - (residual @ residual) / (centered @ centered)))
    best = {name: max(peer[name] for peer in peers) for name in nist.STATISTICS}
    found = digits(quietly(ols, x, y, dataset.fit_intercept, refine=False), dataset)
    assert all(found[name] >= best[name] - 0.5 for name in found), (found, best)

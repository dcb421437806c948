"""The least-squares state: pure merges, weights (statsmodels WLS), no-intercept fits, edges, and its consumers."""

import itertools
import re
import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

import linnet
from linnet.diagnostics import stable_learning_rate
from linnet.exact import LeastSquaresState, Moments, OLSResult, ols
from linnet.exact.surface import LossSurface


def _data(seed=0, n=50, p=3):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p)) * [1, 10, 0.1][:p] + [5, -3, 100][:p]
    return x, x @ np.arange(1.0, p + 1) + 2 + rng.normal(size=n)


def test_merge_is_pure_and_plus_is_merge():
    x, y = _data()
    a, b = LeastSquaresState().update(x[:20], y[:20]), LeastSquaresState().update(x[20:], y[20:])
    before = (a.n, a.mean.copy(), a.factor.copy(), b.n, b.factor.copy())
    both, plus = a.merge(b), a + b
    assert (a.n, b.n, both.n) == (20, 30, 50) and both is not a and both is not b
    np.testing.assert_array_equal(a.factor, before[2]) and np.testing.assert_array_equal(b.factor, before[4])
    np.testing.assert_array_equal(both.factor, plus.factor)
    assert linnet.stats.Moments is LeastSquaresState is Moments


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), cuts=st.lists(st.integers(1, 59), max_size=5, unique=True))
def test_merge_is_associative_and_commutative(seed, cuts):
    x, y = _data(seed, n=60)
    bounds = sorted({0, 60, *cuts})
    parts = [LeastSquaresState().update(x[a:b], y[a:b]) for a, b in itertools.pairwise(bounds)]
    left = parts[0]
    for part in parts[1:]:
        left = left + part
    right = parts[-1]
    for part in reversed(parts[:-1]):
        right = part + right
    whole = LeastSquaresState().update(x, y)
    for state in (left, right):
        spread = np.sqrt(np.diag(whole.scatter) / 60)  # a mean near 0 is exact to its column's rounding
        np.testing.assert_allclose(state.mean, whole.mean, rtol=1e-14, atol=1e-14 * spread.max())
        np.testing.assert_allclose(state.scatter, whole.scatter, rtol=1e-11, atol=1e-11 * whole.scatter.max())


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_weights_match_statsmodels_wls(fit_intercept):
    x, y = _data(1)
    weights = np.random.default_rng(2).uniform(0.1, 3, len(y))
    fit = ols(x, y, fit_intercept, sample_weight=weights)
    design = sm.add_constant(x) if fit_intercept else x
    reference = sm.WLS(y, design, weights=weights, hasconst=fit_intercept).fit()
    for name in ["params", "bse", "rsquared", "ssr", "llf", "fvalue", "condition_number"]:
        np.testing.assert_allclose(getattr(fit, name), getattr(reference, name), rtol=1e-9, err_msg=name)
    chunked = LeastSquaresState().update(x[:17], y[:17], weights[:17]) + \
        LeastSquaresState().update(x[17:], y[17:], weights[17:])
    np.testing.assert_allclose(OLSResult.from_moments(chunked, fit_intercept).params, reference.params, rtol=1e-11)


def test_integer_weights_equal_repeated_rows():
    x, y = _data(3, n=12)
    counts = np.arange(1, 13) % 3 + 1
    repeated = ols(np.repeat(x, counts, axis=0), np.repeat(y, counts))
    np.testing.assert_allclose(ols(x, y, sample_weight=counts.astype(float)).params, repeated.params, rtol=1e-12)


def test_bad_weights_are_clear_errors():
    x, y = _data()
    with pytest.raises(ValueError, match=r"sample_weight must be >= 0\. Received: -1.0 at index 3 of sample_weight"):
        ols(x, y, sample_weight=np.where(np.arange(50) == 3, -1.0, 1.0))
    with pytest.raises(ValueError, match="sample_weight must have the same number of samples"):
        ols(x, y, sample_weight=np.ones(3))
    with pytest.raises(TypeError, match="refine must be True, False or None"):
        ols(x, y, refine="yes")


@pytest.mark.parametrize("flag", [np.array([1, 0]), 1, "yes"])
def test_gram_refuses_a_fit_intercept_that_is_no_bool(flag):
    """gram(fit_intercept=np.array([1, 0])) stopped on NumPy's "truth value of an array ... is ambiguous", and
    fit_intercept=1 or "yes" counted as True."""
    state = Moments().update(*_data())
    with pytest.raises(TypeError, match=r"^fit_intercept must be True or False\. Received: fit_intercept="):
        state.gram(fit_intercept=flag)
    assert state.gram(np.True_).shape == (state.n_features + 1,) * 2


@pytest.mark.parametrize("size", [1e300, 1e-300, 1e150, 1e-160])
def test_values_near_the_float64_limits_give_the_right_answer_without_warnings(size):
    x, y = _data(4, p=2)
    reference = ols(x, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scaled = ols(x * size, y)
    np.testing.assert_allclose(scaled.coef_ * size, reference.coef_, rtol=1e-12)
    np.testing.assert_allclose(scaled.bse[1:] * size, reference.bse[1:], rtol=1e-10)
    assert scaled.rsquared == pytest.approx(reference.rsquared, rel=1e-12)


def test_near_constant_is_not_constant():
    x = 1e15 + np.arange(100.0)
    y = 3 * np.arange(100.0) + np.sin(np.arange(100.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = ols(x, y)
    assert fit.rank == 2 and fit.coef_[0] == pytest.approx(3.0, abs=0.01)


def test_fewer_rows_than_parameters_summary_leaks_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)
        text = ols([[1, 0, 2], [0, 1, 1]], [1.0, 2.0]).summary()
    assert "n/a" in text


def test_the_surface_is_the_mse_of_the_parameters():
    x, y = _data(5)
    surface = LossSurface(LeastSquaresState().update(x, y))
    coef, intercept = np.array([0.5, 2.0, -1.0]), 0.3
    assert surface.mse(coef, intercept) == pytest.approx(np.mean((y - x @ coef - intercept) ** 2), rel=1e-12)
    assert surface.gap(surface.optimum.coef_, surface.optimum.intercept_) == 0


def test_normalization_and_the_stability_limit_take_the_state():
    x, _ = _data(6)
    state = LeastSquaresState().update(x[:30], np.zeros(30)) + LeastSquaresState().update(x[30:], np.zeros(20))
    from_rows, from_state = linnet.layers.Normalization(), linnet.layers.Normalization()
    from_rows.adapt(x)
    from_state.adapt(state)
    np.testing.assert_allclose(from_state.mean, x.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(from_state.variance, x.var(axis=0), rtol=1e-6)
    assert int(from_state.count) == 50
    limit = stable_learning_rate(state).learning_rate
    assert limit == pytest.approx(stable_learning_rate(x).learning_rate, rel=1e-10)
    with pytest.raises(ValueError, match="LeastSquaresState of rows with 2 feature"):
        _adapt_two(state)


def _adapt_two(state):
    layer = linnet.layers.Normalization()
    layer.build(2)
    layer.adapt(state)


def test_the_threaded_gram_does_not_depend_on_the_thread_count(monkeypatch):
    from linnet.exact import _chunk
    rng = np.random.default_rng(3)
    x = rng.standard_normal((150_000, 4), dtype=np.float32)  # three blocks of 65,536 rows
    y = x @ np.float32([1, -2, 3, 0.5]) + 7 + rng.standard_normal(150_000, dtype=np.float32)
    states = []
    for threads in (1, 2, 3):
        monkeypatch.setattr(_chunk, "THREADS", threads)
        states.append(LeastSquaresState().update(x, y))
    for state in states[1:]:
        np.testing.assert_array_equal(state.factor, states[0].factor)
    design = sm.add_constant(x.astype(np.float64))
    np.testing.assert_allclose(ols(x, y).params, sm.OLS(y.astype(np.float64), design).fit().params, rtol=1e-12)


@pytest.mark.parametrize("limit, expected", [(None, 2), ("1", 1), ("4", 2), ("0", 2), ("many", 2)])
def test_the_gram_threads_respect_omp_num_threads_as_dask_workers_set_it(monkeypatch, limit, expected):
    from linnet.exact import _chunk
    monkeypatch.setattr(_chunk.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    if limit is None:
        monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    else:
        monkeypatch.setenv("OMP_NUM_THREADS", limit)
    assert _chunk._threads() == expected


@settings(max_examples=20, deadline=None)
@given(row=st.integers(0, 69_999), column=st.integers(0, 3), value=st.sampled_from([np.nan, np.inf, -np.inf]))
def test_a_nan_or_infinity_anywhere_is_a_clear_error_naming_its_index(row, column, value):
    x = np.ones((70_000, 3), dtype=np.float32) * np.arange(1, 4, dtype=np.float32)
    y = np.arange(70_000, dtype=np.float64)
    x[::7] += 1
    if column == 3:
        y[row] = value
        name, index = "y", f"({row},)"
    else:
        x[row, column] = value
        name, index = "x", f"({row}, {column})"
    message = rf"{name} contains NaN or infinite values \(first at index {re.escape(index)}"
    with pytest.raises(ValueError, match=message):
        ols(x, y)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("offset", [0.0, 1e4])
def test_the_cross_product_path_matches_statsmodels_wls_on_many_rows(fit_intercept, offset):
    rng = np.random.default_rng(11)
    x = rng.normal(size=(20_000, 3)) * [1, 10, 0.1] + offset  # the offset makes the Gram product shift
    y = x @ [1.0, -2.0, 3.0] + 5 + rng.normal(size=20_000)
    weights = rng.uniform(0.5, 2.0, size=20_000)
    state = LeastSquaresState().update(x, y, weights)
    assert state.rounding > np.finfo(float).eps  # the fast path was taken
    design = sm.add_constant(x) if fit_intercept else x
    expected = sm.WLS(y, design, weights=weights).fit()
    fit = OLSResult.from_moments(state, fit_intercept)
    np.testing.assert_allclose(fit.params, expected.params, rtol=1e-9)
    np.testing.assert_allclose(fit.bse, expected.bse, rtol=1e-9)
    assert fit.rsquared == pytest.approx(expected.rsquared, rel=1e-12)


def test_a_column_far_from_zero_costs_one_cross_product_a_chunk_not_two(monkeypatch):
    """A year-like column (2000 +- 10) would cancel in cross-products around 0: the chunk's sample says so and the
    product is centered at once, so each chunk takes one Gram product; the answer is numpy's least squares."""
    import linnet.exact.state as state_module
    calls = []
    real = state_module.cross_product_chunk
    monkeypatch.setattr(state_module, "cross_product_chunk", lambda *args: calls.append(1) or real(*args))
    rng = np.random.default_rng(5)
    x = rng.normal(size=(60_000, 3))
    x[:, 0] = 2000 + 10 * x[:, 0]
    y = x @ [0.5, -1.0, 2.0] + 300 + rng.normal(size=60_000)
    state = LeastSquaresState()
    for start in range(0, 60_000, 20_000):
        state.update(x[start:start + 20_000], y[start:start + 20_000])
    assert len(calls) == 3
    assert state.rounding > np.finfo(float).eps  # the cross-product path was taken, not QR
    design = np.column_stack([np.ones(60_000), x])
    expected = np.linalg.lstsq(design, y, rcond=None)[0]
    np.testing.assert_allclose(OLSResult.from_moments(state).params, expected, rtol=1e-10)


@pytest.mark.parametrize(("offset", "guess"), [(0.0, 0.0), (2000.0, 2000.5), (np.nan, 0.0), (1e300, None)])
def test_the_centering_is_zero_unless_a_sampled_mean_is_far_from_zero(offset, guess):
    """0 for a column near 0 or with a NaN; the sample's mean for a column of 2000 and 2001 (the other column, -0.5 or
    0.5, stays at 0); for values near the float64 limit any guess, without a warning (the product then refuses)."""
    from linnet.exact._chunk import centering, sample_moments
    x = np.column_stack([offset + np.arange(5000) % 2, np.arange(5000) % 2 - 0.5])
    got = centering(*sample_moments(x, np.zeros(5000)))
    if guess is not None:
        np.testing.assert_allclose(got, [guess, 0.0, 0.0], atol=1e-9)


def test_weights_that_are_all_zero_or_sum_beyond_float64_are_clear_errors_in_memory_and_streamed():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(200, 2)), rng.normal(size=200)
    with pytest.raises(ValueError, match="The sample weights of all 200 rows are 0: no row counts"):
        ols(x, y, sample_weight=np.zeros(200))
    halves = [(x[:100], y[:100], np.zeros(100)), (x[100:], y[100:], np.zeros(100))]
    with pytest.raises(ValueError, match="The sample weights of all 200 rows are 0"):
        linnet.ols(lambda: iter(halves))
    with pytest.raises(ValueError, match="sample_weight sums to more than the float64 range"):
        ols(x, y, sample_weight=np.full(200, 1e308))
    with pytest.raises(ValueError, match="sample_weight is at most 1e-315, below the smallest normal float64"):
        ols(x, y, sample_weight=np.full(200, 1e-315))
    state = LeastSquaresState().update(x[:100], y[:100], np.full(100, 1e306))
    with pytest.raises(ValueError, match="The sample weights sum to more than the float64 range"):
        state.update(x[100:], y[100:], np.full(100, 1e306))

"""The penalized optimum against scikit-learn's Ridge, Lasso and ElasticNet (after converting Keras' scaling),
against a general-purpose minimizer (weights, penalized bias, per-coefficient penalties), and hand-checked."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize
from sklearn.linear_model import ElasticNet, Lasso, Ridge

from linnet.exact import LeastSquaresState, OLSResult
from linnet.exact.penalized import Penalty, penalized, penalized_fit
from linnet.exact.surface import LossSurface


def data(seed=0, n=60):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)) * [1.0, 5.0, 0.2] + [3.0, -2.0, 10.0]
    return x, x @ [1.0, -0.5, 2.0] + 4.0 + rng.normal(size=n)


def keras_objective(x, y, penalty, weights=None):
    """``J`` written out row by row: (1/n) Σ wᵢ rᵢ² + penalty, the oracle the minimizer is checked against."""
    weights = np.ones(len(y)) if weights is None else weights

    def objective(theta):
        residual = y - x @ theta[1:] - theta[0]
        return weights @ residual ** 2 / len(y) + penalty.value(theta[1:], theta[0])
    return objective


def test_a_hand_checked_ridge():
    # y = x on x = 0, 1, 2: Sxx/n = 2/3 = Sxy/n, so (2/3 + 1)·c = 2/3 with l2 = 1: c = 0.4, b = 1 - 0.4 = 0.6
    fit = penalized_fit([[0.0], [1.0], [2.0]], [0.0, 1.0, 2.0], Penalty(l2=1.0))
    assert fit.coef_[0] == pytest.approx(0.4, abs=1e-15) and fit.intercept_ == pytest.approx(0.6, abs=1e-15)
    assert fit.mse == pytest.approx((0.6 ** 2 + 0.0 + 0.6 ** 2) / 3) and fit.objective == pytest.approx(0.24 + 0.16)


@pytest.mark.parametrize("l2", [1e-6, 0.01, 0.3, 10.0])
def test_ridge_is_scikit_learns_with_alpha_n_l2(l2):
    x, y = data()
    ours, theirs = penalized_fit(x, y, Penalty(l2=l2)), Ridge(alpha=len(y) * l2).fit(x, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-10)
    assert ours.intercept_ == pytest.approx(theirs.intercept_, rel=1e-10)
    assert ours.sweeps == 0


@pytest.mark.parametrize("l1, l2", [(0.4, 0.0), (0.4, 0.1), (2.0, 0.05), (0.01, 1.0), (50.0, 0.0)])
def test_lasso_and_elastic_net_are_scikit_learns_after_conversion(l1, l2):
    x, y = data(1)
    ours = penalized_fit(x, y, Penalty(l1=l1, l2=l2))
    alpha = l1 / 2 + l2
    model = (Lasso(alpha=alpha, tol=1e-13, max_iter=1_000_000) if l2 == 0 else
             ElasticNet(alpha=alpha, l1_ratio=(l1 / 2) / alpha, tol=1e-13, max_iter=1_000_000))
    theirs = model.fit(x, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-8, atol=1e-10)
    assert ours.intercept_ == pytest.approx(theirs.intercept_, rel=1e-8)
    if l1 == 50.0:
        np.testing.assert_array_equal(ours.coef_, 0.0)  # l1 beyond 2·max|Sxy/n|: every coefficient is 0
        assert ours.intercept_ == pytest.approx(y.mean())


def test_a_huge_penalty_on_one_parameter_leaves_the_others_their_ridge_answer():
    # l2 → ∞ on one coefficient (or the bias) pins it to 0 and solves ridge on the rest: sklearn without that column
    # (or without an intercept). lstsq on the unscaled stack cut every other direction off as rounding.
    x, y = data(4)
    for huge in (1e8, 1e30, 1e100):
        pinned = penalized_fit(x, y, Penalty(l2=[0.1, 0.1, huge]))
        rest = Ridge(alpha=len(y) * 0.1).fit(x[:, :2], y)
        np.testing.assert_allclose(pinned.coef_[:2], rest.coef_, rtol=1e-9)
        assert abs(pinned.coef_[2]) < 1e-6 and pinned.intercept_ == pytest.approx(rest.intercept_, rel=1e-9)
        no_bias = penalized_fit(x, y, Penalty(l2=0.1, bias_l2=huge))
        origin = Ridge(alpha=len(y) * 0.1, fit_intercept=False).fit(x, y)
        np.testing.assert_allclose(no_bias.coef_, origin.coef_, rtol=1e-9)
        assert abs(no_bias.intercept_) < 1e-6


@pytest.mark.parametrize("l2", [1e-20, 1e-12])
def test_a_tiny_penalty_splits_a_duplicated_column_evenly(l2):
    # ridge on [x0, x0, x1] is unique for any l2 > 0: symmetry gives c0 = c1, half least squares' slope on x0 (to
    # O(l2)); the rounding of the duplicate's factor, amplified by 1/√l2, gave -45.9 and 47.1 at l2 = 1e-20
    x, y = data(5)
    single = OLSResult.from_moments(LeastSquaresState().update(x[:, :2], y))
    fit = penalized_fit(np.column_stack([x[:, 0], x[:, 0], x[:, 1]]), y, Penalty(l2=l2))
    np.testing.assert_allclose(fit.coef_, [single.coef_[0] / 2, single.coef_[0] / 2, single.coef_[1]], rtol=1e-5)


def test_no_penalty_is_least_squares():
    x, y = data(2)
    state = LeastSquaresState().update(x, y)
    np.testing.assert_allclose(penalized(state, Penalty()).coef_, OLSResult.from_moments(state).coef_, rtol=1e-12)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), l1=st.floats(0, 2), l2=st.floats(0, 2), bias_l1=st.floats(0, 1),
       bias_l2=st.floats(0, 1), weighted=st.booleans())
def test_the_optimum_minimizes_keras_objective(seed, l1, l2, bias_l1, bias_l2, weighted):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(30, 2)) * rng.uniform(0.5, 3, size=2)
    y = x @ rng.normal(size=2) + rng.normal() + rng.normal(size=30)
    weights = rng.uniform(0, 2, size=30) if weighted else None
    penalty = Penalty(l1=[l1, 0.5 * l1], l2=[l2, 2 * l2], bias_l1=bias_l1, bias_l2=bias_l2)
    fit = penalized_fit(x, y, penalty, sample_weight=weights)
    objective = keras_objective(x, y, penalty, weights)
    theta = np.append(fit.intercept_, fit.coef_)
    assert fit.objective == pytest.approx(objective(theta), rel=1e-9, abs=1e-12)
    for step in np.eye(3) * 1e-4:  # no coordinate move lowers it (the objective is convex)
        assert objective(theta + step) >= fit.objective - 1e-12 and objective(theta - step) >= fit.objective - 1e-12
    best = minimize(objective, theta + 0.1, method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-14,
                                                                          "maxiter": 20_000})
    assert fit.objective <= best.fun + 1e-10


def test_the_penalized_surface_is_lowest_at_its_optimum():
    x, y = data(3)
    state = LeastSquaresState().update(x[:, :1], y)
    surface = LossSurface(state, Penalty(l2=0.5))
    assert surface.gap(surface.optimum.coef_, surface.optimum.intercept_) == pytest.approx(0.0, abs=1e-12)
    slopes = surface.optimum.coef_[0] + np.linspace(-1, 1, 11)
    heights = surface.mse(slopes[:, None], np.full(11, surface.optimum.intercept_))
    assert heights.argmin() == 5
    row = keras_objective(x[:, :1], y, Penalty(l2=0.5))
    assert heights[0] == pytest.approx(row(np.array([surface.optimum.intercept_, slopes[0]])), rel=1e-12)


@pytest.mark.parametrize("penalty, message", [
    (Penalty(l2=-1.0), r"penalty l2 must be a finite number in \[0.0, inf\)\. Received: penalty l2=-1.0"),
    (Penalty(l1=np.nan), "penalty l1 must be a finite number"),
    (Penalty(l1=[0.1, 0.2]), r"penalty l1 must be a number or a list of one number per coefficient \(3\)\. "
                             r"Received: l1=\[0.1, 0.2\]"),
    (Penalty(l2=[[0.1, 0.1, 0.1]]), r"penalty l2 must be a number or a list .* Received: l2=\[\[0.1"),
])
def test_a_bad_penalty_is_refused(penalty, message):
    with pytest.raises(ValueError, match=message):
        penalized_fit(*data(), penalty)


@pytest.mark.parametrize("penalty", [Penalty(l2=True), Penalty(l2="0.1"), Penalty(l1=[0.1, "a", 0.2])])
def test_a_penalty_that_is_no_number_is_refused(penalty):
    with pytest.raises(TypeError, match=r"penalty (l[12]) must be a real number\. Received: penalty \1="):
        penalized_fit(*data(), penalty)


def test_an_empty_state_is_refused():
    with pytest.raises(ValueError, match="needs a LeastSquaresState holding rows. Received"):
        penalized(LeastSquaresState(), Penalty(l2=1.0))


@pytest.mark.parametrize("penalty", [Penalty(l2=0.1), Penalty(l1=0.1), Penalty(l1=0.1, l2=0.1)],
                         ids=["ridge", "lasso", "elastic net"])
@pytest.mark.parametrize("scale", [1e307, 1e200])
def test_an_objective_beyond_float64_is_refused_without_a_warning(penalty, scale):
    """y near 1e200 squares beyond float64: the fit leaked NumPy's overflow RuntimeWarning (and returned inf);
    it is refused, saying why. 1e150 still fits (its squares, 1e300, are within float64)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((50, 2))
    base = x @ [1.0, -2.0] + 0.1 * rng.standard_normal(50)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"objective of these rows .* leaves float64.*rescale them.*Received: y "
                                             r"of mean"):
            penalized_fit(x, scale * base, penalty)
        assert np.isfinite(penalized_fit(x, 1e150 * base, penalty).objective)


def test_ridge_of_a_target_near_1e154_or_1e300_below_1_is_its_exact_scaling_and_keeps_its_r2():
    """Ridge is homogeneous in y: y·2**510 (about 3e153) gives coefficients times 2**510, the objective times
    2**1020 and the same R². Squares of such values leave float64: the fit was refused (R²'s Σ(y − ȳ)², and an
    l2·c² formed as c² first, overflowed), and a lasso's objective was NaN (0·c² for the unpenalized l2)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((50, 2))
    y = x @ [1.0, 2.0] + 3 + 0.1 * rng.standard_normal(50)
    small = penalized_fit(x, y, Penalty(l2=0.1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        large = penalized_fit(x, y * 2.0 ** 510, Penalty(l2=0.1))
        lasso = penalized_fit(x, y * 1e154, Penalty(l1=0.1))
        tiny = penalized_fit(x, y * 2.0 ** -1000, Penalty(l2=0.1))  # squares below float64: R² was NaN
    np.testing.assert_allclose(tiny.coef_, small.coef_ * 2.0 ** -1000, rtol=1e-12)
    assert tiny.rsquared == pytest.approx(small.rsquared, rel=1e-12)
    np.testing.assert_allclose(large.coef_, small.coef_ * 2.0 ** 510, rtol=1e-12)
    assert large.objective == pytest.approx(small.objective * 2.0 ** 1020, rel=1e-12)
    assert large.rsquared == pytest.approx(small.rsquared, rel=1e-12)
    # an l1 of 0.1 against coefficients near 1e154 is no penalty: least squares' R²
    assert np.isfinite(lasso.objective) and lasso.rsquared == pytest.approx(OLSResult.from_moments(
        LeastSquaresState().update(x, y)).rsquared, rel=1e-9)


@pytest.mark.parametrize("flag", [np.array([1, 0]), 1])
def test_a_fit_intercept_that_is_no_bool_is_refused_by_name(flag):
    """penalized(..., fit_intercept=np.array([1, 0])) stopped on NumPy's "truth value of an array ... is ambiguous",
    and fit_intercept=1 was kept as 1 in the result."""
    with pytest.raises(TypeError, match=r"^fit_intercept must be True or False\. Received: fit_intercept="):
        penalized_fit([[0.0], [1.0], [2.0]], [0.0, 1.0, 2.0], Penalty(l2=1.0), fit_intercept=flag)


@pytest.mark.parametrize("penalty", [Penalty(l2=0.1), Penalty(l1=0.01)])
def test_a_weighted_constant_y_has_no_r_squared_and_zero_slopes(penalty):
    """As OLSResult's (solve.CONSTANT_Y): the rounding of the weighted mean of y = 0.1 gave R-squared 6.3e-05 and
    slopes of 1e-34."""
    rng = np.random.default_rng(10_000)
    x, weights = rng.random((10_000, 2)), rng.random(10_000)
    fit = penalized_fit(x, np.full(10_000, 0.1), penalty, sample_weight=weights)
    assert np.isnan(fit.rsquared) and (fit.coef_ == 0).all() and fit.intercept_ == pytest.approx(0.1, rel=1e-15)


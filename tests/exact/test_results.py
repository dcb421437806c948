"""linnet.exact.results against hand-computed answers and statsmodels, and chunked accumulation against all rows
at once."""

import itertools
import os
import pathlib
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

import linnet
from linnet.exact import state as _state
from linnet.exact.results import OLSResult, ResidualDegreesOfFreedomError, ols
from linnet.exact.state import Moments

BOSTON = pathlib.Path(linnet.__file__).parent / "data/bundled/boston_housing.npz"
BOSTON_NAMES = ["CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD", "TAX", "PTRATIO", "B", "LSTAT"]
VECTORS = ["params", "bse", "tvalues", "pvalues"]
SCALARS = ["rsquared", "rsquared_adj", "fvalue", "f_pvalue", "llf", "aic", "bic", "df_resid", "df_model",
           "condition_number", "nobs", "ssr", "scale"]


@pytest.fixture(scope="module")
def boston():
    with np.load(BOSTON) as data:
        return data["x_train"], data["y_train"]


def statsmodels_fit(x, y, fit_intercept=True):
    design = sm.add_constant(x, has_constant="add") if fit_intercept else x
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels' own rank-deficiency warning
        return sm.OLS(y, design, hasconst=fit_intercept).fit()


def assert_matches_statsmodels(ours, theirs, rtol=1e-8, skip=()):
    for name in [*VECTORS, *SCALARS]:
        if name not in skip:
            np.testing.assert_allclose(getattr(ours, name), getattr(theirs, name), rtol=rtol, atol=0, err_msg=name)
    np.testing.assert_allclose(ours.cov_params(), theirs.cov_params(), rtol=rtol, atol=0)
    np.testing.assert_allclose(ours.conf_int(), theirs.conf_int(), rtol=rtol, atol=0)
    np.testing.assert_allclose(ours.conf_int(0.2), theirs.conf_int(0.2), rtol=rtol, atol=0)
    assert ours.rank == theirs.model.rank
    assert ours.resid_std == pytest.approx(np.sqrt(theirs.mse_resid), rel=rtol)


# --- hand-checkable ---------------------------------------------------------------------------------------------
def test_two_points_give_the_line_through_them():
    fit = ols([[1.0], [2.0]], [1.0, 2.0])
    np.testing.assert_allclose(fit.coef_, [1.0], atol=1e-15)
    assert fit.intercept_ == pytest.approx(0.0, abs=1e-15)
    assert (fit.rank, fit.df_resid, fit.df_model) == (2, 0, 1)
    assert fit.rsquared == pytest.approx(1.0) and fit.llf == np.inf
    with pytest.raises(ResidualDegreesOfFreedomError, match=r"need more rows than .* are 2 row\(s\) for rank 2"):
        _ = fit.bse
    assert "n/a" in fit.summary()


def test_three_points_closed_form():
    # y = -2/3 + 1.5 x; residuals (1/6, -1/3, 1/6); ssr = 1/6; tss = 14/3; sxx = 2
    fit = ols([1, 2, 3], [1, 2, 4])
    np.testing.assert_allclose(fit.params, [-2 / 3, 1.5], rtol=1e-14)
    assert fit.ssr == pytest.approx(1 / 6, rel=1e-13)
    assert fit.rsquared == pytest.approx(27 / 28, rel=1e-14)
    assert fit.bse[1] == pytest.approx(np.sqrt(1 / 12), rel=1e-13)  # sqrt(scale / sxx)
    assert fit.bse[0] == pytest.approx(np.sqrt(1 / 6 * (1 / 3 + 4 / 2)), rel=1e-13)  # sqrt(scale (1/n + mean^2/sxx))
    assert fit.aic == pytest.approx(-2 * fit.llf + 4)


def test_without_intercept_is_the_line_through_the_origin():
    fit = ols([1.0, 2.0], [2.0, 5.0], fit_intercept=False)  # slope = x'y / x'x = 12 / 5
    np.testing.assert_allclose(fit.params, [12 / 5], rtol=1e-15)
    assert fit.intercept_ == 0.0 and fit.param_names == ["x"]


# --- statsmodels oracle -------------------------------------------------------------------------------------------
def test_boston_all_features_match_statsmodels(boston):
    x, y = boston
    fit = ols(x, y, feature_names=BOSTON_NAMES)
    assert_matches_statsmodels(fit, statsmodels_fit(x, y))
    assert fit.param_names == ["const", *BOSTON_NAMES] and fit.rank == 14
    np.testing.assert_allclose(fit.coef_, fit.params[1:]) and fit.intercept_ == fit.params[0]


def test_boston_rooms_alone_match_statsmodels(boston):
    x, y = boston
    assert_matches_statsmodels(ols(x[:, 5], y), statsmodels_fit(x[:, 5], y))


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_synthetic_data_match_statsmodels(fit_intercept, dtype):
    rng = np.random.default_rng(7)
    x = (rng.normal(size=(300, 6)) * [1, 10, 0.01, 1e3, 5, 1] + [0, 100, -3, 5e3, 0, 1]).astype(dtype)
    y = x.astype(np.float64) @ [2.0, -0.3, 50.0, 0.001, 0.0, 1.0] + 4 + rng.normal(size=300)
    assert_matches_statsmodels(ols(x, y, fit_intercept), statsmodels_fit(x.astype(np.float64), y, fit_intercept))


# --- rank deficiency ------------------------------------------------------------------------------------------------
def _collinear_data():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(60, 5))
    x[:, 3] = x[:, 0] + 2 * x[:, 1]
    return x, x @ [1.0, 2.0, 3.0, 4.0, 5.0] + rng.normal(size=60)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_collinear_columns_are_named_and_the_minimum_norm_solution_matches_statsmodels(fit_intercept):
    x, y = _collinear_data()
    with pytest.warns(UserWarning, match=r"rank \d of \d parameters\): columns x\[:, 0\] \('x1'\), "
                                         r"x\[:, 1\] \('x2'\) and x\[:, 3\] \('x4'\) are collinear"):
        fit = ols(x, y, fit_intercept)
    assert fit.rank == 4 + fit_intercept and fit.condition_number == np.inf
    assert_matches_statsmodels(fit, statsmodels_fit(x, y, fit_intercept), skip=["condition_number"])
    design = sm.add_constant(x) if fit_intercept else x
    np.testing.assert_allclose(fit.params, np.linalg.pinv(design) @ y, rtol=1e-10)


def test_constant_column_is_named_and_shares_the_intercept_like_statsmodels():
    x, y = _collinear_data()
    x[:, 3] = 3.0
    with pytest.warns(UserWarning, match=r"x\[:, 3\] \('RM'\) is constant\. Using the minimum-norm"):
        fit = ols(x, y, feature_names=["a", "b", "c", "RM", "e"])
    assert fit.rank == 5
    assert_matches_statsmodels(fit, statsmodels_fit(x, y), skip=["condition_number"])


def test_duplicated_columns_and_all_zero_column_without_intercept():
    x, y = _collinear_data()
    x = np.column_stack([x[:, :2], x[:, :2], np.zeros(60)])
    with pytest.warns(UserWarning, match=r"x\[:, 4\] \('x5'\) is all zeros; columns x\[:, 0\] \('x1'\), "
                                         r"x\[:, 1\] \('x2'\), x\[:, 2\] \('x3'\) and x\[:, 3\] \('x4'\) are"):
        fit = ols(x, y, fit_intercept=False)
    assert fit.rank == 2
    np.testing.assert_allclose(fit.params[:4], np.linalg.pinv(x[:, :4]) @ y, rtol=1e-12)
    assert fit.params[4] == 0 and np.isnan(fit.tvalues[4])
    summary = fit.summary()  # printed "nan nan" without a word; now the mechanism's "undefined" and a note why
    assert summary.parameters[4][3:5] == ("undefined", "undefined") and " nan " not in summary
    assert summary.notes == ("t and P>|t| of x5 are undefined: the coefficient and its standard error are both 0 "
                             "(0/0).",)
    assert_matches_statsmodels(fit, statsmodels_fit(x, y, False), skip=["condition_number"])


def test_fewer_rows_than_parameters_warns_and_keeps_the_coefficients():
    with pytest.warns(UserWarning, match=r"fewer rows \(3\) than parameters \(5\)"):
        fit = ols([[1, 0, 2, 1], [0, 1, 1, 3], [2, 2, 0, 1]], [1.0, 2.0, 3.0])
    assert fit.rank == 3 and fit.rsquared == pytest.approx(1.0)
    with pytest.raises(ResidualDegreesOfFreedomError, match="3 row"):
        fit.conf_int()


def test_degenerate_targets_give_statsmodels_nan_and_inf_without_numpy_warnings():
    constant_y = ols([1, 2, 4], [2, 2, 2])
    np.testing.assert_allclose(constant_y.params, [2, 0], atol=1e-15)
    assert np.isnan(constant_y.rsquared) and np.isnan(constant_y.fvalue) and constant_y.llf == np.inf
    perfect = ols([1, 2, 4], [2, 4, 8])
    assert perfect.rsquared == 1 and perfect.fvalue == np.inf and perfect.f_pvalue == 0
    with pytest.warns(UserWarning, match="is constant"):
        only_constant = ols([3, 3, 3], [1, 2, 3])
    np.testing.assert_allclose(only_constant.params, [0.2, 0.6], rtol=1e-14)  # minimum norm of b0 + 3 b = 2
    assert only_constant.rank == 1 and only_constant.df_model == 0 and np.isnan(only_constant.f_pvalue)


# --- chunks and merging ----------------------------------------------------------------------------------------
def _assert_same_fit(a, b, rtol=1e-10):
    for name in ["params", "bse", "tvalues", "rsquared", "llf", "condition_number"]:
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=rtol, atol=0, err_msg=name)
    # a p-value of 1e-40 moves ~ t^2 times more (relatively) than t does; F is proportional to 1 / RSS, whose
    # relative rounding from moments is ~1e-16 * TSS / RSS, i.e. ~1e-16 * F on near-exact fits (documented)
    np.testing.assert_allclose(a.pvalues, b.pvalues, rtol=100 * rtol, atol=0)
    np.testing.assert_allclose(a.fvalue, b.fvalue, rtol=max(rtol, 1e-15 * b.fvalue), atol=0)


def test_chunks_and_merged_moments_give_the_whole_answer(boston):
    x, y = boston
    whole = ols(x, y)
    chunked = Moments()
    for start in range(0, len(x), 37):
        chunked.update(x[start:start + 37], y[start:start + 37])
    parts = [Moments().update(x[i::4], y[i::4]) for i in range(4)]
    tree = parts[0].merge(parts[1]).merge(parts[2].merge(parts[3]))
    for moments in (chunked, tree):
        assert moments.n == 404
        _assert_same_fit(OLSResult.from_moments(moments), whole)


def test_rows_are_converted_in_bounded_chunks(boston, monkeypatch):
    x, y = boston
    whole = ols(x, y)
    monkeypatch.setattr(_state, "ROWS_PER_CHUNK", 50)
    _assert_same_fit(ols(x, y), whole)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_features=st.integers(1, 5), fit_intercept=st.booleans(),
       cuts=st.lists(st.floats(0, 1), max_size=8))
def test_random_chunk_boundaries_give_the_whole_answer(seed, n_features, fit_intercept, cuts):
    rng = np.random.default_rng(seed)
    n = 4 * n_features + 10
    x = rng.normal(size=(n, n_features)) * rng.uniform(0.1, 100, n_features) + rng.normal(0, 100, n_features)
    y = x @ rng.normal(size=n_features) + rng.normal(size=n)
    bounds = sorted({0, n, *(int(c * n) for c in cuts)})
    moments = Moments(n_features)
    for start, stop in itertools.pairwise(bounds):
        moments.update(x[start:stop], y[start:stop])
    _assert_same_fit(OLSResult.from_moments(moments, fit_intercept), ols(x, y, fit_intercept))


def test_moments_are_the_centered_cross_products():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(20, 3)) + 1e6
    moments = Moments().update(z[:7, :2], z[:7, 2]).merge(Moments().update(z[7:, :2], z[7:, 2]))
    np.testing.assert_allclose(moments.scatter, np.cov(z.T) * 19, rtol=1e-8)
    np.testing.assert_allclose(moments.mean, z.mean(axis=0), rtol=1e-15)
    assert (moments.mean_y, moments.syy) == (moments.mean[2], moments.scatter[2, 2])


def test_the_result_does_not_change_when_its_moments_do(boston):
    x, y = boston
    moments = Moments().update(x, y)
    fit = OLSResult.from_moments(moments)
    moments.update(x[:5], y[:5] + 100)
    assert fit.nobs == 404
    _assert_same_fit(fit, ols(x, y))


# --- errors, laziness, rendering ----------------------------------------------------------------------------------
@pytest.mark.parametrize("x, y, error, message", [
    (np.zeros((0, 2)), np.zeros(0), ValueError, "x is empty"),
    ([[1.0, 2.0]], [3.0], ValueError, r"at least 2 rows\. Received: 1 row\(s\)"),
    ([[1.0], [np.nan]], [1.0, 2.0], ValueError, "x contains NaN"),
    ([[1.0], [2.0]], [1.0, np.inf], ValueError, "y contains NaN or infinite"),
    ([[1.0], [2.0]], [1.0, 2.0, 3.0], ValueError, "x has 2, y has 3"),
    (np.zeros((2, 2, 2)), np.zeros(2), ValueError, r"Received: x\.shape=\(2, 2, 2\)"),
    ([["a"], ["b"]], [1.0, 2.0], TypeError, "x must hold numbers"),
])
def test_bad_input_is_a_clear_error(x, y, error, message):
    with pytest.raises(error, match=message):
        ols(x, y)


def test_bad_arguments_are_clear_errors():
    x, y = [[1.0], [2.0], [4.0]], [1.0, 2.0, 2.0]
    with pytest.raises(ValueError, match="feature_names has 2 name"):
        ols(x, y, feature_names=["a", "b"])
    with pytest.raises(TypeError, match="fit_intercept must be True or False. Received: fit_intercept='yes'"):
        ols(x, y, fit_intercept="yes")
    with pytest.raises(ValueError, match="alpha must be a finite number in"):
        ols(x, y).conf_int(alpha=1.5)
    with pytest.raises(ValueError, match=r"at least 2 rows\. Received: 0 row\(s\)"):
        OLSResult.from_moments(Moments(3))
    with pytest.raises(ValueError, match="Cannot merge moments of 2 feature"):
        Moments().update(x, y).merge(Moments().update([[1, 2]], [1]))
    with pytest.raises(ValueError, match="x has 2 feature"):
        Moments().update(x, y).update([[1, 2]], [1])


def test_statistics_are_computed_lazily_and_scipy_only_when_asked():
    fit = ols([1, 2, 3, 5], [1, 2, 4, 4])
    assert "pvalues" not in vars(fit) and "rsquared" not in vars(fit)
    _ = fit.pvalues
    assert "pvalues" in vars(fit) and "bse" in vars(fit)
    code = "import sys, linnet.exact.results as s; s.ols([1, 2, 3], [1, 2, 4]).bse; assert 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONPATH": str(BOSTON.parents[3])})


def test_dataframe_columns_name_the_parameters_and_summary_shows_statsmodels_numbers(boston):
    x, y = boston
    fit = ols(pd.DataFrame(x, columns=BOSTON_NAMES), pd.Series(y))
    reference = statsmodels_fit(x, y)
    text = fit.summary(dep_variable="MEDV")
    assert f"R-squared:{reference.rsquared:>26.3f}" in text and f"Df Model:{13:>30}" in text
    assert "Dep. Variable:" in text and "MEDV" in text and "No. Observations:" in text and " 404" in text
    row = next(line for line in text.splitlines() if line.startswith("PTRATIO"))
    lower, upper = reference.conf_int()[11]
    assert row.split() == ["PTRATIO", f"{reference.params[11]:.4f}", f"{reference.bse[11]:.3f}",
                           f"{reference.tvalues[11]:.3f}", f"{reference.pvalues[11]:.3f}", f"{lower:.3f}",
                           f"{upper:.3f}"]
    assert f"{reference.condition_number:.3g}" in text
    assert repr(fit) == "OLSResult(nobs=404, n_features=13, fit_intercept=True, rank=14, rsquared=0.739964)"


def test_the_parameter_table_formats_numbers_as_statsmodels_does():
    """statsmodels prints a number of 1e4 or more (or below 1e-4) with 4 (coefficients) or 3 significant digits,
    others with 4 or 3 decimals; linnet printed every coefficient with 4 decimals (300 digits for 1e300, 0.0000
    for 1e-300)."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=(50, 2))
    y = 1e9 * (x[:, 0] + 0.5 * x[:, 1] + rng.normal(size=50)) + 1e-9 * x[:, 1]
    theirs = statsmodels_fit(x, y).summary().tables[1].data[1:]
    ours = ols(x, y).summary().parameters
    assert [[cell.strip() for cell in row[1:]] for row in theirs] == [list(row[1:]) for row in ours]
    assert ours[0][1] == "-1.796e+08"


def test_an_exact_fit_with_an_unused_column_is_not_called_unreliable():
    """y = 2 x0 + 1 exactly: the coefficient of x1 is 0 in truth and about 1e-18 as computed. Measured against
    itself it had no correct digit, and the fit warned "about 0 digits of these coefficients are reliable" at
    condition number 1; measured against a negligible share of the fit (sqrt(eps)) it loses none."""
    import warnings

    import linnet
    x = np.random.default_rng(0).normal(size=(1000, 2))
    y = 2 * x[:, 0] + 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for result in (linnet.exact.ols(x, y), linnet.ols(lambda: iter([(x[:500], y[:500]), (x[500:], y[500:])]))):
            np.testing.assert_allclose(result.params, [1.0, 2.0, 0.0], atol=1e-14)
            assert result.digits > 7


@pytest.mark.parametrize("design", ["constant column", "duplicated column"])
def test_a_rank_deficient_design_has_statsmodels_statistics_from_rows_or_from_a_state(design):
    """The factor's row of a constant (centered: zero) or collinear column keeps part of the residual to its right:
    ssr was 0.235 against 0.417 (R², F, standard errors with it) until the unreached part of rxy counted."""
    import warnings

    import statsmodels.api as sm

    from linnet.exact import LeastSquaresState, OLSResult
    rng = np.random.default_rng(4)
    x = rng.normal(size=(40, 3))
    if design == "constant column":
        x[:, 1] = 5.0
    else:
        x[:, 1] = x[:, 0]
    y = x @ [1.0, 0.5, -2.0] + rng.normal(size=40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both libraries warn of the rank deficiency (tested elsewhere)
        expected = sm.OLS(y, sm.add_constant(x, has_constant="add")).fit()
        fits = [ols(x, y, refine=False), ols(x, y), OLSResult.from_moments(LeastSquaresState().update(x, y))]
    for fit in fits:
        assert fit.ssr == pytest.approx(expected.ssr, rel=1e-10)
        assert fit.rsquared == pytest.approx(expected.rsquared, rel=1e-10)
        assert fit.fvalue == pytest.approx(expected.fvalue, rel=1e-9)
        np.testing.assert_allclose(fit.bse, expected.bse, rtol=1e-9)
        np.testing.assert_allclose(fit.params, expected.params, rtol=1e-9, atol=1e-12)


def test_a_full_rank_design_is_not_called_singular():
    """Two columns 1e-13 apart in 30 rows: the scaled singular values' ratio is 5e-14, matrix_rank says 3. A fixed
    threshold of 1e-13 called it rank-deficient and returned the minimum-norm answer (ssr 9% above the optimum);
    the threshold is now 8 (p + 1) ulps of the state's rounding."""
    import warnings
    rng = np.random.default_rng(0)
    a = rng.normal(size=30)
    x = np.column_stack([a, a + 1e-13 * rng.normal(size=30)])
    y = rng.normal(size=30)
    design = np.column_stack([np.ones(30), x])
    assert np.linalg.matrix_rank(design) == 3
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = ols(x, y)
    assert fit.rank == 3 and not any("rank-deficient" in str(item.message) for item in caught)
    assert fit.ssr <= np.linalg.lstsq(design, y, rcond=None)[1][0] * (1 + 1e-9)


def test_slopes_beyond_float64_are_refused_naming_the_column():
    """x of subnormal numbers: y rises by 1 per 1e-323 of x, a slope above 1.8e308. ols returned NaN coefficients
    and leaked an overflow RuntimeWarning; a column of 1e-300s (slope 1.9e299) is still solved."""
    y = np.arange(6.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"x's column\(s\) \[0\] are beyond float64.*Received: x with column"):
            ols(np.array([5e-324] * 5 + [-5e-324]), y)
        assert np.isfinite(ols(np.array([1e-300, 2e-300, 3e-300, 0, 5e-300, 1e-300]), y).params).all()


@pytest.mark.parametrize("flag", [np.array([1, 0]), 1, "no"])
def test_from_moments_refuses_a_warn_that_is_no_bool(flag):
    """from_moments(state, warn=np.array([1, 0])) stopped on NumPy's "truth value of an array ... is ambiguous" (after
    solving), and warn="no" warned."""
    state = Moments().update([[0.0], [1.0], [2.0]], [0.0, 1.0, 3.0])
    with pytest.raises(TypeError, match=r"^warn must be True or False\. Received: warn="):
        OLSResult.from_moments(state, warn=flag)


@pytest.mark.parametrize("fit_intercept, y, why", [(True, np.ones(20), "y is constant"),
                                                  (False, np.zeros(20), "y is 0 in every row")])
def test_r_squared_of_a_y_without_variation_is_nan_and_printed_as_undefined_saying_why(fit_intercept, y, why):
    """A constant y printed "R-squared: nan", "F-statistic: nan" and repr "rsquared=nan", unexplained.
    statsmodels' rsquared is -inf there (or noise) with a RuntimeWarning; linnet keeps NaN, warns nothing, and the
    summary's four cells say "undefined" with a note saying why."""
    x = np.random.default_rng(0).random((20, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = ols(x, y, fit_intercept=fit_intercept)
        summary, text = result.summary(), repr(result)
    assert np.isnan([result.rsquared, result.rsquared_adj, result.fvalue, result.f_pvalue]).all()
    assert [row[3] for row in summary.info[:4]] == ["undefined"] * 4 and "nan" not in "".join(summary.info[0])
    assert text.endswith(f"rsquared=nan (undefined: {why}))")
    assert summary.notes[0] == (f"R-squared, Adj. R-squared and the F-statistic are undefined: {why}, so there is "
                                f"no variation for the model to explain.")
    assert " ".join(summary.split("Notes:\n")[1].split("\n[2]")[0].split()) == "[1] " + summary.notes[0]
    # such a y is fitted exactly, and its slopes are 0 with standard errors 0: notes [2] and [3] (the exact fit's)
    assert summary.notes[1].startswith("Exact fit: the residuals are 0") and len(summary.notes) == 3
    assert summary.notes[2] == "t and P>|t| of x1 and x2 are undefined: the coefficient and its standard error are " \
                               "both 0 (0/0)."


def test_a_y_with_variation_has_no_notes_and_its_numbers_printed():
    result = ols([[0.0], [1.0], [2.0]], [0.0, 1.0, 3.0])
    assert result.summary().notes == () and "Notes:" not in result.summary()
    assert repr(result).endswith(f"rsquared={result.rsquared:.6g})")


EXACT_NOTE = ("Exact fit: the residuals are 0 (y is fitted exactly, to float64's rounding). So the standard errors "
              "are 0, and t, F and the log-likelihood are infinite (the limit as the residuals shrink to 0): P>|t| "
              "and Prob(F) are 0, AIC and BIC -inf.")


def test_an_exact_fit_prints_the_limits_of_its_statistics_and_says_why():
    """y = 2x + 30 printed std err 0, t inf, F inf, Log-Likelihood inf, AIC -inf without a word. statsmodels on the
    same rows reports its rounding: ssr 4.5e-28, std err 7.7e-15 and 2.5e-15, t 3.9e15 and 7.8e14, F 6.2e29,
    Log-Likelihood 185.7 (numbers that depend on the order of its floating-point sums). linnet calls a residual
    norm at the rounding level 0 and prints the limits, saying so."""
    x = np.arange(6.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = ols(x[:, None], 2 * x + 30)
        summary, text = result.summary(), repr(result)
    assert result.exact_fit and result.ssr == 0 and (result.bse == 0).all() and (result.tvalues == np.inf).all()
    assert [row[2:5] for row in summary.parameters] == [("0", "inf", "0.000"), ("0", "inf", "0.000")]
    assert [row[3] for row in summary.info[2:]] == ["inf", "0", "inf", "-inf", "-inf"]
    assert summary.notes == (EXACT_NOTE,)
    assert " ".join(summary.split("Notes:\n")[1].split()) == "[1] " + EXACT_NOTE
    assert text == "OLSResult(nobs=6, n_features=1, fit_intercept=True, rank=2, rsquared=1 (exact fit: the " \
                   "residuals are 0))"


def test_an_exact_fit_without_residual_degrees_of_freedom_names_only_the_log_likelihood():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        summary = ols([[1.0], [2.0]], [1.0, 3.0]).summary()
    assert summary.notes == ("Exact fit: the residuals are 0 (y is fitted exactly, to float64's rounding). So the "
                             "log-likelihood is infinite (the limit as the residuals shrink to 0): AIC and BIC -inf.",)


def test_a_nearly_exact_fit_is_not_exact_and_its_t_and_f_are_finite():
    """y = 2x + 30 + 1e-13 noise: residuals of 14 units in the last place of y are not rounding. Its F came out
    inf (from R-squared, which rounds to 1); now t and F match exact rational arithmetic on the same float64 rows
    (statsmodels: F 3.00e28, t 8.6e14 and 1.7e14, 5% off, its own rounding on top of the noise)."""
    from fractions import Fraction
    x = np.arange(6.0)
    y = 2 * x + 30 + 1e-13 * np.random.default_rng(0).standard_normal(6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = ols(x[:, None], y)
        summary, text = result.summary(), repr(result)
    xs, ys = [Fraction(v) for v in x], [Fraction(v) for v in y]
    mean_x, mean_y = sum(xs) / 6, sum(ys) / 6
    sxx = sum((v - mean_x) ** 2 for v in xs)
    slope = sum((u - mean_x) * (v - mean_y) for u, v in zip(xs, ys)) / sxx
    intercept = mean_y - slope * mean_x
    scale = sum((v - intercept - slope * u) ** 2 for u, v in zip(xs, ys)) / 4
    bse = [float(scale * (Fraction(1, 6) + mean_x ** 2 / sxx)) ** 0.5, float(scale / sxx) ** 0.5]  # 3.34e-14, 1.10e-14
    t = [float(intercept) / bse[0], float(slope) / bse[1]]
    assert not result.exact_fit and result.ssr > 0 and summary.notes == () and text.endswith("rsquared=1)")
    np.testing.assert_allclose(result.bse, bse, rtol=1e-2)
    np.testing.assert_allclose(result.tvalues, t, rtol=1e-2)  # 9.0e14, 1.8e14
    assert result.fvalue == pytest.approx(float(slope ** 2 * sxx / scale), rel=2e-2)  # 3.28e28
    assert summary.info[2][3] == "3.264e+28" and [row[3] for row in summary.parameters] == ["8.95e+14", "1.81e+14"]


@pytest.mark.parametrize("value", [0.1, 1 / 3, np.pi, 1e10 + 0.1, -7.77e-5, 1e300 / 7])
@pytest.mark.parametrize("n", [20, 10_000])
def test_a_weighted_constant_y_is_constant_not_an_r_squared_of_rounding(value, n):
    """With weights the means of a constant y round to ~eps² of it, and R-squared came out of that noise: 1.3e-4 for
    y = 0.1 on these 10,000 rows, with slopes of 1e-33 (1.0 on some 20 rows). Now: NaN, slopes 0, the intercept y."""
    rng = np.random.default_rng(n)
    x, weights = rng.random((n, 2)), rng.random(n)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = ols(x, np.full(n, value), sample_weight=weights)
        assert np.isnan(result.rsquared) and np.isnan(result.fvalue)
    assert (result.coef_ == 0).all() and result.intercept_ == pytest.approx(value, rel=4 * np.finfo(float).eps)


@pytest.mark.parametrize("n", [20, 10_000, 1_000_000])
def test_a_y_with_one_value_one_unit_in_the_last_place_apart_still_varies(n):
    """The constant test (``CONSTANT_Y``) does not take the least variation float64 can hold for none."""
    y = np.ones(n)
    y[0] = np.nextafter(1.0, 2.0)
    result = ols(np.random.default_rng(0).random((n, 1)), y, sample_weight=np.full(n, 0.5))
    assert 0 < result.rsquared < 1



@pytest.mark.parametrize("fit_intercept", [True, False])
def test_an_exact_fit_reports_the_rounding_of_an_unused_column_as_0_with_t_undefined(fit_intercept):
    """y = 2 x1 - 3 x2 (+ 5) does not use x3: its coefficient was rounding (2.4e-18), printed with std err 0 and t
    inf (and without intercept t [-inf, inf, inf] for y = 2 x1). Now 0, t and P>|t| undefined (0/0), the columns
    y uses keep t = inf, and the exact-fit note stays true (t is infinite for those)."""
    x = np.random.default_rng(1).standard_normal((20, 3))
    y = 2 * x[:, 0] - 3 * x[:, 1] + 5 * fit_intercept
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = ols(x, y, fit_intercept=fit_intercept)
        summary = result.summary()
    used = [5.0] * fit_intercept + [2.0, -3.0]
    np.testing.assert_allclose(result.params[:-1], used, rtol=1e-14)
    assert result.exact_fit and result.params[-1] == 0 and result.coef_[-1] == 0
    assert (np.abs(result.tvalues[:-1]) == np.inf).all() and (result.pvalues[:-1] == 0).all()
    assert np.isnan(result.tvalues[-1]) and np.isnan(result.pvalues[-1])
    assert summary.parameters[-1] == ("x3", "0", "0", "undefined", "undefined", "0", "0")
    assert summary.notes == (EXACT_NOTE, "t and P>|t| of x3 are undefined: the coefficient and its standard error "
                                         "are both 0 (0/0).")
    alone = ols(x, 2 * x[:, 0], fit_intercept=False)
    assert alone.params[0] == pytest.approx(2.0, rel=1e-15) and (alone.params[1:] == 0).all()
    assert alone.tvalues[0] == np.inf and np.isnan(alone.tvalues[1:]).all()
    # a coefficient small against the fit (1e-9, below its negligible size 3e-8) but above the solve's error bound
    # (~1e-16 here) is a coefficient, not rounding: kept, t inf
    small = ols(x, 2 * x[:, 0] + 1e-9 * x[:, 1], fit_intercept=False)
    assert small.exact_fit and small.params[1] == pytest.approx(1e-9, rel=1e-6) and small.params[2] == 0
    assert list(small.tvalues[:2]) == [np.inf, np.inf] and np.isnan(small.tvalues[2])


def test_a_weighted_exact_fit_says_the_weighted_residuals_are_0():
    """Rows of weight 0 keep their residuals (10 here) in an exact weighted fit: the note and the repr said "the
    residuals are 0"; now they say the weighted residuals are, y fitted exactly where the weight is positive."""
    x = np.arange(8.0)
    y = 2 * x + 1
    y[:2] += 10
    weights = np.array([0, 0, 1, 1, 2, 2, 3, 3.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = ols(x, y, sample_weight=weights)
        summary = result.summary()
    assert result.exact_fit and result.weighted
    np.testing.assert_allclose(y - result.intercept_ - result.coef_[0] * x, [10, 10, 0, 0, 0, 0, 0, 0], atol=1e-12)
    assert summary.notes[0].startswith("Exact fit: the weighted residuals are 0 (y is fitted exactly in every row "
                                       "of positive weight, to float64's rounding). So the standard errors are 0")
    assert repr(result).endswith("rsquared=1 (exact fit: the weighted residuals are 0))")
    unit = ols(x, 2 * x + 1, sample_weight=np.ones(8))  # weights all 1: unweighted
    assert not unit.weighted and repr(unit).endswith("rsquared=1 (exact fit: the residuals are 0))")

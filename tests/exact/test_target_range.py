"""Targets near either end of float64's range (|y| up to 1.8e308, down to 1e-300): every statistic of ``ols`` is
the statistic of the same problem scaled by an exact power of two, scaled back; one whose true value leaves
float64 (``ssr`` of 1e615 or 1e-600) is refused naming y, never inf, 0 or a leaked RuntimeWarning."""

import math
import re
import warnings
from decimal import Decimal

import numpy as np
import pytest

from linnet.exact.results import ols

ROWS = 50
SHIFT = 1000
"""The oracle: ``y * 2**SHIFT`` is the same problem, its statistics exactly scaled (``2**SHIFT`` is exact)."""


def moderate(kind: str):
    """``(x, y)`` of a noisy plane with |y| near 1e6, or near 1.5e308 / 2**SHIFT (about 1.4e7) for "offset",
    whose uncentered norm (the fit without an intercept) is beyond float64 once scaled up."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=(ROWS, 2))
    if kind == "offset":
        return x, math.ldexp(1.5e308, -SHIFT) * (0.9 + 0.05 * rng.random(ROWS))
    return x, 1e6 * (x[:, 0] + 0.5 * x[:, 1] + rng.normal(size=ROWS))


def fitted(x, y, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning, and no advice: these fits have all their digits
        return ols(x, y, **options)


def refused(fit, statistic: str):
    with warnings.catch_warnings(), pytest.raises(ValueError, match=r"beyond float64.*Received: y "):
        warnings.simplefilter("error")
        getattr(fit, statistic)() if statistic == "cov_params" else getattr(fit, statistic)


OPTIONS = [{}, {"fit_intercept": False}, {"refine": True}, {"fit_intercept": False, "refine": True},
           {"sample_weight": np.linspace(0.5, 2.0, ROWS)}]


@pytest.mark.parametrize("kind", ["plane", "offset"])
@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(o) or "default")
@pytest.mark.parametrize("shift", [SHIFT, -SHIFT], ids=["huge", "tiny"])
def test_a_target_scaled_by_a_power_of_two_scales_every_statistic_exactly(kind, options, shift):
    """y near 1e307 (or 1.5e308 and its uncentered norm 1e309) gave ssr an OverflowError, the refined fit inf
    standard errors, t = 0 and llf = -inf, and the fit without intercept (and the condition number of the summary)
    a RuntimeWarning; y near 1e-294 gave ssr = 0 and, refined, R-squared 1, standard errors 0 and t = inf."""
    x, y = moderate(kind)
    if kind == "offset" and shift < 0:
        y = y * 1e-6  # near 1.3e-300 once scaled down
    small = fitted(x, y, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scaled = fitted(x, np.ldexp(y, shift), **options)
        for name in ["rsquared", "rsquared_adj", "fvalue", "f_pvalue", "tvalues", "pvalues", "digits",
                     "condition_number"]:
            np.testing.assert_array_equal(getattr(scaled, name), getattr(small, name), err_msg=name)
        for name in ["params", "bse", "resid_std"]:
            np.testing.assert_array_equal(getattr(scaled, name), np.ldexp(getattr(small, name), shift), err_msg=name)
        np.testing.assert_array_equal(scaled.conf_int(0.1), np.ldexp(small.conf_int(0.1), shift))
        moved = ROWS * shift * math.log(2)  # llf = -n/2 log(ssr) + ...: ssr scaled by 2**(2 shift)
        np.testing.assert_allclose([scaled.llf, scaled.aic, scaled.bic],
                                   [small.llf - moved, small.aic + 2 * moved, small.bic + 2 * moved], rtol=1e-12)
        assert np.isfinite(scaled.bse).all() and scaled.bse.min() > 0
        assert scaled.summary().parameters[-1][0] == "x2"
    for statistic in ["ssr", "scale", "cov_params"]:  # 1e615 or 1e-600: beyond float64 either way
        refused(scaled, statistic)


@pytest.mark.parametrize("shift", [SHIFT, -SHIFT], ids=["huge", "tiny"])
def test_the_summary_of_a_scaled_target_shows_the_scaled_numbers(shift):
    """The coefficients were printed with 4 decimals: 300-digit integers for y near 1e307, and 0.0000 for every
    number of y near 1e-294."""
    x, y = moderate("plane")
    small, scaled = fitted(x, y), fitted(x, np.ldexp(y, shift))
    lines = scaled.summary().splitlines()
    assert max(map(len, lines)) == 78
    for row, name, coef, bse, t, p, (low, high) in zip(
            scaled.summary().parameters, small.param_names, small.params, small.bse, small.tvalues, small.pvalues,
            small.conf_int()):
        cells = [float(cell) for cell in row[1:]]
        assert row[0] == name
        np.testing.assert_allclose(cells[:2] + cells[4:], np.ldexp([coef, bse, low, high], shift), rtol=5e-3)
        np.testing.assert_allclose(cells[2:4], [t, p], rtol=5e-3, atol=5e-4)  # 3 decimals


@pytest.mark.parametrize("refine", [False, True])
def test_coefficients_below_float64s_normal_numbers_claim_only_the_digits_they_keep(refine):
    """y near 1e-320 (subnormal numbers) has coefficients near 1e-321, which keep 2 or 3 digits; 12.7 were
    claimed. The oracle: the same data scaled up by 2**1065 (exact), fitted with all their digits."""
    x, y = moderate("plane")
    tiny = np.ldexp(y, -1085)  # subnormal: rounded to multiples of 2**-1074
    with pytest.warns(UserWarning, match="about [0-3] digits of these coefficients are reliable") as caught:
        fit = ols(x, tiny, refine=refine)
    assert [warning.category for warning in caught] == [UserWarning]
    truth = fitted(x, np.ldexp(tiny, 1085)).params
    error = np.abs(np.ldexp(fit.params, 1085) - truth) / np.abs(truth)
    achieved = -np.log10(error.max())
    assert 0 <= fit.digits <= achieved < 4


def test_a_coefficient_beyond_float64_is_refused_naming_it_and_its_size():
    """x near 1e300 spanning 1e286 and y spanning 1e300: a slope near 1e14 and an intercept near -1e314, which was
    returned as -inf without a word. Its size comes from the problem with y scaled by 2**-100 (exact)."""
    rng = np.random.default_rng(1)
    t = rng.normal(size=20)
    x, y = (1e300 + 1e286 * t)[:, None], 1e300 * t + 1e299 * rng.normal(size=20)
    intercept = Decimal(fitted(x, np.ldexp(y, -100)).intercept_) * 2 ** 100
    size = re.escape(f"{intercept:.2e}")
    message = (rf"coefficient\(s\) of the intercept \(about {size}\) are beyond float64 .* Received: y of root sum "
               r"of squares \(as fitted\) about 2\.45e\+300")
    with pytest.raises(ValueError, match=message):
        fitted(x, y)


def test_the_few_digits_warning_of_subnormal_coefficients_blames_their_size_not_x():
    """It said 'condition number 1.2: about 1 digits ... centering or rescaling x may help' for a perfectly
    conditioned design whose coefficients fall below float64's normal numbers (y times 2**-1070)."""
    x = np.random.default_rng(0).normal(size=(50, 2))
    y = np.round(x @ [1.0, 2.0] + 3)
    with pytest.warns(UserWarning, match=r"below float64's normal numbers .* fit y \* 2\.0\*\*1000") as caught:
        ols(x, y * 2.0 ** -1070)
    assert not any("rescaling x" in str(w.message) for w in caught)

"""The model as an equation in the units of x and y, and beside least squares, against hand-computed values."""

import numpy as np
import pytest

import linnet
from linnet.diagnostics.equation import coefficients, compare_to_ols, equation, format_number, least_squares
from linnet.exact.results import ols


def dense_model(kernel, bias=None, *, normalization=None):
    """A built model ``[Normalization(mean, variance)] -> Dense(1)`` with the given weights."""
    kernel = np.asarray(kernel, dtype=np.float32).reshape(-1, 1)
    layers = [linnet.Input((kernel.shape[0],))]
    if normalization is not None:
        layers.append(linnet.Normalization(mean=normalization[0], variance=normalization[1]))
    layers.append(linnet.Dense(1, use_bias=bias is not None))
    model = linnet.Sequential(layers)
    model.build()
    model.layers[-1].set_weights([kernel] + ([np.array([bias], np.float32)] if bias is not None else []))
    return model


# ----- equation ----------------------------------------------------------------------------------------------------
def test_equation_of_the_tutorial_model():
    model = dense_model([9.1021], -34.671)
    assert equation(model, ["rooms"], "price") == "price = 9.102·rooms − 34.67"
    assert equation(model) == "y = 9.102·x − 34.67"
    assert equation(model, ["rooms"], "price", digits=2) == "price = 9.1·rooms − 35"


def test_equation_signs_names_and_no_intercept():
    assert equation(dense_model([-2.0, 0.5], 3.0)) == "y = −2·x1 + 0.5·x2 + 3"
    assert equation(dense_model([1.5, -0.25])) == "y = 1.5·x1 − 0.25·x2"
    assert equation(dense_model([0.0], 1.0)) == "y = 0·x + 1"


def test_numbers_keep_significant_digits_and_short_exponents():
    assert format_number(-34.671) == "34.67"
    assert format_number(1.5e-7) == "1.5e-7"
    assert format_number(123456.0) == "1.235e5"
    assert format_number(0.000123456, digits=3) == "0.000123"


def test_equation_rejects_bad_arguments():
    model = dense_model([1.0, 2.0], 0.0)
    with pytest.raises(ValueError, match="feature_names has 1 name"):
        equation(model, ["a"])
    with pytest.raises(TypeError, match="feature_names must be a list of strings"):
        equation(model, "ab")
    with pytest.raises(ValueError, match="digits must be a positive integer"):
        equation(model, digits=0)
    with pytest.raises(ValueError, match="does not know its number of input features"):
        equation(linnet.Sequential([linnet.Dense(1)]))


# ----- coefficients in the units of x ----------------------------------------------------------------------------
def test_normalization_is_folded_into_raw_unit_coefficients():
    # y = 3·(x1 - 2)/4 - 1·(x2 - 10)/0.5 + 5 = 0.75·x1 - 2·x2 + (5 - 1.5 + 20)
    model = dense_model([3.0, -1.0], 5.0, normalization=([2.0, 10.0], [16.0, 0.25]))
    coef, intercept = coefficients(model)
    np.testing.assert_allclose(coef, [0.75, -2.0], rtol=1e-7)
    assert intercept == pytest.approx(23.5, rel=1e-7)
    x = np.array([[1.0, 2.0], [3.0, -4.0]], np.float32)
    np.testing.assert_allclose(model.predict(x).ravel(), x @ coef + intercept, rtol=1e-6)


def test_stacked_dense_layers_fold_into_one_affine_map():
    first, second = linnet.Dense(2), linnet.Dense(1)
    model = linnet.Sequential([linnet.Input((2,)), first, second])
    model.build()
    first.set_weights([np.array([[1.0, 2.0], [3.0, 4.0]], np.float32), np.array([1.0, -1.0], np.float32)])
    second.set_weights([np.array([[0.5], [-1.0]], np.float32), np.array([2.0], np.float32)])
    coef, intercept = coefficients(model)
    np.testing.assert_allclose(coef, [0.5 - 2.0, 1.5 - 4.0])  # K1 @ K2
    assert intercept == pytest.approx(0.5 + 1.0 + 2.0)         # b1 @ K2 + b2
    assert equation(model) == "y = −1.5·x1 − 2.5·x2 + 3.5"


# ----- side by side with least squares ---------------------------------------------------------------------------
def test_compare_to_ols_rows_are_the_least_squares_values(rooms):
    x, y = rooms
    model = dense_model([9.0], -33.0)
    printed = []
    comparison = compare_to_ols(model, x, y, ["rooms"], print_fn=printed.append)
    exact = ols(x, y)
    assert [row.parameter for row in comparison.rows] == ["rooms", "intercept"]
    assert comparison.rows[0].least_squares == exact.coef_[0]
    assert comparison.rows[1].least_squares == exact.intercept_
    assert [row.neuron for row in comparison.rows] == [9.0, -33.0]
    assert comparison.rows[0].difference == pytest.approx(9.0 - exact.coef_[0], rel=1e-12)
    residual = 9.0 * x.astype(np.float64) - 33.0 - y
    assert comparison.neuron_loss == pytest.approx(np.mean(residual ** 2), rel=1e-12)
    assert comparison.least_squares_loss == pytest.approx(exact.ssr / len(y), rel=1e-12)
    total = np.sum((y - y.mean()) ** 2)
    assert comparison.neuron_rsquared == pytest.approx(1 - residual @ residual / total, rel=1e-12)
    assert comparison.least_squares_rsquared == pytest.approx(exact.rsquared, rel=1e-12)
    assert printed == [str(comparison)]
    lines = str(comparison).splitlines()
    assert lines[0].split() == ["neuron", "least", "squares", "difference"]
    assert lines[1].split()[:3] == ["rooms", "9", f"{exact.coef_[0]:.6g}"]
    assert lines[3].startswith("loss (MSE)") and lines[4].startswith("R²")


def test_compare_to_ols_of_a_model_at_the_optimum_shows_no_difference(rooms, capsys):
    x, y = rooms
    exact = ols(x, y)
    model = dense_model(exact.coef_, exact.intercept_)
    comparison = compare_to_ols(model, x, y, print_fn=None)
    assert capsys.readouterr().out == ""
    for row in comparison.rows:
        assert abs(row.difference) <= 1e-6 * max(1.0, abs(row.least_squares))  # float32 weights
    assert comparison.neuron_loss == pytest.approx(comparison.least_squares_loss, rel=1e-9)
    assert comparison.rows[0].parameter == "x"


def test_least_squares_matches_the_model_family():
    x = np.array([[1.0], [2.0], [3.0]])
    y = np.array([1.0, 2.0, 4.0])
    assert least_squares(dense_model([1.0], 0.0), x, y).intercept_ == pytest.approx(-2 / 3)
    through_origin = least_squares(dense_model([1.0]), x, y)
    assert through_origin.intercept_ == 0.0
    assert through_origin.coef_[0] == pytest.approx((1 + 4 + 12) / 14)  # Σxy / Σx²


def test_compare_to_ols_of_a_constant_y_says_r_squared_is_undefined():
    """Its R² row printed "nan nan nan": y's total sum of squares is 0."""
    model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1)])
    model.set_weights([np.array([[0.5]]), np.array([2.0])])
    comparison = compare_to_ols(model, [[0.0], [1.0], [2.0]], [2.0, 2.0, 2.0], print_fn=None)
    assert comparison.cells()[-1] == ("R²", "undefined", "undefined", "undefined")
    assert str(comparison).splitlines()[-1] == "R² is undefined: y is constant, so there is no variation to explain."


def test_compare_to_ols_without_an_intercept_says_why_as_the_ols_summary_does():
    """Without an intercept R² is undefined only where y is 0 in every row (a constant y of 2 has an R²), but the
    note said "y is constant" whatever the model."""
    model = dense_model([0.5])  # no bias
    zero = compare_to_ols(model, [[0.0], [1.0], [2.0]], [0.0, 0.0, 0.0], print_fn=None)
    assert zero.note == "R² is undefined: y is 0 in every row, so there is no variation to explain."
    constant = compare_to_ols(model, [[1.0], [1.0], [2.0]], [2.0, 2.0, 2.0], print_fn=None)
    assert constant.note == "" and constant.least_squares_rsquared == pytest.approx(1 - (4 / 3) / 12)  # Σe² / Σy²

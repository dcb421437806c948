"""The one naming rule (linnet._naming), and that ols, the equation, compare_to_ols and the plots agree on it."""

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import linnet
from linnet import _naming
from linnet.diagnostics.equation import compare_to_ols, equation

matplotlib.use("Agg")

X2 = np.array([[1.0, 0.0], [2.0, 1.0], [3.0, 0.0], [4.0, 2.0], [5.0, 1.0]])
Y = X2 @ [2.0, -1.0] + 3.0 + np.array([0.1, -0.1, 0.05, 0.0, -0.05])


@given(st.integers(2, 50))
def test_defaults_are_x1_to_xn_for_several_features(n):
    assert _naming.default_feature_names(n) == [f"x{j}" for j in range(1, n + 1)]


def test_defaults_are_x_for_one_feature_and_y_for_the_target():
    assert _naming.default_feature_names(1) == ["x"]
    assert _naming.feature_names(None, 1) == ["x"] and _naming.target_name() == "y"


def test_pandas_names_come_second_and_given_names_first():
    frame = pd.DataFrame({"rooms": [1.0], 7: [2.0]})
    assert _naming.feature_names(None, 2, frame) == ["rooms", "7"]  # labels as str
    assert _naming.feature_names(["a", "b"], 2, frame) == ["a", "b"]
    assert _naming.feature_names(None, 1, pd.Series([1.0], name="age")) == ["age"]
    assert _naming.feature_names(None, 1, pd.Series([1.0])) == ["x"]  # unnamed Series: the default
    assert _naming.feature_names(None, 2, np.ones((1, 2))) == ["x1", "x2"]
    assert _naming.target_name(None, pd.Series([1.0], name="price")) == "price"
    assert _naming.target_name("value", pd.Series([1.0], name="price")) == "value"
    assert _naming.feature_names("rooms", 1) == ["rooms"]  # one string names one feature


def test_given_names_are_checked():
    with pytest.raises(TypeError, match=r"feature_names must be a list of strings \(one per feature\)\. "
                                        r"Received: feature_names='ab'"):
        _naming.feature_names("ab", 2)
    with pytest.raises(TypeError, match="Received: feature_names=\\['a', 3\\]"):
        _naming.feature_names(["a", 3], 2)
    with pytest.raises(ValueError, match=r"feature_names has 3 name\(s\) but x has 2 feature\(s\)"):
        _naming.feature_names(["a", "b", "c"], 2)
    with pytest.raises(TypeError, match="target_name must be a string. Received: target_name=3"):
        _naming.target_name(3)


def dense_model(coef, intercept):
    model = linnet.Sequential([linnet.Input((len(coef),)), linnet.Dense(1)])
    model.set_weights([np.array(coef, dtype=float).reshape(-1, 1), np.array([intercept])])
    return model


@pytest.mark.parametrize("x, expected", [
    (X2[:, :1], ["x"]), (X2, ["x1", "x2"]),
    (pd.DataFrame(X2, columns=["rooms", "age"]), ["rooms", "age"]),
    (pd.Series(X2[:, 0], name="rooms"), ["rooms"]),
])
def test_ols_equation_comparison_and_plots_agree(x, expected):
    n = 1 if np.ndim(x) == 1 else np.shape(x)[1]
    model = dense_model([1.5] * n, 0.5)
    fit = linnet.ols(x, Y)
    assert fit.param_names == ["const", *expected]
    assert [row.parameter for row in compare_to_ols(model, x, Y, print_fn=None).rows[:-1]] == expected
    if isinstance(x, np.ndarray):  # the equation has no data to read pandas names from
        assert equation(model) == equation(model, expected)
    drawn = linnet.plot.fit(model, x, pd.Series(Y, name="price"))
    shown = drawn.ax.get_xlabel() if n == 1 else drawn.ax.get_title()
    assert all(name in shown for name in expected) and "price" in drawn.ax.get_ylabel()
    matplotlib.pyplot.close("all")


def test_default_names_are_the_same_in_ols_equation_and_plot():
    model = dense_model([2.0], 1.0)
    assert linnet.ols(X2[:, 0], Y).param_names == ["const", "x"]
    assert equation(model) == "y = 2·x + 1"
    drawn = linnet.plot.data(X2[:, 0], Y)
    assert (drawn.ax.get_xlabel(), drawn.ax.get_ylabel()) == ("x", "y")
    matplotlib.pyplot.close("all")


def test_columns_named_alike_are_each_named_once_sorted():
    """repeated() counts each name once (a Counter; it called list.count per name, quadratic on wide headers)."""
    from linnet._naming import distinct_columns, repeated
    names = [f"c{i}" for i in range(1000)] + ["c7", "c3", "c7"]
    assert repeated(names) == "'c3', 'c7'"
    with pytest.raises(ValueError, match=r"names the column\(s\) 'c3', 'c7' more than once"):
        distinct_columns(names, "wide.csv")

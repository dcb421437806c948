"""One naming rule everywhere: pandas column names flow into ols, equation(), compare_to_ols and the model file."""

import numpy as np
import pandas as pd

import linnet


def boston_rooms():
    (x, y), _ = linnet.keras.datasets.boston_housing.load_data()
    return pd.DataFrame({"RM": x[:, 5]}), pd.Series(y, name="MEDV")


def trained(x, y):
    model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1)])
    model.compile(linnet.keras.optimizers.RMSprop(0.005), "mse")
    model.fit(x, y, epochs=2, verbose=0, seed=0)
    return model


def test_ols_names_the_dependent_variable_after_the_series():
    x, y = boston_rooms()
    summary = linnet.ols(x, y).summary()
    assert "Dep. Variable:                     MEDV" in summary and "RM " in summary
    assert "Dep. Variable:                        y" in linnet.ols(x.to_numpy(), y.to_numpy()).summary()
    assert "Dep. Variable:                    price" in linnet.ols(x, y).summary(dep_variable="price")


def test_a_model_fitted_on_pandas_uses_their_names_and_so_does_its_file(tmp_path):
    x, y = boston_rooms()
    model = trained(x, y)
    coef, intercept = model.coef_[0], model.intercept_
    assert model.equation() == model.equation(["RM"], "MEDV") and model.equation().startswith("MEDV = ")
    assert "·RM" in model.equation() and f"{coef:.4g}".lstrip("-") in model.equation()
    assert model.equation(["rooms"], "price").startswith("price = ")  # given names win
    lines = []
    model.compare_to_ols(x.to_numpy(), y.to_numpy(), print_fn=lines.append)
    assert lines[0].splitlines()[1].split()[0] == "RM"  # kept from fit although compare got plain arrays
    model.save(tmp_path / "m.linnet")
    loaded = linnet.load_model(tmp_path / "m.linnet")
    assert loaded.equation() == model.equation() and loaded.intercept_ == intercept


def test_plain_arrays_keep_the_defaults():
    x, y = boston_rooms()
    assert trained(x.to_numpy()[:, 0], y.to_numpy()).equation().startswith("y = ") is True
    two = linnet.Sequential([linnet.Input((2,)), linnet.Dense(1)])
    two.compile("sgd", "mse")
    two.fit(np.ones((4, 2)), np.ones(4), verbose=0)
    assert "·x1" in two.equation() and "·x2" in two.equation()

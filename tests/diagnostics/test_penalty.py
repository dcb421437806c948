"""A regularized model is measured against its penalized optimum: compare_to_ols, the convergence verdict and
the penalty in the units of x (through a Normalization), against scikit-learn's Ridge and Lasso."""

import numpy as np
import pytest
from sklearn.linear_model import Lasso, Ridge

import linnet
from linnet.diagnostics.convergence_check import convergence
from linnet.diagnostics.penalty import model_penalty
from linnet.engine import optimizers, regularizers
from linnet.engine.layers import Dense, Input, Normalization
from linnet.engine.network import built_network
from linnet.engine.sequential import Sequential
from linnet.exact import ols

RNG = np.random.default_rng(5)
X = RNG.normal(size=(80, 2)) * [2.0, 0.5] + [1.0, -3.0]
Y = X @ [1.5, -2.0] + 0.7 + 0.3 * RNG.normal(size=80)


def trained(regularizer, *front, epochs=3000, **dense):
    linnet.utils.set_random_seed(0)  # the same start every run: Adam's last steps still wander by ~1e-3
    model = Sequential([Input((2,)), *front, Dense(1, kernel_regularizer=regularizer, **dense)])
    model.compile(optimizer=optimizers.Adam(0.05), loss="mse")
    model.fit(X, Y, batch_size=80, epochs=epochs, shuffle=False, verbose=0)
    return model


def test_compare_to_ols_of_a_ridge_model_is_scikit_learns_ridge():
    model = trained(regularizers.L2(0.2))
    comparison = model.compare_to_ols(X, Y, print_fn=None)
    ridge = Ridge(alpha=80 * 0.2).fit(X, Y)
    np.testing.assert_allclose([row.least_squares for row in comparison.rows], [*ridge.coef_, ridge.intercept_],
                               rtol=1e-10)
    np.testing.assert_allclose([row.neuron for row in comparison.rows], [*ridge.coef_, ridge.intercept_], rtol=1e-3)


def test_the_verdict_measures_against_the_penalized_optimum():
    model = trained(regularizers.L1(0.3))
    verdict = convergence(model, X, Y)
    lasso = Lasso(alpha=0.15, tol=1e-12, max_iter=100_000).fit(X, Y)
    assert verdict.converged and verdict.parameter_distance < 0.01  # Adam hovers around the kink of |c|
    assert not convergence(model, X, Y, ols_result=ols(X, Y)).converged  # plain least squares is elsewhere
    assert verdict.ols_loss == pytest.approx(np.mean((lasso.predict(X) - Y) ** 2) + 0.3 * np.abs(lasso.coef_).sum(),
                                             rel=1e-8)
    short = convergence(trained(regularizers.L1(0.3), epochs=3), X, Y)
    assert not short.converged and short.loss_ratio > 1.01


def test_behind_a_normalization_the_penalty_is_per_coefficient_in_x_units():
    norm = Normalization()
    norm.adapt(X)
    model = trained(regularizers.L2(0.2), norm)
    sigma = X.std(axis=0)
    penalty = model_penalty(model.network)
    np.testing.assert_allclose(penalty.l2, 0.2 * sigma ** 2, rtol=1e-5)  # k = c·σ: l2·k² = l2·σ²·c²
    ridge = Ridge(alpha=80 * 0.2).fit((X - X.mean(axis=0)) / sigma, Y)  # ridge on the standardized inputs
    comparison = model.compare_to_ols(X, Y, print_fn=None)
    np.testing.assert_allclose([row.least_squares for row in comparison.rows[:2]], ridge.coef_ / sigma, rtol=1e-5)


def test_what_has_no_exact_penalized_answer_is_refused_naming_why():
    norm = Normalization()
    norm.adapt(X)
    behind = Sequential([Input((2,)), norm, Dense(1, bias_regularizer="l2")])
    with pytest.raises(ValueError, match="bias_regularizer needs the Dense layer to see x as it is"):
        model_penalty(built_network(behind))
    stacked = Sequential([Input((2,)), Dense(2, kernel_regularizer="l2"), Dense(1)])
    with pytest.raises(ValueError, match="one trainable Dense layer"):
        model_penalty(built_network(stacked))
    assert model_penalty(built_network(Sequential([Input((2,)), Dense(1)]))) is None


def sgd_model(optimizer, kernel_l2, bias_l2=0.0):
    model = Sequential([Input((2,)), Dense(1, kernel_initializer="zeros", kernel_regularizer=regularizers.L2(kernel_l2),
                                           bias_regularizer=regularizers.L2(bias_l2) if bias_l2 else None)])
    model.compile(optimizer=optimizer, loss="mse")
    model.build()
    return model


def test_the_stable_limit_and_auto_rate_count_the_l2_penalty_curvature():
    # Keras' loss mse + l2·Σk² + bias_l2·b² has the Hessian 2·(1/n)[1, x]ᵀ[1, x] + 2·diag(bias_l2, l2, l2)
    from linnet.diagnostics import auto_rate, learning_rate_warning, model_stable_learning_rate
    design = np.column_stack([np.ones(80), X])
    hessian = 2 * design.T @ design / 80 + 2 * np.diag([0.5, 5.0, 5.0])
    eigenvalues = np.linalg.eigvalsh(hessian)
    limit = model_stable_learning_rate(sgd_model(optimizers.SGD(0.01), 5.0, 0.5), X)
    assert limit.largest_eigenvalue == pytest.approx(eigenvalues[-1], rel=1e-10)
    assert limit.learning_rate == pytest.approx(2 / eigenvalues[-1], rel=1e-10)
    chosen = auto_rate(sgd_model(optimizers.SGD("auto"), 5.0, 0.5), X)
    assert chosen.learning_rate == pytest.approx(2 / (eigenvalues[0] + eigenvalues[-1]), rel=1e-10)
    ridge = linnet.exact.penalized.penalized_fit(X, Y, linnet.exact.penalized.Penalty(l2=5.0, bias_l2=0.5))
    model = sgd_model(optimizers.SGD("auto"), 5.0, 0.5)  # the old rate, from the data alone, diverged
    model.fit(X, Y, batch_size=80, epochs=300, shuffle=False, verbose=0)
    np.testing.assert_allclose(model.coef_, ridge.coef_, rtol=1e-4)
    assert float(model.intercept_) == pytest.approx(ridge.intercept_, rel=1e-4)
    below = sgd_model(optimizers.SGD(0.97 * limit.learning_rate), 5.0, 0.5)
    assert learning_rate_warning(below, X, batch_size=80) is None
    below.fit(X, Y, batch_size=80, epochs=2000, shuffle=False, verbose=0)
    np.testing.assert_allclose(below.coef_, ridge.coef_, rtol=1e-4)
    above = sgd_model(optimizers.SGD(1.03 * limit.learning_rate), 5.0, 0.5)
    assert f"use learning_rate <= {limit.learning_rate:.4g}" in learning_rate_warning(above, X, batch_size=80)
    with pytest.raises(linnet.DivergenceError), pytest.warns(UserWarning, match="above the largest stable"):
        above.fit(X, Y, batch_size=80, epochs=3000, shuffle=False, verbose=0)

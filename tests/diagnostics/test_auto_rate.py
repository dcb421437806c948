"""learning_rate="auto", StopAtOptimum and the one verdict rule, against closed forms and float64 references."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import linnet
from linnet.diagnostics import LOSS_TOLERANCE, auto_rate, convergence
from linnet.engine.callbacks import StopAtOptimum
from linnet.engine.optimizers import SGD
from linnet.exact.results import ols


def model_on(x, optimizer, *, normalize=False, target=None):
    """``Input -> [Normalization(x)] -> Dense(1) -> [Normalization(invert=True) adapted to target]``, compiled."""
    x = np.asarray(x, dtype=float).reshape(len(x), -1)
    layers = [linnet.Input((x.shape[1],))]
    if normalize:
        layers.append(linnet.Normalization())
        layers[-1].adapt(x)
    layers.append(linnet.Dense(1, kernel_initializer="zeros"))
    if target is not None:
        layers.append(linnet.Normalization(invert=True))
        layers[-1].adapt(np.reshape(target, (-1, 1)))
    model = linnet.Sequential(layers)
    model.compile(optimizer, loss="mse")
    model.build()
    return model


def test_auto_rate_is_two_over_the_sum_of_the_extreme_eigenvalues_by_hand():
    # x = [1, 2, 3], MSE with a bias: H = (2/3)·[[3, 6], [6, 14]], λ = (17 ± √265)/3, λmax + λmin = 34/3
    chosen = auto_rate(model_on([1, 2, 3], SGD()), [1, 2, 3])
    assert chosen.learning_rate == pytest.approx(3 / 17, rel=1e-7) and chosen.momentum == 0.0
    assert chosen.largest_eigenvalue == pytest.approx((17 + np.sqrt(265)) / 3, rel=1e-7)
    heavy = auto_rate(model_on([1, 2, 3], SGD()), [1, 2, 3], momentum=True)
    large, small = (17 + np.sqrt(265)) / 3, (17 - np.sqrt(265)) / 3
    assert heavy.learning_rate == pytest.approx(4 / (np.sqrt(large) + np.sqrt(small)) ** 2, rel=1e-7)
    root = np.sqrt(large / small)
    assert heavy.momentum == pytest.approx(((root - 1) / (root + 1)) ** 2, rel=1e-7)
    assert "learning_rate='auto': 0.1765 (2/(λmax + λmin)" in str(chosen)


def test_auto_rate_sees_the_fixed_layers_around_the_neuron():
    rng = np.random.default_rng(1)
    x = rng.normal(1e4, 50.0, size=(300, 2))
    y = 3e5 + 40.0 * rng.normal(size=300)
    model = model_on(x, SGD(), normalize=True, target=y)
    z = (x - x.mean(0)) / x.std(0)
    hessian = 2 * y.var() * np.cov(np.column_stack([np.ones(300), z]).T, bias=True)  # the gain² = var(y) scales it
    hessian[0, 0] = 2 * y.var()  # the ones column: E[1·1] = 1 (cov of a constant is 0)
    eigenvalues = np.linalg.eigvalsh(hessian)
    chosen = auto_rate(model, x)
    assert chosen.learning_rate == pytest.approx(2 / (eigenvalues[0] + eigenvalues[-1]), rel=1e-5)


def test_sgd_auto_is_set_by_fit_stated_in_history_params_and_steps_as_gradient_descent():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 2)) @ np.array([[1.0, 0.6], [0.0, 0.8]])
    y = x @ np.array([2.0, -1.0]) + 0.5 + 0.1 * rng.normal(size=50)
    model = model_on(x, SGD(learning_rate="auto"))
    history = model.fit(x, y, batch_size=50, epochs=5, shuffle=False, verbose=0)
    rate = auto_rate(model_on(x, SGD()), x).learning_rate
    assert history.params["learning_rate"] == pytest.approx(rate, rel=1e-7) and "momentum" not in history.params
    theta, design = np.zeros(3), np.column_stack([np.ones(50), x])  # float64 gradient descent from zero
    for _ in range(5):
        theta -= np.float32(rate) * 2 / 50 * design.T @ (design @ theta - y)
    np.testing.assert_allclose([model.intercept_, *model.coef_], theta, rtol=1e-5)


def test_fit_states_the_automatic_rate_in_its_output(capsys):
    model = model_on([1, 2, 3], SGD(learning_rate="auto"))
    model.fit([1, 2, 3], [2, 4, 6], batch_size=3, epochs=1, verbose=2)
    assert "Chosen from the data (auto): learning_rate 0.1765" in capsys.readouterr().out


def test_heavy_ball_auto_reaches_least_squares_on_correlated_features():
    rng = np.random.default_rng(2)
    base = rng.normal(size=(400, 1))
    x = np.hstack([base, base + 0.05 * rng.normal(size=(400, 1)), rng.normal(size=(400, 1))])  # κ in the hundreds
    y = x @ np.array([1.0, 2.0, -3.0]) + 7 + rng.normal(size=400)
    model = model_on(x, SGD(learning_rate="auto", momentum="auto"), normalize=True, target=y)
    stop = StopAtOptimum(x, y, tolerance=1e-6)
    history = model.fit(x, y, batch_size=400, epochs=500, shuffle=False, verbose=0, callbacks=[stop])
    assert 0 < history.params["momentum"] < 1 and stop.stopped_epoch is not None and stop.stopped_epoch < 400
    exact = ols(x, y)
    assert convergence(model, x, y).loss_ratio == pytest.approx(1.0, abs=2e-6)
    np.testing.assert_allclose(model.coef_, exact.coef_, rtol=2e-3)


def test_stop_at_optimum_stops_at_the_first_epoch_within_tolerance():
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 2, size=(200, 1))
    y = 4 * x[:, 0] - 3 + rng.normal(size=200)
    optimum = np.mean((y - np.polyval(np.polyfit(x[:, 0].astype(np.float32), y, 1), x[:, 0])) ** 2)
    free, exact = model_on(x, SGD(0.2)), []  # the float64 MSE of the weights at the end of each epoch
    for _ in range(300):
        free.fit(x, y, batch_size=200, epochs=1, shuffle=False, verbose=0)
        exact.append(np.mean((y - x[:, 0].astype(np.float32) * free.coef_[0] - free.intercept_) ** 2))
    first = next(i for i, loss in enumerate(exact) if loss <= 1.001 * optimum)
    stop = StopAtOptimum(x, y, tolerance=1e-3)
    assert stop.optimum == pytest.approx(optimum, rel=1e-7)
    stopped = model_on(x, SGD(0.2)).fit(x, y, batch_size=200, epochs=300, shuffle=False, verbose=0,
                                         callbacks=[stop])
    assert stop.stopped_epoch == first and len(stopped.history["loss"]) == first + 1


def test_auto_refusals_name_what_is_wrong():
    with pytest.raises(ValueError, match="momentum='auto' is chosen together with the learning rate"):
        SGD(momentum="auto")
    with pytest.raises(ValueError, match="loss with curvature"):
        model = model_on([1, 2, 3], SGD(learning_rate="auto"))
        model.compile(SGD(learning_rate="auto"), loss="mae")
        model.fit([1, 2, 3], [1, 2, 3], verbose=0)
    optimizer = SGD(learning_rate="auto")
    with pytest.raises(ValueError, match="computed by fit from the training rows"):
        optimizer.build([2])
    with pytest.raises(ValueError, match="needs arrays, not a data source"):
        source = linnet.engine.sources.ArrayBatches(np.ones((4, 1)), np.ones((4, 1)), batch_size=2)
        model_on([1, 2], SGD(learning_rate="auto")).fit(source, verbose=0)
    with pytest.raises(ValueError, match=r"weight decay changes.*Received: weight_decay=0.5"):
        SGD(learning_rate="auto", weight_decay=0.5)  # x = [1, 2, 3] would get 0.176, above its limit 0.173 with it
    assert SGD(learning_rate="auto", weight_decay=0.0).auto == ("learning_rate",)


def test_equal_loss_with_parameters_far_apart_is_a_converged_flat_valley():
    rng = np.random.default_rng(4)
    a = rng.normal(size=300)
    x = np.column_stack([a, a + 1e-4 * rng.normal(size=300)])  # nearly the same column twice
    y = a + 0.5 * rng.normal(size=300)
    exact = ols(x, y)
    model = model_on(x, SGD())
    model.set_weights([np.array([[exact.coef_.sum() / 2], [exact.coef_.sum() / 2]]), np.array([exact.intercept_])])
    verdict = convergence(model, x, y, exact)
    assert verdict.loss_ratio < 1 + LOSS_TOLERANCE and verdict.parameter_distance > 0.5
    assert verdict.converged and verdict.flat_valley and verdict.advice == ()
    assert "has converged" in str(verdict) and "flat valley" in str(verdict)


@settings(max_examples=25, deadline=None)
@given(st.floats(0.0, 0.05), st.integers(0, 2**16))
def test_the_verdict_is_the_loss_rule_alone(excess, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(60, 2))
    y = x @ np.array([1.0, -2.0]) + 3 + rng.normal(size=60)
    exact = ols(x, y)
    # move the parameters along the Hessian's flattest direction by the step that adds `excess` to the loss
    design = np.column_stack([np.ones(60), x])
    values, vectors = np.linalg.eigh(design.T @ design / 60)
    step = vectors[:, 0] * np.sqrt(excess * exact.ssr / 60 / values[0])
    theta = np.concatenate([[exact.intercept_], exact.coef_]) + step
    model = model_on(x, SGD())
    model.set_weights([theta[1:, None], theta[:1]])
    verdict = convergence(model, x, y, exact)
    assert verdict.loss_ratio == pytest.approx(1 + excess, abs=1e-5)
    assert verdict.converged == (verdict.loss_ratio <= 1 + LOSS_TOLERANCE)

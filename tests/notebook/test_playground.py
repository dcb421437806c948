"""The explore playground, headless: each run is the real engine, judged against least squares (numpy's
polyfit and the Hessian's closed form as oracles); the views draw exactly those numbers."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import linnet
from linnet.notebook import Playground, Settings
from linnet.notebook.explore import limit_marker, verdict_html

X = np.array([1.0, 2.0, 3.0])
Y = np.array([3.0, 5.0, 7.0])  # y = 2x + 1


def test_the_limit_is_two_over_the_hessians_largest_eigenvalue():
    # MSE's Hessian in (bias, kernel) for x = [1, 2, 3]: (2/3)·[[3, 6], [6, 14]], λmax = (17 + √265)/3
    largest = (17 + np.sqrt(265)) / 3
    playground = Playground(X, Y)
    assert playground.limit(Settings()) == pytest.approx(2 / largest, rel=1e-12)
    assert playground.limit(Settings(momentum=0.5)) == pytest.approx(2 * 1.5 / largest, rel=1e-12)
    assert playground.limit(Settings(optimizer="adam")) is None


def test_a_run_is_the_engine_with_these_settings():
    playground = Playground(X, Y)
    run = playground.run(Settings(learning_rate=0.05, epochs=40, batch_size=2, seed=3))
    initializer = linnet.initializers.GlorotUniform(seed=3)
    model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1, kernel_initializer=initializer)])
    model.compile(linnet.optimizers.SGD(0.05), "mse")
    history = model.fit(X, Y, epochs=40, batch_size=2, verbose=0, seed=3)
    assert run.losses == history.history["loss"]
    np.testing.assert_array_equal(run.model.get_weights()[0], model.get_weights()[0])
    assert len(run.path) == 41


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(5, 40), scale=st.floats(-2, 2), offset=st.floats(-50, 50), slope=st.floats(-5, 5),
       factor=st.floats(0.2, 0.9), normalize=st.booleans(), seed=st.integers(0, 10))
def test_below_the_limit_full_batch_sgd_never_diverges_and_normalized_it_converges(n, scale, offset, slope, factor,
                                                                                normalize, seed):
    rng = np.random.default_rng(seed)
    x = offset + 10 ** scale * rng.normal(size=n)
    y = slope * x + rng.normal(size=n)
    playground = Playground(x, y)
    limit = playground.limit(Settings(normalize=normalize))
    run = playground.run(Settings(learning_rate=factor * limit, batch_size=n, epochs=300, normalize=normalize))
    assert not run.diverged
    if normalize:  # standardized inputs: condition number 1, the error shrinks by |1 - 2·factor| a step
        assert run.converged, run.verdict
        np.testing.assert_allclose([run.model.coef_[0], run.model.intercept_], np.polyfit(x, y, 1),
                                   rtol=1e-3, atol=1e-3 * np.abs(y).max())


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(5, 40), scale=st.floats(-1, 1), factor=st.floats(1.3, 3.0), normalize=st.booleans(),
       seed=st.integers(0, 10))
def test_above_the_limit_it_diverges_and_the_verdict_says_why(n, scale, factor, normalize, seed):
    rng = np.random.default_rng(seed)
    x = 10 ** scale * rng.normal(size=n)
    y = 2 * x + 1 + rng.normal(size=n)
    playground = Playground(x, y)
    limit = playground.limit(Settings(normalize=normalize))
    run = playground.run(Settings(learning_rate=factor * limit, batch_size=n, epochs=300, normalize=normalize))
    assert run.diverged and not run.converged
    assert run.verdict.startswith("Diverged: ") and f"above the stable limit {limit:.3g}" in run.verdict


def test_the_views_draw_the_run_and_the_exact_answer():
    x = np.linspace(0, 10, 30)
    y = 1.5 * x - 2 + np.sin(x)
    playground = Playground(x, y, feature_name="hours", target_name="score")
    run = playground.run(Settings(learning_rate=0.01, epochs=60, batch_size=10))
    drawn = playground.draw(run)
    slope, intercept = np.polyfit(x, y, 1)
    line, exact = drawn["data"].artists["line"], drawn["data"].artists["least_squares"]
    np.testing.assert_allclose(exact.get_ydata(), slope * exact.get_xdata() + intercept, rtol=1e-9)
    np.testing.assert_allclose(line.get_ydata(), run.model.predict(line.get_xdata()).ravel(), rtol=1e-5)
    np.testing.assert_allclose(drawn["loss"].artists["loss"].get_ydata(), run.losses)
    ols_mse = np.mean((slope * x + intercept - y) ** 2)
    assert drawn["loss"].artists["least_squares"].get_ydata()[0] == pytest.approx(ols_mse, rel=1e-9)
    optimum = drawn["landscape"].artists["optimum"].get_offsets()[0] \
        if hasattr(drawn["landscape"].artists["optimum"], "get_offsets") \
        else np.array([drawn["landscape"].artists["optimum"].get_xdata()[0],
                       drawn["landscape"].artists["optimum"].get_ydata()[0]])
    np.testing.assert_allclose(optimum, [slope, intercept], rtol=1e-9)
    path = drawn["landscape"].artists["path"]
    np.testing.assert_allclose(path.get_xdata(), run.path.coef[:, 0])
    assert drawn["data"].ax.get_xlabel() == "hours" and drawn["data"].ax.get_ylabel() == "score"


def test_a_diverged_run_still_draws_without_warnings():
    import warnings
    playground = Playground(X * 100, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = playground.run(Settings(learning_rate=1.0, epochs=50, batch_size=3))
        drawn = playground.draw(run)
    assert run.diverged and set(drawn) == {"figure", "data", "loss", "landscape"}


@pytest.mark.parametrize("settings, error, match", [
    (Settings(optimizer="lbfgs"), ValueError, "optimizer must be one of .* Received: optimizer='lbfgs'"),
    (Settings(learning_rate=0), ValueError, "learning_rate"), (Settings(batch_size=0), ValueError, "batch_size"),
    (Settings(epochs=2.5), TypeError, "epochs"), (Settings(momentum=1.0), ValueError, "momentum"),
    (Settings(optimizer="adam", momentum=0.5), ValueError, "momentum applies to sgd and rmsprop"),
    (Settings(seed=-1), ValueError, "seed"), (Settings(normalize="yes"), TypeError, "normalize")])
def test_bad_settings_are_refused_by_name(settings, error, match):
    with pytest.raises(error, match=match):
        Playground(X, Y).run(settings)


def test_only_one_feature_is_explored():
    with pytest.raises(ValueError, match=r"one feature .* Received: x of shape \(3, 2\)"):
        Playground(np.ones((3, 2)), Y)


def test_the_limit_marker_sits_at_the_log_position():
    marker = limit_marker(1e-3, 1e-2, low=-6, high=1)
    assert "left:42.86%" in marker and "left:57.14%" in marker  # (−3 + 6)/7 and (−2 + 6)/7
    assert "is below it" in marker and "is above it" in limit_marker(0.1, 1e-2)
    assert "no fixed stable limit" in limit_marker(1e-3, None) and "<script" not in marker


def test_the_verdict_is_a_status_region():
    run = Playground(X, Y + [0.1, -0.2, 0.1]).run(Settings(learning_rate=0.05, epochs=500, batch_size=3))
    assert run.converged and verdict_html(run).startswith('<div role="status"')

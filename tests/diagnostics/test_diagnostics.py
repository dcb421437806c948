"""Diagnostics against hand-computed Hessians, and by experiment: plain SGD converges just below the stable
learning rate and diverges just above it (also with a Normalization layer and with momentum)."""

import dataclasses
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import linnet
from linnet.diagnostics import (
    convergence,
    exploding,
    learning_rate_warning,
    model_stable_learning_rate,
    sorted_tail_warning,
    stability,
    stable_learning_rate,
    validation,
)
from linnet.engine.optimizers import SGD, Adam
from linnet.exact.results import ols

ROOT_265 = math.sqrt(265.0)
BOSTON_NAMES = ["CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD", "TAX", "PTRATIO", "B", "LSTAT"]


def neuron(x, optimizer="sgd", loss="mse", *, normalize=False, after=()):
    """A built, compiled ``Input -> [Normalization adapted to x] -> Dense(1) -> *after`` model."""
    layers = [linnet.Input((1 if np.ndim(x) == 1 else x.shape[1],))]
    if normalize:
        normalization = linnet.Normalization()
        normalization.adapt(x)
        layers.append(normalization)
    model = linnet.Sequential(layers + [linnet.Dense(1), *after])
    model.compile(optimizer, loss=loss)
    model.build()
    return model


def standardized(x):
    return (x - x.mean()) / x.std()


# ----- the Hessian and its largest eigenvalue, by hand ------------------------------------------------------------
def test_hessian_of_three_points_by_hand():
    # x = [1, 2, 3], MSE, θ = (bias, kernel): H = (2/3)·[[3, 6], [6, 14]], eigenvalues (17 ± √265)/3.
    limit = stable_learning_rate([1.0, 2.0, 3.0])
    assert limit.largest_eigenvalue == pytest.approx((17 + ROOT_265) / 3, rel=1e-12)
    assert limit.learning_rate == pytest.approx(6 / (17 + ROOT_265), rel=1e-12)
    assert limit.condition_number == pytest.approx((17 + ROOT_265) / (17 - ROOT_265), rel=1e-9)
    # standardized inputs: H = 2·I, so the limit is 1 and the condition number 1
    assert limit.normalized_learning_rate == pytest.approx(1.0, rel=1e-12)
    assert limit.normalized_condition_number == pytest.approx(1.0, rel=1e-12)
    assert "0.1803" in str(limit) and "11.09" in str(limit)


def test_hessian_without_intercept_and_for_other_losses():
    assert stable_learning_rate([1.0, 2.0, 3.0], fit_intercept=False).largest_eigenvalue == pytest.approx(28 / 3)
    huber = stable_learning_rate([1.0, 2.0, 3.0], loss="huber")  # curvature 1: half the MSE Hessian
    assert huber.largest_eigenvalue == pytest.approx((17 + ROOT_265) / 6, rel=1e-12)
    mae = stable_learning_rate([1.0, 2.0, 3.0], loss=linnet.losses.MeanAbsoluteError())
    assert mae.largest_eigenvalue == 0.0 and mae.learning_rate == math.inf


def test_batch_hessians_by_hand():
    # x = [1, 2, 3, 4] in batches of 2: H1 = [[2, 3], [3, 5]], H2 = [[2, 7], [7, 25]], the average [[2, 5], [5, 15]]
    limit = stable_learning_rate([1.0, 2.0, 3.0, 4.0], batch_size=2)
    assert limit.largest_eigenvalue == pytest.approx((17 + math.sqrt(269)) / 2, rel=1e-12)
    assert limit.batch_learning_rate == pytest.approx(4 / (27 + math.sqrt(725)), rel=1e-12)
    assert "Mini-batches of 2 rows" in limit.batch_note and "26.96" in limit.batch_note
    # batches of 3 leave a last batch [4] alone: H = 2·[[1, 4], [4, 16]], λmax = 34
    assert stable_learning_rate([1.0, 2.0, 3.0, 4.0], batch_size=3).batch_learning_rate == pytest.approx(2 / 34)


def test_batch_note_says_what_batches_change(monkeypatch):
    x = [1.0, 2.0, 3.0, 4.0]
    assert "exact" in stable_learning_rate(x, batch_size=4).batch_note
    assert stable_learning_rate(x, batch_size=4).batch_learning_rate is None
    assert "full-batch" in stable_learning_rate(x).batch_note
    monkeypatch.setattr(stability, "BATCH_EIGEN_BUDGET", 0)
    skipped = stable_learning_rate(x, batch_size=1)
    assert skipped.batch_learning_rate is None and "too many to check" in skipped.batch_note


def test_stable_learning_rate_rejects_bad_arguments():
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        stable_learning_rate([1.0, 2.0], batch_size=0)
    with pytest.raises(TypeError, match="fit_intercept must be True or False"):
        stable_learning_rate([1.0, 2.0], fit_intercept="yes")
    with pytest.raises(ValueError, match="Did you mean 'mse'"):
        stable_learning_rate([1.0, 2.0], loss="mes")


# ----- the experiment: just below the limit SGD converges, just above it diverges ---------------------------------
@pytest.mark.parametrize("normalize, epochs", [(False, 20_000), (True, 300)])
def test_plain_sgd_converges_below_the_limit_and_diverges_above(rooms, normalize, epochs):
    x, y = rooms
    n = len(x)
    limit = model_stable_learning_rate(neuron(x, normalize=normalize), x, batch_size=n).learning_rate
    assert limit == pytest.approx(stable_learning_rate(standardized(x) if normalize else x).learning_rate, rel=1e-5)

    below = neuron(x, SGD(0.95 * limit), normalize=normalize)
    assert learning_rate_warning(below, x, batch_size=n) is None
    losses = below.fit(x, y, batch_size=n, epochs=epochs, shuffle=False, verbose=0).history["loss"]
    assert np.all(np.diff(losses[:20]) < 0)  # below 2/λmax every full-batch step lowers a quadratic loss
    assert losses[-1] == pytest.approx(ols(x, y).ssr / n, rel=1e-4)

    above = neuron(x, SGD(1.05 * limit), normalize=normalize)
    warning = learning_rate_warning(above, x, batch_size=n)
    assert f"The learning rate {above.optimizer.learning_rate:.4g} is above" in warning
    assert f"use learning_rate <= {limit:.4g}" in warning
    assert ("Normalization layer adapted to x allows learning rates up to 1" in warning) is not normalize
    with pytest.raises(linnet.DivergenceError) as diverged, pytest.warns(UserWarning, match=warning[:40]):
        above.fit(x, y, batch_size=n, epochs=3000, shuffle=False, verbose=0)  # fit warns once, before training
    losses = diverged.value.history.history["loss"]
    assert np.all(np.diff(losses[-20:]) > 0) and exploding(losses)


@pytest.mark.parametrize("momentum, nesterov, factor", [(0.5, False, 1.5), (0.9, False, 1.9), (0.5, True, 0.75)])
def test_momentum_limits_by_experiment(rooms, momentum, nesterov, factor):
    # normalized inputs: λmax = 2, so plain SGD's limit is 1; heavy ball 2(1+μ)/λ, Nesterov 2(1+μ)/((1+2μ)λ)
    x, y = rooms
    n = len(x)
    limit = factor * model_stable_learning_rate(neuron(x, normalize=True), x, batch_size=n).learning_rate
    below = neuron(x, SGD(0.95 * limit, momentum=momentum, nesterov=nesterov), normalize=True)
    assert learning_rate_warning(below, x, batch_size=n) is None
    losses = below.fit(x, y, batch_size=n, epochs=2000, shuffle=False, verbose=0).history["loss"]
    assert losses[-1] == pytest.approx(ols(x, y).ssr / n, rel=1e-4)
    above = neuron(x, SGD(1.05 * limit, momentum=momentum, nesterov=nesterov), normalize=True)
    assert f"use learning_rate <= {limit:.4g}" in learning_rate_warning(above, x, batch_size=n)
    with pytest.raises(linnet.DivergenceError), pytest.warns(UserWarning, match="above the largest stable"):
        above.fit(x, y, batch_size=n, epochs=3000, shuffle=False, verbose=0)


@pytest.mark.parametrize("momentum, nesterov, limit", [
    (0.9, False, 2 * 1.9 / (2 + 1.9 * 4.0)),  # heavy ball: 2(1+μ)/(λmax + (1+μ)·wd), not 2(1+μ)/(λmax + wd)
    (0.9, True, 2 * 1.9 / (2.8 * 2 + 1.9 * 4.0)),  # Nesterov: 2(1+μ)/((1+2μ)·λmax + (1+μ)·wd)
    (0.0, False, 2 / (2 + 4.0)),  # plain: 2/(λmax + wd)
])
def test_momentum_with_weight_decay_limits_by_experiment(rooms, momentum, nesterov, limit):
    # normalized inputs: λmax = 2; the decay w ← w - lr·wd·w acts outside the velocity, so it counts (1+μ) times
    x, y = rooms
    n = len(x)
    below = neuron(x, SGD(0.97 * limit, momentum=momentum, nesterov=nesterov, weight_decay=4.0), normalize=True)
    assert learning_rate_warning(below, x, batch_size=n) is None
    losses = below.fit(x, y, batch_size=n, epochs=1000, shuffle=False, verbose=0).history["loss"]
    assert not exploding(losses) and losses[-1] <= losses[0]
    above = neuron(x, SGD(1.03 * limit, momentum=momentum, nesterov=nesterov, weight_decay=4.0), normalize=True)
    assert f"use learning_rate <= {limit:.4g}" in learning_rate_warning(above, x, batch_size=n)
    with pytest.raises(linnet.DivergenceError), pytest.warns(UserWarning, match="above the largest stable"):
        above.fit(x, y, batch_size=n, epochs=3000, shuffle=False, verbose=0)


def test_below_the_largest_batch_limit_mini_batch_sgd_cannot_blow_up(rooms):
    x, y = rooms
    model = neuron(x, SGD(0.1), normalize=True)
    limit = model_stable_learning_rate(model, x, batch_size=32)
    assert limit.batch_learning_rate < limit.learning_rate
    model.optimizer.learning_rate = 0.95 * limit.batch_learning_rate
    losses = model.fit(x, y, batch_size=32, epochs=300, shuffle=False, verbose=0).history["loss"]
    assert max(losses[1:]) <= losses[0] and not exploding(losses)


def test_the_warning_accounts_for_weight_decay_and_an_output_gain(rooms):
    x, _ = rooms
    plain = stable_learning_rate(standardized(x))  # λmax = 2
    decayed = neuron(x, SGD(0.75, weight_decay=2.0), normalize=True)  # limit 2/(2 + 2) = 0.5
    assert "2/(λmax + weight_decay)" in learning_rate_warning(decayed, x)
    assert learning_rate_warning(neuron(x, SGD(0.75), normalize=True), x) is None
    halved = neuron(x, normalize=True, after=[linnet.Normalization(mean=0.0, variance=4.0)])  # y = z/2
    assert model_stable_learning_rate(halved, x).learning_rate == pytest.approx(4 * plain.learning_rate, rel=1e-6)


def test_no_warning_where_the_limit_does_not_apply(rooms):
    x, _ = rooms
    assert learning_rate_warning(neuron(x, Adam(100.0)), x) is None
    schedule = linnet.engine.schedules.ExponentialDecay(100.0, decay_steps=10, decay_rate=0.5)
    assert learning_rate_warning(neuron(x, SGD(schedule)), x) is None
    stacked = neuron(x, SGD(100.0), after=[linnet.Dense(1)])
    assert model_stable_learning_rate(stacked, x) is None and learning_rate_warning(stacked, x) is None


# ----- divergence rule --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("losses, expected", [
    ([], False), ([5.0], False), ([1.0, float("nan")], True), ([1.0, 2.0, float("inf")], True),
    ([1.0, 1e5, 1e6, 1e7], True),            # 10⁷ > 10⁴ × 1, three rises in a row
    ([1.0, 10.0, 1e2, 1e3, 1e4, 2e4], True),
    ([1.0, 2e4, 3e4, 2.5e4], False),          # above 10⁴ × the first, but falling again
    ([1.0, 5e3, 8e3, 9e3, 9.9e3], False),     # rising, but not 10⁴ × the first
    ([100.0, 50.0, 20.0, 10.0], False),
])
def test_exploding(losses, expected):
    assert exploding(losses) is expected


# ----- sorted tail --------------------------------------------------------------------------------------------------
def test_data_sorted_by_price_trigger_the_sorted_tail_warning(boston):
    x, y = boston[0], boston[1]
    order = np.argsort(y, kind="stable")
    warning = sorted_tail_warning(x[order], y[order], 0.2)
    assert warning.startswith("validation_split=0.2 holds out the last 81 of 404 rows")
    assert "100% of the validation rows have y outside the training range" in warning
    assert "y is ordered by row number (Spearman ρ = 1.00)" in warning
    assert "np.random.permutation" in warning and "validation_data=(x_val, y_val)" in warning


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1))
def test_shuffled_data_give_no_warning(boston, seed):
    x, y = boston[0], boston[1]
    order = np.random.default_rng(seed).permutation(len(y))
    assert sorted_tail_warning(x[order], y[order], 0.2) is None


def test_a_sorted_feature_is_named_from_the_data_frame(boston):
    frame = pd.DataFrame(boston[0], columns=BOSTON_NAMES).sort_values("RM", kind="stable")
    warning = sorted_tail_warning(frame, boston[1][frame.index], 0.25)
    assert "RM is ordered by row number (Spearman ρ = 1.00)" in warning


def test_a_tail_outside_the_range_is_caught_without_any_order():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(0, 1, 80), np.tile([-1.0, 2.0], 10)])  # tail alternates below and above
    warning = sorted_tail_warning(x, rng.normal(size=100), 0.2)
    assert "100% of the validation rows have x[:, 0] outside the training range" in warning
    assert "ordered by row number" not in warning


def test_ties_share_their_rank_so_a_shuffled_binary_column_is_not_ordered():
    np.testing.assert_array_equal(validation._average_ranks(np.array([10, 20, 10, 30])), [1.5, 3.0, 1.5, 4.0])
    binary = np.random.default_rng(1).permutation(np.repeat([0.0, 1.0], 200))
    assert sorted_tail_warning(np.column_stack([binary, np.arange(400) % 7]), np.sin(np.arange(400)), 0.2) is None


def test_sorted_tail_needs_enough_rows_and_a_valid_split():
    x = np.arange(20.0)
    assert sorted_tail_warning(x, x, 0.2) is None
    with pytest.raises(ValueError, match="validation_split"):
        sorted_tail_warning(np.arange(40.0), np.arange(40.0), 1.5)


# ----- convergence verdict -----------------------------------------------------------------------------------------
def test_a_model_at_the_least_squares_weights_has_converged(rooms):
    x, y = rooms
    exact = ols(x, y)
    model = neuron(x)
    model.set_weights([exact.coef_.reshape(1, 1), np.array([exact.intercept_])])
    verdict = convergence(model, x, y)
    assert verdict.converged and verdict.advice == ()
    assert verdict.loss_ratio == pytest.approx(1.0, abs=1e-9)
    assert verdict.parameter_distance < 1e-6
    assert verdict.ols_loss == pytest.approx(exact.ssr / len(y), rel=1e-12)
    assert str(verdict).startswith("Training has converged to the least-squares answer")
    assert convergence(model, x, y, exact) == verdict
    assert dataclasses.asdict(verdict)["converged"] is True


def test_a_normalized_model_at_the_optimum_has_converged(rooms):
    x, y = rooms
    exact = ols(x, y)
    model = neuron(x, normalize=True)
    mean, scale = model.layers[0].mean[0], model.layers[0].scale()[0]
    kernel, bias = exact.coef_[0] * scale, exact.intercept_ + exact.coef_[0] * mean
    model.set_weights([model.layers[0].mean, model.layers[0].variance, model.layers[0].count,
                       np.array([[kernel]]), np.array([bias])])
    assert convergence(model, x, y).converged


def test_an_untrained_model_is_told_to_train_and_to_normalize(rooms):
    x, y = rooms
    verdict = convergence(neuron(x), x, y)
    assert not verdict.converged and verdict.loss_ratio > 1.01
    assert verdict.advice[0] == "train more epochs (fit(epochs=...)): the model has not been trained"
    assert verdict.advice[1].startswith("normalize the inputs (add a Normalization layer adapted to x): the loss is "
                                        "3.31e+03 times more curved")
    assert len(verdict.advice) == 2
    normalized = convergence(neuron(x, normalize=True), x, y)
    assert normalized.advice == ("train more epochs (fit(epochs=...)): the model has not been trained",)
    assert "  - train more epochs" in str(normalized)
    in_the_cli = convergence(neuron(x), x, y, cli=True).advice  # the same advice, naming linnet train's flags
    assert in_the_cli[0].startswith("train more epochs (--epochs): ")
    assert in_the_cli[1].startswith("normalize the inputs (--normalize, or drop --no-standardize): ")


def test_adam_that_cannot_reach_the_optimum_is_told_to_use_a_larger_learning_rate(rooms):
    x, y = rooms
    model = neuron(x, Adam(0.001), normalize=True)
    model.fit(x, y, epochs=5, verbose=0, seed=0)
    advice = convergence(model, x, y).advice
    assert any(a.startswith("use a larger learning rate (the optimizer's learning_rate): Adam moves each parameter "
                            "by about the learning rate "
                            "(0.001) per step, about 0.065 in the 65 steps run") for a in advice)  # not a bound:
    # RMSprop's first step moves about 3.16 times its rate, and momentum up to lr / (1 - m) a step


def test_slow_sgd_is_told_to_train_longer_with_a_larger_learning_rate(rooms):
    x, y = rooms
    model = neuron(x, SGD(0.001), normalize=True)
    model.fit(x, y, batch_size=len(x), epochs=100, shuffle=False, verbose=0)
    advice = convergence(model, x, y).advice
    assert advice[0].startswith("train more epochs (fit(epochs=...)): the loss still fell")
    assert advice[1].startswith("use a larger learning rate (the optimizer's learning_rate): 0.001 is 1000 times "
                                "below the largest stable "
                                "learning rate of SGD on these inputs, 1 (2/λmax)")


def test_noisy_mini_batches_are_told_to_lower_the_learning_rate(rooms):
    x, y = rooms
    model = neuron(x, SGD(0.1), normalize=True)
    model.fit(x, y, batch_size=1, epochs=50, verbose=0, seed=0)
    verdict = convergence(model, x, y)
    assert not verdict.converged
    assert verdict.advice == ("lower the learning rate or use larger batches (the optimizer's learning_rate, "
                              "fit(batch_size=...)): the loss stopped falling short of "
                              "the optimum, the mark of gradient noise (mini-batches) or of a step too large to "
                              "settle",)


def test_a_loss_other_than_mse_is_compared_in_mse_with_a_note(rooms):
    x, y = rooms
    model = neuron(x, SGD(0.1), loss="mae", normalize=True)
    model.fit(x, y, batch_size=len(x), epochs=50, shuffle=False, verbose=0)
    verdict = convergence(model, x, y)
    coef, intercept = model.network.affine()
    assert verdict.loss == pytest.approx(np.mean((x * coef[0] + intercept - y) ** 2), rel=1e-9)
    assert verdict.note.startswith("The model minimizes mean_absolute_error")
    assert str(verdict).endswith(verdict.note)


def test_convergence_refuses_a_mismatched_ols_result(boston):
    x, y = boston[0], boston[1]
    with pytest.raises(ValueError, match="ols_result must be the OLSResult of linnet.stats.ols on 1 feature"):
        convergence(neuron(x[:, 5]), x[:, 5], y, ols(x, y))


def test_a_target_far_from_zero_is_not_converged_by_round_off_alone():
    """y = 3e6 + 0.3x: a fixed round-off allowance of eps32²·mean(y²) (0.13 here) called a neuron with slope
    -0.05 converged, and StopAtOptimum stopped training after its first epoch. The allowance is now what rounding
    the optimum to float32 costs, a few times over; the float32-rounded optimum itself is still converged."""
    import linnet
    from linnet.diagnostics.convergence_check import convergence
    from linnet.engine.callbacks.optimum import StopAtOptimum
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 1))
    y = 3e6 + 0.3 * x[:, 0] + 0.001 * rng.normal(size=60)
    model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1)])
    model.compile("sgd", "mse")
    optimum = linnet.exact.ols(x, y)
    model.set_weights([np.array([[-0.053]], np.float32), np.array([optimum.intercept_], np.float32)])
    far = convergence(model, x, y)
    assert far.loss < 0.128 and not far.converged  # within the old allowance, 5 orders above the optimum
    stop = StopAtOptimum(x, y, tolerance=1e-8)
    stop.set_model(model)
    assert not stop._at_optimum({})
    model.set_weights([np.array([[optimum.coef_[0]]], np.float32), np.array([optimum.intercept_], np.float32)])
    assert convergence(model, x, y).converged and stop._at_optimum({})


def test_the_stable_learning_rate_of_inputs_beyond_float32_is_refused_not_nan():
    """x of 1e200 overflowed X'X (a leaked RuntimeWarning) and printed 'inf (λmax = nan ...)'."""
    from linnet.diagnostics import stable_learning_rate
    with pytest.raises(ValueError, match=r"x \(as float32, which training uses\) has values beyond the float32 range"):
        stable_learning_rate(np.arange(10.0)[:, None] * 1e200)


@pytest.mark.parametrize("name", ["model_stable_learning_rate", "learning_rate_warning", "auto_rate", "convergence"])
def test_the_model_diagnostics_refuse_inputs_beyond_float32_as_fit_does(name):
    """x of 1e308 leaked NumPy's 'overflow encountered in matmul' (X'X beyond float64) from all four."""
    from linnet import diagnostics
    model = linnet.keras.Sequential([linnet.keras.Input((1,)), linnet.keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    x, y = np.array([[1e308], [-1e308], [5e307]]), np.array([1.0, 2.0, 3.0])
    arguments = (model, x, y) if name == "convergence" else (model, x)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match=r"^x \(as float32, which training uses\) has values beyond the float32 "):
            getattr(diagnostics, name)(*arguments)


def test_collinear_columns_are_solved_once_by_the_callers_that_share_a_result():
    """StopAtOptimum uses only the least loss (exact whatever the rank) and says nothing; compare_to_ols and the gap
    figure reuse a result already solved, refusing one of other rows or features."""
    import warnings

    from linnet.callbacks import StopAtOptimum
    from linnet.exact.state import LeastSquaresState
    from linnet.exact.surface import LossSurface
    a = np.linspace(0.0, 1.0, 20)
    x, y = np.column_stack([a, 2 * a]), 3 * a + 1 + 0.01 * np.sin(7 * a)
    model = neuron(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stop = StopAtOptimum(x, y, tolerance=1e-6)
        with pytest.warns(UserWarning, match=r"\('a'\) and x\[:, 1\] \('b'\) are collinear"):
            exact = ols(x, y, feature_names=["a", "b"])
        table = model.compare_to_ols(x, y, feature_names=["a", "b"], print_fn=None, ols_result=exact)
        LossSurface(LeastSquaresState().update(x, y), least_squares=exact)
    assert table.least_squares_loss == exact.ssr / 20 == pytest.approx(stop.optimum, rel=1e-4)  # float32 rows
    with pytest.raises(ValueError, match="ols_result must be the OLSResult of linnet.stats.ols on 2 feature"):
        model.compare_to_ols(x, y, print_fn=None, ols_result=ols(a, y))
    with pytest.raises(ValueError, match="least_squares must be the OLSResult with an intercept of the state's 19"):
        LossSurface(LeastSquaresState().update(x[1:], y[1:]), least_squares=exact)


@pytest.mark.parametrize("loss", ["mae", "mape", "msle"])
def test_a_loss_without_curvature_gets_no_learning_rate_advice_from_an_infinite_limit(loss):
    """Those losses bound no stable learning rate (curvature 0): the verdict advised "use a larger learning rate:
    0.01 is inf times below the largest stable learning rate of SGD on these inputs, inf (2/λmax)"."""
    x = np.linspace(1.0, 3.0, 40).reshape(-1, 1)
    y = 2.0 * x[:, 0] + 1.0
    model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1)])
    model.compile(SGD(0.01), loss)
    model.fit(x, y, epochs=3, verbose=0, seed=0)
    verdict = convergence(model, x, y)
    assert not verdict.converged
    assert not any("inf" in advice for advice in verdict.advice), verdict.advice


def test_a_constant_target_trains_to_its_value_and_is_called_converged():
    """y = 5 on random x: the exact answer is slopes 0, intercept 5, with a least-squares loss of 0. The neuron gets
    there within float32's resolution of 5; the verdict compared its loss of ~1e-15 with 0 (ratio inf), said
    "not converged" and advised a lower learning rate, warning 'invalid value encountered in scalar divide'."""
    x, y = np.random.default_rng(0).normal(size=(200, 2)), np.full(200, 5.0)
    model = linnet.Sequential([linnet.Input((2,)), linnet.Dense(1)])
    model.compile(SGD(learning_rate="auto"), "mse")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(x, y, epochs=300, verbose=0)
        verdict = convergence(model, x, y)
    coef, intercept = model.network.affine()
    assert model.optimizer.learning_rate < 1 and np.abs(coef).max() < 1e-6 and intercept == pytest.approx(5)
    assert verdict.converged and verdict.advice == () and "round-off" in str(verdict) and "inf" not in str(verdict)

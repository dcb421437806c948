import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import linnet
from linnet import plot
from linnet.engine.callbacks import CallbackList, LambdaCallback, ParameterHistory

X = np.array([-10.0, 0.0, 2.0, 6.0, 12.0, 15.0])
Y = np.array([10.0, 31.0, 33.0, 42.0, 55.0, 60.0])  # y = 2x + 30 plus hand-picked noise
SLOPE, INTERCEPT = np.polyfit(X, Y, 1)  # the oracle: numpy's least squares, not linnet's


def brute_mse(x, y, coef, intercept):
    """MSE of every row of ``coef`` (k, p) with ``intercept`` (k,), by a pass over the data."""
    x = np.asarray(x, dtype=np.float64).reshape(len(y), -1)
    return np.mean((x @ np.asarray(coef).T + np.asarray(intercept) - np.asarray(y)[:, None]) ** 2, axis=0)


MSE_MIN = brute_mse(X, Y, [[SLOPE]], [INTERCEPT])[0]


def line_model(slope=1.0, intercept=0.0, optimizer=None, loss="mse"):
    model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1)])
    model.set_weights([np.array([[slope]]), np.array([intercept])])
    model.compile(optimizer=optimizer or linnet.engine.optimizers.Adam(0.5), loss=loss)
    return model


def recorded_fit(x, y, every="epoch", model=None, **fit):
    model = model or line_model(0.0, 0.0, linnet.engine.optimizers.SGD(0.1))
    path = ParameterHistory(every)
    history = model.fit(x, y, verbose=0, shuffle=False, callbacks=[path], **fit)
    return model, path, history




@pytest.fixture(scope="module")
def boston_demo():
    """The Boston tutorial: rooms of the first 282 rows (the training part of validation_split=0.3)."""
    linnet.utils.set_random_seed(42)
    (x_train, y_train), _ = linnet.data.boston_housing.load_data()
    model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1)])
    model.compile(optimizer=linnet.engine.optimizers.RMSprop(0.005), loss="mse")
    path = ParameterHistory()
    history = model.fit(x_train[:, 5], y_train, batch_size=16, epochs=101, validation_split=0.3, verbose=0,
                        callbacks=[path], seed=42)
    return model, path, history, x_train[:282, 5], y_train[:282]


# ----- ParameterHistory -----------------------------------------------------------------------------------------
def test_records_start_and_every_epoch_of_hand_computed_sgd():
    # x = [1, 2], y = [1, 2], full batch, lr 0.1, MSE gradient 2 mean(r x), 2 mean(r) with r = a x + b - y:
    # (0, 0) -> r = [-1, -2], grads (-5, -3) -> (0.5, 0.3) -> r = [-0.2, -0.7], grads (-1.6, -0.9) -> (0.66, 0.39)
    _, path, _ = recorded_fit([[1.0], [2.0]], [1.0, 2.0], batch_size=2, epochs=2)
    np.testing.assert_allclose(path.coef, [[0.0], [0.5], [0.66]], atol=1e-6)
    np.testing.assert_allclose(path.intercept, [0.0, 0.3, 0.39], atol=1e-6)
    np.testing.assert_array_equal(path.epochs, [0, 1, 2])
    np.testing.assert_array_equal(path.steps, [0, 1, 2])
    assert len(path) == 3 and repr(path) == "<ParameterHistory every='epoch' entries=3>"


def test_records_every_batch_of_hand_computed_sgd():
    # batch 1, no shuffle: (0,0) -x=1-> (0.2, 0.2) -x=2-> (0.76, 0.48) -x=1-> (0.712, 0.432) -x=2-> (0.7696, 0.4608)
    _, path, _ = recorded_fit([[1.0], [2.0]], [1.0, 2.0], every="batch", batch_size=1, epochs=2)
    np.testing.assert_allclose(path.coef[:, 0], [0.0, 0.2, 0.76, 0.712, 0.7696], atol=1e-6)
    np.testing.assert_allclose(path.intercept, [0.0, 0.2, 0.48, 0.432, 0.4608], atol=1e-6)
    np.testing.assert_array_equal(path.epochs, [0, 0.5, 1, 1.5, 2])
    np.testing.assert_array_equal(path.steps, [0, 1, 2, 3, 4])


def test_batch_mode_records_steps_plus_one_entries_including_a_partial_last_batch():
    # 6 rows in batches of 4: 2 steps per epoch, the second of 2 rows
    _, path, _ = recorded_fit(X, Y, every="batch", model=line_model(), batch_size=4, epochs=3)
    assert len(path) == 3 * 2 + 1
    np.testing.assert_array_equal(path.steps, np.arange(7))
    np.testing.assert_array_equal(path.epochs, np.arange(7) / 2)


def test_only_batch_mode_makes_fit_dispatch_batch_hooks():
    model = line_model()
    assert not CallbackList([ParameterHistory()], model=model).wants_batch_hooks
    assert CallbackList([ParameterHistory("batch")], model=model).wants_batch_hooks


def test_entries_are_the_whole_stack_in_the_units_of_x_and_y():
    # Normalization(mean 2, variance 4) then Dense(k, b): y = k (x - 2) / 2 + b, so slope k/2, intercept b - k.
    norm = linnet.Normalization(mean=[2.0], variance=[4.0])
    model = linnet.Sequential([linnet.Input((1,)), norm, linnet.Dense(1)])
    model.compile(optimizer=linnet.engine.optimizers.Adam(0.05), loss="mse")
    weights = []
    snapshot = LambdaCallback(on_epoch_end=lambda epoch, logs: weights.append(model.get_weights()))
    path = ParameterHistory()
    model.fit(X, Y, epochs=4, batch_size=3, verbose=0, callbacks=[path, snapshot])
    kernels = np.array([w[-2][0, 0] for w in weights])
    biases = np.array([w[-1][0] for w in weights])
    np.testing.assert_allclose(path.coef[1:, 0], kernels / 2, rtol=1e-6)
    np.testing.assert_allclose(path.intercept[1:], biases - kernels, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(path.coef[-1], model.coef_)


def test_labels_follow_initial_epoch_and_a_new_fit_starts_afresh():
    model, path, _ = recorded_fit(X, Y, model=line_model(), batch_size=4, epochs=2)
    model.fit(X, Y, batch_size=4, epochs=4, initial_epoch=2, verbose=0, callbacks=[path])
    np.testing.assert_array_equal(path.epochs, [2, 3, 4])
    np.testing.assert_array_equal(path.steps, [4, 6, 8])
    np.testing.assert_allclose(path.coef[-1], model.coef_)


def test_parameter_history_refuses_an_unknown_mode_and_is_empty_before_fit():
    with pytest.raises(ValueError, match="every must be 'epoch' or 'batch'. Received: every='step'"):
        ParameterHistory("step")
    empty = ParameterHistory()
    assert empty.coef.shape == (0, 0) and empty.intercept.shape == (0,) and len(empty) == 0


# ----- landscape ------------------------------------------------------------------------------------------------
def test_landscape_draws_the_recorded_path_the_model_and_the_least_squares_optimum(ax):
    model, path, _ = recorded_fit(X.reshape(-1, 1), Y, model=line_model(0.0, 0.0, linnet.engine.optimizers.Adam(1.0)),
                                  batch_size=6, epochs=30)
    drawn = plot.landscape(model, X, Y, path=path, ax=ax, feature_name="rooms", target_name="price")
    assert drawn.ax is ax
    np.testing.assert_array_equal(drawn.artists["path"].get_xydata(), np.column_stack([path.coef[:, 0],
                                                                                      path.intercept]))
    np.testing.assert_array_equal(drawn.artists["start"].get_xydata(), [[0.0, 0.0]])
    np.testing.assert_allclose(drawn.artists["model"].get_xydata(), [[model.coef_[0], model.intercept_]])
    np.testing.assert_allclose(drawn.artists["optimum"].get_xydata(), [[SLOPE, INTERCEPT]], rtol=1e-12)
    assert drawn.artists["optimum"].get_label() == "least squares"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("slope (price per rooms)", "intercept (price)")
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()  # the whole path and the optimum are in view
    for a, b in [*drawn.artists["path"].get_xydata(), (SLOPE, INTERCEPT)]:
        assert x0 < a < x1 and y0 < b < y1


def test_landscape_contours_are_the_mse_on_log_spaced_levels_above_the_optimum(ax):
    contours = plot.landscape(line_model(), X, Y, ax=ax).artists["contours"]
    heights = contours.levels - MSE_MIN
    assert len(heights) == 30 and heights[0] > 0
    np.testing.assert_allclose(np.diff(np.log(heights)), np.log(1e6) / 29)  # a millionth up to the top
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()  # the grid spans the axes; the bowl peaks at a corner
    corners = brute_mse(X, Y, [[x0], [x0], [x1], [x1]], [y0, y1, y0, y1])
    assert contours.zmax == pytest.approx(corners.max(), rel=1e-12)
    assert contours.levels[-1] == pytest.approx(corners.max(), rel=1e-12)
    # Vertices are interpolated linearly along grid edges (at least 200 per axis): on a quadratic, that is off by
    # at most (edge length)^2 * (second derivative along it) / 8 = h^2 * 2 mean(x^2) / 8 or h^2 * 2 / 8.
    h_slope, h_intercept = (x1 - x0) / 200, (y1 - y0) / 200
    interpolation = max(h_slope ** 2 * np.mean(X ** 2), h_intercept ** 2) / 4
    for level, line in zip(contours.levels, contours.get_paths()):
        slopes, intercepts = line.vertices.T
        np.testing.assert_allclose(brute_mse(X, Y, slopes[:, None], intercepts), level, atol=interpolation, rtol=0)


def test_landscape_takes_names_from_pandas_and_works_without_a_path():
    frame = pd.DataFrame({"rooms": X, "price": Y})
    drawn = plot.landscape(line_model(), frame[["rooms"]], frame["price"])
    assert drawn.ax.get_xlabel() == "slope (price per rooms)"
    assert drawn.artists["path"] is None and drawn.artists["start"] is None and drawn.artists["zoom"] is None
    np.testing.assert_allclose(drawn.artists["optimum"].get_xydata(), [[SLOPE, INTERCEPT]], rtol=1e-12)


def test_landscape_refuses_two_features_a_constant_x_and_a_foreign_path():
    plane = linnet.Sequential([linnet.Input((2,)), linnet.Dense(1)])
    plane.build((None, 2))
    with pytest.raises(ValueError, match="needs one feature, but x has 2"):
        plot.landscape(plane, np.column_stack([X, X ** 2]), Y)
    with pytest.raises(ValueError, match="model must have 1 feature"):
        plot.landscape(plane, X, Y)
    with pytest.raises(ValueError, match="x is constant"):
        plot.landscape(line_model(), np.ones(6), Y)
    with pytest.raises(TypeError, match="path must be a linnet.callbacks.ParameterHistory"):
        plot.landscape(line_model(), X, Y, path={"loss": [1.0]})
    with pytest.raises(ValueError, match="path must hold parameters"):
        plot.landscape(line_model(), X, Y, path=ParameterHistory())
    with pytest.raises(ValueError, match="levels must be an integer >= 2"):
        plot.landscape(line_model(), X, Y, levels=1)
    with pytest.raises(ValueError, match=r"span must be a finite number in \[0.0, 1000000.0\]. Received: span=-0.1"):
        plot.landscape(line_model(), X, Y, span=-0.1)


def test_landscape_refuses_a_zoom_that_is_no_bool():
    """landscape(..., zoom=np.array([1, 0])) stopped on NumPy's "truth value of an array ... is ambiguous"."""
    with pytest.raises(TypeError, match=r"^zoom must be True or False\. Received: zoom=array\(\[1, 0\]\)"):
        plot.landscape(line_model(), X, Y, zoom=np.array([1, 0]))


def test_landscape_of_the_boston_demo_zooms_on_the_slow_end_of_the_path(boston_demo):
    model, path, _, x, y = boston_demo
    drawn = plot.landscape(model, x, y, path=path, feature_name="rooms", target_name="price")
    reference = linnet.ols(x, y)
    np.testing.assert_allclose(drawn.artists["optimum"].get_xydata(), [[reference.coef_[0], reference.intercept_]])
    inset = drawn.artists["zoom"]
    assert inset is not None and "epochs 51 to 101" in inset.get_title()
    drawn.figure.canvas.draw()
    main, zoom = drawn.ax.get_window_extent(), inset.get_window_extent()
    assert zoom.x0 > main.x1  # clear of the data: right of the main axes, not over them
    lines = [line for line in inset.get_lines() if line.get_label().startswith("path")]
    np.testing.assert_array_equal(lines[0].get_xydata(), drawn.artists["path"].get_xydata())
    assert any(text.get_text() == "to least squares" for text in inset.texts)
    assert plot.landscape(model, x, y, path=path, zoom=False).artists["zoom"] is None
    # The path heads for the optimum: each later half of the run ends closer to it (exact MSE falls).
    gaps = brute_mse(x, y, path.coef, path.intercept) - reference.ssr / len(y)
    assert gaps[-1] < gaps[len(gaps) // 2] < gaps[0]


# ----- gap ------------------------------------------------------------------------------------------------------
def test_gap_from_a_parameter_history_is_the_exact_mse_above_least_squares(ax):
    _model, path, _ = recorded_fit(X, Y, model=line_model(0.0, 0.0, linnet.engine.optimizers.Adam(1.0)), batch_size=2,
                                  epochs=12)
    line = plot.gap(path, X, Y, ax=ax).artists["gap"]
    np.testing.assert_array_equal(line.get_xdata(), np.arange(13))
    np.testing.assert_allclose(line.get_ydata(), brute_mse(X, Y, path.coef, path.intercept) - MSE_MIN, rtol=1e-9)
    assert ax.get_yscale() == "log" and "exact" in ax.get_title()


def test_gap_works_for_several_features(ax):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3)) * [1.0, 10.0, 0.1] + [0.0, 50.0, 3.0]
    y = x @ [1.0, -0.2, 4.0] + 7.0 + rng.normal(size=40)
    model = linnet.Sequential([linnet.Input((3,)), linnet.Dense(1)])
    model.compile(optimizer=linnet.engine.optimizers.Adam(0.1), loss="mse")
    path = ParameterHistory()
    model.fit(x, y, epochs=5, verbose=0, callbacks=[path])
    _coef, residuals, *_ = np.linalg.lstsq(np.column_stack([np.ones(40), x]), y, rcond=None)
    expected = brute_mse(x, y, path.coef, path.intercept) - residuals[0] / 40
    np.testing.assert_allclose(plot.gap(path, x, y, ax=ax).artists["gap"].get_ydata(), expected, rtol=1e-7)


def test_gap_from_a_history_is_the_epoch_loss_minus_least_squares_and_says_it_is_a_running_mean(ax):
    _, _, history = recorded_fit(X, Y, model=line_model(0.0, 0.0, linnet.engine.optimizers.Adam(1.0)), batch_size=2,
                                 epochs=8)
    line = plot.gap(history, X, Y, ax=ax).artists["gap"]
    np.testing.assert_array_equal(line.get_xdata(), np.arange(1, 9))
    np.testing.assert_allclose(line.get_ydata(), np.array(history.history["loss"]) - MSE_MIN, rtol=1e-9)
    assert "running mean" in ax.get_title()


def test_gap_clips_at_a_floor_for_the_log_scale_and_checks_the_loss():
    var_y = np.var(Y)
    line = plot.gap({"loss": [MSE_MIN + 1.0, MSE_MIN - 0.5]}, X, Y).artists["gap"]
    np.testing.assert_allclose(line.get_ydata(), [1.0, 1e-12 * var_y])
    mae = line_model(loss="mae")
    mae.fit(X, Y, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="loss is mean_absolute_error"):
        plot.gap(mae.history, X, Y)
    path = ParameterHistory()
    mae.fit(X, Y, epochs=2, verbose=0, callbacks=[path])  # exact MSE gaps stay meaningful: drawn, with a note
    assert "mean_absolute_error" in plot.gap(path, X, Y).ax.get_title()
    with pytest.raises(ValueError, match="path must hold parameters of a 2-feature model"):
        plot.gap(path, np.column_stack([X, X ** 2]), Y)


def test_landscape_and_gap_render_to_png(tmp_path, boston_demo):
    model, path, history, x, y = boston_demo
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    plot.landscape(model, x, y, path=path, ax=left, feature_name="rooms", target_name="price")
    plot.gap(path, x, y, ax=right)
    plot.gap(history, x, y, ax=right)
    figure.savefig(tmp_path / "exact.png")
    assert (tmp_path / "exact.png").stat().st_size > 10_000
    if os.environ.get("LINNET_PLOT_DIR"):  # to look at them: LINNET_PLOT_DIR=/tmp pytest tests/test_plot_exact.py
        figure.savefig(os.path.join(os.environ["LINNET_PLOT_DIR"], "linnet_exact_plots.png"))


def test_the_landscape_of_a_regularized_model_names_and_draws_its_penalized_optimum():
    # Keras' loss mse + l2·c² (L2(1.0) on the kernel): its minimum is scikit-learn's Ridge(alpha = n·l2)
    from sklearn.linear_model import Ridge
    rng = np.random.default_rng(0)
    x = rng.normal(1.0, 1.0, size=(30, 1))
    y = 2 * x[:, 0] + 1 + rng.normal(size=30)
    model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1, kernel_regularizer=linnet.regularizers.L2(1.0))])
    model.compile("sgd", "mse")
    model.build()
    ridge = Ridge(alpha=30 * 1.0).fit(x, y)
    objective = np.mean((y - ridge.predict(x)) ** 2) + ridge.coef_[0] ** 2
    drawn = plot.landscape(model, x, y)
    assert f"above the penalized optimum's loss {objective:.4g}" in drawn.ax.get_title()
    assert np.mean((y - 2 * x[:, 0] - 1) ** 2) < objective - 0.5  # least squares' MSE is far below: not that
    np.testing.assert_allclose(drawn.artists["optimum"].get_data(), [[ridge.coef_[0]], [ridge.intercept_]],
                               rtol=1e-10)
    assert drawn.artists["optimum"].get_label() == "penalized optimum"
    hessian = np.array([[np.mean(x ** 2) + 1.0, x.mean()], [x.mean(), 1.0]])  # (mse + c²) / 2, in (slope, b)
    flattest = np.linalg.eigh(hessian)[1][:, 0]
    slopes, intercepts = drawn.artists["valley"].get_data()
    direction = np.array([slopes[-1] - slopes[0], intercepts[-1] - intercepts[0]])
    unit = direction / np.linalg.norm(direction)
    assert abs(unit[0] * flattest[1] - unit[1] * flattest[0]) < 1e-10  # parallel
    plt.close(drawn.figure)


def test_the_gap_of_a_history_without_training_loss_is_refused():
    x = np.arange(5.0).reshape(-1, 1)
    with pytest.raises(ValueError, match=r"history has no training 'loss' .* keys are \['val_loss'\]\. Received"):
        plot.gap({"val_loss": [1.0, 0.5]}, x, 2 * x[:, 0], model=line_model())


def test_the_gap_of_a_regularized_model_is_measured_from_its_penalized_optimum():
    """Its History logs MSE + penalty, whose minimum is Ridge's objective (alpha = n·l2): the gap to that falls
    towards 0 as full-batch training converges; measured from least squares' MSE it stayed ~1.0 above 0."""
    from sklearn.linear_model import Ridge
    rng = np.random.default_rng(0)
    x = rng.normal(1.0, 1.0, size=(30, 1))
    y = 2 * x[:, 0] + 1 + rng.normal(size=30)
    model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1, kernel_regularizer=linnet.regularizers.L2(1.0))])
    model.compile(linnet.optimizers.SGD(0.1), "mse")
    history = model.fit(x, y, batch_size=30, epochs=300, verbose=0)
    ridge = Ridge(alpha=30 * 1.0).fit(x, y)
    objective = np.mean((y - ridge.predict(x)) ** 2) + ridge.coef_[0] ** 2
    drawn = plot.gap(history, x, y)
    _, plotted = drawn.artists["gap"].get_data()
    np.testing.assert_allclose(plotted[:50], np.array(history.history["loss"][:50]) - objective, rtol=1e-6)
    assert plotted[-1] < 1e-5 and "penalized optimum" in drawn.ax.get_title()
    plt.close(drawn.figure)


@pytest.mark.parametrize(("span", "received"), [(np.inf, "span=inf"), (10**400, "span, an integer of about 401 digits"),
                                                (1e300, r"span=1e\+300")], ids=["inf", "10**400", "1e300"])
def test_a_landscape_margin_that_is_infinite_or_too_wide_to_draw_is_refused(span, received):
    """span=inf leaked NumPy's RuntimeWarning, 10**400 raised an OverflowError, 1e300 overflowed squaring."""
    with pytest.raises(ValueError, match=rf"span must be a finite number in \[0.0, 1000000.0\]. Received: {received}"):
        plot.landscape(line_model(), X, Y, span=span)


@pytest.mark.parametrize("x, what", [(np.array([1e308, -1e308, 1e307]), "1e\\+308"),
                                     (np.array([1e-308, 2e-308, 3e-308]), "1e-308")])
def test_landscape_refuses_an_x_the_model_cannot_hold_by_name_without_a_runtime_warning(x, what):
    """x at ±1e308 leaked "overflow encountered in subtract", x at 1e-308 "divide by zero encountered in scalar
    divide" (its variance underflows to 0 though x is not constant)."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match=rf"x at index \(0, 0\) is {what}, which float32 .* cannot hold"):
            plot.landscape(line_model(), x, np.array([1.0, 2.0, 3.0]))


def test_gap_refuses_a_model_that_is_no_model_or_takes_other_features():
    """model=object() and a model of other features were drawn with anyway."""
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = 2 * x[:, 0] + 1
    _, _, history = recorded_fit(x, y, epochs=2)
    with pytest.raises(TypeError, match=r"^model must be a linnet model such as Sequential"):
        plot.gap(history, x, y, model=object())
    with pytest.raises(ValueError, match=r"^model must take x's 2 feature\(s\)\. Received: a model of 1 feature"):
        plot.gap(history, np.hstack([x, x ** 2]), y)

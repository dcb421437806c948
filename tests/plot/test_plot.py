import os
import re
import subprocess
import sys
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import linnet
from linnet import plot

X = np.array([-10.0, 0.0, 2.0, 6.0, 12.0, 15.0])
Y = np.array([10.0, 31.0, 33.0, 42.0, 55.0, 60.0])  # y = 2x + 30 plus hand-picked noise
HISTORY = {"loss": [9.0, 4.0, 2.0, 1.5], "val_loss": [10.0, 3.0, 3.5, 4.0], "mae": [2.5, 1.8, 1.2, 1.0]}


def line_model(slope=2.0, intercept=30.0):
    model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1)])
    model.set_weights([np.array([[slope]]), np.array([intercept])])
    return model


def plane_model(weights=(2.0, -3.0), bias=5.0):
    model = linnet.Sequential([linnet.Input((2,)), linnet.Dense(1)])
    model.set_weights([np.array(weights).reshape(2, 1), np.array([bias])])
    return model




# ----- data -----------------------------------------------------------------------------------------------------
def test_data_scatters_x_against_y_with_default_labels(ax):
    drawn = plot.data(X, Y, ax=ax, color="red")
    assert drawn.ax is ax and drawn.figure is ax.figure
    np.testing.assert_array_equal(drawn.artists["points"].get_offsets(), np.column_stack([X, Y]))
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x", "y")
    np.testing.assert_array_equal(drawn.artists["points"].get_facecolor()[0], [1.0, 0.0, 0.0, 1.0])


def test_data_takes_names_from_pandas_and_explicit_names_win():
    frame = pd.DataFrame({"rooms": X, "price": Y})
    drawn = plot.data(frame[["rooms"]], frame["price"])
    assert (drawn.ax.get_xlabel(), drawn.ax.get_ylabel()) == ("rooms", "price")
    drawn = plot.data(frame["rooms"], frame["price"], feature_name="RM", target_name="MEDV")
    assert (drawn.ax.get_xlabel(), drawn.ax.get_ylabel()) == ("RM", "MEDV")


def test_data_refuses_several_features_and_bad_inputs():
    with pytest.raises(ValueError, match=r"data\(\) draws one feature against y, but x has 2 features"):
        plot.data(np.ones((3, 2)), np.ones(3))
    with pytest.raises(ValueError, match="same number of samples: x has 6, y has 5"):
        plot.data(X, Y[:5])
    with pytest.raises(ValueError, match="x contains NaN"):
        plot.data([1.0, np.nan], [1.0, 2.0])
    with pytest.raises(TypeError, match="x must be numeric"):
        plot.data("abc", [1.0])
    with pytest.raises(ValueError, match=r"feature_name has 2 name\(s\) but x has 1 feature"):
        plot.data(X, Y, feature_name=["a", "b"])


def test_a_new_figure_is_made_when_ax_is_omitted():
    before = plt.get_fignums()
    drawn = plot.data(X, Y)
    assert plt.get_fignums() == before + [drawn.figure.number]


# ----- fit ------------------------------------------------------------------------------------------------------
def test_fit_draws_the_data_and_the_models_line_over_a_sorted_grid(ax):
    model = line_model()
    drawn = plot.fit(model, X[::-1], Y[::-1], ax=ax)
    assert drawn.ax is ax
    np.testing.assert_array_equal(drawn.artists["points"].get_offsets(), np.column_stack([X[::-1], Y[::-1]]))
    grid, line_y = drawn.artists["line"].get_xdata(), drawn.artists["line"].get_ydata()
    assert grid[0] == -10.0 and grid[-1] == 15.0 and (np.diff(grid) > 0).all()
    np.testing.assert_array_equal(line_y, model.predict(grid.reshape(-1, 1))[:, 0])
    np.testing.assert_allclose(line_y, 2.0 * grid + 30.0, rtol=1e-6)  # the oracle: y = 2x + 30
    assert drawn.artists["line"].get_label() == "neuron"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["data", "neuron", "least squares"]
    exact = np.polyfit(X, Y, 1)  # the dashed line is least squares on the rows drawn
    np.testing.assert_allclose(drawn.artists["exact"].get_ydata(), np.polyval(exact, grid), rtol=1e-9)
    assert ax.get_title() == "y against x: the neuron's line and least squares'"


def test_fit_without_least_squares_titles_the_neurons_line_only(ax):
    """``exact=False`` drew no least-squares line, but the title still announced one."""
    drawn = plot.fit(line_model(), X, Y, ax=ax, exact=False, rows="6 rows")
    assert set(drawn.artists) == {"points", "line"}
    assert ax.get_title() == "y against x: the neuron's line\n(6 rows)"


def test_fit_labels_with_series_names_and_custom_label():
    drawn = plot.fit(line_model(), pd.Series(X, name="rooms"), pd.Series(Y, name="price"), label="after training")
    assert (drawn.ax.get_xlabel(), drawn.ax.get_ylabel()) == ("rooms", "price")
    assert drawn.artists["line"].get_label() == "after training"


def test_fit_with_two_features_shows_predicted_vs_actual_and_says_so():
    x = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]])
    y = np.array([7.5, 1.0, 3.0])
    drawn = plot.fit(plane_model(), pd.DataFrame(x, columns=["rooms", "tax"]), y)
    assert set(drawn.artists) == {"points", "identity"}
    np.testing.assert_allclose(drawn.artists["points"].get_offsets(), [[7.5, 7.0], [1.0, 2.0], [3.0, 3.0]])
    assert drawn.ax.get_title() == "2 features (rooms, tax): predicted vs. actual"


def test_fit_passes_on_the_models_own_errors():
    with pytest.raises(ValueError, match="x has 1 feature.* but the model expects 2"):
        plot.fit(plane_model(), X, Y)
    with pytest.raises(ValueError, match="The model has no layers"):
        plot.fit(linnet.Sequential(), X, Y)
    with pytest.raises(TypeError, match="model must be a linnet model with a predict"):
        plot.fit("model", X, Y)


# ----- loss -----------------------------------------------------------------------------------------------------
def test_loss_draws_train_and_validation_curves_and_marks_the_best_validation_epoch(ax):
    drawn = plot.loss(HISTORY, ax=ax)
    assert drawn.ax is ax and set(drawn.artists) == {"loss", "val_loss", "best"}
    for name in ("loss", "val_loss"):
        np.testing.assert_array_equal(drawn.artists[name].get_xdata(), [1, 2, 3, 4])
        np.testing.assert_array_equal(drawn.artists[name].get_ydata(), HISTORY[name])
    best = drawn.artists["best"]
    assert (list(best.get_xdata()), list(best.get_ydata())) == ([2], [3.0])
    assert best.get_label() == "best epoch 2"
    assert ax.get_yscale() == "linear" and (ax.get_xlabel(), ax.get_ylabel()) == ("epoch", "loss")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["training loss", "validation loss", "best epoch 2"]
    assert ax.get_title() == "Training and validation loss per epoch"


def test_loss_ticks_are_whole_epochs_at_round_steps():
    drawn = plot.loss({"loss": list(np.linspace(300, 50, 101))}, loss_name="MSE")
    drawn.figure.canvas.draw()
    ticks = [t for t in drawn.ax.get_xticks() if 1 <= t <= 101]
    assert ticks == [20, 40, 60, 80, 100] and drawn.ax.get_ylabel() == "loss (MSE)"  # not 15, 30, 45


# ----- partial fits -------------------------------------------------------------------------------------------------
def test_partial_fits_draw_each_features_slope_beside_least_squares():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(80, 2))
    y = 2 * x[:, 0] - 3 * x[:, 1] + 5 + 0.1 * rng.normal(size=80)
    model = plane_model((1.5, -3.0))
    axes = plt.subplots(1, 2)[1]
    drawn = plot.partial_fits(model, pd.DataFrame(x, columns=["a", "b"]), y, axes=axes, rows="80 rows")
    exact = linnet.ols(x, y)
    for j, name in enumerate("ab"):
        line, dashed = drawn.artists["line"][j], drawn.artists["exact"][j]
        slope = np.diff(line.get_ydata()) / np.diff(line.get_xdata())
        assert slope == pytest.approx(model.coef_[j]) and axes[j].get_xlabel() == name
        assert (np.diff(dashed.get_ydata()) / np.diff(dashed.get_xdata())) == pytest.approx(exact.coef_[j])
        # the points: y minus the prediction, plus feature j's own (centred) part
        partial = y - model.predict(x).ravel() + model.coef_[j] * (x[:, j] - x[:, j].mean())
        np.testing.assert_allclose(drawn.artists["points"][j].get_offsets()[:, 1], partial, rtol=1e-5, atol=1e-5)
    assert "80 rows" in axes[0].figure.get_suptitle()
    with pytest.raises(ValueError, match="one Axes per feature"):
        plot.partial_fits(model, x, y, axes=axes[:1])


def test_partial_fits_without_least_squares_draw_the_neurons_slopes_only():
    """``exact=False``, as ``fit`` takes it: no least-squares line (it was taken for an OLSResult and failed)."""
    x = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 5.0]])
    axes = plt.subplots(1, 2)[1]
    drawn = plot.partial_fits(plane_model(), x, [1.0, 2.0, 4.0], axes=axes, exact=False)
    assert set(drawn.artists) == {"points", "line"}
    assert [[t.get_text() for t in ax.get_legend().get_texts()] for ax in axes] == [["neuron, slope 2"],
                                                                                   ["neuron, slope -3"]]


def test_loss_without_validation_marks_the_training_minimum_and_can_use_log_scale():
    drawn = plot.loss({"loss": [3.0, 1.0, 2.0]}, log=True)
    assert set(drawn.artists) == {"loss", "best"}
    assert drawn.artists["best"].get_label() == "best epoch 2"
    assert drawn.ax.get_yscale() == "log"
    drawn.figure.canvas.draw()
    assert all(tick == int(tick) for tick in drawn.ax.get_xticks())  # whole epochs only


@pytest.mark.parametrize("flag", [np.array([1, 0]), 1])
def test_loss_refuses_a_log_that_is_no_bool(flag):
    """plot.loss(h, log=np.array([1, 0])) stopped on NumPy's "truth value of an array ... is ambiguous" after
    drawing."""
    with pytest.raises(TypeError, match=r"^log must be True or False\. Received: log="):
        plot.loss({"loss": [3.0, 1.0]}, log=flag)


def test_loss_adds_requested_metrics_and_checks_their_names():
    drawn = plot.loss(HISTORY, keys=["mae"])
    np.testing.assert_array_equal(drawn.artists["mae"].get_ydata(), HISTORY["mae"])
    assert drawn.ax.get_ylabel() == "loss and metrics"
    with pytest.raises(ValueError, match="Unknown history key 'mea'. Did you mean 'mae'"):
        plot.loss(HISTORY, keys=["mea"])
    with pytest.raises(TypeError, match="keys must be a list"):
        plot.loss(HISTORY, keys="mae")


def test_loss_takes_the_history_fit_returns():
    model = line_model(0.0, 0.0)
    model.compile(optimizer=linnet.engine.optimizers.SGD(0.01), loss="mse", metrics=["mae"])
    history = model.fit(X, Y, epochs=6, validation_split=0.5, verbose=0)
    drawn = plot.loss(history, keys=["val_mae"])
    for name in ("loss", "val_loss", "val_mae"):
        np.testing.assert_array_equal(drawn.artists[name].get_ydata(), history.history[name])
    best = int(np.argmin(history.history["val_loss"]))
    assert drawn.artists["best"].get_xdata()[0] == best + 1
    assert drawn.artists["best"].get_ydata()[0] == history.history["val_loss"][best]


def test_loss_refuses_what_it_cannot_draw():
    with pytest.raises(TypeError, match="history must be the History fit"):
        plot.loss([1.0, 2.0])
    with pytest.raises(ValueError, match="no 'loss' or 'val_loss' values"):
        plot.loss({"loss": []})
    with pytest.raises(ValueError, match="only NaN"):
        plot.loss({"loss": [float("nan")]})


# ----- predictions and residuals --------------------------------------------------------------------------------
def test_predictions_scatter_actual_against_predicted_with_the_identity_line(ax):
    drawn = plot.predictions(line_model(), X, pd.Series(Y, name="price"), ax=ax)
    assert drawn.ax is ax
    np.testing.assert_allclose(drawn.artists["points"].get_offsets(), np.column_stack([Y, 2 * X + 30]))
    identity = drawn.artists["identity"]
    np.testing.assert_array_equal(identity.get_xdata(), identity.get_ydata())
    assert (identity.get_xdata()[0], identity.get_xdata()[-1]) == (10.0, 60.0)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("actual price", "predicted price")


def test_residuals_are_y_minus_prediction_against_prediction_with_a_zero_line(ax):
    frame = pd.DataFrame({"rooms": X, "price": Y})
    drawn = plot.residuals(line_model(), frame[["rooms"]], frame["price"], ax=ax)
    assert drawn.ax is ax
    np.testing.assert_allclose(drawn.artists["points"].get_offsets(),
                               [[10, 0], [30, 1], [34, -1], [42, 0], [54, 1], [60, 0]], atol=1e-5)
    assert list(drawn.artists["zero"].get_ydata()) == [0.0, 0.0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("predicted price", "residual (price - predicted)")
    assert ax.get_title() == "residuals of price on rooms"


def test_every_plot_renders_to_a_png(tmp_path):
    x, y = linnet.data.synthetic.noisy_line(seed=0)
    model = line_model(1.0, 5.0)
    history = {"loss": [50.0, 20.0, 9.0, 8.5], "val_loss": [60.0, 25.0, 12.0, 13.0]}
    figure, axes = plt.subplots(2, 3, figsize=(15, 9))
    plot.data(x, y, ax=axes[0, 0])
    plot.fit(model, x, y, ax=axes[0, 1])
    plot.loss(history, ax=axes[0, 2], log=True)
    plot.predictions(model, x, y, ax=axes[1, 0])
    plot.residuals(model, x, y, ax=axes[1, 1])
    plot.fit(plane_model(), *linnet.data.synthetic.plane(n=100, seed=0), ax=axes[1, 2])
    path = tmp_path / "plots.png"
    figure.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("LINNET_PLOT_DIR"):  # to look at the pictures: LINNET_PLOT_DIR=/tmp pytest tests/test_plot.py
        figure.savefig(os.path.join(os.environ["LINNET_PLOT_DIR"], "linnet_plots.png"))


def test_import_linnet_does_not_import_matplotlib():
    code = "import sys, linnet, linnet.plot; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("draw", [lambda ax: plot.data(X, Y, ax=ax), lambda ax: plot.fit(line_model(), X, Y, ax=ax),
                                  lambda ax: plot.loss(HISTORY, ax=ax),
                                  lambda ax: plot.predictions(line_model(), X, Y, ax=ax),
                                  lambda ax: plot.residuals(line_model(), X, Y, ax=ax),
                                  lambda ax: plot.landscape(line_model(), X, Y, ax=ax),
                                  lambda ax: plot.gap(HISTORY, X, Y, ax=ax, model=line_model())])
@pytest.mark.parametrize("ax", [5, "ax", np.array([1, 2])])
def test_an_ax_that_is_no_matplotlib_axes_is_refused_by_name(draw, ax):
    """Each stopped on AttributeError ("'int' object has no attribute 'scatter'")."""
    with pytest.raises(TypeError, match=r"ax must be a matplotlib Axes \(such as plt.subplots\(\)\[1\]\), or None "
                                        r"for a new figure. Received: ax="):
        draw(ax)


def test_partial_fits_refuse_axes_that_are_no_list_of_axes():
    """axes=5 stopped on "object of type 'int' has no len()", axes=[5, 5] on AttributeError."""
    x = np.column_stack([X, X ** 2])
    with pytest.raises(TypeError, match=r"axes must be a list of matplotlib Axes, one per feature.* Received: axes=5"):
        plot.partial_fits(plane_model(), x, Y, axes=5)
    with pytest.raises(TypeError, match=r"axes\[0\] must be a matplotlib Axes .* Received: axes\[0\]=5 \(int\)"):
        plot.partial_fits(plane_model(), x, Y, axes=[5, 5])
    assert plot.partial_fits(plane_model(), x, Y, axes=plt.subplots(1, 2)[1]).ax is not None


@pytest.mark.parametrize("exact", [None, 0, 1, "yes", np.nan, {"coef_": [2.0]}])
def test_an_exact_answer_that_is_no_ols_result_is_refused_by_name(exact):
    """fit(exact=None) and partial_fits(exact=0) stopped on AttributeError ("'NoneType' object has no attribute
    'intercept_'"); only True/None (solve), False (no line) and an OLSResult are meant."""
    with pytest.raises(TypeError, match=r"exact must be True \(solve least squares.* Received: exact="):
        plot.fit(line_model(), X, Y, exact=exact)
    if exact is not None:
        with pytest.raises(TypeError, match=r"exact must be None \(solve least squares.* Received: exact="):
            plot.partial_fits(line_model(), X, Y, exact=exact)


def test_an_exact_answer_of_other_features_is_refused_and_one_of_the_same_is_drawn():
    """partial_fits with a one-feature OLSResult for two features stopped on IndexError."""
    x = np.column_stack([X, X ** 2])
    with pytest.raises(ValueError, match=r"exact must be the least squares of x's 2 feature\(s\). Received: an "
                                         r"OLSResult of 1 feature\(s\)"):
        plot.partial_fits(plane_model(), x, Y, exact=linnet.ols(X, Y))
    with pytest.raises(ValueError, match=r"x's 1 feature\(s\). Received: an OLSResult of 2"):
        plot.fit(line_model(), X, Y, exact=linnet.ols(x, Y))
    exact = linnet.ols(X, Y)
    drawn = plot.fit(line_model(), X, Y, exact=exact)
    np.testing.assert_allclose(drawn.artists["exact"].get_ydata()[[0, -1]],
                               exact.intercept_ + exact.coef_[0] * np.array([X.min(), X.max()]))


def test_partial_fits_of_what_is_no_model_is_refused_by_name():
    """partial_fits(object(), x, y) stopped on AttributeError ("'object' object has no attribute 'coef_'")."""
    with pytest.raises(TypeError, match=r"model must be a linnet model \(with coef_ and predict\(\)\). "
                                        r"Received: model=<object object"):
        plot.partial_fits(object(), X, Y)


@pytest.mark.parametrize("values, received", [(["a", "b"], r"\['a', 'b'\]"), (1.0, "1.0"),
                                              ([[1.0, 2.0], [3.0, 4.0]], r"\[\[1.0, 2.0\]")])
def test_a_history_log_that_is_no_list_of_numbers_is_refused_by_name(values, received):
    """loss() stopped on "could not convert string to float: 'a'", "object of type 'float' has no len()" or
    "too many values to unpack", and gap() on "unsupported format string passed to numpy.ndarray.__format__"."""
    message = rf"history\['loss'\] must be a list of numbers, one per epoch. Received: {received}"
    with pytest.raises(TypeError, match=message):
        plot.loss({"loss": values})
    with pytest.raises(TypeError, match=message):
        plot.gap({"loss": values}, X, Y, model=line_model())
    assert plot.loss({"loss": [None, 2.0, 1.0]}).artists["best"].get_xdata()[0] == 3  # None is NaN, as fit logs


def test_fit_refuses_an_x_beyond_float32_by_name_without_a_runtime_warning():
    """fit(model, [1e308, -1e308, 1e307], y) leaked NumPy's "overflow encountered in subtract" from its grid."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match=r"x at index \(0, 0\) is 1e\+308, which float32 .* cannot hold"):
            plot.fit(line_model(), np.array([1e308, -1e308, 1e307]), np.array([1.0, 2.0, 3.0]))


def test_a_log_scale_with_no_loss_above_zero_is_refused_by_name():
    """matplotlib drew a meaningless axis with 'Data has no positive values' (a UserWarning)."""
    with pytest.raises(ValueError, match=r"^log=True draws a logarithmic axis, but none of \['loss'\] has a value "
                                         r"above 0\. Received: \{'loss': \[0\.0, -1\.0\]\}"):
        plot.loss({"loss": [0.0, -1.0]}, log=True)
    assert plot.loss({"loss": [0.0, 2.0]}, log=True).ax.get_yscale() == "log"


def test_a_log_scale_of_losses_beyond_float32_is_refused_by_name():
    """A hand-made history with a loss of 1e308 leaked matplotlib's "overflow encountered in exp" from its log-axis
    margins; no fit logs such a loss (they are float32). The linear axis draws it."""
    with pytest.raises(ValueError, match=r"^log=True cannot draw history\['loss'\]: it holds values beyond "
                                         r"float32's range \(\|value\| > 3\.4e\+38\), which no fit logs\. "
                                         r"Received: 1e\+308$"):
        plot.loss({"loss": [1e308, 1.0], "val_loss": [None, 2.0]}, log=True)
    assert plot.loss({"loss": [1e308, 1.0]}).ax.get_yscale() == "linear"


@pytest.mark.parametrize("draw", [lambda **kw: plot.fit(line_model(), [[1.0], [2.0]], [3.0, 4.0], **kw),
                                  lambda **kw: plot.residuals(line_model(), [[1.0], [2.0]], [3.0, 4.0], **kw),
                                  lambda **kw: plot.predictions(line_model(), [[1.0], [2.0]], [3.0, 4.0], **kw),
                                  lambda **kw: plot.partial_fits(plane_model(), [[1.0, 2.0], [2.0, 1.0], [0.0, 0.0]],
                                                                 [1.0, 2.0, 4.0], **kw)])
def test_rows_that_are_no_text_are_refused_by_name(draw):
    """rows=3 or rows=[1] were printed into the title as '(3)' or '([1])'."""
    for rows in (3, [1]):
        figures = plt.get_fignums()
        with pytest.raises(TypeError, match=rf"^rows must be a string\. Received: rows={re.escape(repr(rows))} "):
            draw(rows=rows)
        assert plt.get_fignums() == figures  # refused before anything is drawn
    draw(rows="2 rows")  # text is taken


def test_fit_refuses_a_label_that_is_no_text():
    with pytest.raises(TypeError, match=r"^label must be a string\. Received: label=3 \(int\)"):
        plot.fit(line_model(), [[1.0], [2.0]], [3.0, 4.0], label=3)
    assert plot.fit(line_model(), [[1.0], [2.0]], [3.0, 4.0], label="mine").artists["line"].get_label() == "mine"


@pytest.mark.parametrize("draw", [plot.residuals, plot.predictions])
def test_a_y_beyond_float32_is_refused_by_name_without_a_runtime_warning(draw):
    """y of +-1e308 leaked matplotlib's 'overflow encountered in scalar subtract' from its autoscale."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"^y at index \(0,\) is 1e\+308, which float32 \(linnet's precision\) "
                                             r"cannot hold"):
            draw(line_model(), [[1.0], [2.0]], [1e308, -1e308])

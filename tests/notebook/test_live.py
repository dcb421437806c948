"""LiveLossPlot: a text line outside notebooks, one figure updated in place inside one, throttled, with the
least-squares loss (numpy's polyfit as the oracle) as its target line."""

import sys
import types
import warnings

import numpy as np
import pytest

import linnet
from linnet import _html

X = np.linspace(0.0, 1.0, 40)
Y = 3.0 * X - 1.0 + 0.05 * np.sin(17 * X)


def model(lr=0.5):
    model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1)])
    model.compile(linnet.optimizers.SGD(lr), "mse")
    return model


def polyfit_mse(x, y):
    return float(np.mean((np.polyval(np.polyfit(x, y, 1), x) - y) ** 2))


def test_importing_linnet_imports_no_ipython_and_the_callback_is_linnet_callbacks_live_loss_plot():
    import subprocess
    program = ("import sys, linnet; linnet.callbacks.LiveLossPlot(); "
               "print('IPython' in sys.modules, 'matplotlib' in sys.modules)")
    finished = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert finished.stdout.split() == ["False", "False"]


def test_text_fallback_prints_each_epoch_with_the_least_squares_loss():
    lines = []
    callback = linnet.callbacks.LiveLossPlot(X, Y, interval=0, print_fn=lines.append)
    history = model().fit(X, Y, epochs=4, batch_size=8, verbose=0, callbacks=[callback], seed=0)
    assert callback.target == pytest.approx(polyfit_mse(X, Y), rel=1e-9)
    assert len(lines) == 4 == callback.updates
    for epoch, (line, loss) in enumerate(zip(lines, history.history["loss"]), start=1):
        assert line == f"epoch {epoch}/4 - loss: {loss:.4g} (least squares: {callback.target:.4g})"


def test_updates_are_throttled_and_the_last_epoch_is_always_shown():
    lines = []
    callback = linnet.callbacks.LiveLossPlot(interval=3600, print_fn=lines.append)
    history = model().fit(X, Y, epochs=50, verbose=0, callbacks=[callback], validation_data=(X[::3], Y[::3]))
    assert callback.updates == 2 and callback.target is None  # the first epoch, then the end
    assert lines[-1].startswith("epoch 50/50 - loss: ")
    assert f"val_loss: {history.history['val_loss'][-1]:.4g}" in lines[-1]


def test_no_target_for_a_loss_other_than_mse():
    callback = linnet.callbacks.LiveLossPlot(X, Y, print_fn=lambda line: None)
    m = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1)])
    m.compile("sgd", "mae")
    m.fit(X, Y, epochs=2, verbose=0, callbacks=[callback])
    assert callback.target is None


class FakeHandle:
    def __init__(self):
        self.updates = []

    def update(self, obj):
        self.updates.append(obj)


@pytest.fixture
def kernel(monkeypatch):
    """A pretend notebook kernel: IPython.display.display records its calls and returns a display handle."""
    calls, handle = [], FakeHandle()

    def display(obj, display_id=None, **kwargs):
        calls.append((obj, display_id))
        return handle

    import IPython.display
    monkeypatch.setattr(_html, "kernel", lambda: types.SimpleNamespace(execution_count=1))
    monkeypatch.setattr(IPython.display, "display", display)
    return calls, handle


def test_in_a_notebook_one_display_is_updated_in_place(kernel):
    calls, handle = kernel
    callback = linnet.callbacks.LiveLossPlot(X, Y, interval=0)
    history = model().fit(X, Y, epochs=6, batch_size=8, verbose=0, callbacks=[callback], seed=1)
    assert len(calls) == 1 and calls[0][1] is True  # displayed once, with a display id: no clear_output
    assert len(handle.updates) == 6 == callback.updates
    assert all(update.data.startswith(b"\x89PNG") for update in handle.updates)
    ax = callback.figure.axes[0]
    (loss_line,) = [line for line in ax.get_lines() if line.get_label() == "loss"]
    np.testing.assert_allclose(loss_line.get_ydata(), history.history["loss"])
    (target,) = [line for line in ax.get_lines() if line.get_label().startswith("least squares")]
    assert target.get_ydata()[0] == pytest.approx(polyfit_mse(X, Y), rel=1e-9)
    assert ax.get_yscale() == "log"


def test_in_a_notebook_a_diverging_loss_is_drawn_without_warnings(kernel):
    callback = linnet.callbacks.LiveLossPlot(X * 100, Y, interval=0)
    with pytest.raises(linnet.DivergenceError), warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning from drawing inf, or matplotlib's log-scale warning
        warnings.filterwarnings("ignore", "The learning rate 1 is above", UserWarning)
        model(lr=1.0).fit(X * 100, Y, epochs=30, verbose=0, callbacks=[callback])
    assert callback.updates >= 1


@pytest.mark.parametrize("kwargs, error, match", [
    ({"x": X}, ValueError, "both x and y"), ({"interval": -1}, ValueError, "interval"),
    ({"interval": "fast"}, TypeError, "interval"), ({"log": "yes"}, TypeError, "log")])
def test_bad_arguments_are_refused_by_name(kwargs, error, match):
    with pytest.raises(error, match=match):
        linnet.callbacks.LiveLossPlot(**kwargs)

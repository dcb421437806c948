"""The Trainer used directly, the registries the surfaces plug into, and the sample-weighted batch loss.

Oracles: ``Sequential.fit`` on the same data and seed, NumPy's per-sample losses, hand-computed warnings.
"""

import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from test_sources import Chunks, line_model

import linnet
from linnet.engine import losses, optimizers
from linnet.engine.callbacks import History, LambdaCallback, ParameterHistory
from linnet.engine.fitplan import ADVISERS, FitPlan
from linnet.engine.layers import Dense, Input
from linnet.engine.plugins import PLUGINS
from linnet.engine.sequential import Sequential
from linnet.engine.sources import ArrayBatches
from linnet.engine.trainer import DESIGN_BYTES_PER_STEP, Trainer


def test_trainer_alone_matches_fit_with_the_same_seed(rooms):
    x, y = rooms
    fitted, trained = line_model(optimizers.RMSprop(0.005)), line_model(optimizers.RMSprop(0.005))
    expected = fitted.fit(x, y, batch_size=16, epochs=3, verbose=0, seed=11)
    seen = []
    trainer = Trainer(trained, LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch)),
                      rng=np.random.default_rng(11))
    history = trainer.fit(ArrayBatches(x.reshape(-1, 1).astype(np.float32), y.reshape(-1, 1).astype(np.float32),
                                       batch_size=16), epochs=3)
    assert isinstance(history, History) and trained.history is history and seen == [0, 1, 2]
    assert history.history["loss"] == expected.history["loss"]
    for got, want in zip(trained.get_weights(), fitted.get_weights()):
        np.testing.assert_array_equal(got, want)


def test_the_trainer_takes_the_fused_step_only_when_it_applies_and_pays():
    x, y = np.ones((100, 1), np.float32), np.ones((100, 1), np.float32)
    arrays = ArrayBatches(x, y, batch_size=10)
    assert Trainer(line_model())._step_source(arrays, 1)[1]
    assert not Trainer(line_model(metrics=["mae"]))._step_source(arrays, 1)[1]  # metrics need predictions
    assert not Trainer(line_model())._step_source(Chunks(x, y, 10), 1)[1]  # no design capability
    big = ArrayBatches(np.ones((DESIGN_BYTES_PER_STEP, 1), np.float32), np.ones((DESIGN_BYTES_PER_STEP, 1)),
                       batch_size=DESIGN_BYTES_PER_STEP)
    assert not Trainer(line_model())._step_source(big, 1)[1]  # 40 kB copied for one step of 10,000 rows


@settings(max_examples=60, deadline=None)
@given(data=st.data(), loss=st.sampled_from([losses.MeanSquaredError(), losses.MeanAbsoluteError(),
                                            losses.Huber(0.7), losses.LogCosh()]))
def test_a_weighted_batch_loss_is_the_weighted_per_sample_sum_over_b(data, loss):
    rows = data.draw(st.integers(1, 20))
    values = hnp.arrays(np.float32, (rows, 1), elements=st.floats(-50, 50, width=32))
    y_true, y_pred = data.draw(values), data.draw(values)
    weight = data.draw(hnp.arrays(np.float32, (rows, 1), elements=st.floats(0, 10, width=32)))
    error = y_pred.astype(np.float64) - y_true
    per_sample = {"mean_squared_error": error ** 2, "mean_absolute_error": np.abs(error),
                  "huber": np.where(np.abs(error) <= 0.7, 0.5 * error ** 2, 0.7 * (np.abs(error) - 0.35)),
                  "log_cosh": np.log(np.cosh(error))}[loss.name]
    value, grad = loss.value_and_grad(y_true, y_pred.copy(), weight)
    assert value == pytest.approx(float(np.sum(weight * per_sample)) / rows, rel=1e-4, abs=1e-4)
    unweighted = loss.value_and_grad(y_true, y_pred.copy())[1]
    np.testing.assert_allclose(grad, unweighted * weight, rtol=1e-5, atol=1e-6)
    assert grad.dtype == np.float32


def test_advisers_are_registered_by_linnet_and_can_be_silenced(monkeypatch):
    assert set(ADVISERS) >= {"sorted_validation_tail", "sgd_learning_rate"}
    x = np.arange(40.0)
    with pytest.warns(UserWarning, match="validation_split=0.25 holds out"):
        line_model("rmsprop").fit(x, x, validation_split=0.25, verbose=0)
    monkeypatch.delitem(ADVISERS, "sorted_validation_tail")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        line_model("rmsprop").fit(x, x, validation_split=0.25, verbose=0)


def test_an_adviser_sees_the_plan_of_the_fit(monkeypatch):
    plans = []
    monkeypatch.setitem(ADVISERS, "spy", lambda plan: plans.append(plan) or "look at the plan")
    model = line_model("adam")
    with pytest.warns(UserWarning, match="look at the plan"):
        model.fit(np.arange(10.0), np.arange(10.0), batch_size=4, validation_split=0.2, verbose=0)
    with pytest.warns(UserWarning, match="look at the plan"):
        model.fit(Chunks(np.ones(4), np.ones(4), 2), verbose=0)
    arrays, source = plans
    assert isinstance(arrays, FitPlan) and arrays.model is model
    assert arrays.x.shape == (10, 1) and arrays.x_train.shape == (8, 1) and arrays.batch_size == 4
    assert arrays.validation_split == 0.2 and len(arrays.source) == 2
    assert source.x is None and source.x_train is None and isinstance(source.source, Chunks)


def test_the_surfaces_plug_in_without_the_engine_importing_them(tmp_path):
    assert {"save_model", "load_model", "equation", "compare_to_ols"} <= set(PLUGINS)
    model = line_model(kernel=2.0, bias=1.0)
    model.save(tmp_path / "m.linnet")
    assert linnet.load_model(tmp_path / "m.linnet").get_weights()[0][0, 0] == 2.0
    assert model.equation() == "y = 2·x + 1"
    code = ("import sys, linnet.engine.sequential as s, linnet.engine.trainer, linnet.engine.sources\n"
            "above = [m for m in sys.modules if m.split('.')[:2] in (['linnet', 'diagnostics'], "
            "['linnet', 'saving'], ['linnet', 'plot'], ['linnet', 'sklearn'], ['linnet', 'cli'])]\n"
            "print(above)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_parameter_history_labels_a_source_without_length_like_the_arrays():
    x, y = np.arange(6.0), 2 * np.arange(6.0)
    paths = []
    for data in ((x, y), (Chunks(x, y, 4),)):
        path = ParameterHistory("batch")
        kwargs = {"batch_size": 4, "shuffle": False} if len(data) == 2 else {}
        line_model("sgd").fit(*data, epochs=3, verbose=0, callbacks=[path], **kwargs)
        paths.append(path)
    np.testing.assert_array_equal(paths[1].steps, np.arange(7))
    np.testing.assert_array_equal(paths[1].epochs, np.arange(7) / 2)
    np.testing.assert_allclose(paths[1].coef, paths[0].coef, rtol=1e-6)


def test_a_single_callback_without_a_list_is_accepted_as_keras_does():
    model = Sequential([Input((1,)), Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="Trainer needs a built and compiled model"):
        Trainer(Sequential([Dense(1)]))
    model.build()
    seen = []
    Trainer(model, LambdaCallback(on_train_begin=lambda logs: seen.append("begin"))).fit(
        ArrayBatches(np.ones((2, 1), np.float32), np.ones((2, 1), np.float32)))
    assert seen == ["begin"]

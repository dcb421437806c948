"""Files written by linnet 0.1 (model format version 1) still load: same predictions, optimizer state, training.

The fixtures were written by linnet at commit be9ee59, before the serialization envelope, and
``v1_expected.json`` holds what that linnet computed from them: the predictions on ``X``, the optimizer state, the
history of one more epoch of ``fit(X, Y, batch_size=8, shuffle=False)`` and the weights after it.
``v1_stacked``: Normalization (adapted), Dense(3, RandomNormal(0, 0.5, seed=3)), Activation, Dense(1, bias ones),
Adam(0.02, beta_1=0.8, amsgrad, clipnorm=1) + Huber(2.5) + metrics mae, RMSE, r2_score.
``v1_scheduled``: Dense(1), SGD(ExponentialDecay(0.05, 2, 0.5), momentum 0.9, Nesterov) + mse + mae.
Both were trained 2 epochs of batch 8 on ``X``, ``Y`` below.
"""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import linnet
from linnet.engine import losses, metrics, optimizers
from linnet.saving.model_file import FORMAT_VERSION, read_model_file

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED = json.loads((FIXTURES / "v1_expected.json").read_text())
X = np.linspace(-1.0, 1.0, 40, dtype=np.float32).reshape(20, 2) * np.array([1.0, 3.0], np.float32)
Y = X @ np.array([2.0, -1.0], np.float32) + 0.5


@pytest.fixture(params=sorted(EXPECTED))
def v1_file(request, tmp_path):
    """A copy of one version-1 fixture (loading must not need write access, but tests may train on it)."""
    path = tmp_path / f"{request.param}.linnet"
    shutil.copy(FIXTURES / path.name, path)
    return request.param, path


def test_the_fixtures_are_version_1_and_new_files_are_not(v1_file):
    _, path = v1_file
    assert read_model_file(path)[0]["format_version"] == 1
    assert FORMAT_VERSION == 3


def test_a_version_1_file_predicts_exactly_what_linnet_0_1_predicted(v1_file):
    name, path = v1_file
    model = linnet.load_model(path)
    assert model.name == name
    np.testing.assert_array_equal(model.predict(X, verbose=0).ravel(), np.float32(EXPECTED[name]["predictions"]))


def test_a_version_1_file_restores_the_optimizer_state_bit_for_bit(v1_file):
    name, path = v1_file
    state = linnet.load_model(path).optimizer.variables()
    expected = EXPECTED[name]["optimizer_state"]
    assert sorted(state) == sorted(expected) and int(state["iterations"]) == 6
    for key, value in expected.items():
        np.testing.assert_array_equal(state[key], np.asarray(value, state[key].dtype), err_msg=key)


def test_training_a_version_1_model_continues_as_linnet_0_1_did(v1_file):
    name, path = v1_file
    model = linnet.load_model(path)
    history = model.fit(X, Y, epochs=1, batch_size=8, shuffle=False, verbose=0).history
    assert history == EXPECTED[name]["next_epoch"]
    for got, expected in zip(model.get_weights(), EXPECTED[name]["weights_after_next_epoch"], strict=True):
        np.testing.assert_array_equal(got, np.asarray(expected, got.dtype))


def test_version_1_compile_settings_come_back_as_the_same_classes():
    stacked = linnet.load_model(FIXTURES / "v1_stacked.linnet")
    assert isinstance(stacked.optimizer, optimizers.Adam) and stacked.optimizer.amsgrad
    assert (stacked.optimizer.beta_1, stacked.optimizer.clipnorm) == (0.8, 1.0)
    assert isinstance(stacked.loss, losses.Huber) and stacked.loss.delta == 2.5
    assert [(type(m).__name__, m.name) for m in stacked.metrics] == [
        ("MeanOfLoss", "mae"), ("RootMeanSquaredError", "RMSE"), ("R2Score", "r2_score")]
    scheduled = linnet.load_model(FIXTURES / "v1_scheduled.linnet")
    assert repr(scheduled.optimizer._schedule) == ("ExponentialDecay(initial_learning_rate=0.05, decay_steps=2.0, "
                                                   "decay_rate=0.5, staircase=False)")
    assert isinstance(scheduled.metrics[0], metrics.MeanOfLoss)


def test_saving_a_loaded_version_1_model_writes_the_current_version(tmp_path):
    model = linnet.load_model(FIXTURES / "v1_stacked.linnet")
    model.save(tmp_path / "again.linnet")
    config = read_model_file(tmp_path / "again.linnet")[0]
    assert config["format_version"] == FORMAT_VERSION
    assert config["compile"]["optimizer"]["module"] == "keras.optimizers"
    again = linnet.load_model(tmp_path / "again.linnet")
    np.testing.assert_array_equal(again.predict(X, verbose=0), model.predict(X, verbose=0))

"""The metrics linnet added (MeanAbsolutePercentageError, MeanSquaredLogarithmicError, LogCoshError,
MeanMetricWrapper, and the "mape"/"msle"/"log_cosh_error" names) in ``.linnet`` and ``.keras`` files: written in
Keras 3's envelopes, read back as the same metrics, and (when Keras and JAX are installed) read by real Keras 3,
which evaluates them to the same numbers. Files written before keep loading (``test_legacy.py``)."""

import importlib.util
import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import linnet
from linnet.keras import losses, metrics

X = np.linspace(0.5, 3.0, 12, dtype=np.float32).reshape(-1, 1)
Y = (2.0 * X[:, 0] + 1.0 + 0.1 * np.cos(7 * X[:, 0])).astype(np.float32)
NAMES = ["mape", "msle", "log_cosh_error", "logcosh", "h", "mean_absolute_percentage_error"]


def trained():
    model = linnet.keras.Sequential([linnet.keras.Input((1,)), linnet.keras.layers.Dense(1)])
    model.set_weights([np.array([[1.5]], np.float32), np.array([0.2], np.float32)])
    model.compile("sgd", loss="msle", metrics=["mape", "msle", "log_cosh_error", metrics.LogCoshError(),
                                                metrics.MeanMetricWrapper(losses.huber, name="h", delta=0.5),
                                                metrics.MeanAbsolutePercentageError()])
    model.fit(X, Y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    return model


@pytest.mark.parametrize("suffix", [".linnet", ".keras"])
def test_the_metrics_come_back_the_same(tmp_path, suffix):
    if suffix == ".keras" and importlib.util.find_spec("h5py") is None:
        pytest.skip(".keras files need h5py: pip install -e '.[keras]'")
    model = trained()
    model.save(tmp_path / f"m{suffix}")
    loaded = linnet.load_model(tmp_path / f"m{suffix}")
    assert [(type(m), m.name) for m in loaded.metrics] == [(type(m), m.name) for m in model.metrics]
    assert loaded.metrics[4].fn is losses.huber and loaded.metrics[4].fn_kwargs == {"delta": 0.5}
    assert type(loaded.loss) is losses.MeanSquaredLogarithmicError
    assert loaded.evaluate(X, Y, verbose=0, return_dict=True) == model.evaluate(X, Y, verbose=0, return_dict=True)


def test_the_keras_file_writes_keras_envelopes(tmp_path):
    pytest.importorskip("h5py")
    trained().save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        settings = json.loads(archive.read("config.json"))["compile_config"]
    function = {"module": "builtins", "class_name": "function", "config": "huber", "registered_name": "function"}
    assert settings["metrics"] == [
        "mape", "msle",
        {"module": "keras.metrics", "class_name": "LogCoshError", "config": {"name": "log_cosh_error"},
         "registered_name": None},
        {"module": "keras.metrics", "class_name": "LogCoshError", "config": {"name": "logcosh"},
         "registered_name": None},
        {"module": "keras.metrics", "class_name": "MeanMetricWrapper",
         "config": {"name": "h", "fn": function, "delta": 0.5}, "registered_name": None},
        {"module": "keras.metrics", "class_name": "MeanAbsolutePercentageError",
         "config": {"name": "mean_absolute_percentage_error"}, "registered_name": None}]
    assert settings["loss"]["class_name"] == "MeanSquaredLogarithmicError"


def test_a_function_of_your_own_is_saved_by_name_and_refused_on_reading(tmp_path):
    """As a callable learning rate: a config holds a function's name, not its code."""
    def mine(y_true, y_pred):
        return abs(y_true - y_pred)

    model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1)])
    model.compile("sgd", "mse", metrics=[mine])
    model.save(tmp_path / "m.linnet")
    with pytest.raises(ValueError, match=r"a config stores a function's name, not its code.*'config': 'mine'"):
        linnet.load_model(tmp_path / "m.linnet")


KERAS_READS = """
import json, sys
import keras, numpy as np
model = keras.saving.load_model(sys.argv[1])
data = np.load(sys.argv[2])
print(json.dumps(model.evaluate(data["x"], data["y"], verbose=0, return_dict=True, batch_size=32)))
"""


@pytest.mark.skipif(any(importlib.util.find_spec(name) is None for name in ("keras", "jax", "h5py")),
                    reason="real Keras needs keras, jax and h5py: pip install -e '.[keras-compat]'")
def test_real_keras_reads_the_metrics_and_evaluates_the_same(tmp_path):
    model = trained()
    model.save(tmp_path / "m.keras")
    np.savez(tmp_path / "data.npz", x=X, y=Y)
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu", "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, "-c", KERAS_READS, str(tmp_path / "m.keras"), str(tmp_path / "data.npz")],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    ours = model.evaluate(X, Y, verbose=0, return_dict=True)
    assert sorted(theirs) == sorted(["loss", *NAMES])
    assert theirs == pytest.approx(ours, rel=1e-5)

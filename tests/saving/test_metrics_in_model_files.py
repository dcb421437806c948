"""The metrics linnet added (MeanAbsolutePercentageError, MeanSquaredLogarithmicError, LogCoshError,
MeanMetricWrapper, and the "mape"/"msle"/"log_cosh_error" names) in ``.linnet`` and ``.keras`` files: written in
Keras 3's envelopes, read back as the same metrics, and (when Keras and JAX are installed) read by real Keras 3,
which evaluates them to the same numbers. Files written before keep loading (``test_legacy.py``)."""

import importlib.util
import json
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


@pytest.mark.parametrize("suffix", [".linnet", ".keras"])
def test_a_function_of_your_own_is_saved_by_name_and_the_model_loads_with_compile_false(tmp_path, suffix):
    """As a callable learning rate: a config holds a function's name, not its code, so compiling from the file is
    refused; the model was then lost (load_model had no compile=False, as Keras 3's has), weights included."""
    if suffix == ".keras":
        pytest.importorskip("h5py", reason=".keras files need h5py: pip install -e '.[keras]'")

    def mine(y_true, y_pred):
        return abs(y_true - y_pred)

    model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1)])
    model.compile("sgd", "mse", metrics=[mine])
    model.fit(X, Y, epochs=1, verbose=0, seed=0)
    model.save(tmp_path / f"m{suffix}")
    with pytest.raises(ValueError, match=r"a config stores a function's name, not its code.*'config': 'mine'.*"
                                         r"load_model\(path, compile=False\) reads the architecture and weights"):
        linnet.load_model(tmp_path / f"m{suffix}")
    loaded = linnet.load_model(tmp_path / f"m{suffix}", compile=False)
    assert not loaded.compiled
    assert all(np.array_equal(a, b) for a, b in zip(loaded.get_weights(), model.get_weights()))
    with pytest.raises(ValueError, match=r"custom_objects must be None \(nothing from a file is run\); "
                                         r"load_model\(path, compile=False\).*Received: custom_objects=\{'mine'"):
        linnet.load_model(tmp_path / f"m{suffix}", custom_objects={"mine": mine})
    with pytest.raises(TypeError, match=r"compile must be True or False\. Received: compile='no'"):
        linnet.load_model(tmp_path / f"m{suffix}", compile="no")
    with pytest.raises(TypeError, match=r"safe_mode must be True or False\. Received: safe_mode=None"):
        linnet.load_model(tmp_path / f"m{suffix}", safe_mode=None)


KERAS_EVALUATES = """
import json, sys, keras, numpy as np
model = keras.saving.load_model(sys.argv[1] + "/m.keras")
data = np.load(sys.argv[1] + "/data.npz")
weights = data["w"] if "w" in data else None
print(json.dumps(model.evaluate(data["x"], data["y"], sample_weight=weights, verbose=0, return_dict=True)))
"""
"""Real Keras evaluates ``m.keras`` on ``data.npz`` (x, y and maybe w) of the folder it is given."""


def evaluated_by_keras(model, tmp_path, keras_script, **data) -> tuple[dict, dict]:
    """Keras' evaluate of ``model`` saved as ``.keras``, and linnet's, on ``X``, ``Y`` (and ``w=`` weights)."""
    model.save(tmp_path / "m.keras")
    np.savez(tmp_path / "data.npz", x=X, y=Y, **data)
    theirs = json.loads(keras_script(KERAS_EVALUATES))
    return theirs, model.evaluate(X, Y, sample_weight=data.get("w"), verbose=0, return_dict=True)


def test_real_keras_reads_the_metrics_and_evaluates_the_same(tmp_path, keras_script):
    theirs, ours = evaluated_by_keras(trained(), tmp_path, keras_script)
    assert sorted(theirs) == sorted(["loss", *NAMES])
    assert theirs == pytest.approx(ours, rel=1e-5)


def with_metrics_keras_names_differently():
    from linnet.engine.metrics import MeanOfLoss
    model = linnet.keras.Sequential([linnet.keras.Input((1,)), linnet.keras.layers.Dense(1)])
    model.set_weights([np.array([[1.5]], np.float32), np.array([0.2], np.float32)])
    model.compile("sgd", loss="mse", metrics=["huber", "logcosh", "log_cosh", MeanOfLoss(losses.Huber(0.7), "h7")])
    return model


def test_metrics_of_losses_keras_has_no_metric_name_for_are_written_as_keras_reads_them(tmp_path, keras_script):
    """``metrics=["huber"]`` was written as the string "huber", which Keras 3.15.1 cannot resolve ("Could not
    interpret metric identifier: huber"): real Keras failed to open the file. Now Keras' MeanMetricWrapper of the
    loss function, delta passed on; linnet reads it back to the same numbers."""
    theirs, ours = evaluated_by_keras(with_metrics_keras_names_differently(), tmp_path, keras_script)
    assert sorted(theirs) == sorted(["loss", "huber", "logcosh", "log_cosh", "h7"]) == sorted(ours)
    assert theirs == pytest.approx(ours, rel=1e-5)
    assert linnet.load_model(tmp_path / "m.keras").evaluate(X, Y, verbose=0, return_dict=True) == \
        pytest.approx(ours, rel=1e-6)


W = np.linspace(0.0, 2.0, 12, dtype=np.float32)


def with_weighted_metrics():
    model = linnet.keras.Sequential([linnet.keras.Input((1,)), linnet.keras.layers.Dense(1)])
    model.set_weights([np.array([[1.5]], np.float32), np.array([0.2], np.float32)])
    model.compile("sgd", loss="mse", metrics=["mae", "mae"], weighted_metrics=["mse", "mae"])
    return model


@pytest.mark.parametrize("suffix", [".linnet", ".keras"])
def test_weighted_metrics_are_kept_in_model_files(tmp_path, suffix):
    """They were dropped on save (both formats: a loaded model evaluated without them), and a .keras file with
    weighted_metrics was refused."""
    if suffix == ".keras":
        pytest.importorskip("h5py", reason=".keras files need h5py: pip install -e '.[keras]'")
    model = with_weighted_metrics()
    model.save(tmp_path / f"m{suffix}")
    ours = model.evaluate(X, Y, sample_weight=W, verbose=0, return_dict=True)
    assert sorted(ours) == ["loss", "mae", "mae_1", "mse", "weighted_mae"]
    loaded = linnet.load_model(tmp_path / f"m{suffix}").evaluate(X, Y, sample_weight=W, verbose=0, return_dict=True)
    assert loaded == ours  # a renamed mean of a loss is written as Keras' class of it (same numbers), not a wrapper


def test_real_keras_reads_the_weighted_metrics_and_evaluates_the_same(tmp_path, keras_script):
    theirs, ours = evaluated_by_keras(with_weighted_metrics(), tmp_path, keras_script, w=W)
    assert theirs == pytest.approx(ours, rel=1e-5)


def test_a_keras_file_with_weighted_metrics_opens_with_them(tmp_path, keras_script):
    np.savez(tmp_path / "data.npz", x=X, y=Y, w=W)
    theirs = json.loads(keras_script("""
import json, sys, keras, numpy as np
model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
model.set_weights([np.array([[1.5]], "float32"), np.array([0.2], "float32")])
model.compile("sgd", loss="mse", metrics=["mae"], weighted_metrics=["mae", "mse"])
model.save(sys.argv[1] + "/k.keras")
data = np.load(sys.argv[1] + "/data.npz")
print(json.dumps(model.evaluate(data["x"], data["y"], sample_weight=data["w"], verbose=0, return_dict=True)))
"""))
    ours = linnet.load_model(tmp_path / "k.keras").evaluate(X, Y, sample_weight=W, verbose=0, return_dict=True)
    assert sorted(theirs) == ["loss", "mae", "mse", "weighted_mae"]
    assert ours == pytest.approx(theirs, rel=1e-5)


def test_the_refusal_of_a_metric_function_speaks_of_a_metric(tmp_path):
    """It said 'A loss function must be one of linnet's ... write a Loss subclass for another loss'."""
    def mine(y_true, y_pred):
        return abs(y_true - y_pred)

    model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1)])
    model.compile("sgd", "mse", metrics=[mine])
    model.save(tmp_path / "m.linnet")
    with pytest.raises(ValueError, match=r"A metric's function read from a config must be one of Keras' loss "
                                         r"functions") as refused:
        linnet.load_model(tmp_path / "m.linnet")
    assert "Loss subclass" not in str(refused.value)

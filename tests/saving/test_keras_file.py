"""``.keras`` files against real Keras 3, both ways: the same predictions, compile settings and optimizer state,
and one more epoch of training in the other library lands on the same weights.

Keras runs in a subprocess (``keras_side.py``) with ``KERAS_BACKEND=jax`` (Keras' numpy backend cannot ``fit``);
the tests skip, saying so, when keras, jax or h5py is missing (``pip install -e '.[keras-compat]'``, which
``.ci/run`` installs).
"""

import importlib.util
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import linnet
from linnet import keras
from linnet.saving.keras_weights import optimizer_values

MISSING = [name for name in ("keras", "jax", "h5py") if importlib.util.find_spec(name) is None]
needs_keras = pytest.mark.skipif(bool(MISSING), reason=f"real Keras round trips need {', '.join(MISSING)}: "
                                                       f"pip install -e '.[keras-compat]'")
SIDE = Path(__file__).with_name("keras_side.py")
RNG = np.random.default_rng(3)
X = (RNG.normal(size=(40, 2)) * [1.0, 5.0] + [2.0, -1.0]).astype(np.float32)
Y = (X @ np.array([[2.0], [-0.5]]) + 0.3 + 0.1 * RNG.normal(size=(40, 1))).astype(np.float32)
SETTINGS = {  # name -> (class, arguments), the same in Keras (keras_side.py) and linnet
    "sgd_momentum": ("SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
    "rmsprop_centered": ("RMSprop", {"learning_rate": 0.01, "momentum": 0.5, "centered": True}),
    "adam_amsgrad": ("Adam", {"learning_rate": 0.05, "amsgrad": True}),
    "adamw": ("AdamW", {"learning_rate": 0.05, "weight_decay": 0.01}),
    "adamax": ("Adamax", {"learning_rate": 0.05}),
    "nadam": ("Nadam", {"learning_rate": 0.05}),
    "adagrad": ("Adagrad", {"learning_rate": 0.1}),
}
OPTIMIZERS = {name: (lambda kind=kind, kwargs=kwargs: getattr(keras.optimizers, kind)(**kwargs))
              for name, (kind, kwargs) in SETTINGS.items()}


def run_keras(mode, folder):
    np.savez(folder / "data.npz", x=X, y=Y)
    (folder / "optimizers.json").write_text(json.dumps(SETTINGS))
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu", "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, str(SIDE), mode, str(folder)], env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip()


def linnet_model(optimizer):
    linnet.random.set_seed(1)
    normalization = keras.layers.Normalization()
    normalization.adapt(X)
    model = keras.Sequential([keras.Input((2,)), normalization, keras.layers.Dense(1),
                              keras.layers.Activation("linear")])
    model.compile(optimizer=optimizer, loss="mse", metrics=["mae"])
    return model


def keras_state(report):
    return [report[f"opt_{i}"] for i in range(sum(key.startswith("opt_") for key in report.files))]


def linnet_state(model):
    shapes = [w.shape for w in model.layers[1].get_weights()]
    return optimizer_values(model.optimizer, shapes)


def continue_one_epoch(model):
    model.fit(X, Y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    return model.layers[1].get_weights()


@needs_keras
def test_keras_opens_linnet_files_with_the_same_predictions_settings_and_state_and_trains_on(tmp_path):
    models = {}
    for name, optimizer in OPTIMIZERS.items():
        models[name] = linnet_model(optimizer())
        models[name].fit(X, Y, epochs=2, batch_size=8, shuffle=False, verbose=0)
        models[name].save(tmp_path / f"{name}.keras")
    version = run_keras("load", tmp_path)
    assert version.startswith("3.")
    for name, model in models.items():
        report = np.load(tmp_path / f"{name}.npz")
        np.testing.assert_allclose(report["prediction"], model.predict(X), rtol=1e-6, atol=1e-6, err_msg=name)
        for got, expected in zip(keras_state(report), linnet_state(model), strict=True):
            assert np.array_equal(got, expected), name  # the state crosses bit for bit
        settings = json.loads(str(report["config"]))
        linnet_config = model.optimizer.get_config()
        assert {k: settings["optimizer"][k] for k in linnet_config if k in settings["optimizer"]} == {
            k: v for k, v in linnet_config.items() if k in settings["optimizer"]}, name
        assert settings["metrics"] == ["mae"] and "mean_squared_error" in settings["loss"]
        for got, expected in zip([report["after_0"], report["after_1"]], continue_one_epoch(model), strict=True):
            np.testing.assert_allclose(got, expected, rtol=2e-5, atol=1e-6, err_msg=name)


@needs_keras
def test_linnet_opens_keras_files_with_the_same_predictions_settings_and_state_and_trains_on(tmp_path):
    run_keras("make", tmp_path)
    for name, optimizer in OPTIMIZERS.items():
        report = np.load(tmp_path / f"{name}.npz")
        model = linnet.load_model(tmp_path / f"{name}.keras")
        assert [type(layer).__name__ for layer in model.layers] == ["Normalization", "Dense", "Activation"]
        assert type(model.optimizer) is type(optimizer()), name
        assert model.optimizer.get_config() | {"name": None} == optimizer().get_config() | {"name": None}
        assert [m.name for m in model.metrics] == ["mae"] and type(model.loss).__name__ == "MeanSquaredError"
        np.testing.assert_allclose(model.predict(X), report["prediction"], rtol=1e-6, atol=1e-6, err_msg=name)
        for got, expected in zip(linnet_state(model), keras_state(report), strict=True):
            assert np.array_equal(got, expected), name
        assert model.optimizer.iterations == 10  # 2 epochs of 5 batches, counted by Keras
        for got, expected in zip(continue_one_epoch(model), [report["after_3"], report["after_4"]], strict=True):
            np.testing.assert_allclose(got, expected, rtol=2e-5, atol=1e-6, err_msg=name)


# ----- refusals, with h5py only ----------------------------------------------------------------------------------
needs_h5py = pytest.mark.skipif(importlib.util.find_spec("h5py") is None,
                                reason="reading .keras weights needs h5py: pip install -e '.[keras]'")


@pytest.fixture
def keras_file(tmp_path):
    model = linnet_model(keras.optimizers.Adam(0.05))
    model.fit(X, Y, epochs=1, batch_size=8, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    return model, path


def edit_keras(path, change):
    import zipfile
    with zipfile.ZipFile(path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(contents["config.json"])
    change(config)
    contents["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)


def dense(config):
    return config["config"]["layers"][2]["config"]


@needs_h5py
def test_a_linnet_keras_file_round_trips_in_linnet_bit_for_bit(keras_file):
    model, path = keras_file
    loaded = linnet.load_model(path)
    assert np.array_equal(loaded.predict(X), model.predict(X))
    for key, value in model.optimizer.variables().items():
        assert np.array_equal(loaded.optimizer.variables()[key], value), key
    assert [e["class_name"] for e in json.loads(__import__("zipfile").ZipFile(path).read("config.json"))[
        "config"]["layers"]] == ["InputLayer", "Normalization", "Dense", "Activation"]


@needs_h5py
def test_an_uncompiled_keras_model_file_opens_uncompiled(keras_file):
    """Keras 3.15.1 writes ``"compile_config": {}`` for a model never compiled (recorded from
    ``keras.Sequential([Input((2,)), Dense(1)]).save``); linnet refused it: "compile_config.optimizer must be an
    optimizer envelope. Received: None"."""
    model, path = keras_file
    edit_keras(path, lambda c: c.update(compile_config={}))
    loaded = linnet.load_model(path)
    assert not loaded.compiled and loaded.optimizer is None
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


@needs_h5py
@pytest.mark.parametrize(("change", "message"), [
    (lambda c: dense(c).update(activation="relu"),
     r"config.layers\[2\].config.activation must be 'linear' \(layer 'dense.*' would make the model nonlinear\)"),
    (lambda c: c["config"]["layers"][3]["config"].update(activation="sigmoid"),
     r"config.layers\[3\].config.activation must be 'linear'"),
    (lambda c: c["config"]["layers"][2].update(class_name="Conv1D"),
     r"config.layers\[2\].class_name must be one of the linear layers Dense, Activation, Normalization"),
    (lambda c: dense(c).update(activity_regularizer={"class_name": "L2", "config": {"l2": 0.01}}),
     r"config.layers\[2\].config.activity_regularizer must be null \(linnet cannot represent it"),
    (lambda c: dense(c).update(kernel_constraint={"class_name": "NonNeg", "config": {}}),
     r"config.layers\[2\].config.kernel_constraint must be null"),
    (lambda c: c.update(class_name="Functional"), r"config.json: class_name must be 'Sequential'"),
    (lambda c: c["config"]["layers"][0]["config"].update(batch_shape=[None, 10**12]),
     r"the input shape \(InputLayer batch_shape\) must be an integer from 1 to 1000000"),
    (lambda c: c["config"]["layers"][0]["config"].update(batch_shape=[None, 28, 28]),
     r"config.layers\[0\].config.batch_shape must be \[null, n_features\]"),
    (lambda c: dense(c).update(units=10**9),  # the field was layers[1]: without the prefix, counted from the Dense
     r"config.json: config.layers\[2\] \('dense.*'\) must be a layer keeping the model within 10000000 weights"),
    (lambda c: c["compile_config"].update(loss_weights=[0.5]), r"compile_config.loss_weights must be null"),
    (lambda c: c["compile_config"].update(metrics=["accuracy"]), r"compile_config.metrics is invalid: .*accuracy"),
], ids=["relu", "sigmoid", "conv", "regularizer", "constraint", "functional", "huge-input", "image-input",
        "huge-units", "loss-weights", "accuracy"])
def test_what_linnet_cannot_represent_is_refused_naming_the_field(keras_file, change, message):
    _, path = keras_file
    edit_keras(path, change)
    with pytest.raises(linnet.ModelFileError, match=message):
        linnet.load_model(path)


@needs_h5py
@pytest.mark.parametrize(("where", "value", "message"), [
    ("optimizer/vars/2", np.full((2, 1), np.nan, np.float32), r"optimizer/vars/2 must be finite values"),
    ("optimizer/vars/0", np.array(-5, np.int32), r"optimizer/vars/0 must be an integer count"),
    ("layers/dense/vars/0", np.zeros((3, 1), np.float32), r"layers/dense/vars/0 must be a numeric array of shape"),
])
def test_keras_weights_are_checked_like_linnet_ones(keras_file, where, value, message):
    import zipfile

    import h5py
    _, path = keras_file
    with zipfile.ZipFile(path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    buffer = io.BytesIO(contents["model.weights.h5"])
    with h5py.File(buffer, "r+") as store:
        del store[where]
        store[where] = value
    contents["model.weights.h5"] = buffer.getvalue()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    with pytest.raises(linnet.ModelFileError, match="model.weights.h5: " + message):
        linnet.load_model(path)


KERAS_REGULARIZED = """
import sys, numpy as np, keras
folder = sys.argv[1]
data = np.load(folder + "/data.npz")
model = keras.saving.load_model(folder + "/linnet.keras")
dense = model.layers[-1]
print(dense.kernel_regularizer.get_config()["l2"], dense.bias_regularizer.get_config()["l1"],
      model.evaluate(data["x"], data["y"], verbose=0))
model.save(folder + "/keras.keras")
"""


@needs_keras
def test_regularizers_cross_to_keras_and_back_with_the_penalty_in_the_loss(tmp_path):
    model = linnet.Sequential([linnet.Input((2,)), linnet.Dense(1, kernel_regularizer=linnet.regularizers.L2(0.05),
                                                                 bias_regularizer="l1")])
    model.compile(optimizer="adam", loss="mse")
    model.fit(X, Y, epochs=3, verbose=0)
    model.save(tmp_path / "linnet.keras")
    np.savez(tmp_path / "data.npz", x=X, y=Y)
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu", "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, "-c", KERAS_REGULARIZED, str(tmp_path)], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    l2, l1, keras_loss = (float(value) for value in done.stdout.split()[-3:])
    assert (l2, l1) == pytest.approx((0.05, 0.01))
    assert keras_loss == pytest.approx(model.evaluate(X, Y, verbose=0), rel=1e-5)  # mse + 0.05·Σw² + 0.01·|b|
    back = linnet.load_model(tmp_path / "keras.keras")
    assert back.layers[-1].kernel_regularizer.l2 == pytest.approx(0.05)
    np.testing.assert_array_equal(back.predict(X), model.predict(X))


@needs_h5py
@pytest.mark.parametrize(("make", "message"), [
    (lambda h5py, where: h5py.SoftLink("/" + where), r"model.weights.h5 cannot be read \(damaged, or a link"),
    (lambda h5py, where: h5py.ExternalLink("/nonexistent/secret.h5", "/x"), r"model.weights.h5 cannot be read"),
    (lambda h5py, where: np.array([[1e300], [1.0]]), r"layers/dense/vars/0 must be finite values"),
], ids=["link loop", "external link", "beyond float32"])
def test_links_and_values_beyond_float32_in_keras_weights_are_model_file_errors(keras_file, make, message):
    """h5py's own RuntimeError ("too many links") and KeyError reached the user raw, and a float64 beyond float32
    leaked a RuntimeWarning before the refusal."""
    import zipfile

    import h5py
    _, path = keras_file
    with zipfile.ZipFile(path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    buffer = io.BytesIO(contents["model.weights.h5"])
    where = "layers/dense/vars/0"
    with h5py.File(buffer, "r+") as store:
        del store[where]
        store[where] = make(h5py, where)
    contents["model.weights.h5"] = buffer.getvalue()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    with pytest.raises(linnet.ModelFileError, match=message):
        linnet.load_model(path)


@needs_h5py
def test_a_keras_learning_rate_the_optimizer_refuses_is_a_model_file_error(keras_file):
    """optimizer/vars/1 (the learning rate) of -1 raised the optimizer's plain ValueError, naming neither the
    member nor the variable."""
    import zipfile

    import h5py
    _, path = keras_file
    with zipfile.ZipFile(path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    buffer = io.BytesIO(contents["model.weights.h5"])
    with h5py.File(buffer, "r+") as store:
        if "optimizer/vars/1" not in store:
            pytest.skip("this file's optimizer state holds no learning rate")
        rate = store["optimizer/vars/1"]
        replacement = np.full(rate.shape, -1.0, rate.dtype)
        del store["optimizer/vars/1"]
        store["optimizer/vars/1"] = replacement
    contents["model.weights.h5"] = buffer.getvalue()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    with pytest.raises(linnet.ModelFileError,  # the file's path was lost from this message once
                       match="^" + re.escape(f"{path}: model.weights.h5: optimizer/vars: learning_rate must be")):
        linnet.load_model(path)

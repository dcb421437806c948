"""``model.save_weights`` / ``model.load_weights`` with Keras 3's ``.weights.h5`` files, against real Keras both
ways: files Keras 3.15.1 wrote (``fixtures/keras_*.weights.h5``, recorded predictions and optimizer state) load
into linnet with Keras' numbers; files linnet writes load into Keras (a subprocess) with linnet's numbers; the
refusals (suffix, unbuilt model, other architecture, damaged or hostile file) are Keras' or say what differs.
"""

import json
import warnings

import h5py
import numpy as np
import pytest
from keras_facts import FIXTURES, RECORDED, X, Y, unannotated

import linnet
from linnet import Activation, Dense, Input, Normalization, Sequential
from linnet.saving.keras_weights import optimizer_values, trainable_shapes

KERAS_FILES = RECORDED["weights_files"]
MESSAGES = RECORDED["messages"]


def dense_model(p=2):
    return Sequential([Input((p,)), Dense(1)])


def normalized_model():
    return Sequential([Input((2,)), Normalization(), Dense(1), Activation("linear")])


def state(model):
    return optimizer_values(model.optimizer, trainable_shapes(model))


def trained(model, optimizer=None):
    model.compile(optimizer=optimizer or linnet.optimizers.Adam(0.05), loss="mse")
    model.fit(X, Y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    return model


# ----- Keras' files into linnet ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "make"), [("keras_dense", dense_model), ("keras_normalization", normalized_model)])
def test_linnet_loads_keras_weights_files_with_keras_predictions(name, make):
    model = make()
    model.load_weights(FIXTURES / f"{name}.weights.h5")
    for got, recorded in zip(model.get_weights(), KERAS_FILES[name]["weights"], strict=True):
        np.testing.assert_array_equal(got, np.asarray(recorded, got.dtype))  # bit for bit
    np.testing.assert_allclose(model.predict(X)[:, 0], KERAS_FILES[name]["prediction"], rtol=1e-6, atol=1e-6)


def test_the_optimizer_state_loads_into_a_built_optimizer_of_as_many_variables_as_in_keras():
    """Keras 3.15.1 restores the state only into an optimizer holding as many variables (built: after a step); a
    compiled model whose optimizer has not taken a step gets its weights and Keras' warning, recorded."""
    path = FIXTURES / "keras_dense.weights.h5"
    fresh = dense_model()
    fresh.compile(optimizer="adam", loss="mse")
    with pytest.warns(UserWarning) as caught:
        fresh.load_weights(path)
    assert [str(w.message).replace(fresh.optimizer.name, "adam") for w in caught] == MESSAGES["optimizer_skipped"]
    assert not fresh.optimizer.built and fresh.optimizer.iterations == 0
    resumed = trained(dense_model())  # another state, of the same shapes
    resumed.load_weights(path)
    for got, recorded in zip(state(resumed), KERAS_FILES["keras_dense"]["optimizer"], strict=True):
        np.testing.assert_array_equal(got, np.asarray(recorded, got.dtype))
    uncompiled = dense_model()
    uncompiled.load_weights(path)  # an uncompiled model takes the weights only, silently, as in Keras
    np.testing.assert_array_equal(uncompiled.get_weights()[0], resumed.get_weights()[0])


def test_a_file_without_optimizer_state_leaves_the_optimizer_with_keras_warning(tmp_path):
    """Keras 3.15.1, recorded: "Skipping variable loading for optimizer 'adam_3', because it has 6 variables
    whereas the saved optimizer has 0 variables." for a file saved uncompiled, loaded into a trained model."""
    dense_model().save_weights(tmp_path / "plain.weights.h5")
    model = trained(dense_model())
    before = state(model)
    with pytest.warns(UserWarning, match=rf"^Skipping variable loading for optimizer '{model.optimizer.name}', "
                                         r"because it has 6 variables whereas the saved optimizer has 0 variables\. $"):
        model.load_weights(tmp_path / "plain.weights.h5")
    for got, kept in zip(state(model), before, strict=True):
        np.testing.assert_array_equal(got, kept)


def layout(path):
    """Every group and dataset of an HDF5 file: its attributes, shape and kind of dtype."""
    found = {}
    with h5py.File(path) as store:
        store.visititems(lambda name, entry: found.update({name: (
            dict(entry.attrs), getattr(entry, "shape", None), getattr(getattr(entry, "dtype", None), "kind", None))}))
    return found


def test_linnet_writes_keras_layout(tmp_path):
    """The groups, datasets (shape, kind) and ``name`` attributes of the file Keras wrote for the same model."""
    model = trained(Sequential([Input((2,)), Dense(1, name="dense")], name="sequential"),
                    linnet.optimizers.Adam(0.05, name="adam"))
    model.save_weights(tmp_path / "m.weights.h5")
    assert layout(tmp_path / "m.weights.h5") == layout(FIXTURES / "keras_dense.weights.h5")


def test_a_round_trip_resumes_training_exactly(tmp_path):
    """Weights, Normalization's statistics and the optimizer's state cross whole: one more epoch after loading
    lands on the weights one more epoch of the original gives."""
    original = trained(normalized_model())
    original.save_weights(tmp_path / "m.weights.h5")
    copy = trained(normalized_model(), linnet.optimizers.Adam(0.05))
    copy.load_weights(tmp_path / "m.weights.h5")
    for model in (original, copy):
        model.fit(X, Y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    for got, expected in zip(copy.get_weights(), original.get_weights(), strict=True):
        np.testing.assert_array_equal(got, expected)


# ----- linnet's files into Keras ---------------------------------------------------------------------------------
KERAS_LOADS = """
import json, sys, numpy as np, keras
folder = sys.argv[1]
x = np.load(folder + "/x.npy")
normalization = keras.layers.Normalization()
normalization.adapt(x)
models = {"dense": keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]),
          "normalized": keras.Sequential([keras.Input((2,)), normalization, keras.layers.Dense(1),
                                          keras.layers.Activation("linear")])}
report = {}
for name, model in models.items():
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    model.optimizer.build(model.trainable_variables)
    model.load_weights(folder + f"/{name}.weights.h5")
    report[name] = {"prediction": model.predict(x, verbose=0)[:, 0].tolist(),
                    "optimizer": [np.asarray(v).tolist() for v in model.optimizer.variables]}
print(json.dumps(report))
"""


def test_keras_loads_linnet_weights_files_with_linnet_predictions_and_optimizer_state(tmp_path, keras_script):
    np.save(tmp_path / "x.npy", X)
    models = {"dense": trained(dense_model()), "normalized": trained(normalized_model())}
    for name, model in models.items():
        model.save_weights(tmp_path / f"{name}.weights.h5")
    report = json.loads(keras_script(KERAS_LOADS))
    for name, model in models.items():
        np.testing.assert_allclose(report[name]["prediction"], model.predict(X)[:, 0], rtol=1e-6, atol=1e-6)
        for got, expected in zip(report[name]["optimizer"], state(model), strict=True):
            np.testing.assert_array_equal(np.asarray(got, expected.dtype), expected)  # bit for bit


def test_a_keras_file_lends_its_weights_as_in_keras(tmp_path):
    """Keras 3's load_weights also reads the weights inside a .keras file."""
    model = trained(dense_model())
    model.save(tmp_path / "m.keras")
    other = dense_model()
    other.load_weights(tmp_path / "m.keras")
    np.testing.assert_array_equal(other.predict(X), model.predict(X))


@pytest.mark.parametrize("name", ["save_weights", "load_weights"])
def test_save_and_load_weights_take_keras_arguments_in_keras_order(name):
    assert unannotated(getattr(Sequential, name)) == RECORDED["signatures"][name]


# ----- refusals --------------------------------------------------------------------------------------------------
def test_the_suffixes_are_keras_and_the_errors_say_so(tmp_path):
    model = dense_model()
    with pytest.raises(ValueError, match=r"^The filename must end in `.weights.h5`.* Received: filepath=model.keras$"):
        model.save_weights("model.keras")
    assert MESSAGES["save_weights_suffix"]["message"].startswith("The filename must end in `.weights.h5`")
    with pytest.raises(ValueError, match=r"^File format not supported: filepath=model\.npz: not a weights file"):
        model.load_weights("model.npz")
    assert MESSAGES["load_weights_suffix"]["message"].startswith("File format not supported: filepath=model.npz")
    with pytest.raises(ValueError, match=r"Keras 2's HDF5 format \(\.h5\), which linnet does not read"):
        model.load_weights("model.h5")
    with pytest.raises(ValueError, match=r"max_shard_size must be None\. Received: max_shard_size=0\.25"):
        model.save_weights(tmp_path / "m.weights.h5", max_shard_size=0.25)
    with pytest.raises(TypeError, match=r"overwrite must be True or False\. Received: overwrite=1"):
        model.save_weights(tmp_path / "m.weights.h5", overwrite=1)
    with pytest.raises(TypeError, match=r"load_weights.*by_name"):
        model.load_weights(FIXTURES / "keras_dense.weights.h5", by_name=True)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("method", ["save_weights", "load_weights"])
def test_an_unbuilt_model_is_refused_as_in_keras(method):
    assert MESSAGES[f"{method}_unbuilt"]["type"] == "ValueError"
    with pytest.raises(ValueError, match=rf"{method}: the model is not built yet"):
        getattr(Sequential([Dense(1)]), method)(FIXTURES / "keras_dense.weights.h5")


@pytest.mark.parametrize(("make", "message"), [
    (lambda: dense_model(3), r"layer 'dense\w*' \(layers/dense\) has weights of shapes \[\(3, 1\), \(1,\)\]; the "
                             r"file holds \[\(2, 1\), \(1,\)\]"),
    (lambda: Sequential([Input((2,)), Dense(2), Dense(1)]), r"layers/dense_1\) has weights of shapes .*holds none"),
    (lambda: Sequential([Input((2,)), Dense(1, use_bias=False)]), r"shapes \[\(2, 1\)\]; the file holds \[\(2, 1\), "),
    (normalized_model, r"layer 'normalization\w*' \(layers/normalization\) has weights of shapes \[\(2,\), \(2,\), "
                       r"\(\)\]; the file holds none"),
], ids=["other-p", "more-layers", "no-bias", "normalization-missing-in-file"])
def test_weights_of_another_architecture_are_refused_naming_what_differs(make, message):
    model = make()
    before = model.get_weights()
    with pytest.raises(linnet.ModelFileError, match=r"holds the weights of another architecture than this model's.*"
                                                    + message):
        model.load_weights(FIXTURES / "keras_dense.weights.h5")
    for got, kept in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(got, kept)  # nothing loaded


def test_weights_for_a_layer_the_model_lacks_are_refused_unlike_keras():
    """Keras 3.15.1 loads the Normalization model's file into Input + Dense and ignores the statistics (checked);
    the model would then predict on unnormalized inputs with weights fitted to normalized ones."""
    with pytest.raises(linnet.ModelFileError, match=r"the file holds weights for a layer 'normalization' "
                                                    r"\(layers/normalization\), which this model does not have"):
        dense_model().load_weights(FIXTURES / "keras_normalization.weights.h5")


def test_skip_mismatch_loads_what_fits_and_warns_about_the_rest():
    model = Sequential([Input((2,)), Normalization(), Dense(2), Dense(1)])
    model.layers[0].adapt(2 * X)
    statistics = model.get_weights()[:3]
    with pytest.warns(UserWarning, match=r"Skipping what does not fit the model in .*keras_normalization.weights.h5: "
                                         r".*layers/dense\) has weights of shapes \[\(2, 2\), \(2,\)\]"):
        model.load_weights(FIXTURES / "keras_normalization.weights.h5", skip_mismatch=True)
    recorded = KERAS_FILES["keras_normalization"]["weights"]
    np.testing.assert_array_equal(model.layers[0].mean, np.float32(recorded[0]))
    assert not np.array_equal(model.layers[0].mean, statistics[0])


def edited(tmp_path, change):
    """A copy of Keras' dense weights file, changed by ``change(store)``."""
    path = tmp_path / "edited.weights.h5"
    path.write_bytes((FIXTURES / "keras_dense.weights.h5").read_bytes())
    with h5py.File(path, "r+") as store:
        change(store)
    return path


def replace(where, value):
    def change(store):
        del store[where]
        store[where] = value
    return change


@pytest.mark.parametrize(("change", "message"), [
    (replace("layers/dense/vars/0", np.full((2, 1), np.nan, np.float32)), r"layers/dense/vars/0 must be finite"),
    (replace("layers/dense/vars/1", np.array([1e300])), r"layers/dense/vars/1 must be finite values"),
    (replace("layers/dense/vars/0", np.array([["a"], ["b"]], dtype="S1")),
     r"layers/dense/vars/0 must be a numeric array of shape \(2, 1\). Received: 'shape \(2, 1\), dtype \|S1'"),
    (replace("optimizer/vars/0", np.array(-3)), r"optimizer/vars/0 must be an integer count"),
    (replace("optimizer/vars/1", np.array(-1.0, np.float32)), r"optimizer/vars: learning_rate must be"),
    (replace("layers/dense/vars/0", h5py.SoftLink("/layers/dense/vars/0")), r"cannot be read \(damaged, or a link"),
    (replace("layers/dense/vars/1", h5py.ExternalLink("/nonexistent/secret.h5", "/x")), r"cannot be read"),
], ids=["nan", "beyond-float32", "strings", "negative-steps", "negative-rate", "link-loop", "external-link"])
def test_a_hostile_weights_file_is_a_model_file_error(tmp_path, change, message):
    path = edited(tmp_path, change)
    model = trained(dense_model())
    before = model.get_weights()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning on the way
        with pytest.raises(linnet.ModelFileError, match=message):
            model.load_weights(path)
    for got, kept in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(got, kept)


@pytest.mark.parametrize("content", [b"", b"not an hdf5 file" * 100,
                                     (FIXTURES / "keras_dense.weights.h5").read_bytes()[:3000]],
                         ids=["empty", "text", "truncated"])
def test_a_damaged_weights_file_is_a_model_file_error(tmp_path, content):
    path = tmp_path / "damaged.weights.h5"
    path.write_bytes(content)
    with pytest.raises(linnet.ModelFileError, match=r"damaged.weights.h5 (is not a readable HDF5 file|cannot be read)"):
        dense_model().load_weights(path)


def test_a_file_larger_than_the_model_can_hold_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.weights.h5"
    with open(path, "wb") as stream:
        stream.truncate(2**21)  # 2 MiB (sparse): a 3-weight model accepts about 1 MiB
    with pytest.raises(linnet.ModelFileError, match=r"holds 2097152 bytes; at most \d+ are accepted"):
        dense_model().load_weights(path)


def test_paths_that_are_not_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="No model file at"):
        dense_model().load_weights(tmp_path / "missing.weights.h5")
    (tmp_path / "folder.weights.h5").mkdir()
    with pytest.raises(IsADirectoryError, match="is a folder"):
        dense_model().load_weights(tmp_path / "folder.weights.h5")
    with pytest.raises(IsADirectoryError, match="it is a directory"):
        dense_model().save_weights(tmp_path / "folder.weights.h5")


@pytest.mark.parametrize(("answers", "overwritten"), [(["n"], False), (["maybe", "y"], True)])
def test_overwrite_false_asks_first_as_keras_does(tmp_path, monkeypatch, capsys, answers, overwritten):
    path = tmp_path / "m.weights.h5"
    path.write_bytes(b"old")
    asked = iter(answers)
    prompts = []
    monkeypatch.setattr("builtins.input", lambda prompt: prompts.append(prompt) or next(asked))
    dense_model().save_weights(path, overwrite=False)
    assert prompts[0] == f"[WARNING] {path} already exists - overwrite? [y/n]"
    assert (path.read_bytes() != b"old") is overwritten
    assert ("[TIP] Next time specify overwrite=True!" in capsys.readouterr().out) is overwritten

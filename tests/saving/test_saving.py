"""The ``.linnet`` model file: bit-exact round trips (optimizer state included), atomic writes, clear errors."""

import hashlib
import io
import json
import os
import zipfile

import numpy as np
import pytest

import linnet
from linnet import keras
from linnet.engine import optimizers, schedules
from linnet.saving.model_file import FORMAT_VERSION, ModelFileError, read_model_file, save_model

X = np.linspace(-1.0, 1.0, 40, dtype=np.float32).reshape(20, 2) * np.array([1.0, 3.0], np.float32)
Y = X @ np.array([2.0, -1.0], np.float32) + 0.5


def dense_model(n_features=2, **layer_kwargs):
    return keras.Sequential([keras.Input((n_features,)), keras.layers.Dense(1, **layer_kwargs)])


def trained(optimizer="adam", loss="mse", metrics=("mae",), epochs=2):
    linnet.random.set_seed(7)
    model = dense_model()
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    model.fit(X, Y, epochs=epochs, batch_size=8, shuffle=False, verbose=0)
    return model


def assert_same_weights(loaded, original):
    for got, expected in zip(loaded.get_weights(), original.get_weights(), strict=True):
        assert got.dtype == expected.dtype
        assert got.shape == expected.shape
        assert np.array_equal(got, expected)


@pytest.fixture
def saved(tmp_path):
    """A trained model and the path it was saved to."""
    model = trained()
    path = tmp_path / "m.linnet"
    model.save(path)
    return model, path


def members(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(path, contents, fix_checksums=False):
    """Rewrite ``path`` with ``contents``; with ``fix_checksums`` the SHA-256 in metadata.json match again."""
    contents = dict(contents)
    if fix_checksums:
        metadata = json.loads(contents["metadata.json"])
        for name in ("config.json", "weights.npz"):
            metadata["sha256"][name] = hashlib.sha256(contents[name]).hexdigest()
        contents["metadata.json"] = json.dumps(metadata).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)


def edit_config(path, change, fix_checksums=False):
    contents = members(path)
    config = json.loads(contents["config.json"])
    change(config)
    contents["config.json"] = json.dumps(config).encode()
    rezip(path, contents, fix_checksums)


# ----- what the file holds -------------------------------------------------------------------------------------
def test_the_file_is_a_zip_of_config_weights_and_metadata(saved):
    _, path = saved
    contents = members(path)
    assert sorted(contents) == ["config.json", "metadata.json", "weights.npz"]
    config = json.loads(contents["config.json"])
    assert (config["format"], config["format_version"], config["linnet_version"]) == (
        "linnet-model", FORMAT_VERSION, linnet.__version__)
    assert [layer["class_name"] for layer in config["model"]["layers"]] == ["Dense"]
    assert config["compile"]["optimizer"]["class_name"] == "Adam"
    envelopes = [*config["model"]["layers"], *config["compile"]["metrics"], config["compile"]["optimizer"],
                 config["compile"]["loss"]]  # every object in Keras 3's envelope
    assert [(e["module"], e["registered_name"]) for e in envelopes] == [
        ("keras.layers", None), ("linnet.engine.metrics", "MeanOfLoss"), ("keras.optimizers", None),
        ("keras.losses", None)]
    metadata = json.loads(contents["metadata.json"])
    assert metadata["sha256"]["weights.npz"] == hashlib.sha256(contents["weights.npz"]).hexdigest()


def test_metadata_records_the_training_settings_and_history(saved):
    model, path = saved
    _, _, metadata = read_model_file(path)
    assert metadata["training"] == {"epochs": 2, "batch_size": 8, "shuffle": False, "validation_split": 0.0,
                                    "initial_epoch": 0, "samples": 20}
    assert metadata["history"] == model.history.history
    assert len(metadata["history"]["loss"]) == 2 and len(metadata["history"]["mae"]) == 2
    assert metadata["linnet_version"] == linnet.__version__ and metadata["numpy_version"] == np.__version__
    assert linnet.load_model(path).training_config == metadata["training"]


def test_numpy_numbers_in_the_history_are_saved_as_plain_numbers(tmp_path):
    class LogsNumpy(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["lr"] = np.float32(0.25)
            logs["shape"] = np.arange(2)

    model = dense_model()
    model.compile("sgd", "mse")
    model.fit(X, Y, epochs=2, verbose=0, callbacks=[LogsNumpy()])
    model.save(tmp_path / "m.linnet")
    history = read_model_file(tmp_path / "m.linnet")[2]["history"]
    assert history["lr"] == [0.25, 0.25] and history["shape"] == [[0, 1], [0, 1]]


def test_weights_are_stored_as_npz_readable_without_pickle(saved):
    model, path = saved
    _, arrays, _ = read_model_file(path)
    assert np.array_equal(arrays["weight_0"], model.get_weights()[0])
    assert arrays["weight_0"].dtype == np.float32
    assert int(arrays["optimizer/iterations"]) == 2 * 3  # 2 epochs of ceil(20 / 8) batches


# ----- round trips -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("entry", [linnet.load_model, keras.models.load_model])
def test_both_load_functions_restore_a_dense_model_bit_for_bit(saved, entry):
    model, path = saved
    loaded = entry(path)
    assert_same_weights(loaded, model)
    assert loaded.name == model.name
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    assert np.array_equal(loaded.predict(X), model.predict(X))


def test_a_string_path_works_like_a_pathlib_path(tmp_path):
    model = trained()
    save_model(model, str(tmp_path / "m.linnet"))
    assert_same_weights(linnet.load_model(str(tmp_path / "m.linnet")), model)


def test_an_uncompiled_model_round_trips_without_compile_settings(tmp_path):
    model = dense_model(3, use_bias=False, kernel_initializer="ones")
    model.save(tmp_path / "m.linnet")
    loaded = linnet.load_model(tmp_path / "m.linnet")
    assert not loaded.compiled
    assert [w.tolist() for w in loaded.get_weights()] == [[[1.0], [1.0], [1.0]]]
    assert loaded.layers[0].use_bias is False


def test_a_stacked_model_with_an_adapted_normalization_round_trips(tmp_path):
    linnet.random.set_seed(3)
    norm = keras.layers.Normalization()
    norm.adapt(X)
    model = keras.Sequential([keras.Input((2,)), norm, keras.layers.Dense(3), keras.layers.Activation("linear"),
                              keras.layers.Dense(1)])
    model.compile(optimizer="rmsprop", loss="mse")
    model.fit(X, Y, epochs=2, batch_size=5, verbose=0)
    model.save(tmp_path / "m.linnet")
    loaded = linnet.load_model(tmp_path / "m.linnet")
    assert [type(layer).__name__ for layer in loaded.layers] == ["Normalization", "Dense", "Activation", "Dense"]
    assert_same_weights(loaded, model)
    assert loaded.layers[0].count.dtype == np.int64 and int(loaded.layers[0].count) == 20
    assert np.array_equal(loaded.layers[0].mean, X.mean(axis=0, dtype=np.float64).astype(np.float32))
    assert np.array_equal(loaded.predict(X), model.predict(X))


OPTIMIZERS = [
    lambda: optimizers.SGD(0.01),
    lambda: optimizers.SGD(0.01, momentum=0.9, nesterov=True),
    lambda: optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    lambda: optimizers.Adam(0.05, amsgrad=True),
    lambda: optimizers.AdamW(0.05, weight_decay=0.01),
    lambda: optimizers.Adagrad(0.1),
    lambda: optimizers.Adamax(0.05, clipnorm=1.0),
    lambda: optimizers.Nadam(0.05),
    lambda: optimizers.SGD(schedules.ExponentialDecay(0.05, decay_steps=2, decay_rate=0.5)),
]


@pytest.mark.parametrize("make_optimizer", OPTIMIZERS,
                         ids=["sgd", "momentum", "rmsprop", "adam", "adamw", "adagrad", "adamax", "nadam",
                              "schedule"])
def test_training_resumes_bit_for_bit_after_a_round_trip(tmp_path, make_optimizer):
    model = trained(make_optimizer(), metrics=["mae", "rmse"])
    model.save(tmp_path / "m.linnet")
    loaded = linnet.load_model(tmp_path / "m.linnet")
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    state, restored = model.optimizer.variables(), loaded.optimizer.variables()
    assert sorted(restored) == sorted(state) and restored["iterations"] == 6
    for name, value in state.items():
        assert restored[name].dtype == value.dtype and np.array_equal(restored[name], value), name
    logs = [m.fit(X, Y, epochs=1, batch_size=8, shuffle=False, verbose=0).history for m in (model, loaded)]
    assert logs[0] == logs[1]  # loss and metrics, bit for bit
    assert_same_weights(loaded, model)
    assert loaded.optimizer.iterations == model.optimizer.iterations == 9


def test_compile_settings_are_restored(tmp_path):
    model = trained(optimizers.Adam(0.02, beta_1=0.8), loss=keras.losses.Huber(delta=2.5),
                    metrics=["mae", "RMSE", "r2_score", "huber"])
    model.save(tmp_path / "m.linnet")
    loaded = linnet.load_model(tmp_path / "m.linnet")
    assert isinstance(loaded.loss, keras.losses.Huber) and loaded.loss.delta == 2.5
    assert [m.name for m in loaded.metrics] == ["mae", "RMSE", "r2_score", "huber"]
    assert isinstance(loaded.optimizer, optimizers.Adam) and loaded.optimizer.beta_1 == 0.8
    assert np.float32(loaded.optimizer.learning_rate) == np.float32(0.02)
    assert loaded.evaluate(X, Y, verbose=0) == model.evaluate(X, Y, verbose=0)


def test_a_compiled_but_untrained_model_loads_with_an_unbuilt_optimizer(tmp_path):
    model = dense_model()
    model.compile(optimizer="nadam", loss="mae")
    model.save(tmp_path / "m.linnet")
    loaded = linnet.load_model(tmp_path / "m.linnet")
    assert not loaded.optimizer.built and type(loaded.loss).__name__ == "MeanAbsoluteError"
    loaded.fit(X, Y, epochs=1, verbose=0)
    assert loaded.optimizer.iterations == 1


# ----- atomic write ------------------------------------------------------------------------------------------
def test_saving_leaves_no_temporary_file_and_replaces_an_older_model(tmp_path):
    path = tmp_path / "m.linnet"
    first, second = trained("sgd"), trained("adam", epochs=3)
    first.save(path)
    second.save(path)
    assert os.listdir(tmp_path) == ["m.linnet"]
    assert_same_weights(linnet.load_model(path), second)


def test_the_file_gets_the_usual_permissions_not_those_of_a_private_temporary_file(tmp_path):
    mask = os.umask(0o022)
    try:
        trained().save(tmp_path / "m.linnet")
    finally:
        os.umask(mask)
    assert oct((tmp_path / "m.linnet").stat().st_mode & 0o777) == oct(0o644)


def test_saving_creates_missing_folders(tmp_path):
    trained().save(tmp_path / "a" / "b" / "m.linnet")
    assert (tmp_path / "a" / "b" / "m.linnet").is_file()


@pytest.mark.parametrize("target", ["zipfile.ZipFile.writestr", "numpy.savez", "os.replace", "os.fsync"])
def test_a_failure_while_writing_leaves_the_existing_file_untouched(saved, monkeypatch, target):
    _, path = saved
    before = path.read_bytes()
    module_name, _, attribute = target.rpartition(".")
    owner = {"zipfile.ZipFile": zipfile.ZipFile, "numpy": np, "os": os}[module_name]

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(owner, attribute, fail)
    with pytest.raises(OSError, match="disk full"):
        trained("sgd", epochs=1).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(path.parent) == ["m.linnet"]


def test_saving_to_a_directory_or_a_non_path_is_refused(tmp_path):
    model = trained()
    with pytest.raises(IsADirectoryError, match="is a directory"):
        model.save(tmp_path)
    (tmp_path / "folder.keras").mkdir()
    with pytest.raises(IsADirectoryError, match=r"such as '.*folder\.keras/model\.keras'"):
        model.save(tmp_path / "folder.keras")
    with pytest.raises(TypeError, match=r"path must be a file path .*Received: path=42 \(int\)"):
        model.save(42)


def test_an_unbuilt_model_cannot_be_saved(tmp_path):
    model = keras.Sequential([keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="save: the model is not built"):
        model.save(tmp_path / "m.linnet")
    assert not (tmp_path / "m.linnet").exists()


# ----- refused files -----------------------------------------------------------------------------------------
def test_a_missing_file_raises_file_not_found_naming_the_path(tmp_path):
    path = tmp_path / "nowhere.linnet"
    with pytest.raises(FileNotFoundError, match="nowhere.linnet"):
        linnet.load_model(path)
    with pytest.raises(TypeError, match="path must be a file path"):
        linnet.load_model(None)


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04" + bytes(40), b"\x89PNG\r\n\x1a\n" * 9])
def test_a_file_of_another_format_is_refused(tmp_path, content):
    path = tmp_path / "m.linnet"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match="is not a readable linnet model file .*truncated, damaged or another"):
        linnet.load_model(path)


def test_a_zip_without_the_members_is_refused(tmp_path):
    path = tmp_path / "m.linnet"
    with zipfile.ZipFile(path, "w"):
        pass
    with pytest.raises(ModelFileError, match="missing config.json, weights.npz, metadata.json"):
        linnet.load_model(path)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", "{}")
    with pytest.raises(ModelFileError, match=r"not a linnet model file \(missing weights.npz, metadata.json\)"):
        linnet.load_model(path)


def test_every_truncation_is_refused(saved):
    _, path = saved
    data = path.read_bytes()
    for size in [*range(0, len(data), 37), len(data) - 1]:
        path.write_bytes(data[:size])
        with pytest.raises(ModelFileError, match="m.linnet"):
            linnet.load_model(path)


def test_an_edited_config_fails_its_checksum(saved):
    _, path = saved
    edit_config(path, lambda config: config["model"]["layers"][0]["config"].update(units=1, use_bias=False))
    with pytest.raises(ModelFileError, match="config.json does not match the SHA-256 .* modified or damaged"):
        linnet.load_model(path)


def test_edited_weights_fail_their_checksum(saved):
    _, path = saved
    contents = members(path)
    weights = bytearray(contents["weights.npz"])
    weights[-300] ^= 0x01
    contents["weights.npz"] = bytes(weights)
    rezip(path, contents)
    with pytest.raises(ModelFileError, match="weights.npz does not match the SHA-256"):
        linnet.load_model(path)


def test_a_damaged_member_fails_the_zip_crc(saved):
    _, path = saved
    data = bytearray(path.read_bytes())
    data[60] ^= 0xFF  # inside the compressed config.json
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="truncated, damaged or another format"):
        linnet.load_model(path)


def test_a_newer_format_version_asks_for_an_upgrade(saved):
    _, path = saved
    edit_config(path, lambda config: config.update(format_version=99, linnet_version="9.0"), fix_checksums=True)
    with pytest.raises(ModelFileError, match=r"format version 99 by a newer linnet \('9.0'\).*Upgrade linnet"):
        linnet.load_model(path)


@pytest.mark.parametrize("version", [0, -1, "1", 1.0, None, True])
def test_an_invalid_format_version_is_refused(saved, version):
    _, path = saved
    edit_config(path, lambda config: config.update(format_version=version), fix_checksums=True)
    with pytest.raises(ModelFileError, match="invalid format_version"):
        linnet.load_model(path)


@pytest.mark.parametrize("config", [{"format": "keras"}, {}, [1, 2], "linnet-model", None])
def test_a_wrong_format_name_is_refused(saved, config):
    _, path = saved
    contents = members(path)
    contents["config.json"] = json.dumps(config).encode()
    rezip(path, contents, fix_checksums=True)
    with pytest.raises(ModelFileError, match="is not a linnet model file: config.json has format"):
        linnet.load_model(path)


@pytest.mark.parametrize("metadata", [b"[]", b'{"sha256": []}', b'{"sha256": {"config.json": 1}}', b"{}"])
def test_metadata_without_valid_checksums_is_refused(saved, metadata):
    _, path = saved
    contents = members(path)
    contents["metadata.json"] = metadata
    rezip(path, contents)
    with pytest.raises(ModelFileError, match="does not match the SHA-256"):
        linnet.load_model(path)


@pytest.mark.parametrize(("change", "message"), [
    (lambda c: c["model"].pop("layers"), r"config.json: model.layers must be a list .*Received: None"),
    (lambda c: c["model"]["layers"][0].update(class_name="Conv2D"), r"model.layers\[0\] is invalid: Unknown layer"),
    (lambda c: c["model"]["layers"][0]["config"].update(activation="relu"), r"model.layers\[0\] is invalid: .*relu"),
    (lambda c: c["model"]["layers"][0].update(config=[1]), r"model.layers\[0\] is invalid"),
    (lambda c: c["model"].update(input_dim=3), r"weights.npz: weight_0 must be an array of shape \(3, 1\)"),
    (lambda c: c["model"].update(layers={"a": 1}), r"config.json: model.layers must be a list"),
    (lambda c: c.update(model="Sequential"), r"config.json: model must be an object. Received: 'Sequential'"),
    (lambda c: c["compile"].update(optimizer={"class_name": "Adamm"}), r"compile is invalid: .*'Adamm'"),
    (lambda c: c["compile"].update(metrics=[{"class_name": "Accuracy", "name": "acc"}]), r"compile is invalid"),
    (lambda c: c["compile"].update(loss={"class_name": "Huber", "config": {"delta": -1}}), r"compile is invalid"),
    (lambda c: c["model"]["layers"].append(c["model"]["layers"][0]),
     r"config.json: model.layers do not describe a valid model: .*is already used"),
    (lambda c: c["model"].update(name=7), r"^config.json: model.name must be a non-empty string .*Received: 7$"),
], ids=["no-layers", "unknown-layer", "relu", "config-list", "input-dim", "layers-dict", "model-str",
        "optimizer", "metric", "loss", "layer-twice", "name"])
def test_a_consistent_but_invalid_description_is_refused_naming_the_field(saved, change, message):
    _, path = saved
    edit_config(path, change, fix_checksums=True)
    with pytest.raises(ModelFileError, match=message):
        linnet.load_model(path)


def test_pickled_weights_are_never_unpickled(saved):
    _, path = saved
    contents = members(path)
    buffer = io.BytesIO()
    np.savez(buffer, weight_0=np.array([{"evil": 1}], dtype=object), weight_1=np.zeros(1, np.float32))
    contents["weights.npz"] = buffer.getvalue()
    rezip(path, contents, fix_checksums=True)
    with pytest.raises(ModelFileError, match=r"weights.npz: weight_0 must be an array of numbers \(Python objects"):
        linnet.load_model(path)


def test_errors_are_value_errors():
    assert issubclass(ModelFileError, ValueError)


@pytest.mark.parametrize("name", ["m.h5", "m.hdf5", "model", "m.txt"])
def test_save_refuses_an_extension_it_does_not_write_as_keras_3_does(tmp_path, name):
    """m.h5 was written as linnet's zip (not the HDF5 its name says), 'model' and m.txt silently."""
    model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1)])
    with pytest.raises(ValueError, match=r"Invalid filepath extension for saving.*\.linnet.*\.keras.*Received: path="):
        model.save(tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_loading_a_folder_says_it_is_a_folder(tmp_path):
    with pytest.raises(IsADirectoryError, match="is a folder, not a model file"):
        linnet.load_model(tmp_path)

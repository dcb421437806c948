"""Model files that trust nothing: the red-team cases of issue 13, each refused with a ``ModelFileError`` naming
the field, cheaply (memory measured with tracemalloc), even when the forger recomputed every SHA-256."""

import hashlib
import io
import json
import os
import signal
import stat
import struct
import subprocess
import sys
import tracemalloc
import zipfile
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import linnet
from linnet import _atomic, keras
from linnet.cli.main import main
from linnet.saving.model_file import ModelFileError

X = np.arange(24, dtype=np.float32).reshape(12, 2) / 10
Y = X @ np.array([1.5, -2.0], np.float32) + 0.25


def trained(names=("rooms", "age")):
    linnet.random.set_seed(3)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("adam", "mse")
    model.fit(X, Y, epochs=2, batch_size=4, verbose=0)
    model.training_config["feature_names"] = list(names)
    return model


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "m.linnet"
    trained().save(path)
    return path


def members(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def canonical_digest(metadata):
    body = {k: v for k, v in metadata.items() if k != "sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def forge(path, config=None, metadata=None, arrays=None, redigest=True):
    """Edit the file as a forger would: change members, then recompute every digest (unless ``redigest`` is off)."""
    contents = members(path)
    parsed = {name: json.loads(contents[name]) for name in ("config.json", "metadata.json")}
    if config:
        config(parsed["config.json"])
    if metadata:
        metadata(parsed["metadata.json"])
    if arrays:
        with np.load(io.BytesIO(contents["weights.npz"])) as data:
            values = {name: data[name] for name in data.files}
        arrays(values)
        buffer = io.BytesIO()
        np.savez(buffer, **values)
        contents["weights.npz"] = buffer.getvalue()
    if config:
        contents["config.json"] = json.dumps(parsed["config.json"]).encode()
    digests = parsed["metadata.json"]["sha256"]
    if redigest:
        digests["config.json"] = hashlib.sha256(contents["config.json"]).hexdigest()
        digests["weights.npz"] = hashlib.sha256(contents["weights.npz"]).hexdigest()
        digests["metadata.json"] = canonical_digest(parsed["metadata.json"])
    contents["metadata.json"] = json.dumps(parsed["metadata.json"]).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)


def refused_cheaply(path, match, most_bytes=8 * 2**20):
    """Load ``path``: it must raise ModelFileError matching ``match`` while allocating < ``most_bytes``."""
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match=match):
            linnet.load_model(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < most_bytes, f"refusing took {peak} bytes"


@pytest.mark.parametrize("dim", [10**12, 300_000_000, 1_000_001, 0, -1, 2.0, True, "2", None])
def test_a_declared_input_dim_out_of_range_is_refused_before_anything_is_allocated(saved, dim):
    forge(saved, config=lambda c: c["model"].update(input_dim=dim))
    refused_cheaply(saved, r"config.json: model.input_dim must be an integer from 1 to 1000000")


def test_a_dense_layer_declaring_too_many_weights_is_refused_before_building(saved):
    forge(saved, config=lambda c: c["model"]["layers"][0]["config"].update(units=10**9))
    refused_cheaply(saved, r"config.json: model.layers\[0\] \('dense.*'\) must be a layer keeping the model within "
                           r"10000000 weights .*Received: 1000000000")


@pytest.mark.parametrize(("value", "message"), [
    (np.array(np.inf), r"optimizer/iterations must be an integer count from 0 to 9007199254740992"),
    (np.array(2**60), r"optimizer/iterations must be an integer count .*Received: '1152921504606846976"),
    (np.array(-1), r"optimizer/iterations must be an integer count"),
    (np.array([1, 2]), r"optimizer/iterations must be an array of shape \(\)"),
])
def test_an_impossible_step_count_is_refused(saved, value, message):
    forge(saved, arrays=lambda a: a.update({"optimizer/iterations": value}))
    refused_cheaply(saved, "weights.npz: " + message)


@pytest.mark.parametrize("slot", ["optimizer/momentum", "optimizer/velocity", "weight_0"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_weights_or_optimizer_state_are_refused_naming_the_array(saved, slot, bad):
    def poison(arrays):
        arrays[slot] = arrays[slot].copy()
        arrays[slot].flat[0] = bad
    forge(saved, arrays=poison)
    refused_cheaply(saved, rf"weights.npz: {slot} must be finite values \(no NaN or infinity\). Received: '1 non")


def test_a_non_positive_learning_rate_in_the_state_is_refused(saved):
    forge(saved, arrays=lambda a: a.update({"optimizer/learning_rate": np.float32(-0.1)}))
    refused_cheaply(saved, r"weights.npz: optimizer/learning_rate must be a positive number")


def test_an_npy_header_declaring_a_huge_array_is_refused_from_the_header(saved):
    contents = members(saved)
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f4", "fortran_order": False, "shape": (10**6, 10**6)})
    weights = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(contents["weights.npz"])) as old, zipfile.ZipFile(weights, "w") as new:
        for name in old.namelist():
            new.writestr(name, header.getvalue() + bytes(8) if name == "weight_0.npy"
                         else old.read(name))
    contents["weights.npz"] = weights.getvalue()
    with zipfile.ZipFile(saved, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    forge(saved)  # digests recomputed
    refused_cheaply(saved, r"weights.npz: weight_0 must be an array of shape \(2, 1\). Received: 'an array of "
                           r"shape \(1000000, 1000000\)'")


@pytest.mark.parametrize(("training", "field"), [
    ([1, 2], "training must be an object or null"),
    ({"epochs": -3}, "training.epochs must be an integer from 0"),
    ({"epochs": float("inf")}, "training.epochs must be an integer"),
    ({"batch_size": "8"}, "training.batch_size must be an integer"),
    ({"validation_split": 2.0}, "training.validation_split must be a finite number from 0.0 to 1.0"),
    ({"feature_names": ["a"]}, "training.feature_names must be 2 distinct names"),
    ({"feature_names": ["a", "a"]}, "training.feature_names must be 2 distinct names"),
    ({"feature_names": "ab"}, "training.feature_names must be a list"),
    ({"anything": {"nested": 1}}, "training.anything must be null, true/false, a finite number"),
])
def test_invalid_training_metadata_is_refused_naming_the_field(saved, training, field):
    forge(saved, metadata=lambda m: m.update(training=training))
    refused_cheaply(saved, "metadata.json: " + field)


@pytest.mark.parametrize(("history", "field"), [
    ([0.5], "history must be an object or null"),
    ({"loss": [0.5, "x" * 2000]}, r"history.loss\[1\] must be a non-empty string"),
    ({"loss": [1.0, 2.0], "mae": [1.0]}, "history must be one list per metric, all of the same length"),
])
def test_invalid_history_is_refused_naming_the_field(saved, history, field):
    forge(saved, metadata=lambda m: m.update(history=history))
    refused_cheaply(saved, "metadata.json: " + field)


@pytest.mark.parametrize("command", ["predict", "inspect"])
def test_the_cli_reports_a_bad_training_field_in_one_line(saved, command, capsys):
    forge(saved, metadata=lambda m: m.update(training=[1, 2]))
    argv = [command, str(saved)] + (["--x", "1", "2"] if command == "predict" else [])
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert error.startswith("linnet: error: ") and "metadata.json: training must be an object or null" in error
    assert "Traceback" not in error


def swap_names(metadata):
    metadata["training"]["feature_names"].reverse()


def test_swapped_feature_names_fail_the_metadata_digest(saved):
    forge(saved, metadata=swap_names, redigest=False)
    refused_cheaply(saved, "metadata.json does not match the SHA-256 recorded in metadata.json")


def test_swapped_feature_names_with_a_recomputed_digest_contradict_the_config(saved):
    forge(saved, metadata=swap_names)
    refused_cheaply(saved, r"metadata.json: training.feature_names must be the feature names config.json records, "
                           r"\['rooms', 'age'\]. Received: \['age', 'rooms'\]")


def test_predict_input_uses_the_columns_named_in_the_file_and_refuses_missing_ones(saved, tmp_path, capsys):
    table = tmp_path / "rows.csv"
    table.write_text("age,rooms,other\n1,2,9\n3,4,9\n")
    assert main(["predict", str(saved), "--input", str(table)]) == 0
    printed = np.array(capsys.readouterr().out.split(), float)
    expected = linnet.load_model(saved).predict(np.array([[2, 1], [4, 3]], np.float32)).ravel()
    np.testing.assert_allclose(printed, expected, rtol=1e-5)  # rooms then age, whatever the file's order
    table.write_text("age,size\n1,2\n")
    assert main(["predict", str(saved), "--input", str(table)]) == 2
    assert "rooms" in capsys.readouterr().err


def spaces_deflated(size):
    """``(raw deflate stream, crc32)`` of ``size`` spaces, built from one compressed MiB: after a full flush the
    compressor forgets its history, so every further MiB compresses to the same bytes."""
    chunk, compressor = b" " * 2**20, zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(size // len(chunk)):
        crc = zlib.crc32(chunk, crc)
    return block * (size // len(chunk)) + compressor.flush(), crc


def bomb(path, size=2**30):
    """A zip (written field by field) whose config.json inflates to ``size`` bytes of spaces from ~1 MB."""
    config, crc = spaces_deflated(size)
    entries = [("config.json", config, crc, size)]
    for name, data in (("metadata.json", b"{}"), ("weights.npz", b"")):
        entries.append((name, zlib.compress(data)[2:-4], zlib.crc32(data), len(data)))
    local, central = b"", b""
    for name, data, checksum, length in entries:
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, checksum, len(data), length, len(name), 0)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, checksum, len(data), length,
                               len(name), 0, 0, 0, 0, 0, len(local)) + name.encode()
        local += header + name.encode() + data
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), len(local), 0)
    path.write_bytes(local + central + end)


def test_a_config_bomb_is_refused_from_the_directory_without_inflating(tmp_path):
    path = tmp_path / "bomb.linnet"
    bomb(path)
    assert path.stat().st_size < 2 * 2**20
    with zipfile.ZipFile(path) as archive, archive.open("config.json") as stream:  # a genuine bomb
        assert stream.read(2**20) == b" " * 2**20
    refused_cheaply(path, r"config.json declares 1073741824 bytes uncompressed \(\d+ stored\); at most 67108864")


def test_a_keras_config_bomb_is_refused_too(tmp_path):
    path = tmp_path / "bomb.keras"
    bomb(path, size=2**27)
    refused_cheaply(path, r"metadata.json|config.json declares 134217728 bytes")


def test_the_folder_is_fsynced_after_the_rename(tmp_path, monkeypatch):
    synced = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(stat.S_ISDIR(os.fstat(fd).st_mode)), real(fd)))
    trained().save(tmp_path / "m.linnet")
    assert synced == [False, True]  # the file, then its folder


KILLED_SAVE = """
import os, sys, time
import numpy as np
import linnet
from linnet import keras
model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
model.compile("sgd", "mse")
os.replace = lambda *a: (print("written", flush=True), time.sleep(600))  # killed before the rename
model.save(sys.argv[1])
"""


def test_a_save_killed_with_sigkill_leaves_a_temporary_that_the_next_save_removes(saved):
    before = saved.read_bytes()
    process = subprocess.Popen([sys.executable, "-c", KILLED_SAVE, str(saved)], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "written"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    strays = [p.name for p in saved.parent.iterdir() if p.name != "m.linnet"]
    assert len(strays) == 1 and strays[0].startswith(f".m.linnet.{process.pid}.")
    assert saved.read_bytes() == before  # the file being replaced is intact
    trained().save(saved)
    assert sorted(p.name for p in saved.parent.iterdir()) == ["m.linnet"]


def test_a_temporary_of_a_live_process_is_left_alone(tmp_path):
    live = tmp_path / f".m.linnet.{os.getppid()}.{'a' * 12}.tmp"
    live.write_bytes(b"being written")
    trained().save(tmp_path / "m.linnet")
    assert live.exists()
    assert _atomic.remove_stale_temporaries(tmp_path / "m.linnet") == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(["training", "history", "saved_at", "linnet_version"]),
       value=st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner,
                                                                                       max_size=3), max_leaves=8))
def test_any_metadata_value_loads_or_is_refused_with_a_model_file_error(saved, field, value):
    forge(saved, metadata=lambda m: m.update({field: value}))
    try:
        linnet.load_model(saved)
    except ModelFileError as error:
        assert "metadata.json: " in str(error) and field in str(error)
    finally:
        trained().save(saved)



def test_save_refuses_what_load_would_refuse_and_writes_what_it_can(tmp_path):
    """A fit for 10**8 epochs ended early, a history holding NaN (a callback's log) and feature names of two
    columns alike: the first two saved files load_model refused or JSON could not hold; the third is refused at
    save, naming the field, and nothing is written."""
    import pandas as pd

    from linnet.keras.callbacks import Callback, EarlyStopping

    class LogsNaN(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["odd"] = float("nan")

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(X, X @ [1.0, 2.0], epochs=10**8, verbose=0,
              callbacks=[EarlyStopping(monitor="loss", min_delta=1e9, patience=0), LogsNaN()])
    model.save(tmp_path / "long.linnet")
    loaded = linnet.load_model(tmp_path / "long.linnet")
    np.testing.assert_array_equal(loaded.get_weights()[0], model.get_weights()[0])
    twice = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    twice.compile("sgd", "mse")
    twice.fit(pd.DataFrame(X, columns=["a", "a"]), X @ [1.0, 2.0], epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"load_model would refuse the file\. config.json: model.feature_names "
                                         r"must be 2 distinct names"):
        twice.save(tmp_path / "twice.linnet")
    assert not (tmp_path / "twice.linnet").exists()

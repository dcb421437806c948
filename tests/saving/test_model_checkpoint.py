"""``ModelCheckpoint`` with Keras 3's arguments in Keras 3's order, ``save_weights_only`` included, and Keras 3's
suffix rules (messages recorded from Keras 3.15.1 by ``tests/tools/record_keras_model_api.py``); the files it
writes during a real ``fit`` load back, into linnet and into Keras."""

import json

import numpy as np
import pytest
from keras_facts import RECORDED, X, Y, unannotated

import linnet
from linnet import Dense, Input, Sequential
from linnet.callbacks import ModelCheckpoint

MESSAGES = RECORDED["messages"]


def test_the_arguments_come_in_keras_order():
    """save_weights_only is fifth (mode was, in linnet 0.1), so Keras' positional calls mean the same."""
    assert unannotated(ModelCheckpoint.__init__) == RECORDED["signatures"]["ModelCheckpoint"]
    assert MESSAGES["checkpoint_weights_positional"] is None  # Keras accepts it ...
    checkpoint = ModelCheckpoint("m.weights.h5", "loss", 0, False, True)  # ... and so does linnet, the same way
    assert checkpoint.save_weights_only and checkpoint.mode == "auto"


@pytest.mark.parametrize(("arguments", "recorded"), [
    ({"filepath": "m.keras", "save_weights_only": True}, "checkpoint_weights_suffix"),
    ({"filepath": "m.weights"}, "checkpoint_model_suffix"),
])
def test_the_suffixes_are_refused_with_keras_words(arguments, recorded):
    keras_message = MESSAGES[recorded]["message"]
    with pytest.raises(ValueError) as refused:
        ModelCheckpoint(**arguments)
    message = str(refused.value)
    assert message.endswith(keras_message.split("Received: ")[1])  # the same filepath named ...
    assert message.startswith(keras_message.split(" (Keras")[0])  # ... after Keras' own words


def test_whole_models_go_to_keras_or_linnet_files_and_h5_is_refused():
    """Keras 3.15.1 takes .h5 for a whole model (legacy HDF5, recorded: no error); linnet does not write it."""
    assert MESSAGES["checkpoint_h5_whole_model"] is None
    for name in ("m.keras", "m.linnet", "m.weights.h5"):
        assert ModelCheckpoint(name, save_weights_only=name.endswith(".weights.h5")).filepath == name
    with pytest.raises(ValueError, match=r"\(\.h5, Keras 2's HDF5 format, is not written\)"):
        ModelCheckpoint("m.h5")
    with pytest.raises(TypeError, match=r"save_weights_only must be True or False\. Received: save_weights_only=1"):
        ModelCheckpoint("m.weights.h5", save_weights_only=1)


def fitted(callbacks, epochs=3):
    """SGD from zero weights on the recorded data; the weights after each epoch."""
    model = Sequential([Input((2,)), Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer=linnet.optimizers.SGD(0.05), loss="mse")
    weights = []
    recorder = linnet.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: weights.append(model.get_weights()))
    history = model.fit(X, Y, epochs=epochs, batch_size=8, shuffle=False, verbose=0, validation_split=0.25,
                        callbacks=[recorder, *callbacks])
    return model, weights, history


def test_save_weights_only_writes_weights_files_each_epoch_that_load_back(tmp_path):
    pattern = str(tmp_path / "ckpt-{epoch:02d}.weights.h5")
    _, weights, _ = fitted([ModelCheckpoint(pattern, monitor="val_loss", save_weights_only=True)])
    assert sorted(path.name for path in tmp_path.iterdir()) == [f"ckpt-0{e}.weights.h5" for e in (1, 2, 3)]
    for epoch, expected in enumerate(weights, start=1):
        model = Sequential([Input((2,)), Dense(1)])
        model.load_weights(pattern.format(epoch=epoch))
        for got, saved in zip(model.get_weights(), expected, strict=True):
            np.testing.assert_array_equal(got, saved)


def test_whole_model_checkpoints_in_keras_format_load_back(tmp_path):
    best = tmp_path / "best.keras"
    model, weights, history = fitted([ModelCheckpoint(best, save_best_only=True)])
    loaded = linnet.load_model(best)
    epoch = int(np.argmin(history.history["val_loss"]))
    for got, saved in zip(loaded.get_weights(), weights[epoch], strict=True):
        np.testing.assert_array_equal(got, saved)
    assert type(loaded.optimizer) is type(model.optimizer)


KERAS_LOADS = """
import json, sys, numpy as np, keras
folder = sys.argv[1]
model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
model.load_weights(folder + "/last.weights.h5")
print(json.dumps([np.asarray(w).tolist() for w in model.get_weights()]))
"""


def test_keras_loads_the_weights_checkpoint(tmp_path, keras_script):
    model, _, _ = fitted([ModelCheckpoint(tmp_path / "last.weights.h5", save_weights_only=True)])
    for got, expected in zip(json.loads(keras_script(KERAS_LOADS)), model.get_weights(), strict=True):
        np.testing.assert_array_equal(np.asarray(got, np.float32), expected)

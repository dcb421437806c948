"""Record what real Keras 3 does with the model-file API linnet mirrors: ``save_weights``/``load_weights``,
``ModelCheckpoint(save_weights_only=...)``, ``get_config``/``from_config``, ``to_json``/``model_from_json``.

Not part of the test suite (it needs Keras and TensorFlow): ``tests/saving/test_model_api.py`` reads what this
writes into ``tests/saving/fixtures/``: ``keras_model_api.json`` (configs, JSON strings, error and warning texts,
signatures, and the predictions and optimizer state of two trained models) and those models' weights files,
``keras_dense.weights.h5`` and ``keras_normalization.weights.h5``. Re-record with the Keras venv:

    /work/bench-venv/bin/python tests/tools/record_keras_model_api.py

Every model is made after ``keras.backend.clear_session()``, so that its names are a fresh process's
(``sequential``, ``input_layer``, ``dense``), the names linnet's tests give their models.
"""

from __future__ import annotations

import inspect
import json
import os
import sys
import warnings
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import numpy as np

FIXTURES = Path(__file__).resolve().parents[1] / "saving" / "fixtures"
RNG = np.random.default_rng(5)
X = RNG.normal(size=(20, 2)).astype(np.float32)
Y = (X @ np.array([[1.5], [-2.0]]) + 0.7).astype(np.float32)


def fresh(layers, name="sequential"):
    keras.backend.clear_session()
    return keras.Sequential(layers(), name=name)


def input_dense():
    return [keras.Input((2,)), keras.layers.Dense(1)]


def tutorial():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Do not pass an `input_shape`/`input_dim` argument to a layer"
        return [keras.layers.Dense(1, input_shape=[1])]


def error(call):
    try:
        call()
    except Exception as exc:  # recording whatever Keras raises
        return {"type": type(exc).__name__, "message": str(exc)}
    return None


def trained(layers, optimizer):
    """A model of ``layers`` trained 2 epochs (batch 8, no shuffle) from seed 1, its weights file written."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(1)
    model = keras.Sequential(layers())
    model.compile(optimizer=optimizer, loss="mse")
    model.fit(X, Y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    return model


def normalized():
    normalization = keras.layers.Normalization()
    normalization.adapt(X)
    return [keras.Input((2,)), normalization, keras.layers.Dense(1), keras.layers.Activation("linear")]


def weights_files():
    """Two trained models' weights files, with what loading them must give."""
    results = {}
    for name, layers, optimizer in (("keras_dense", input_dense, keras.optimizers.Adam(0.05)),
                                    ("keras_normalization", normalized,
                                     keras.optimizers.SGD(0.05, momentum=0.9))):
        model = trained(layers, optimizer)
        model.save_weights(FIXTURES / f"{name}.weights.h5")
        results[name] = {"prediction": model.predict(X, verbose=0)[:, 0].tolist(),
                         "weights": [np.asarray(w).tolist() for w in model.get_weights()],
                         "optimizer": [np.asarray(v).tolist() for v in model.optimizer.variables]}
    return results


def skip_warning():
    """The warning of ``load_weights`` into a compiled model whose optimizer is not built yet."""
    model = fresh(input_dense)
    model.compile(optimizer="adam", loss="mse")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.load_weights(FIXTURES / "keras_dense.weights.h5")
    return [str(w.message) for w in caught]


def messages():
    model = fresh(input_dense)
    unbuilt = fresh(lambda: [keras.layers.Dense(1)])
    checkpoint = keras.callbacks.ModelCheckpoint
    return {
        "save_weights_suffix": error(lambda: model.save_weights("model.keras")),
        "load_weights_suffix": error(lambda: model.load_weights("model.npz")),
        "save_weights_unbuilt": error(lambda: unbuilt.save_weights("m.weights.h5")),
        "load_weights_unbuilt": error(lambda: unbuilt.load_weights(FIXTURES / "keras_dense.weights.h5")),
        "checkpoint_weights_suffix": error(lambda: checkpoint("m.keras", save_weights_only=True)),
        "checkpoint_model_suffix": error(lambda: checkpoint("m.weights")),
        "checkpoint_weights_positional": error(lambda: checkpoint("m.weights.h5", "loss", 0, False, True)),
        "checkpoint_h5_whole_model": error(lambda: checkpoint("m.h5")),
        "from_config_without_name": error(lambda: keras.Sequential.from_config({"layers": []})),
        "optimizer_skipped": skip_warning(),
    }


def signatures():
    functions = {"save_weights": keras.Model.save_weights, "load_weights": keras.Model.load_weights,
                 "to_json": keras.Model.to_json, "from_config": keras.Sequential.from_config,
                 "ModelCheckpoint": keras.callbacks.ModelCheckpoint.__init__,
                 "clone_model": keras.models.clone_model, "model_from_json": keras.models.model_from_json}
    return {name: str(inspect.signature(function)) for name, function in functions.items()}


def configs():
    compiled = fresh(input_dense)
    compiled.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    return {"get_config": {"input_dense": fresh(input_dense).get_config(), "tutorial": fresh(tutorial).get_config(),
                           "unbuilt": fresh(lambda: [keras.layers.Dense(1)]).get_config(),
                           "normalization": fresh(normalized).get_config()},
            "to_json": {"input_dense": fresh(input_dense).to_json(), "compiled": compiled.to_json(),
                        "tutorial": fresh(tutorial).to_json()}}


def main():
    recorded = {"recorded_with": {"keras": keras.__version__, "backend": keras.backend.backend(),
                                  "python": sys.version.split()[0]},
                "data": {"x": X.tolist(), "y": Y[:, 0].tolist()},
                "weights_files": weights_files(), **configs(), "messages": messages(), "signatures": signatures()}
    (FIXTURES / "keras_model_api.json").write_text(json.dumps(recorded, indent=1) + "\n")
    print(f"wrote {FIXTURES}")


if __name__ == "__main__":
    main()

"""The Keras side of the round-trip tests, run by ``test_keras_file.py`` in a subprocess with real Keras 3
(``KERAS_BACKEND=jax``, so that ``fit`` works).

``python keras_side.py make <folder>``: train one model per optimizer in Keras, save ``<name>.keras``, then
train one more epoch and save what Keras had at the save and after it to ``<name>.npz``.
``python keras_side.py load <folder>``: open every ``<name>.keras`` written by linnet, and save to
``<name>.npz`` the predictions, the optimizer variables and config, and the weights after one more epoch.
Both use the data in ``<folder>/data.npz`` (x, y) and batch 8 without shuffling; ``make`` the optimizers
of ``<folder>/optimizers.json``.
"""

import json
import sys
from pathlib import Path

import keras
import numpy as np


def optimizers(folder):
    """name -> a fresh Keras optimizer, from ``<folder>/optimizers.json`` (class name and arguments)."""
    table = json.loads((folder / "optimizers.json").read_text())
    return {name: (lambda kind=kind, kwargs=kwargs: getattr(keras.optimizers, kind)(**kwargs))
            for name, (kind, kwargs) in table.items()}


def continue_one_epoch(model, x, y):
    model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    return list(model.get_weights())


def state(model):
    return {f"opt_{i}": np.asarray(v.value if hasattr(v, "value") else v) for i, v in
            enumerate(model.optimizer.variables)}


def make(folder, x, y):
    for name, optimizer in optimizers(folder).items():
        keras.utils.set_random_seed(1)
        normalization = keras.layers.Normalization()
        normalization.adapt(x)
        model = keras.Sequential([keras.Input((x.shape[1],)), normalization, keras.layers.Dense(1),
                                  keras.layers.Activation("linear")])
        model.compile(optimizer=optimizer(), loss="mse", metrics=["mae"])
        model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
        model.save(folder / f"{name}.keras")
        saved = {"prediction": model.predict(x, verbose=0), **state(model)}
        after = continue_one_epoch(model, x, y)
        np.savez(folder / f"{name}.npz", **saved, **{f"after_{i}": w for i, w in enumerate(after)})


def load(folder, x, y):
    for path in sorted(folder.glob("*.keras")):
        model = keras.saving.load_model(path)
        config = model.get_compile_config()
        report = {"prediction": model.predict(x, verbose=0), **state(model),
                  "config": np.array(json.dumps({"optimizer": model.optimizer.get_config(),
                                                 "metrics": config["metrics"], "loss": str(config["loss"])},
                                                default=str))}
        after = continue_one_epoch(model, x, y)
        np.savez(path.with_suffix(".npz"), **report, **{f"after_{i}": w for i, w in enumerate(after)})


if __name__ == "__main__":
    mode, folder = sys.argv[1], Path(sys.argv[2])
    data = np.load(folder / "data.npz")
    {"make": make, "load": load}[mode](folder, data["x"], data["y"])
    print(keras.__version__)

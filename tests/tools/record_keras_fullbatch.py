"""Record Keras 3 ``batch_size=n`` runs for tests/engine/test_fullbatch.py (keras 3.15.1, TensorFlow 2.21 CPU).

    python tests/tools/record_keras_fullbatch.py > tests/engine/keras_fullbatch.json

The data is ``fullbatch_cases.regression_data(0, 700, 4)``, the rows the test trains on.
"""

import json
import os
import sys
from pathlib import Path

os.environ["CUDA_VISIBLE_DEVICES"] = ""
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))

import keras
from fullbatch_cases import regression_data

OPTIMIZERS = {"sgd": lambda: keras.optimizers.SGD(0.05), "momentum": lambda: keras.optimizers.SGD(0.05, 0.9),
              "rmsprop": lambda: keras.optimizers.RMSprop(0.05), "adam": lambda: keras.optimizers.Adam(0.05)}


def main() -> None:
    x, y = regression_data(0, 700, 4)
    recorded = {}
    for name, make in OPTIMIZERS.items():
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, kernel_initializer="ones")])
        model.compile(make(), "mse")
        history = model.fit(x, y, batch_size=700, epochs=40, verbose=0, shuffle=False)
        kernel, bias = model.get_weights()
        recorded[name] = {"loss": [float(v) for v in history.history["loss"]], "kernel": kernel.ravel().tolist(),
                          "bias": float(bias[0])}
    print(json.dumps(recorded))


if __name__ == "__main__":
    main()

"""Record real Keras 3's numbers for fit's sample_weight, validation_freq, validation_batch_size, weighted
metrics and Dense regularizers into a JSON fixture (issue 13).

Not part of the test suite (it needs Keras and TensorFlow): ``tests/engine/test_keras_fit_arguments.py`` reads
the fixture this writes, ``tests/engine/keras_fit_arguments.json``. Re-record with the Keras venv:

    /work/bench-venv/bin/python tests/tools/record_keras_fit_arguments.py

Each case is stored with its definition (data seed, model, compile and fit arguments), so the linnet test
rebuilds it from the fixture alone. ``shuffle=False`` everywhere: the data order is then the same in both.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import numpy as np

FIXTURE = Path(__file__).resolve().parents[1] / "engine" / "keras_fit_arguments.json"

CASES = {
    "sample_weight with a validation tail": {
        "optimizer": ["SGD", {"learning_rate": 0.05}], "regularizers": {},
        "compile": {"metrics": ["mae"], "weighted_metrics": ["mae", "mse"]},
        "fit": {"batch_size": 8, "epochs": 3, "validation_split": 0.25, "sample_weight": True}},
    "validation_freq 2 with weighted validation_data": {
        "optimizer": ["Adam", {"learning_rate": 0.05}], "regularizers": {},
        "compile": {"weighted_metrics": ["mse"]},
        "fit": {"batch_size": 8, "epochs": 5, "validation_data": True, "validation_freq": 2,
                "validation_batch_size": 5, "sample_weight": True}},
    "validation_freq list": {
        "optimizer": ["RMSprop", {"learning_rate": 0.02}], "regularizers": {}, "compile": {},
        "fit": {"batch_size": 16, "epochs": 4, "validation_split": 0.25, "validation_freq": [1, 4]}},
    "l2 kernel": {
        "optimizer": ["SGD", {"learning_rate": 0.05}], "regularizers": {"kernel": ["L2", {"l2": 0.1}]},
        "compile": {"metrics": ["mse"]},
        "fit": {"batch_size": 8, "epochs": 3, "validation_split": 0.25}},
    "l1l2 kernel, l1 bias, weighted": {
        "optimizer": ["Adam", {"learning_rate": 0.05}],
        "regularizers": {"kernel": ["L1L2", {"l1": 0.05, "l2": 0.02}], "bias": ["L1", {"l1": 0.1}]},
        "compile": {"weighted_metrics": ["mae"]},
        "fit": {"batch_size": 8, "epochs": 4, "validation_split": 0.25, "sample_weight": True}},
    "l2 by name, momentum": {
        "optimizer": ["SGD", {"learning_rate": 0.02, "momentum": 0.9}], "regularizers": {"kernel": "l2",
                                                                                        "bias": "l2"},
        "compile": {}, "fit": {"batch_size": 10, "epochs": 3}},
}
START = {"kernel": [[0.8], [-0.6]], "bias": [0.5]}


def data():
    """40 training rows of 2 features, their weights, and 10 validation rows (x, y, weights), float32."""
    rng = np.random.default_rng(13)
    x = rng.normal(size=(50, 2)).astype(np.float32)
    y = (x @ np.array([[1.5], [-2.0]]) + 0.7 + 0.3 * rng.normal(size=(50, 1))).astype(np.float32)
    w = rng.uniform(0.0, 2.0, size=50).astype(np.float32)
    return {"x": x[:40].tolist(), "y": y[:40, 0].tolist(), "w": w[:40].tolist(),
            "x_val": x[40:].tolist(), "y_val": y[40:, 0].tolist(), "w_val": w[40:].tolist()}


def regularizer(spec):
    if spec is None or isinstance(spec, str):
        return spec
    return getattr(keras.regularizers, spec[0])(**spec[1])


def run(case, arrays):
    regs = case["regularizers"]
    dense = keras.layers.Dense(1, kernel_regularizer=regularizer(regs.get("kernel")),
                               bias_regularizer=regularizer(regs.get("bias")))
    model = keras.Sequential([keras.Input((2,)), dense])
    model.set_weights([np.array(START["kernel"], np.float32), np.array(START["bias"], np.float32)])
    name, config = case["optimizer"]
    model.compile(optimizer=getattr(keras.optimizers, name)(**config), loss="mse", **case["compile"])
    fit = dict(case["fit"])
    x, y, w = (np.array(arrays[key], np.float32) for key in ("x", "y", "w"))
    if fit.pop("sample_weight", False):
        fit["sample_weight"] = w
    if fit.pop("validation_data", False):
        fit["validation_data"] = tuple(np.array(arrays[key], np.float32) for key in ("x_val", "y_val", "w_val"))
    history = model.fit(x, y, shuffle=False, verbose=0, **fit).history
    evaluated = model.evaluate(x, y, sample_weight=w, verbose=0, return_dict=True)
    return {"history": {k: [float(v) for v in values] for k, values in history.items()},
            "weights": [w.tolist() for w in model.get_weights()],
            "evaluate_weighted": {k: float(v) for k, v in evaluated.items()},
            "dense_config": {k: dense.get_config()[k] for k in ("kernel_regularizer", "bias_regularizer")}}


def main():
    keras.utils.set_random_seed(0)
    arrays = data()
    results = {name: {**case, "result": run(case, arrays)} for name, case in CASES.items()}
    fixture = {"recorded_with": {"keras": keras.__version__, "backend": keras.backend.backend(),
                                 "python": sys.version.split()[0]},
               "start": START, "data": arrays, "cases": results}
    FIXTURE.write_text(json.dumps(fixture, separators=(",", ":")) + "\n")
    print(f"wrote {FIXTURE}")


if __name__ == "__main__":
    main()

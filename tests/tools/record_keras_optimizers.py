"""Record real Keras 3's numbers for the schedules and optimizer features of issue 13 into a JSON fixture.

Not part of the test suite (it needs Keras and TensorFlow): ``tests/engine/test_keras_recorded.py`` reads the
fixture this writes, ``tests/engine/keras_optimizer_features.json``. Re-record with the Keras venv:

    /work/bench-venv/bin/python tests/tools/record_keras_optimizers.py

The cases are defined here once and stored in the fixture with their results, so the linnet test builds the
same schedules, optimizers and models from the fixture alone. The TensorFlow backend is used, as in
KERAS_FACTS.md; every number is float32 in Keras.
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))
from optimizer_cases import build_optimizer, exclude

FIXTURE = Path(__file__).resolve().parents[1] / "engine" / "keras_optimizer_features.json"

START = [0.8, -0.6, 0.5]  # kernel (2, 1) then bias (1,), like Dense(1) on 2 features
GRADS = [[1.5, -0.4, 0.9], [1.2, -0.7, -0.3], [0.6, 0.2, 1.1], [-0.5, -0.9, 0.4], [2.0, 0.3, -1.2],
         [0.3, 1.4, -0.8], [-1.1, 0.5, 0.7], [0.9, -1.3, 0.2]]
RATES = [0.1, 0.05, 0.2, 0.02, 0.08, 0.15, 0.03, 0.1]  # what the callable learning rate returns before step k

SCHEDULES = {
    "polynomial linear": ["PolynomialDecay", {"initial_learning_rate": 0.05, "decay_steps": 10,
                                              "end_learning_rate": 0.001}],
    "polynomial sqrt cycle": ["PolynomialDecay", {"initial_learning_rate": 0.05, "decay_steps": 7,
                                                  "end_learning_rate": 0.001, "power": 0.5, "cycle": True}],
    "polynomial power 2": ["PolynomialDecay", {"initial_learning_rate": 0.3, "decay_steps": 12.5, "power": 2.0}],
    "cosine": ["CosineDecay", {"initial_learning_rate": 1.0, "decay_steps": 25}],
    "cosine alpha": ["CosineDecay", {"initial_learning_rate": 0.05, "decay_steps": 10, "alpha": 0.1}],
    "cosine warmup": ["CosineDecay", {"initial_learning_rate": 0.0, "decay_steps": 20, "alpha": 0.05,
                                      "warmup_target": 0.2, "warmup_steps": 8}],
    "cosine warmup from nonzero": ["CosineDecay", {"initial_learning_rate": 0.01, "decay_steps": 9,
                                                   "warmup_target": 0.1, "warmup_steps": 5}],
    "restarts": ["CosineDecayRestarts", {"initial_learning_rate": 1.0, "first_decay_steps": 5}],
    "restarts t_mul 1": ["CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 4,
                                                 "t_mul": 1.0, "m_mul": 0.9, "alpha": 0.1}],
    "restarts t_mul 3": ["CosineDecayRestarts", {"initial_learning_rate": 0.05, "first_decay_steps": 3,
                                                 "t_mul": 3.0, "m_mul": 0.5, "alpha": 0.2}],
}
SCHEDULE_STEPS = [*range(24), 26, 31, 40, 57, 100, 999, 1500]

STEP_CASES = {
    "sgd callable rate": {"optimizer": "SGD", "config": {"momentum": 0.5}, "callable_rate": True},
    "adamw callable rate": {"optimizer": "AdamW", "config": {"weight_decay": 0.3}, "callable_rate": True},
    "adam ema": {"optimizer": "Adam", "config": {"learning_rate": 0.1, "use_ema": True, "ema_momentum": 0.9}},
    "sgd ema overwrite 3": {"optimizer": "SGD", "config": {"learning_rate": 0.1, "momentum": 0.9, "use_ema": True,
                                                           "ema_momentum": 0.8, "ema_overwrite_frequency": 3}},
    "rmsprop ema overwrite 1": {"optimizer": "RMSprop", "config": {"learning_rate": 0.05, "use_ema": True,
                                                                   "ema_overwrite_frequency": 1}},
    "sgd accumulation 3": {"optimizer": "SGD", "config": {"learning_rate": 0.1, "gradient_accumulation_steps": 3}},
    "adam accumulation 2 schedule": {"optimizer": "Adam", "config": {"gradient_accumulation_steps": 2},
                                     "schedule": "polynomial sqrt cycle"},
    "adamw accumulation 3 clipnorm": {"optimizer": "AdamW", "config": {
        "learning_rate": 0.1, "weight_decay": 0.2, "gradient_accumulation_steps": 3, "clipnorm": 0.5}},
    "nadam accumulation 2": {"optimizer": "Nadam", "config": {"learning_rate": 0.05,
                                                              "gradient_accumulation_steps": 2}},
    "sgd accumulation 2 ema": {"optimizer": "SGD", "config": {"learning_rate": 0.1, "gradient_accumulation_steps": 2,
                                                              "use_ema": True, "ema_momentum": 0.5,
                                                              "ema_overwrite_frequency": 2}},
    "adamw exclude bias by name": {"optimizer": "AdamW", "config": {"learning_rate": 0.1, "weight_decay": 0.5},
                                   "exclude": {"var_names": ["bias"]}},
    "sgd exclude by substring": {"optimizer": "SGD", "config": {"learning_rate": 0.1, "weight_decay": 0.5},
                                 "exclude": {"var_names": ["ern"]}},
    "adam exclude kernel by object": {"optimizer": "Adam", "config": {"learning_rate": 0.1, "weight_decay": 0.5},
                                      "exclude": {"var_list": ["kernel"]}},
    "sgd cosine warmup": {"optimizer": "SGD", "config": {"weight_decay": 0.1}, "schedule": "cosine warmup"},
    "rmsprop restarts": {"optimizer": "RMSprop", "config": {}, "schedule": "restarts t_mul 3"},
}

X = [[i / 4.0, float(i % 3 - 1)] for i in range(14)]
Y = [2.0 * a - b + 0.5 + 0.1 * (-1) ** i for i, (a, b) in enumerate(X)]
FIT = {"batch_size": 4, "epochs": 3, "shuffle": False}
FIT_CASES = {
    "sgd ema": {"optimizer": "SGD", "config": {"learning_rate": 0.05, "use_ema": True, "ema_momentum": 0.9}},
    "adam ema overwrite 4": {"optimizer": "Adam", "config": {"learning_rate": 0.1, "use_ema": True,
                                                             "ema_momentum": 0.8, "ema_overwrite_frequency": 4}},
    "adamw accumulation exclude bias": {"optimizer": "AdamW", "config": {
        "learning_rate": 0.1, "weight_decay": 0.2, "gradient_accumulation_steps": 2},
     "exclude": {"var_names": ["bias"]}},
    "sgd callable": {"optimizer": "SGD", "config": {"momentum": 0.3}, "constant_callable_rate": 0.04},
    "rmsprop cosine warmup": {"optimizer": "RMSprop", "config": {}, "schedule": "cosine warmup"},
    "sgd polynomial cycle": {"optimizer": "SGD", "config": {"momentum": 0.5}, "schedule": "polynomial sqrt cycle"},
    "adam restarts": {"optimizer": "Adam", "config": {}, "schedule": "restarts t_mul 3"},
}
NAMES = ["Adam", "Adam", "SGD", "SGD", "AdamW", "AdamW", "RMSprop", "Nadam", "Adamax", "Adagrad", "Adam"]


def schedule(name: str):
    class_name, config = SCHEDULES[name]
    return getattr(keras.optimizers.schedules, class_name)(**config)


def optimizer(case: dict, rate: list[float] | None = None):
    return build_optimizer(case, keras.optimizers, SCHEDULES, rate)


def f32(value) -> float:
    """The float32 ``value`` as its shortest decimal, which reads back to the same float32."""
    return float(str(np.float32(value)))


def flat(arrays) -> list[float]:
    return [f32(v) for a in arrays for v in np.asarray(a).ravel()]


def record_steps(case: dict) -> dict:
    rate = [RATES[0]]
    opt = optimizer(case, rate)
    kernel = keras.Variable(np.array(START[:2], "float32").reshape(2, 1), name="kernel")
    bias = keras.Variable(np.array(START[2:], "float32"), name="bias")
    exclude(opt, case, {"kernel": kernel, "bias": bias})
    result = {"params": [], "iterations": [], "average": []}
    for k, g in enumerate(GRADS):
        rate[0] = RATES[k]
        grads = [np.array(g[:2], "float32").reshape(2, 1), np.array(g[2:], "float32")]
        opt.apply_gradients(zip(grads, [kernel, bias]))
        result["params"].append(flat([kernel, bias]))
        result["iterations"].append(int(opt.iterations))
        if opt.use_ema:
            result["average"].append(flat(opt._model_variables_moving_average))
    opt.finalize_variable_values([kernel, bias])
    result["finalized"] = flat([kernel, bias])
    return result


def record_fit(case: dict) -> dict:
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.set_weights([np.array(START[:2], "float32").reshape(2, 1), np.array(START[2:], "float32")])
    opt = optimizer(case)
    exclude(opt, case, {})
    model.compile(optimizer=opt, loss="mse")
    history = model.fit(np.array(X, "float32"), np.array(Y, "float32"), verbose=0, **FIT)
    return {"loss": [f32(v) for v in history.history["loss"]], "weights": flat(model.get_weights()),
            "iterations": int(opt.iterations)}


def main() -> None:
    names = [getattr(keras.optimizers, n)().name for n in NAMES]  # first, before any other optimizer exists
    fixture = {
        "recorded_with": {"keras": keras.__version__, "backend": keras.backend.backend(),
                          "python": sys.version.split()[0]},
        "auto_names": {"classes": NAMES, "names": names},
        "get_none": keras.optimizers.get(None),
        "schedules": {name: {"class_name": c, "config": cfg, "steps": SCHEDULE_STEPS,
                             "values": [f32(schedule(name)(s)) for s in SCHEDULE_STEPS]}
                      for name, (c, cfg) in SCHEDULES.items()},
        "steps": {"start": START, "grads": GRADS, "rates": RATES,
                  "cases": {name: {**case, **record_steps(case)} for name, case in STEP_CASES.items()}},
        "fit": {"x": X, "y": Y, "start": START, "arguments": FIT,
                "cases": {name: {**case, **record_fit(case)} for name, case in FIT_CASES.items()}},
    }
    FIXTURE.write_text(json.dumps(fixture, indent=None, separators=(",", ":")) + "\n")
    print(f"wrote {FIXTURE} ({FIXTURE.stat().st_size} bytes) with keras {keras.__version__}")


if __name__ == "__main__":
    main()

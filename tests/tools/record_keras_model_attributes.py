"""Record real Keras 3's model attributes for ``tests/engine/test_model_attributes.py``: ``weights``,
``trainable_weights``, ``non_trainable_weights`` and the ``*_variables`` (path, shape, dtype, trainable, in order),
``input_shape``/``output_shape``, ``metrics_names`` before and after fit/evaluate, ``reset_metrics`` and ``pop``.

Not part of the test suite (it needs Keras and TensorFlow); it prints Python constants, pasted into the test.
Models and layers are named, so that the paths do not depend on how many were made before. Re-record with:

    KERAS_BACKEND=tensorflow /work/bench-venv/bin/python tests/tools/record_keras_model_attributes.py
"""

from __future__ import annotations

import os
import pprint

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import numpy as np

layers = keras.layers
X2 = np.array([[1.0, 2.0], [3.0, 5.0], [0.0, -1.0], [2.0, 2.0]], np.float32)
Y = np.array([1.0, 4.0, -2.0, 2.0], np.float32)
ATTRIBUTES = ("weights", "trainable_weights", "non_trainable_weights", "variables", "trainable_variables",
              "non_trainable_variables")


def attempt(function):
    try:
        return function()
    except Exception as error:  # what Keras raises is the record
        return f"{type(error).__name__}: {error}"


def models():
    one = keras.Sequential([keras.Input((1,)), layers.Dense(1, name="out")], name="line")
    norm = layers.Normalization(name="norm")
    norm.adapt(X2)
    stack = keras.Sequential([keras.Input((2,)), norm, layers.Dense(3, name="hidden"), layers.Dense(1, name="out")],
                             name="stack")
    unscale = layers.Normalization(invert=True, name="unscale")
    unscale.adapt(Y.reshape(-1, 1))
    inverted = keras.Sequential([keras.Input((2,)), layers.Dense(1, use_bias=False, name="out"), unscale],
                                name="inverted")
    given = keras.Sequential([keras.Input((2,)), layers.Normalization(mean=[1.0, 2.0], variance=[1.0, 4.0],
                                                                      name="given"), layers.Dense(1, name="out")],
                             name="given_statistics")
    return {"one input": one, "normalized stack": stack, "no bias, inverted": inverted, "given statistics": given,
            "unbuilt": keras.Sequential([layers.Dense(1, name="out")], name="unbuilt")}


def variables(model):
    described = {name: [(v.path, tuple(v.shape), str(v.dtype), bool(v.trainable)) for v in getattr(model, name)]
                 for name in ATTRIBUTES}
    described["get_weights equals weights"] = all(np.array_equal(a, v.numpy()) for a, v in
                                                  zip(model.get_weights(), model.weights))
    described["input_shape"] = attempt(lambda: model.input_shape)
    described["output_shape"] = attempt(lambda: model.output_shape)
    return described


def metrics_names():
    def compiled(**arguments):
        model = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
        model.compile("sgd", **arguments)
        return model

    recorded = {"uncompiled": keras.Sequential([keras.Input((2,)), layers.Dense(1)]).metrics_names}
    cases = {"loss only": {"loss": "mse"}, "metrics": {"loss": "mse", "metrics": ["mae"]},
             "weighted_metrics": {"loss": "mse", "weighted_metrics": ["mae"]},
             "metrics=[]": {"loss": "mse", "metrics": []}, "no loss": {}}
    for name, arguments in cases.items():
        model = compiled(**arguments)
        recorded[name] = {"compiled": model.metrics_names}
        if "loss" in arguments:
            model.fit(X2, Y, verbose=0)
            recorded[name]["after fit"] = model.metrics_names
            model.evaluate(X2, Y, verbose=0)
            recorded[name]["after evaluate"] = model.metrics_names
    return recorded


def reset_metrics():
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    model.compile("sgd", "mse", metrics=["mae"], weighted_metrics=["mse"])
    model.set_weights([np.zeros((2, 1), np.float32), np.zeros(1, np.float32)])
    model.fit(X2, Y, verbose=0)
    before = [keras.tree.map_structure(float, m.result()) for m in model.metrics]
    model.reset_metrics()
    return {"before": before, "after": [keras.tree.map_structure(float, m.result()) for m in model.metrics]}


def pops():
    def stack():
        norm = layers.Normalization(name="norm")
        norm.adapt(X2)
        return keras.Sequential([keras.Input((2,)), norm, layers.Dense(3, name="hidden"),
                                 layers.Dense(1, name="out")], name="stack")

    def state(model):
        return {"built": model.built, "layers": [layer.name for layer in model.layers],
                "weights": [v.path for v in model.weights], "input_shape": attempt(lambda: model.input_shape),
                "output_shape": attempt(lambda: model.output_shape)}

    recorded = {}
    model = stack()
    recorded["pop"] = {"popped": model.pop().name, **state(model)}
    norm = layers.Normalization(name="norm")
    norm.adapt(X2)
    model = keras.Sequential([keras.Input((2,)), norm, layers.Dense(1, name="out"),
                              layers.Activation("linear", name="identity")], name="ends_in_one")
    kernel = model.get_layer("out").get_weights()[0]
    recorded["pop to one unit"] = {"popped": model.pop().name, **state(model),
                                   "kernel kept": bool(np.array_equal(model.get_layer("out").get_weights()[0], kernel))}
    model = stack()
    recorded["pop(rebuild=False)"] = {"popped": model.pop(rebuild=False).name, **state(model)}
    model = keras.Sequential([keras.Input((1,)), layers.Dense(1, name="out")], name="line")
    recorded["pop the only layer"] = {"popped": model.pop().name, **state(model)}
    model.add(layers.Dense(1, name="again"))
    recorded["add after it"] = state(model)
    recorded["pop with only Input left"] = attempt(model.pop) if model.pop() else None
    recorded["pop an empty model"] = attempt(keras.Sequential(name="empty").pop)
    model = keras.Sequential([layers.Dense(2, input_shape=(3,), name="first"), layers.Dense(1, name="out")],
                             name="declared")
    recorded["pop, input_shape declared by the first layer"] = {"popped": model.pop().name, **state(model)}
    model = keras.Sequential([layers.Dense(1, name="out")], name="fitted")
    model.compile("sgd", "mse")
    model.fit(X2, Y, verbose=0)
    recorded["built by fit"] = state(model)
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1, name="a"), layers.Dense(1, name="b")], name="two")
    model.compile("adam", "mse")
    model.fit(X2, Y, verbose=0)
    model.pop()
    recorded["fit after pop"] = attempt(lambda: list(model.fit(X2, Y, verbose=0).history))
    return recorded


def main():
    print(f"# keras {keras.__version__}, backend {keras.backend.backend()}")
    print("KERAS_VARIABLES = ", end="")
    pprint.pprint({name: variables(model) for name, model in models().items()}, width=118, sort_dicts=False)
    model = keras.Sequential([keras.Input((1,)), layers.Dense(1, name="out", kernel_initializer="ones")], name="m")
    print("KERAS_REPR =", repr([repr(v) for v in model.weights]))
    for title, section in (("KERAS_METRICS_NAMES", metrics_names()), ("KERAS_RESET_METRICS", reset_metrics()),
                           ("KERAS_POP", pops())):
        print(f"{title} = ", end="")
        pprint.pprint(section, width=118, sort_dicts=False)


if __name__ == "__main__":
    main()

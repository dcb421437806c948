"""Keras 3's model attributes, against values recorded from Keras 3.15.1 by
``tests/tools/record_keras_model_attributes.py``: ``weights``, ``trainable_weights``, ``non_trainable_weights`` and
the ``*_variables`` (Keras' order, paths, shapes, dtypes), ``input_shape``/``output_shape``, ``metrics_names``,
``reset_metrics`` and ``pop``. None of them existed in linnet before.

When recording, Keras' ``variables`` were its ``weights``, its ``trainable_*`` the trainable ones in that order, its
``non_trainable_*`` the others, and ``get_weights()`` the ``weights``' values, for every model below.
"""

import numpy as np
import pytest

import linnet.keras as keras
from linnet.engine.optimizers import Adam

layers = keras.layers
X2 = np.array([[1.0, 2.0], [3.0, 5.0], [0.0, -1.0], [2.0, 2.0]], np.float32)
Y = np.array([1.0, 4.0, -2.0, 2.0], np.float32)

# [(v.path, tuple(v.shape), str(v.dtype), v.trainable) for v in model.weights]
KERAS_WEIGHTS = {
    "one input": [("line/out/kernel", (1, 1), "float32", True), ("line/out/bias", (1,), "float32", True)],
    "normalized stack": [("norm/mean", (2,), "float32", False), ("norm/variance", (2,), "float32", False),
                         ("norm/count", (), "int64", False), ("stack/hidden/kernel", (2, 3), "float32", True),
                         ("stack/hidden/bias", (3,), "float32", True), ("stack/out/kernel", (3, 1), "float32", True),
                         ("stack/out/bias", (1,), "float32", True)],
    "no bias, inverted": [("inverted/out/kernel", (2, 1), "float32", True), ("unscale/mean", (1,), "float32", False),
                          ("unscale/variance", (1,), "float32", False), ("unscale/count", (), "int64", False)],
    "given statistics": [("given_statistics/out/kernel", (2, 1), "float32", True),
                         ("given_statistics/out/bias", (1,), "float32", True)],
    "unbuilt": [],
}
KERAS_SHAPES = {"one input": (1, 1), "normalized stack": (2, 1), "no bias, inverted": (2, 1),
                "given statistics": (2, 1)}  # (None, input) and (None, output)
KERAS_REPR = ["<Variable path=m/out/kernel, shape=(1, 1), dtype=float32, value=[[1.]]>",
              "<Variable path=m/out/bias, shape=(1,), dtype=float32, value=[0.]>"]


def adapted(name, data, **arguments):
    layer = layers.Normalization(name=name, **arguments)
    layer.adapt(data)
    return layer


def models():
    """The recorded models, built the same way (Normalization adapted before it joins the model)."""
    return {
        "one input": keras.Sequential([keras.Input((1,)), layers.Dense(1, name="out")], name="line"),
        "normalized stack": keras.Sequential([keras.Input((2,)), adapted("norm", X2), layers.Dense(3, name="hidden"),
                                              layers.Dense(1, name="out")], name="stack"),
        "no bias, inverted": keras.Sequential([keras.Input((2,)), layers.Dense(1, use_bias=False, name="out"),
                                               adapted("unscale", Y.reshape(-1, 1), invert=True)], name="inverted"),
        "given statistics": keras.Sequential([keras.Input((2,)), layers.Normalization(
            mean=[1.0, 2.0], variance=[1.0, 4.0], name="given"), layers.Dense(1, name="out")], name="given_statistics"),
        "unbuilt": keras.Sequential([layers.Dense(1, name="out")], name="unbuilt"),
    }


def described(variables):
    return [(v.path, v.shape, v.dtype, v.trainable) for v in variables]


def keras_path(path, model):
    """Keras' path, with the model's name put before that of a layer built before it joined the model: Keras
    names a variable when it creates it (``adapt`` creates Normalization's, under the layer's name alone); linnet
    names every weight ``model/layer/name``."""
    return path if path.count("/") == 2 else f"{model.name}/{path}"


def keras_paths(expected, model):
    return [(keras_path(path, model), *rest) for path, *rest in expected]


@pytest.mark.parametrize("case", [case for case in KERAS_WEIGHTS if case != "given statistics"])
def test_weights_come_in_keras_order_with_keras_names_shapes_and_dtypes(case):
    model = models()[case]
    expected = keras_paths(KERAS_WEIGHTS[case], model)
    assert described(model.weights) == described(model.variables) == expected
    assert described(model.trainable_weights) == described(model.trainable_variables) == [
        v for v in expected if v[3]]
    assert described(model.non_trainable_weights) == described(model.non_trainable_variables) == [
        v for v in expected if not v[3]]
    assert len(model.get_weights() if model.built else []) == len(model.weights)
    for array, variable in zip(model.get_weights() if model.built else [], model.weights, strict=True):
        np.testing.assert_array_equal(variable.numpy(), array)
        np.testing.assert_array_equal(np.asarray(variable), array)
        assert variable.name == variable.path.rsplit("/", 1)[1]


def test_a_normalization_given_its_statistics_lists_them_where_keras_holds_them_as_constants():
    """Keras keeps a given mean and variance out of its variables; linnet's Normalization holds them as weights
    (get_weights returns them, and weights follows get_weights). The trainable weights are Keras'."""
    model = models()["given statistics"]
    assert described(model.trainable_weights) == KERAS_WEIGHTS["given statistics"]
    assert [v.path for v in model.non_trainable_weights] == [
        "given_statistics/given/mean", "given_statistics/given/variance", "given_statistics/given/count"]


def test_weights_show_the_current_values_read_only_and_repr_as_keras():
    model = keras.Sequential([keras.Input((1,)), layers.Dense(1, name="out", kernel_initializer="ones")], name="m")
    assert [repr(v) for v in model.weights] == KERAS_REPR
    kernel = model.weights[0]
    with pytest.raises(ValueError, match="read-only"):
        kernel.value[0, 0] = 5.0
    model.set_weights([np.array([[2.5]], np.float32), np.array([0.5], np.float32)])
    assert kernel.numpy()[0, 0] == 2.5 and float(model.weights[1].numpy()[0]) == 0.5
    model.compile("sgd", "mse")
    model.fit(X2[:, :1], Y, epochs=2, verbose=0)
    np.testing.assert_array_equal(kernel.numpy(), model.get_weights()[0])  # the variable follows training
    count = models()["normalized stack"].weights[2]
    assert (count.name, count.dtype, type(count.numpy())) == ("count", "int64", np.int64)  # as Keras' count


@pytest.mark.parametrize("case", KERAS_SHAPES)
def test_input_and_output_shape_as_keras(case):
    model = models()[case]
    inputs, outputs = KERAS_SHAPES[case]
    assert (model.input_shape, model.output_shape) == ((None, inputs), (None, outputs))


def test_input_and_output_shape_of_an_unbuilt_model_are_keras_attribute_errors():
    model = models()["unbuilt"]
    with pytest.raises(AttributeError, match=r"^Sequential model 'unbuilt' has no defined input shape yet.$"):
        model.input_shape
    with pytest.raises(AttributeError, match=r"^Sequential model 'unbuilt' has no defined output shape yet.$"):
        model.output_shape
    assert not hasattr(model, "input_shape") and model.weights == []
    model.compile("sgd", "mse")
    model.fit(X2, Y, verbose=0)  # Keras 3.15.1: built by fit, input_shape (None, 2), output_shape (None, 1)
    assert (model.input_shape, model.output_shape) == ((None, 2), (None, 1))
    declared = keras.Sequential([layers.Dense(2, input_shape=(3,), name="first"), layers.Dense(1, name="out")])
    assert (declared.input_shape, declared.output_shape) == ((None, 3), (None, 1))


# ----- metrics_names, reset_metrics ----------------------------------------------------------------------------
KERAS_METRICS_NAMES = {  # the same compiled, after fit and after evaluate
    "loss only": (("mse",), {}, ["loss"]), "metrics": (("mse",), {"metrics": ["mae"]}, ["loss", "compile_metrics"]),
    "weighted_metrics": (("mse",), {"weighted_metrics": ["mae"]}, ["loss", "compile_metrics"]),
    "no loss": ((), {}, ["loss"])}
# [m.result() for m in model.metrics] (Keras': the loss, then the compiled metrics) after fit from zero weights
# (the one batch's loss, before its step: mean(y²) = 6.25), then after reset_metrics
KERAS_RESET_METRICS = {"before": [6.25, {"mae": 2.25, "mse": 6.25}], "after": [0.0, {"mae": 0.0, "mse": 0.0}]}


def plane():
    return keras.Sequential([keras.Input((2,)), layers.Dense(1)])


def test_metrics_names_before_compile_is_empty():
    assert plane().metrics_names == []


@pytest.mark.parametrize("case", KERAS_METRICS_NAMES)
def test_metrics_names_are_keras_3s_before_and_after_fit_and_evaluate(case):
    loss, arguments, expected = KERAS_METRICS_NAMES[case]
    model = plane()
    model.compile("sgd", *loss, **arguments)
    assert model.metrics_names == expected
    if loss:
        model.fit(X2, Y, verbose=0)
        assert model.metrics_names == expected
        model.evaluate(X2, Y, verbose=0)
        assert model.metrics_names == expected


def test_metrics_names_with_an_empty_list_of_metrics():
    """Keras 3.15.1 says ["loss", "compile_metrics"] for compile(metrics=[]), an empty group; linnet says ["loss"]
    (a model file keeps the compiled metrics, not whether an empty list was passed, so this stays so on loading)."""
    model = plane()
    model.compile("sgd", "mse", metrics=[])
    assert model.metrics_names == ["loss"]


def test_reset_metrics_resets_every_compiled_metric_as_keras():
    model = plane()
    model.compile("sgd", "mse", metrics=["mae"], weighted_metrics=["mse"])
    model.set_weights([np.zeros((2, 1), np.float32), np.zeros(1, np.float32)])
    model.fit(X2, Y, verbose=0)
    assert [metric.result() for metric in model.metrics + model.weighted_metrics] == list(
        KERAS_RESET_METRICS["before"][1].values())
    model.reset_metrics()
    assert [metric.result() for metric in model.metrics + model.weighted_metrics] == list(
        KERAS_RESET_METRICS["after"][1].values())


# ----- pop -----------------------------------------------------------------------------------------------------
KERAS_POP = {
    "pop": {"popped": "out", "built": True, "layers": ["norm", "hidden"], "input_shape": (None, 2),
            "output_shape": (None, 3),
            "weights": ["norm/mean", "norm/variance", "norm/count", "stack/hidden/kernel", "stack/hidden/bias"]},
    "pop to one unit": {"popped": "identity", "built": True, "layers": ["norm", "out"], "input_shape": (None, 2),
                        "output_shape": (None, 1), "kernel kept": True,
                        "weights": ["norm/mean", "norm/variance", "norm/count", "ends_in_one/out/kernel",
                                    "ends_in_one/out/bias"]},
    "pop(rebuild=False)": {"popped": "out", "built": False, "layers": ["norm", "hidden"],
                           "input_shape": "AttributeError: Sequential model 'stack' has no defined input shape yet.",
                           "weights": ["norm/mean", "norm/variance", "norm/count", "stack/hidden/kernel",
                                       "stack/hidden/bias"]},
    "pop the only layer": {"popped": "out", "built": False, "layers": [], "weights": [],
                           "input_shape": "AttributeError: Sequential model 'line' has no defined input shape yet."},
    "add after it": {"built": True, "layers": ["again"], "weights": ["line/again/kernel", "line/again/bias"],
                     "input_shape": (None, 1), "output_shape": (None, 1)},
    "pop with only Input left": "IndexError: list index out of range",
    "pop an empty model": "IndexError: list index out of range",
    "fit after pop": ["loss"],  # Keras trains on with the optimizer's state for the weights left
}


def stack():
    return keras.Sequential([keras.Input((2,)), adapted("norm", X2), layers.Dense(3, name="hidden"),
                             layers.Dense(1, name="out")], name="stack")


def paths(model, expected):
    """linnet's paths of ``model.weights``, and the recorded ones as ``keras_path`` reads them."""
    return [v.path for v in model.weights], [keras_path(path, model) for path in expected["weights"]]


def test_pop_removes_the_last_layer_and_rebuilds_what_ends_in_one_unit_keeping_its_weights():
    expected = KERAS_POP["pop to one unit"]
    model = keras.Sequential([keras.Input((2,)), adapted("norm", X2), layers.Dense(1, name="out"),
                              layers.Activation("linear", name="identity")], name="ends_in_one")
    kernel = model.get_layer("out").get_weights()[0]
    assert model.pop().name == expected["popped"]
    assert model.built and [layer.name for layer in model.layers] == expected["layers"]
    ours, theirs = paths(model, expected)
    assert ours == theirs
    assert (model.input_shape, model.output_shape) == (expected["input_shape"], expected["output_shape"])
    np.testing.assert_array_equal(model.get_layer("out").get_weights()[0], kernel)  # Keras: "kernel kept"
    assert model.predict(X2).shape == (4, 1)


def test_pop_leaving_more_than_one_output_keeps_the_layers_but_cannot_build():
    """Keras rebuilds [norm, Dense(3)], an output of 3; linnet's models have one output, so it stays unbuilt (the
    layers keep their weights, listed as in Keras; the shapes are Keras')."""
    expected, model = KERAS_POP["pop"], stack()
    assert model.pop().name == expected["popped"] and not model.built
    assert [layer.name for layer in model.layers] == expected["layers"]
    ours, theirs = paths(model, expected)
    assert ours == theirs
    assert (model.input_shape, model.output_shape) == (expected["input_shape"], expected["output_shape"])
    with pytest.raises(ValueError, match="the last layer must have 1 unit"):
        model.predict(X2)


def test_pop_without_rebuild_leaves_the_model_unbuilt():
    """As Keras (built False, the remaining layers' weights still listed); linnet still gives the declared input
    shape, where Keras raises until the model is built again."""
    expected, model = KERAS_POP["pop(rebuild=False)"], stack()
    assert model.pop(rebuild=False).name == expected["popped"] and model.built is expected["built"]
    ours, theirs = paths(model, expected)
    assert ours == theirs and model.input_shape == (None, 2)
    with pytest.raises(TypeError, match="rebuild must be True or False"):
        model.pop(rebuild="no")


def test_pop_of_the_only_layer_then_add_builds_again_as_keras():
    model = keras.Sequential([keras.Input((1,)), layers.Dense(1, name="out")], name="line")
    assert model.pop().name == "out" and not model.built and model.layers == [] and model.weights == []
    with pytest.raises(AttributeError, match=r"^Sequential model 'line' has no defined input shape yet.$"):
        model.input_shape
    model.add(layers.Dense(1, name="again"))
    expected = KERAS_POP["add after it"]
    assert model.built and [v.path for v in model.weights] == expected["weights"]
    assert (model.input_shape, model.output_shape) == (expected["input_shape"], expected["output_shape"])


@pytest.mark.parametrize("model", [keras.Sequential([keras.Input((1,))], name="only_input"),
                                   keras.Sequential(name="empty")], ids=["only Input", "empty"])
def test_pop_of_a_model_without_layers_is_an_index_error_as_in_keras(model):
    """Keras 3.15.1 raises IndexError ("list index out of range"; with only an Input left it removes the Input
    first); linnet keeps the Input and says what is wrong."""
    assert KERAS_POP["pop an empty model"].startswith("IndexError")
    with pytest.raises(IndexError, match=rf"^pop: Sequential model '{model.name}' has no layers to remove. "
                                         r"Received: model.layers=\[\]$"):
        model.pop()


def test_fit_after_popping_a_layer_with_weights_needs_a_new_optimizer():
    """Keras trains on (its optimizer keeps the state of the weights left); linnet's optimizer holds one state
    vector for all the weights, so it refuses the smaller model, saying what to do (it said 'give each model its own
    optimizer', a message for two models sharing one), and a new optimizer trains."""
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1, name="a"), layers.Dense(1, name="b")], name="two")
    model.compile(Adam(), "mse")
    model.fit(X2, Y, verbose=0)
    model.pop()
    with pytest.raises(ValueError, match=r"the layers with weights changed \(add or pop\) .* compile again with a "
                                         r"new optimizer .*Received: an optimizer with state for the layers "
                                         r"\['a', 'b'\], a model whose layers with weights are \['a'\] "
                                         r"\(removed: \['b'\]\)$"):
        model.fit(X2, Y, verbose=0)
    model.compile("adam", "mse")
    assert list(model.fit(X2, Y, verbose=0).history) == KERAS_POP["fit after pop"]


def test_fit_after_replacing_a_layer_by_one_of_the_same_size_names_both_layers():
    """pop then add of a layer of the same size: the message compared counts ('state for 1 layer(s) with weights, a
    model with 1'), which do not differ; it names the layer the optimizer has state for and the one it has not."""
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1, name="old")])
    model.compile(Adam(), "mse")
    model.fit(X2, Y, verbose=0)
    model.pop()
    model.add(layers.Dense(1, name="new"))
    for train in (lambda: model.fit(X2, Y, verbose=0), lambda: model.train_on_batch(X2, Y)):
        with pytest.raises(ValueError) as refused:
            train()
        assert str(refused.value).endswith("Received: an optimizer with state for the layers ['old'], a model whose "
                                           "layers with weights are ['new'] (removed: ['old']; added: ['new'])")


def test_popping_a_layer_without_weights_keeps_training_with_the_same_optimizer_state():
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1), layers.Activation("linear")])
    optimizer = Adam()
    model.compile(optimizer, "mse")
    model.fit(X2, Y, verbose=0)
    model.pop()
    model.fit(X2, Y, verbose=0)
    assert optimizer.iterations == 2

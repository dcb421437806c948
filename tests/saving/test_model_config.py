"""``get_config``/``Sequential.from_config``, ``to_json``/``model_from_json`` and ``clone_model`` against Keras 3:
linnet's configs equal the ones Keras 3.15.1 returned for the same models (recorded by
``tests/tools/record_keras_model_api.py``), each library rebuilds the other's models from their JSON, round trips
keep the architecture with fresh weights, and configs linnet cannot build are refused naming the field."""

import copy
import json
import re
import warnings

import numpy as np
import pytest
from keras_facts import RECORDED, X, Y, unannotated

import linnet
from linnet import Activation, Dense, Input, Normalization, Sequential
from linnet.keras.models import clone_model, model_from_json

CONFIGS, JSON = RECORDED["get_config"], RECORDED["to_json"]
KERAS_NO_NAME = RECORDED["messages"]["from_config_without_name"]["message"]


def named(layers):
    """The model Keras' recorder made, with the names of a fresh Keras process."""
    return Sequential(layers, name="sequential")


MODELS = {
    "input_dense": lambda: named([Input((2,), name="input_layer"), Dense(1, name="dense")]),
    "tutorial": lambda: named([Dense(1, input_shape=[1], name="dense")]),
    "unbuilt": lambda: named([Dense(1, name="dense")]),
    "normalization": lambda: named([Input((2,), name="input_layer"), Normalization(name="normalization"),
                                    Dense(1, name="dense"), Activation("linear", name="activation")]),
}


def without_normalization_build(config):
    """Keras' adapted Normalization records the shape of the data it was adapted on (``[20, 2]``) as its
    ``build_config``; linnet's, the shape it was built for (``[null, 2]``)."""
    config = copy.deepcopy(config)
    for layer in config["layers"]:
        if layer["class_name"] == "Normalization":
            layer.pop("build_config")
    return config


@pytest.mark.parametrize("name", sorted(MODELS))
def test_get_config_is_the_config_keras_returns_for_the_same_model(name):
    model = MODELS[name]()
    if name == "normalization":
        model.layers[0].adapt(X)  # its statistics are weights, not config, as in Keras
    expected = without_normalization_build(CONFIGS[name])
    assert without_normalization_build(model.get_config()) == expected


@pytest.mark.parametrize("name", ["input_dense", "tutorial"])
def test_to_json_is_the_json_keras_writes_for_the_same_model(name):
    model = MODELS[name]()
    assert json.loads(model.to_json()) == json.loads(JSON[name])
    assert model.to_json(indent=1).startswith('{\n "module": "keras"')  # kwargs go to json.dumps, as in Keras


@pytest.mark.parametrize(("indent", "received"), [(1.5, r"indent=1.5 \(float\)"), ([1], r"indent=\[1\] \(list\)"),
                                                  (np.array(2), r"indent=array\(2\) \(ndarray\)"),
                                                  (10**30, r"indent=10{30} \(int\)"), (True, r"indent=True \(bool\)")])
def test_to_json_refuses_an_indent_json_dumps_cannot_take_by_name(indent, received):
    """A float, list or array stopped in json.dumps on "can't multiply sequence by non-int" (or NumPy's string
    multiply), 10**30 on "cannot fit 'int' into an index-sized integer"."""
    model = Sequential([Input((1,)), Dense(1)])
    expected = r"indent must be None, a string, or an integer of at most 1000 \(the spaces per level\), as json.dumps"
    with pytest.raises((TypeError, ValueError), match=rf"{expected} takes. Received: {received}"):
        model.to_json(indent=indent)
    assert model.to_json(indent=-1).startswith('{\n"module"') and model.to_json(indent="\t").startswith('{\n\t"')


@pytest.mark.parametrize("name", sorted(JSON))
def test_linnet_rebuilds_keras_models_from_their_json(name):
    model = model_from_json(JSON[name])
    keras_config = json.loads(JSON[name])
    assert model.get_config() == keras_config["config"]
    assert model.built and [layer.name for layer in model.layers] == ["dense"]
    assert model.compiled == (name == "compiled")  # Keras compiles from compile_config too
    if model.compiled:
        assert type(model.optimizer).__name__ == "SGD" and model.optimizer.learning_rate == pytest.approx(0.05)
        assert type(model.loss).__name__ == "MeanSquaredError" and [m.name for m in model.metrics] == ["mae"]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_from_config_round_trips_the_architecture_with_fresh_weights(name):
    model = MODELS[name]()
    rebuilt = Sequential.from_config(model.get_config())
    assert rebuilt.get_config() == model.get_config()
    assert [type(layer) for layer in rebuilt.layers] == [type(layer) for layer in model.layers]
    assert rebuilt.built == model.built
    assert rebuilt.layers[-1] is not model.layers[-1]


KERAS_REBUILDS = """
import glob, json, sys, numpy as np, keras
folder = sys.argv[1]
x = np.load(folder + "/x.npy")
report = {}
for path in sorted(glob.glob(folder + "/*.json")):
    name = path.rsplit("/", 1)[1][:-5]
    model = keras.models.model_from_json(open(path).read())
    model.load_weights(folder + f"/{name}.weights.h5")
    report[name] = {"config": model.get_config(), "prediction": model.predict(x, verbose=0)[:, 0].tolist(),
                    "json": model.to_json(), "compiled": model.compiled}
print(json.dumps(report))
"""


def test_keras_rebuilds_linnet_models_from_their_json_and_weights(tmp_path, keras_script):
    """linnet's JSON and weights file make, in Keras, the model linnet has: the same predictions; and Keras' JSON of
    it makes it again in linnet."""
    models = {"dense": MODELS["input_dense"](), "normalization": MODELS["normalization"](),
              "regularized": Sequential([Input((2,)), Dense(1, kernel_regularizer=linnet.regularizers.L2(0.01))])}
    models["normalization"].layers[0].adapt(X)
    for name, model in models.items():
        model.compile(optimizer=linnet.optimizers.Adam(0.05), loss="mse", metrics=["mae"])
        model.fit(X, Y, epochs=2, batch_size=8, verbose=0)
        (tmp_path / f"{name}.json").write_text(model.to_json())
        model.save_weights(tmp_path / f"{name}.weights.h5")
    np.save(tmp_path / "x.npy", X)
    report = json.loads(keras_script(KERAS_REBUILDS))
    for name, model in models.items():
        assert report[name]["compiled"]
        np.testing.assert_allclose(report[name]["prediction"], model.predict(X)[:, 0], rtol=1e-6, atol=1e-6)
        assert without_normalization_build(report[name]["config"]) == without_normalization_build(model.get_config())
        back = model_from_json(report[name]["json"])
        assert back.get_config() == model.get_config() and back.optimizer.get_config() == model.optimizer.get_config()


def test_clone_model_keeps_the_architecture_and_settings_with_fresh_weights_as_keras():
    """Keras 3.15.1 (recorded with a compiled SGD model): the clone has the same name, layer names and compile
    settings, new weights, and an optimizer that has not trained."""
    linnet.random.set_seed(3)
    model = Sequential([Input((2,), name="inputs"), Dense(1, name="out")], name="original")
    model.compile(optimizer=linnet.optimizers.Adam(0.05), loss="mse", metrics=["mae"])
    model.fit(X, Y, epochs=2, batch_size=8, verbose=0)
    clone = clone_model(model)
    assert clone.get_config() == model.get_config() and clone.layers[0] is not model.layers[0]
    assert not np.array_equal(clone.get_weights()[0], model.get_weights()[0])
    assert clone.optimizer is not model.optimizer and not clone.optimizer.built
    assert clone.optimizer.get_config() == model.optimizer.get_config()
    assert [m.name for m in clone.metrics] == ["mae"] and type(clone.loss) is type(model.loss)
    history = clone.fit(X, Y, epochs=1, verbose=0).history
    assert set(history) == {"loss", "mae"}
    doubled = clone_model(model, clone_function=lambda layer: Dense(1, name=layer.name, kernel_initializer="ones"))
    np.testing.assert_array_equal(doubled.get_weights()[0], np.ones((2, 1), np.float32))


def test_the_functions_take_keras_arguments_in_keras_order():
    signatures = RECORDED["signatures"]
    assert unannotated(clone_model) == signatures["clone_model"]
    assert unannotated(model_from_json) == signatures["model_from_json"]
    assert unannotated(Sequential.to_json) == signatures["to_json"]
    assert unannotated(Sequential.from_config) == signatures["from_config"]


# ----- refusals --------------------------------------------------------------------------------------------------
def dense_config():
    return MODELS["input_dense"]().get_config()


def edited(change):
    config = dense_config()
    change(config)
    return config


@pytest.mark.parametrize(("config", "error", "message"), [
    (edited(lambda c: c["layers"][1].update(class_name="Conv2D")), ValueError,
     r"^config: layers\[1\]\.class_name must be one of the linear layers Dense, Activation, Normalization"),
    (edited(lambda c: c["layers"][1]["config"].update(activation="relu")), ValueError,
     r"layers\[1\]\.config\.activation must be 'linear'"),
    (edited(lambda c: c["layers"][1]["config"].update(units=10**9)), ValueError,
     r"^config: layers\[1\] \('dense.*'\) must be a layer keeping the model within 10000000 weights"),
    (edited(lambda c: c["layers"][0]["config"].update(batch_shape=[None, 10**12])), ValueError,
     r"the input shape \(InputLayer batch_shape\) must be an integer from 1 to 1000000"),
    (edited(lambda c: c["layers"][1]["config"].update(units="1")), ValueError,
     r"^config: layers\[1\] is invalid: units must be a positive integer"),
    (edited(lambda c: c.update(layers="dense")), ValueError, r"^config: layers must be a list"),
    (edited(lambda c: c.update(layers=[c["layers"][1]] * 2)), ValueError,
     r"^config: layers do not describe a valid model: .*'dense' is already used"),
    (edited(lambda c: c.update(name=7)), ValueError, r"^config: name must be a non-empty string"),
    ({"layers": []}, ValueError, "^" + re.escape(KERAS_NO_NAME.split(" Received")[0])),
    ("config", TypeError, r"^config must be a dict, as Sequential.get_config\(\) returns\. Received: config='config'"),
], ids=["conv", "relu", "huge-units", "huge-input", "units-type", "layers-type", "duplicate-names", "name-type",
        "no-name", "not-a-dict"])
def test_a_config_linnet_cannot_build_is_refused_naming_the_field(config, error, message):
    with pytest.raises(error, match=message) as refused:
        Sequential.from_config(config)
    assert type(refused.value) is error  # not a ModelFileError: no file is involved


@pytest.mark.parametrize(("json_string", "error", "message"), [
    ('{"class_name": "Functional", "config": {}}', ValueError, r"^json_string: class_name must be 'Sequential'"),
    ("[1, 2]", ValueError, r"^json_string: the top level must be an object"),
    ("{not json", ValueError, r"^json_string is not valid JSON"),
    ("[" * 100_000 + "]" * 100_000, ValueError, r"^json_string is not valid JSON"),
    (" " * (64 * 2**20 + 1), ValueError, r"^json_string holds 67108865 characters"),
    (42, TypeError, r"^json_string must be the text model.to_json\(\) returns. Received: json_string=42"),
], ids=["functional", "list", "broken", "deep", "huge", "not-text"])
def test_json_linnet_cannot_build_is_refused(json_string, error, message):
    with pytest.raises(error, match=message):
        model_from_json(json_string)


def test_a_hostile_compile_config_is_refused_naming_the_field():
    envelope = json.loads(JSON["compiled"])
    envelope["compile_config"]["optimizer"]["config"]["learning_rate"] = -1
    with pytest.raises(ValueError, match=r"^json_string: compile_config is invalid: ValueError: learning_rate"):
        model_from_json(json.dumps(envelope))


def test_custom_objects_and_symbolic_arguments_are_refused():
    with pytest.raises(ValueError, match=r"custom_objects must be None. Received: custom_objects=\{'F': 1\}"):
        model_from_json(JSON["tutorial"], custom_objects={"F": 1})
    model = MODELS["input_dense"]()
    with pytest.raises(ValueError, match=r"input_tensors must be None. Received: input_tensors=1"):
        clone_model(model, input_tensors=1)
    with pytest.raises(ValueError, match=r"Expected `clone_function` argument to be a callable"):
        clone_model(model, clone_function=3)
    with pytest.raises(TypeError, match=r"clone_model expects a linnet Sequential model. Received: model=3"):
        clone_model(3)


def test_what_keras_cannot_rebuild_is_refused_by_to_json_naming_it():
    """A callable learning rate said "Cannot write ... to a .keras file" from to_json, where no file is written."""
    model = MODELS["input_dense"]()
    model.compile(optimizer=linnet.optimizers.SGD(lambda: 0.01), loss="mse")
    with pytest.raises(ValueError, match=r"^Cannot write optimizer.learning_rate to a Keras config \(a .keras file, "
                                         r"model.to_json\(\)\): Keras can rebuild a number"):
        model.to_json()


def test_inputs_are_not_changed():
    config = dense_config()
    kept = copy.deepcopy(config)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Sequential.from_config(config)
    assert config == kept

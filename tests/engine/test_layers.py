import os
import warnings

import numpy as np
import pytest

from linnet.engine.layers import Activation, Dense, Input, InputLayer, Normalization
from linnet.engine.sequential import Sequential


def test_normalization_formula_and_adapt():
    data = np.array([[0.0, 7.0, 4.0], [2.0, 9.0, 6.0], [0.0, 7.0, 4.0], [2.0, 9.0, 6.0]])
    layer = Normalization()
    layer.adapt(data)
    layer.build(3)
    np.testing.assert_allclose(layer(np.array([[0.0, 7.0, 4.0]])), [[-1.0, -1.0, -1.0]])  # Keras' docstring
    given = Normalization(mean=3.0, variance=2.0)
    given.build(1)
    np.testing.assert_allclose(given(np.array([[1.0], [2.0], [3.0]])).ravel(), [-1.4142135, -0.70710677, 0.0],
                               rtol=1e-6)
    constant = Normalization(mean=1.0, variance=0.0)
    constant.build(1)
    assert constant(np.array([[1.0]]))[0, 0] == 0.0  # divides by max(sqrt(var), 1e-7), never by zero


def test_a_scalar_mean_or_variance_is_every_features_as_keras_broadcasts_each():
    """Normalization(mean=0, variance=[1, 4]) stopped on NumPy's "operands could not be broadcast" when called."""
    layer = Normalization(mean=0.0, variance=np.array([1.0, 4.0]))
    Sequential([Input((2,)), layer, Dense(1)])
    np.testing.assert_allclose(layer(np.array([[1.0, 2.0]])), [[1.0, 1.0]])
    np.testing.assert_allclose(Normalization(mean=[1.0, 2.0], variance=4.0).get_config()["variance"], [4.0])


@pytest.mark.parametrize(("mean", "variance", "message"), [
    (0.0, [], r"variance must hold one value per feature, or one for every feature. Received: variance with shape "
              r"\(0,\)"),
    ([], 1.0, r"mean must hold one value per feature, .* Received: mean with shape \(0,\)"),
    ([1.0, 2.0, 3.0], [1.0, 2.0], r"mean and variance must hold one value per feature each \(or one for every "
                                  r"feature\). Received: mean.shape=\(3,\), variance.shape=\(2,\)")])
def test_a_mean_or_variance_that_is_empty_or_of_another_size_is_refused_by_name(mean, variance, message):
    """An empty variance stopped on a matmul error, sizes 3 and 2 on "operands could not be broadcast"."""
    with pytest.raises(ValueError, match=message):
        Normalization(mean=mean, variance=variance)


def test_statistics_for_other_features_than_the_input_are_refused():
    with pytest.raises(ValueError, match="holds statistics for 2 features, but its input has 3"):
        Sequential([Input((3,)), Normalization(mean=[1.0, 2.0], variance=1.0), Dense(1)])


@pytest.mark.parametrize("axis", [True, np.True_, False, 1.0, "1", (1, True), np.array(1)])
def test_an_axis_that_is_no_int_tuple_of_ints_or_none_is_refused_by_type(axis):
    """axis=True and axis=1.0 were taken for axis 1 (``True == 1 == 1.0``, and the choice was checked with ``in``).
    Keras refuses 1.0 with a TypeError; it takes True for 1 only because a bool is an int to ``isinstance``."""
    with pytest.raises(TypeError, match=r"^axis must be an int, a tuple of ints or None\. Received: axis="):
        Normalization(axis=axis)


@pytest.mark.parametrize("axis", [None, 0, 2, (0,), [2], (-1, 1), ()])
def test_an_axis_of_ints_other_than_the_features_is_refused_by_value(axis):
    with pytest.raises(ValueError, match=r"so axis must be -1\. Received: axis="):
        Normalization(axis=axis)


@pytest.mark.parametrize("axis", [(-1,), [1], (np.int64(-1),)])
def test_the_feature_axis_alone_in_a_tuple_is_the_feature_axis_as_keras_writes_it(axis):
    """Keras' get_config writes axis=(-1,); it was refused ('axis must be -1'), so from_config of Keras' config
    failed."""
    layer = Normalization.from_config({"name": "norm", "axis": axis, "invert": False})
    assert type(layer.axis) is int and layer.axis in (-1, 1)


def test_a_numpy_integer_axis_is_kept_as_a_python_int_that_a_config_can_hold():
    """axis=np.int64(-1) was stored as given, and to_json stopped on "int64 is not JSON serializable"."""
    layer = Normalization(axis=np.int64(-1))
    assert type(layer.axis) is int and layer.axis == -1
    Sequential([Input((1,)), layer, Dense(1)]).to_json()


def test_normalization_weights_and_summary_counts():
    layer = Normalization()
    layer.adapt(np.arange(10.0).reshape(5, 2))
    model = Sequential([Input((2,)), layer, Dense(1)])
    mean, variance, count = model.get_weights()[:3]
    np.testing.assert_allclose(mean, [4.0, 5.0])
    np.testing.assert_allclose(variance, [8.0, 8.0])
    assert count == 5 and model.count_params() == 5 + 3


def test_dense_backward_matches_finite_differences():
    rng = np.random.default_rng(0)
    model = Sequential([Input((3,)), Dense(2), Dense(1)])
    model.compile(loss="mse")
    model.build()
    x = rng.normal(size=(7, 3)).astype(np.float32)
    y = rng.normal(size=(7, 1)).astype(np.float32)
    network = model.network
    network.params[:] = rng.normal(size=network.params.size)
    network.gradient(x, y, model.loss)
    analytic = network.grads.astype(np.float64).copy()
    base = network.params.astype(np.float64).copy()

    def loss_at(theta):
        network.params[:] = theta
        return float(np.mean((network.forward(x.astype(np.float64)) - y) ** 2))

    for i in range(base.size):
        step = np.zeros_like(base)
        step[i] = 1e-3
        numeric = (loss_at(base + step) - loss_at(base - step)) / 2e-3
        assert analytic[i] == pytest.approx(numeric, rel=2e-3, abs=2e-4)


def test_input_shapes_and_argument_errors():
    assert Input(shape=(3,)).declared_input_dim == 3
    assert Dense(1, input_dim=4).declared_input_dim == 4
    assert Dense(1, input_shape=[2]).declared_input_dim == 2
    with pytest.raises(ValueError, match="1-D features"):
        Input(shape=(2, 2))
    with pytest.raises(ValueError, match="units must be a positive integer"):
        Dense(0)
    with pytest.raises(TypeError, match="did you mean 'kernel_initializer'"):
        Dense(1, kernel_initialiser="zeros")
    with pytest.raises(ValueError, match="last layer must have 1 unit"):
        Sequential([Input((1,)), Dense(2)]).build()
    with pytest.raises(ValueError, match="Input must be the first layer"):
        Sequential([Dense(1), Input((1,))])


@pytest.mark.parametrize("layer", [Dense(3), Dense(2, use_bias=False), Normalization(), Activation("linear")],
                         ids=["dense", "dense-no-bias", "normalization", "activation"])
def test_weight_shapes_known_before_building_are_the_built_weights(layer):
    """The shapes (and count) a layer declares for an input width, which the size caps and the model files' checks
    use before anything is allocated, are those of its weights once built."""
    declared = layer.weight_shapes(4)
    Sequential([Input((4,)), layer, *([] if layer.output_dim(4) == 1 else [Dense(1)])])
    assert [w.shape for w in layer.get_weights()] == declared
    assert layer.weight_count(4) == sum(w.size for w in layer.get_weights())


# ----- InputLayer's legacy and batch arguments, as Keras 3's (keras/src/layers/core/input_layer.py) -------------
INPUT_CALLS = {  # Keras 3.15.1's answer: the width of its batch_shape, or the error type it raises
    "shape": ({"shape": (3,)}, 3),
    "input_shape (legacy)": ({"input_shape": (3,)}, 3),
    "batch_input_shape (legacy)": ({"batch_input_shape": (None, 3)}, 3),
    "batch_shape": ({"batch_shape": (None, 3)}, 3),
    "batch_shape with a batch size": ({"batch_shape": (32, 3)}, 3),
    "shape and batch_size": ({"shape": (3,), "batch_size": 32}, 3),
    "shape and batch_shape": ({"shape": (3,), "batch_shape": (None, 3)}, ValueError),
    "batch_size and batch_shape": ({"batch_size": 32, "batch_shape": (None, 3)}, ValueError),
    "negative batch size": ({"shape": (3,), "batch_size": -1}, ValueError),
    "negative batch size in batch_shape": ({"batch_shape": (-1, 3)}, ValueError),
    "no shape": ({}, ValueError),
}


def _linnet_input(kwargs):
    from linnet.keras import layers
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # input_shape's deprecation, tested below
        return layers.InputLayer(**kwargs).declared_input_dim


@pytest.mark.parametrize("call", INPUT_CALLS)
def test_input_layer_takes_keras_shape_arguments_and_refuses_what_keras_refuses(call):
    """InputLayer(input_shape=(3,)) and InputLayer(batch_input_shape=(None, 3)) were unexpected keywords ('did you
    mean batch_shape?'), Input(batch_shape=(None, 3)) was refused: 'linnet's InputLayer does not support Keras'
    batch_shape'."""
    kwargs, expected = INPUT_CALLS[call]
    if isinstance(expected, int):
        assert _linnet_input(kwargs) == expected
        if "input_shape" not in kwargs and "batch_input_shape" not in kwargs:  # keras.Input has no legacy names
            assert Input(**kwargs).declared_input_dim == expected
    else:
        with pytest.raises(expected, match="Received: "):
            _linnet_input(kwargs)


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras", reason="the oracle is Keras 3 itself: pip install -e '.[keras]'")


@pytest.mark.parametrize("call", INPUT_CALLS)
def test_input_calls_agree_with_keras(call):
    keras = _keras()
    kwargs, expected = INPUT_CALLS[call]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        if isinstance(expected, int):
            assert keras.layers.InputLayer(**kwargs).batch_shape[1:] == (expected,)
        else:
            with pytest.raises(expected):
                keras.layers.InputLayer(**kwargs)


def test_input_layer_refusals_name_both_arguments_and_the_class_called():
    from linnet.keras import layers
    with pytest.raises(ValueError, match=r"both `shape` and `batch_shape`.*Received: shape=\(3,\) and "
                                         r"batch_shape=\(None, 3\)"):
        Input(shape=(3,), batch_shape=(None, 3))
    with pytest.raises(ValueError, match=r"InputLayer takes shape or Keras' legacy input_shape, not both\. "
                                         r"Received: shape=\(4,\) and input_shape=\(3,\)"):
        layers.InputLayer(shape=(4,), input_shape=(3,))  # Keras silently takes input_shape
    with pytest.raises(ValueError, match=r"batch_shape must be \(batch size or None, features\).*Received: "
                                         r"batch_shape=\(3,\)"):
        Input(batch_shape=(3,))
    with pytest.raises(TypeError, match=r"^InputLayer got unexpected keyword argument\(s\): 'input_shap' \(did you "
                                        r"mean 'input_shape'\?\)"):
        layers.InputLayer(input_shap=(3,))


def test_input_shape_warns_as_keras_does_at_the_users_line():
    from linnet.keras import layers
    with pytest.warns(UserWarning, match=r"^Argument `input_shape` is deprecated\. Use `shape` instead\.$") as caught:
        layers.InputLayer(input_shape=(3,))
    assert caught[0].filename == __file__


def test_a_batch_size_is_ignored_as_keras_ignores_it():
    """Keras fits batches of 16 and predicts 5 rows with Input(batch_shape=(32, 3)) (checked with keras 3.15.1)."""
    model = Sequential([Input(batch_shape=(32, 3)), Dense(1, kernel_initializer="ones")])
    model.compile("sgd", "mse")
    x = np.arange(60.0).reshape(20, 3) / 60
    model.fit(x, x.sum(axis=1), batch_size=16, epochs=1, verbose=0)
    assert model.predict(x[:5]).shape == (5, 1)


def test_from_config_reads_keras_input_layer_config():
    """Keras' InputLayer config writes batch_shape, which linnet refused unless None."""
    keras = _keras()
    from linnet._serialization import deserialize
    from linnet.keras import layers
    for built in (keras.layers.InputLayer(batch_shape=(None, 3), name="features"),
                  keras.layers.InputLayer(shape=(3,), batch_size=32, name="features")):
        config = built.get_config()
        assert config["batch_shape"][1:] == (3,)
        rebuilt = layers.InputLayer.from_config(config)
        assert (rebuilt.declared_input_dim, rebuilt.name) == (3, "features")
        assert rebuilt.get_config() == {"name": "features", "shape": [3]}
        envelope = keras.saving.serialize_keras_object(built)
        assert deserialize(envelope, layers.Layer).get_config() == rebuilt.get_config()
        assert layers.InputLayer.from_config(rebuilt.get_config()).get_config() == rebuilt.get_config()


@pytest.mark.parametrize("kwargs, message", [
    ({"input_shape": (3,), "batch_shape": (None, 3)}, "Received: input_shape=(3,) and batch_shape=(None, 3)."),
    ({"batch_input_shape": (None, 3), "batch_size": 4}, "Received: batch_size=4 and batch_input_shape=(None, 3)."),
    ({"batch_input_shape": (None,)}, "Received: batch_input_shape=(None,)"),
    ({"input_shape": "x"}, "Received: input_shape='x' (str)"),
])
def test_input_layer_refusals_name_the_keywords_the_user_gave(kwargs, message):
    """They named shape= and batch_shape= when the user had given input_shape= or batch_input_shape= (review)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # input_shape's deprecation warning, tested elsewhere
        with pytest.raises((ValueError, TypeError)) as raised:
            InputLayer(**kwargs)
    assert str(raised.value).endswith(message)

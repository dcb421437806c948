import numpy as np
import pytest

import linnet
from linnet.engine import initializers


@pytest.mark.parametrize("shape,limit", [((1, 1), np.sqrt(3)), ((2, 1), np.sqrt(2)), ((20, 1), np.sqrt(6 / 21)),
                                         ((7,), np.sqrt(6 / 14)),
                                         # Keras' compute_fans (3, 4, 5) -> (12, 15), (2, 3, 4, 5) -> (24, 30), recorded
                                         # from keras 3.15.1; linnet took (3, 5) and (2, 5): limits twice as wide
                                         ((3, 4, 5), np.sqrt(6 / 27)), ((2, 3, 4, 5), np.sqrt(6 / 54))])
def test_glorot_uniform_limit_is_keras(shape, limit):
    values = np.concatenate([initializers.GlorotUniform(seed=s)(shape).ravel() for s in range(400)])
    assert values.dtype == np.float32
    assert np.abs(values).max() <= limit and np.abs(values).max() > 0.95 * limit


def test_names_classes_and_configs():
    assert isinstance(initializers.get("glorot_uniform"), initializers.GlorotUniform)
    assert initializers.get("ones")((2,)).tolist() == [1.0, 1.0]
    assert initializers.get("zeros")((1,)).tolist() == [0.0]
    assert initializers.Constant(2.5)((2, 1)).ravel().tolist() == [2.5, 2.5]
    uniform = initializers.get({"class_name": "RandomUniform", "config": {"minval": 1, "maxval": 2, "seed": 3}})
    values = uniform((100,))
    assert values.min() >= 1 and values.max() < 2
    assert np.array_equal(values, initializers.get(initializers.serialize(uniform))((100,)))
    normal = initializers.RandomNormal(mean=5, stddev=0.1, seed=1)((5000,))
    assert normal.mean() == pytest.approx(5, abs=0.01) and normal.std() == pytest.approx(0.1, rel=0.05)
    assert linnet.random_uniform_initializer is initializers.RandomUniform


def test_errors():
    with pytest.raises(ValueError, match="Did you mean 'glorot_uniform'"):
        initializers.get("glorot_uniformm")
    with pytest.raises(ValueError, match="maxval must be greater than minval"):
        initializers.RandomUniform(1, 0)
    with pytest.raises(TypeError, match="seed"):
        initializers.RandomUniform(seed="a")


def test_unseeded_draws_follow_linnet_set_seed():
    linnet.random.set_seed(5)
    first = initializers.GlorotUniform()((3, 1))
    linnet.random.set_seed(5)
    assert np.array_equal(first, initializers.GlorotUniform()((3, 1)))


@pytest.mark.parametrize("make, name", [
    (lambda: initializers.Constant(1e39), "value"),
    (lambda: initializers.RandomUniform(-1e39, 1.0), "minval"),
    (lambda: initializers.RandomUniform(-1.0, 1e308), "maxval"),
    (lambda: initializers.RandomNormal(mean=-1e39), "mean"),
    (lambda: initializers.RandomNormal(stddev=1e39), "stddev"),
])
def test_values_float32_cannot_hold_are_refused_by_name(make, name):
    """They drew inf weights with a leaked RuntimeWarning (RandomUniform(-1e308, 1e308): NumPy's OverflowError)."""
    with pytest.raises(ValueError, match=rf"^{name} must be at most 3.4e\+38"):
        make()


@pytest.mark.parametrize("name", ["zeros", "ones", "constant", "random_uniform", "random_normal", "glorot_uniform"])
def test_an_int_shape_is_one_dimension(name):
    """Zeros()(3) raised "'int' object is not iterable"; Keras 3.15.1 gives shape (3,) for Zeros, Ones and
    Constant (recorded; its random initializers refuse an int, linnet takes it for every initializer)."""
    values = initializers.get(name)(3)
    assert values.shape == (3,) and values.dtype == np.float32
    assert initializers.get(name)(np.int64(2)).shape == (2,)
    assert initializers.get(name)(()).shape == ()


@pytest.mark.parametrize("name", ["zeros", "glorot_uniform", "random_normal"])
@pytest.mark.parametrize("shape, error, message", [
    ((-1, 2), ValueError, r"shape must have no negative dimension. Received: shape=\(-1, 2\)"),
    (-3, ValueError, r"no negative dimension. Received: shape=-3"),
    ((2.0, 1), TypeError, r"shape must be an int or a tuple of ints, such as \(3, 1\). Received: shape=\(2.0, 1\)"),
    (2.5, TypeError, r"Received: shape=2.5"), ("ab", TypeError, r"Received: shape='ab'"),
    ((True, 1), TypeError, r"Received: shape=\(True, 1\)"), (None, TypeError, r"Received: shape=None"),
])
def test_a_bad_shape_is_refused_by_name(name, shape, error, message):
    """A negative dimension gave NumPy's unnamed "negative dimensions are not allowed" (Keras 3.15.1: TensorFlow's
    "Dimension -1 must be >= 0")."""
    with pytest.raises(error, match=message):
        initializers.get(name)(shape)

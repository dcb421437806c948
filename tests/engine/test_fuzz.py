"""Fuzzing the public entry points: whatever goes in, only the documented errors come out.

``fit`` may raise ``ValueError``/``TypeError`` (bad input, named) or ``linnet.DivergenceError`` (training
diverged); ``predict`` only ``ValueError``/``TypeError``; ``load_model`` on a damaged or foreign file only
``ModelFileError`` (a ``ValueError``).
"""

import contextlib
import io
import os
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import linnet
from linnet import keras
from linnet.saving.model_file import ModelFileError

# NumPy's warnings count as escapes too, wherever NumPy reports them from (pyproject only catches linnet's own)
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")
FIT_ERRORS = (ValueError, TypeError, linnet.DivergenceError)
# LINNET_FUZZ_EXAMPLES=5000 pytest tests/test_fuzz.py  fuzzes longer (scaled per test)
SCALE = int(os.environ.get("LINNET_FUZZ_EXAMPLES", 60)) / 60
FUZZ = settings(max_examples=int(60 * SCALE), deadline=None, suppress_health_check=[HealthCheck.too_slow])

NUMERIC_DTYPES = [np.bool_, np.int8, np.uint8, np.int64, np.float16, np.float32, np.float64]


def elements(dtype):
    """Any value of ``dtype``: NaN, inf, and (for float64) values beyond float32's range included."""
    return st.floats(width=np.dtype(dtype).itemsize * 8) if np.dtype(dtype).kind == "f" else None


@st.composite
def numeric_arrays(draw, rows=st.integers(0, 12), trailing=st.lists(st.integers(0, 3), max_size=2)):
    """Arrays of any numeric dtype, ``rows`` rows (or 0-D), NaN/inf possible."""
    dtype = draw(st.sampled_from(NUMERIC_DTYPES))
    shape = draw(st.one_of(st.just(()), st.tuples(rows).flatmap(lambda r: trailing.map(lambda t: (*r, *t)))))
    return draw(hnp.arrays(dtype, shape, elements=elements(dtype)))


def anything():
    """Arrays, nested lists, strings, objects, None: everything a user might pass as x or y."""
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30), st.floats(), st.text(max_size=3))
    return st.one_of(
        numeric_arrays(),
        numeric_arrays().map(lambda a: a.tolist()),
        st.lists(st.lists(scalars, max_size=3), max_size=6),  # ragged and mixed nested lists
        st.lists(scalars, max_size=6),
        scalars,
        hnp.arrays(st.sampled_from(["U3", "S3", object, "complex64", "M8[s]"]), st.integers(0, 5)),
        st.builds(dict),
    )


def quietly(call, *args, **kwargs):
    with contextlib.redirect_stdout(io.StringIO()):
        return call(*args, **kwargs)


def small_model(declared_features=None):
    first = [keras.Input((declared_features,))] if declared_features else []
    return keras.Sequential([*first, keras.layers.Dense(1)])


# ----- fit ---------------------------------------------------------------------------------------------------
fit_kwargs = st.fixed_dictionaries({}, optional={
    "batch_size": st.one_of(st.none(), st.integers(-2, 40), st.floats(-1, 40), st.just("8"), st.booleans(),
                            st.just(np.int64(4))),
    "epochs": st.one_of(st.integers(-1, 3), st.just(2.0), st.just("2"), st.none(), st.booleans()),
    "validation_split": st.one_of(st.floats(), st.sampled_from([0, 0.5, 1, -1, "0.2", None, True])),
    "shuffle": st.sampled_from([True, False, "batch", "yes", None, 1, 0, 2.5]),
    "verbose": st.sampled_from([0, 1, 2, "auto", 3, -1, None, 1.0, "loud", True]),
})


@FUZZ
@pytest.mark.filterwarnings("ignore:The learning rate .* is above the largest stable:UserWarning")
@given(x=anything(), y=anything(), kwargs=fit_kwargs,
       optimizer=st.sampled_from(["sgd", "adam", "rmsprop", "nadam", "adagrad"]),
       loss=st.sampled_from(["mse", "mae", "huber", "log_cosh"]),
       declared=st.sampled_from([None, 1, 2]))
def test_fit_raises_only_documented_errors(x, y, kwargs, optimizer, loss, declared):
    fit_or_documented_error(x, y, kwargs, optimizer, loss, declared)


def fit_or_documented_error(x, y, kwargs, optimizer, loss, declared):
    model = small_model(declared)
    model.compile(optimizer=optimizer, loss=loss, metrics=["mae"])
    try:
        history = quietly(model.fit, x, y, **kwargs)
    except FIT_ERRORS as error:
        assert str(error)
        return
    assert len(history.history["loss"]) == kwargs.get("epochs", 1)


@st.composite
def matching_data(draw):
    """x and y with the same number of rows (1-D or 2-D), any numeric dtype, NaN/inf possible."""
    rows = st.just(draw(st.integers(0, 12)))
    return (draw(numeric_arrays(rows, st.lists(st.integers(1, 3), max_size=1))),
            draw(numeric_arrays(rows, st.lists(st.integers(1, 2), max_size=1))))


@FUZZ
@given(data=matching_data(), kwargs=fit_kwargs, declared=st.sampled_from([None, 1, 2]))
def test_fit_on_well_shaped_data_with_random_settings_raises_only_documented_errors(data, kwargs, declared):
    fit_or_documented_error(*data, kwargs, "adam", "mse", declared)


@FUZZ
@given(x=anything(), declared=st.sampled_from([None, 1, 3]), fitted=st.booleans(),
       batch_size=st.one_of(st.none(), st.integers(-1, 5), st.just("4")),
       verbose=st.sampled_from([0, 1, "auto", 5]))
def test_predict_raises_only_value_and_type_errors(x, declared, fitted, batch_size, verbose):
    model = small_model(declared)
    if fitted:
        model.compile("sgd", "mse")
        model.fit(np.ones((4, declared or 2)), np.ones(4), verbose=0)
    try:
        prediction = quietly(model.predict, x, batch_size=batch_size, verbose=verbose)
    except (ValueError, TypeError) as error:
        assert str(error)
        return
    assert prediction.dtype == np.float32 and prediction.ndim == 2 and prediction.shape[1] == 1
    assert np.isfinite(prediction).all()  # predictions beyond float32 are refused with a ValueError


def test_predict_on_a_model_without_layers_is_a_value_error():
    with pytest.raises(ValueError, match="no layers"):
        keras.Sequential().predict([[1.0]])


# ----- property: fit never leaves NaN weights ---------------------------------------------------------------
finite_rows = st.integers(1, 20).flatmap(lambda n: st.tuples(
    hnp.arrays(np.float64, (n, 2), elements=st.floats(-1e12, 1e12)),
    hnp.arrays(np.float64, n, elements=st.floats(-1e12, 1e12))))


@pytest.mark.filterwarnings("ignore:The learning rate .* is above the largest stable:UserWarning")
@FUZZ
@given(data=finite_rows, learning_rate=st.floats(1e-4, 1e3), epochs=st.integers(1, 4),
       optimizer=st.sampled_from(["SGD", "Adam", "RMSprop"]), batch_size=st.integers(1, 8))
def test_fit_on_finite_data_ends_finite_or_diverges_with_finite_weights(data, learning_rate, epochs, optimizer,
                                                                        batch_size):
    x, y = data
    model = small_model(2)
    model.compile(optimizer=getattr(keras.optimizers, optimizer)(learning_rate), loss="mse")
    try:
        history = model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0)
    except linnet.DivergenceError as error:
        assert "smaller learning rate" in str(error) and "epoch" in str(error)
        history = error.history
    assert all(np.isfinite(w).all() for w in model.get_weights())
    assert all(np.isfinite(value) for value in history.history.get("loss", []))


# ----- load_model --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def model_bytes():
    linnet.random.set_seed(1)
    norm = keras.layers.Normalization()
    norm.adapt(np.arange(10.0).reshape(5, 2))
    model = keras.Sequential([keras.Input((2,)), norm, keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="huber", metrics=["mae"])
    model.fit(np.arange(10.0).reshape(5, 2), np.arange(5.0), epochs=2, verbose=0)
    with tempfile.TemporaryDirectory() as folder:
        model.save(os.path.join(folder, "m.linnet"))
        with open(os.path.join(folder, "m.linnet"), "rb") as stream:
            return stream.read()


def load_bytes(data: bytes):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "m.linnet")
        with open(path, "wb") as stream:
            stream.write(data)
        try:
            return linnet.load_model(path)
        except ModelFileError as error:
            assert "m.linnet" in str(error)
            return None


@FUZZ
@given(data=st.one_of(st.binary(max_size=300), st.binary(max_size=200).map(lambda b: b"PK\x03\x04" + b)))
def test_load_model_on_random_bytes_raises_model_file_error(data):
    assert load_bytes(data) is None


@settings(FUZZ, max_examples=int(150 * SCALE))
@given(flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 255)), min_size=1, max_size=3),
       cut=st.one_of(st.none(), st.integers(0, 10**6)))
def test_load_model_on_damaged_files_raises_model_file_error_or_loads(model_bytes, flips, cut):
    data = bytearray(model_bytes)
    for position, mask in flips:
        data[position % len(data)] ^= mask
    if cut is not None:
        data = data[:cut % len(data)]
    model = load_bytes(bytes(data))
    if model is not None:  # a flip in an unchecked place (a timestamp, the metadata text) may leave it loadable
        assert model.predict([[1.0, 2.0]]).shape == (1, 1)


# ----- bugs found by the fuzzing above --------------------------------------------------------------------------
@pytest.mark.parametrize("epochs", [1, 2])
def test_an_update_that_overflows_in_the_last_batch_is_a_divergence_with_finite_weights(epochs):
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, kernel_initializer="ones")])
    model.compile("adam", "mse")  # g**2 overflows float32 in Adam's second moment: inf, then inf - inf = NaN
    with pytest.raises(linnet.DivergenceError, match="epoch 1"):
        model.fit(np.full(5, 3.3e9), np.zeros(5), batch_size=4, epochs=epochs, shuffle=False, verbose=0)
    assert all(np.isfinite(w).all() for w in model.get_weights())


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_a_prediction_beyond_float32_is_refused_without_a_numpy_warning():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, kernel_initializer="ones")])
    with pytest.raises(ValueError, match=r"x row 0 is beyond the float32 range"):
        model.predict([[3e38, 3e38]])

"""The engine's edge cases (issue 8 §6): each refused with a clear ValueError/TypeError, no RuntimeWarning first."""

import numpy as np
import pytest
from sklearn.metrics import r2_score

import linnet
from linnet import keras
from linnet.sklearn import NeuronRegressor

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def neuron(n_features=1, kernel="ones", optimizer="sgd"):
    model = keras.Sequential([keras.Input((n_features,)), keras.layers.Dense(1, kernel_initializer=kernel)])
    model.compile(optimizer, "mse")
    return model


# ----- float32 overflow in predict / evaluate / fit --------------------------------------------------------------
def test_predict_returns_finite_predictions_whose_float32_sum_overflows():
    x = np.array([3.0e38, 3.1e38, 3.2e38], dtype=np.float32)
    np.testing.assert_array_equal(neuron().predict(x).ravel(), x)  # kernel 1, bias 0: the prediction is x


def test_predict_names_the_row_that_overflows():
    with pytest.raises(ValueError, match=r"The prediction for x row 2 is beyond the float32 range"):
        neuron(2).predict([[1.0, 1.0], [1e38, 1e38], [2e38, 2e38]])


def test_evaluate_returns_the_exact_mse_when_it_fits_float32():
    loss = neuron().evaluate([1e18, -1e18], [0.0, 0.0], verbose=0)
    assert loss == pytest.approx(1e36, rel=1e-6)  # (1e18)² on both rows


@pytest.mark.parametrize("x, y", [([2e19], [0.0]), ([1.0], [3e38 * 1.0]), ([3e38, 3e38], [-3e38, -3e38])])
def test_evaluate_refuses_instead_of_returning_inf(x, y):
    model = neuron()
    model.compile("sgd", "mse", metrics=["mae"])
    with pytest.raises(ValueError, match=r"evaluate: loss = inf.*overflow float32.*rescale x and y"):
        model.evaluate(x, y, verbose=0)


@pytest.mark.filterwarnings("ignore:The learning rate .* is above the largest stable:UserWarning")
def test_fit_on_values_whose_squares_overflow_is_a_divergence_with_the_initial_weights_kept():
    model = neuron()
    before = model.get_weights()
    with pytest.raises(linnet.DivergenceError, match="the loss of batch 1/1 is inf.*normalize the inputs"):
        model.fit([1e30, 2e30], [0.0, 1.0], verbose=0)
    for kept, now in zip(before, model.get_weights()):
        np.testing.assert_array_equal(kept, now)


# ----- statistics in float64, refused when float32 cannot hold them -----------------------------------------------
def test_adapt_computes_statistics_in_float64():
    data = np.array([[-1.5e19], [1.5e19]], dtype=np.float32)  # in float32 the squares' sum overflows to inf
    norm = keras.layers.Normalization()
    norm.adapt(data)
    assert norm.mean.tolist() == [0.0] and norm.variance[0] == np.float32(data.astype(np.float64).var())
    with np.errstate(over="ignore"):  # what statistics computed in float32 would give
        assert np.isinf(np.square(data).sum(dtype=np.float32))


@pytest.mark.parametrize("std, shown", [(1e20, "1e\\+40"), (1e-25, "1e-50")])
def test_adapt_and_the_estimator_refuse_statistics_float32_cannot_hold(std, shown):
    column = np.array([[-std], [std], [0.0]])
    with pytest.raises(ValueError, match=rf"variance of column 0 of data is {shown}"):
        keras.layers.Normalization().adapt(column[:2])
    with pytest.raises(ValueError, match="variance of column 0 of X is"):
        NeuronRegressor(epochs=1).fit(column, [1.0, 2.0, 3.0])


def test_the_estimator_standardizes_with_float64_statistics():
    X = np.array([[1.0, 1e15], [2.0, 3e15], [4.0, -2e15], [3.0, 0.0]])
    reg = NeuronRegressor(epochs=1, random_state=0).fit(X, [1.0, 2.0, 3.0, 4.0])
    norm = reg.model_.layers[0]
    np.testing.assert_array_equal(norm.mean, X.mean(axis=0).astype(np.float32))
    np.testing.assert_array_equal(norm.variance, X.var(axis=0).astype(np.float32))


# ----- weights and statistics given by hand ------------------------------------------------------------------------
BAD_VALUES = [(np.inf, ValueError, "NaN or infinite"), (np.nan, ValueError, "NaN or infinite"),
              (1 + 2j, ValueError, "Complex data not supported"), ("1.0", TypeError, "must hold numbers"),
              (1e39, ValueError, "float32 .* cannot hold")]


@pytest.mark.parametrize("value, error, message", BAD_VALUES)
def test_set_weights_refuses_values_float32_cannot_hold(value, error, message):
    model = neuron()
    with pytest.raises(error, match=rf"Layer 'dense\w*' weight 0.*{message}|{message}.*Layer 'dense\w*' weight 0"):
        model.set_weights([np.array([[value]]), np.zeros(1)])
    assert model.get_weights()[0].tolist() == [[1.0]]


@pytest.mark.parametrize("value, error, message", BAD_VALUES)
@pytest.mark.parametrize("argument", ["mean", "variance"])
def test_normalization_statistics_refuse_what_float32_cannot_hold(argument, value, error, message):
    given = {"mean": 0.0, "variance": 1.0, argument: value}
    text = "must be numeric array-like" if isinstance(value, str) else message  # a bare string is text, not data
    with pytest.raises(error, match=rf"{argument}.*{text}|{text}.*{argument}"):
        keras.layers.Normalization(**given)


def test_normalization_refuses_a_negative_variance():
    with pytest.raises(ValueError, match=r"variance must be non-negative\. Received: -1 at index \(1,\) of variance"):
        keras.layers.Normalization(mean=[0.0, 0.0], variance=[1.0, -1.0])


# ----- callbacks, shared optimizers --------------------------------------------------------------------------------
def test_a_single_callback_is_wrapped_as_keras_3_does():
    seen = []
    callback = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    neuron().fit([1.0, 2.0], [1.0, 2.0], epochs=3, verbose=0, callbacks=callback)
    assert seen == [0, 1, 2]
    with pytest.raises(TypeError, match="callbacks must be a Callback or a list of them. Received: callbacks='stop'"):
        neuron().fit([1.0], [1.0], verbose=0, callbacks="stop")


def test_one_optimizer_cannot_train_two_models_of_different_sizes():
    optimizer = keras.optimizers.Adam()
    first, second = neuron(1, optimizer=optimizer), neuron(2, optimizer=optimizer)
    first.fit([1.0, 2.0], [1.0, 2.0], verbose=0)
    state = optimizer.variables()
    with pytest.raises(ValueError, match=r"optimizer: this Adam was built for a model whose variables have sizes "
                                         r"\[1, 1\].*Received: a model with sizes \[2, 1\]"):
        second.fit([[1.0, 2.0]], [1.0], verbose=0)
    assert second.get_weights()[0].tolist() == [[1.0], [1.0]]  # nothing trained
    assert all(np.array_equal(state[key], value) for key, value in optimizer.variables().items())


# ----- scikit-learn: ragged rows, sample weights --------------------------------------------------------------------
def test_the_estimator_refuses_ragged_rows():
    with pytest.raises(ValueError, match=r"X must be a rectangular numeric array \(every row the same length\)"):
        NeuronRegressor(epochs=1).fit([[1.0, 2.0], [3.0]], [1.0, 2.0])
    reg = NeuronRegressor(epochs=1).fit([[1.0, 2.0], [3.0, 1.0]], [1.0, 2.0])
    with pytest.raises(ValueError, match="X must be a rectangular"):
        reg.predict([[1.0, 2.0], [3.0]])


def test_score_with_sample_weights_matches_scikit_learn_and_refuses_a_zero_sum():
    X, y = np.array([[1.0], [2.0], [3.0], [4.0]]), np.array([1.0, 2.5, 2.9, 4.2])
    reg = NeuronRegressor(epochs=20, random_state=0).fit(X, y)
    weights = [1.0, 0.0, 2.0, 0.5]
    assert reg.score(X, y, sample_weight=weights) == pytest.approx(
        r2_score(y, reg.predict(X), sample_weight=weights), rel=1e-12)
    with pytest.raises(ValueError, match="sample_weight sums to zero"):
        reg.score(X, y, sample_weight=[0.0, 0.0, 0.0, 0.0])


# ----- masked arrays: never trained on silently ------------------------------------------------------------------
MASKED = np.ma.masked_array([1.0, 2.0, 3.0], mask=[False, True, False])


@pytest.mark.parametrize("call", [
    lambda: neuron().fit(MASKED, [1.0, 2.0, 3.0], verbose=0),
    lambda: neuron().fit([1.0, 2.0, 3.0], MASKED, verbose=0),
    lambda: neuron().evaluate(MASKED, [1.0, 2.0, 3.0], verbose=0),
    lambda: neuron().predict(MASKED),
    lambda: keras.layers.Normalization().adapt(MASKED),
    lambda: linnet.ols(MASKED, [1.0, 2.0, 3.0]),
    lambda: NeuronRegressor(epochs=1).fit(MASKED.reshape(-1, 1), [1.0, 2.0, 3.0]),
], ids=["fit x", "fit y", "evaluate", "predict", "adapt", "ols", "estimator"])
def test_masked_values_are_refused_with_the_way_out(call):
    with pytest.raises(ValueError, match=r"is a masked array with 1 masked value.*\.filled\(value\).*\.compressed\(\)"):
        call()


def test_a_masked_array_with_nothing_masked_is_an_array():
    plain = neuron().fit([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], verbose=0, shuffle=False).history
    masked = neuron().fit(np.ma.masked_array([1.0, 2.0, 3.0]), [1.0, 2.0, 3.0], verbose=0, shuffle=False).history
    assert plain == masked

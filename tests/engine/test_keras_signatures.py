"""The model methods take Keras 3's arguments in Keras 3's order, so that positional calls mean the same thing.

Signatures and values recorded from Keras 3.15.1 (TensorFlow backend): ``inspect.signature(keras.Model.fit)`` etc.,
and ``fit(..., validation_steps=...)`` on the data below, whose frozen neuron (zero weights, zero gradients)
makes each ``val_loss`` the mean of ``y²`` over the validation rows read: batches of 4 rows of ``y = 0..19`` have
mean squares 3.5, 31.5, 91.5, 183.5, 307.5, and Keras 3 logged ``(3.5 + 31.5) / 2 = 17.5`` every epoch for
``validation_steps=2`` (the first two batches, read afresh at each validation).
"""

import inspect
import itertools

import numpy as np
import pytest

import linnet
from linnet import Dense, Input, Sequential

KERAS_POSITIONAL = {  # keras 3.15.1, after self
    "fit": ["x", "y", "batch_size", "epochs", "verbose", "callbacks", "validation_split", "validation_data",
            "shuffle", "class_weight", "sample_weight", "initial_epoch", "steps_per_epoch", "validation_steps",
            "validation_batch_size", "validation_freq"],
    "evaluate": ["x", "y", "batch_size", "verbose", "sample_weight", "steps", "callbacks", "return_dict"],
    "predict": ["x", "batch_size", "verbose", "steps", "callbacks"],
    "train_on_batch": ["x", "y", "sample_weight", "class_weight", "return_dict"],
    "test_on_batch": ["x", "y", "sample_weight", "return_dict"],
    "predict_on_batch": ["x"],
}
X_TRAIN, Y_TRAIN = np.zeros((8, 1), np.float32), np.zeros(8, np.float32)
X_VAL, Y_VAL = np.zeros((20, 1), np.float32), np.arange(20, dtype=np.float32)


def positional(method) -> list[str]:
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p.name for p in inspect.signature(method).parameters.values() if p.kind in kinds][1:]


@pytest.mark.parametrize("name", sorted(KERAS_POSITIONAL))
def test_positional_arguments_come_in_keras_order(name):
    assert positional(getattr(Sequential, name)) == KERAS_POSITIONAL[name]


def frozen_model() -> Sequential:
    """A neuron whose weights stay 0 on the training rows (x = 0, y = 0: zero gradients)."""
    model = Sequential([Input((1,)), Dense(1, kernel_initializer="zeros")])
    model.compile(linnet.optimizers.SGD(1e-3), "mse")
    return model


def validation_losses(**arguments) -> list[float]:
    history = frozen_model().fit(X_TRAIN, Y_TRAIN, batch_size=4, epochs=4, verbose=0, **arguments)
    return history.history["val_loss"]


def test_evaluate_takes_sample_weight_fifth_as_keras_does():
    model, weights = frozen_model(), np.array([0.0, 0.0, 1.0, 3.0])
    x, y = X_VAL[:4], Y_VAL[:4]
    expected = (1 * 2.0 ** 2 + 3 * 3.0 ** 2) / 4  # Keras' sum_over_batch_size: (1/n) Σ wᵢ (yᵢ − 0)²
    assert model.evaluate(x, y, 32, 0, weights) == pytest.approx(expected)
    assert model.evaluate(x, y, sample_weight=weights, verbose=0) == pytest.approx(expected)


def test_a_bool_fifth_argument_of_evaluate_says_that_return_dict_moved():
    with pytest.raises(TypeError, match=r"Received: sample_weight=True\. .*return_dict fifth: pass it by name"):
        frozen_model().evaluate(X_VAL, Y_VAL, 32, 0, True)


@pytest.mark.parametrize("method", ["evaluate", "test_on_batch"])
def test_return_dict_must_be_a_bool(method):
    with pytest.raises(TypeError, match=r"return_dict must be True or False\. Received: return_dict=1"):
        getattr(frozen_model(), method)(X_VAL, Y_VAL, return_dict=1)


@pytest.mark.parametrize("arguments", [{"validation_batch_size": 4}, {}, {"validation_batch_size": None}])
def test_validation_steps_reads_the_first_batches_at_every_validation_as_keras(arguments):
    # validation_batch_size falls back to batch_size (4), as in Keras
    assert validation_losses(validation_data=(X_VAL, Y_VAL), validation_steps=2, **arguments) == [17.5] * 4


def test_validation_steps_on_a_generator_factory_reads_its_first_batches():
    def batches():
        for start in range(0, 20, 4):
            yield X_VAL[start:start + 4], Y_VAL[start:start + 4]
    assert validation_losses(validation_data=batches, validation_steps=2) == [17.5] * 4


def test_validation_steps_with_validation_split_as_keras():
    assert validation_losses(validation_split=0.5, validation_steps=1) == [0.0] * 4  # recorded from Keras 3.15.1


def test_the_callbacks_see_validation_steps_batches():
    seen = []

    class Counter(linnet.callbacks.Callback):
        def on_test_batch_end(self, batch, logs=None):
            seen.append(batch)

    frozen_model().fit(X_TRAIN, Y_TRAIN, batch_size=4, epochs=2, verbose=0, validation_data=(X_VAL, Y_VAL),
                       validation_steps=3, callbacks=[Counter()])
    assert seen == [0, 1, 2, 0, 1, 2]


def test_more_validation_steps_than_batches_are_refused_with_the_fix():
    # Keras 3 runs the 5 batches and warns that the input ran out of data (val_loss 123.5)
    with pytest.raises(ValueError, match=r"validation_steps=7 is more than the 5 batch\(es\) of the validation rows in "
                                         r"batches of 4.*<= 5"):
        validation_losses(validation_data=(X_VAL, Y_VAL), validation_steps=7, validation_batch_size=4)


@pytest.mark.parametrize("value, error", [(0, ValueError), (-1, ValueError), (2.5, TypeError), (True, TypeError)])
def test_validation_steps_must_be_a_positive_number_of_batches(value, error):
    # Keras 3.15.1 validates everything for 0, something else for -1, and fails inside TensorFlow for 2.5
    with pytest.raises(error, match=r"validation_steps must be a positive integer .*Received: validation_steps="):
        validation_losses(validation_data=(X_VAL, Y_VAL), validation_steps=value)


def test_array_training_takes_generator_validation_data():
    def batches():
        yield X_VAL, Y_VAL
    assert validation_losses(validation_data=batches) == pytest.approx([float(np.mean(Y_VAL ** 2))] * 4)


@pytest.mark.parametrize("method", ["fit", "train_on_batch"])
def test_class_weight_is_refused_pointing_at_sample_weight(method):
    model = frozen_model()
    with pytest.raises(ValueError, match=r"linnet's neuron is a regression.*sample_weight.*Received: "
                                         r"class_weight=\{0: 2\.0\}"):
        getattr(model, method)(X_TRAIN, Y_TRAIN, class_weight={0: 2.0})
    getattr(model, method)(X_TRAIN, Y_TRAIN, class_weight=None)  # Keras' default is taken


def test_nested_lists_of_callbacks_are_flattened_as_keras_does():
    """Keras 3's CallbackList flattens its callbacks (``tree.flatten``); linnet refused a nested list."""
    calls = []

    class Named(linnet.callbacks.Callback):
        def __init__(self, name):
            super().__init__()
            self.name = name

        def on_epoch_end(self, epoch, logs=None):
            calls.append(self.name)

    model = frozen_model()
    model.fit(X_TRAIN, Y_TRAIN, epochs=1, verbose=0, callbacks=[[Named("a")], (Named("b"), [Named("c")])])
    model.evaluate(X_TRAIN, Y_TRAIN, verbose=0, callbacks=[[Named("d")]])
    assert calls == ["a", "b", "c"]


def test_validation_steps_reads_an_endless_generator_a_few_batches_at_each_validation():
    """It was refused as a generator read for several epochs (the fix it named, steps_per_epoch, was not the one):
    validation_steps is what bounds it, as in Keras. Batch i has y = i: val_loss is the mean of i² over the two
    batches each validation reads next."""
    def batches():
        for index in itertools.count():
            yield np.zeros((4, 1), np.float32), np.full(4, float(index), np.float32)
    assert validation_losses(validation_data=batches(), validation_steps=2)[:3] == [0.5, 6.5, 20.5]

import re

import numpy as np
import pytest

import linnet
from linnet.engine.layers import Activation, Dense, Input, Normalization
from linnet.engine.sequential import Sequential

SUMMARY_1 = """\
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ {name:<31} │ (None, 1)              │             2 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: {total}
 Trainable params: 2 (8.00 B)
 Non-trainable params: 0 (0.00 B)"""


def _summary(model):
    lines = []
    model.summary(print_fn=lines.append)
    return lines[0]


def test_summary_matches_keras_before_and_after_fit():
    model = Sequential([Input((1,)), Dense(1, name="dense")], name="sequential")
    model.compile(optimizer="rmsprop", loss="mse")
    expected = 'Model: "sequential"\n' + SUMMARY_1.format(name="dense (Dense)", total="2 (8.00 B)")
    assert _summary(model) == expected
    model.fit([1.0, 2.0], [2.0, 4.0], verbose=0)
    after = _summary(model)
    assert after.endswith(" Total params: 6 (28.00 B)\n Trainable params: 2 (8.00 B)\n"
                          " Non-trainable params: 0 (0.00 B)\n Optimizer params: 4 (20.00 B)")


def test_names_are_unique_per_process_like_keras():
    a, b = Dense(1), Dense(1)
    assert a.name.startswith("dense") and b.name != a.name


def test_tutorial_forms_build_the_same_model():
    for model in (Sequential([Dense(units=1, input_shape=[1])]), Sequential([Input(shape=(1,)), Dense(1)])):
        model.build()
        assert model.count_params() == 2
        kernel, bias = model.get_weights()
        assert kernel.shape == (1, 1) and bias.tolist() == [0.0]
        assert abs(kernel[0, 0]) <= np.sqrt(3)  # glorot limit for 1 -> 1


def test_add_get_layer_weights_round_trip():
    model = Sequential()
    model.add(Dense(units=1, input_shape=(2,), name="neuron"))
    model.build()
    assert model.get_layer("neuron") is model.get_layer(index=0) is model.layers[0]
    model.set_weights([np.array([[2.0], [-3.0]]), np.array([5.0])])
    np.testing.assert_allclose(model.predict([[1.0, 1.0], [0.0, 0.0]]), [[4.0], [5.0]])
    assert model.predict([[1.0, 1.0]]).dtype == np.float32
    with pytest.raises(ValueError, match=r"shape \(2, 1\)\. Received: weight 0 with shape \(1, 1\)"):
        model.set_weights([np.array([[1.0]]), np.array([0.0])])
    with pytest.raises(ValueError, match="No layer named 'x'"):
        model.get_layer("x")


def test_get_layer_takes_an_integer_index_and_no_bool():
    """get_layer(index=True) gave the second layer (``isinstance(True, int)``), and index=np.int64(0) was refused."""
    model = Sequential([Input((1,)), Normalization(), Dense(1)])
    assert model.get_layer(index=np.int64(1)) is model.get_layer(index=-1) is model.layers[1]
    with pytest.raises(TypeError, match=r"^index must be an integer in \[0, 2\)\. Received: index=True \(bool\)$"):
        model.get_layer(index=True)
    with pytest.raises(ValueError, match=r"^index must be an integer in \[0, 2\)\. Received: index=2$"):
        model.get_layer(index=2)


def test_stacked_linear_layers_and_normalization_train_to_least_squares():
    rng = np.random.default_rng(0)
    x = rng.normal(50, 10, size=(200, 2))
    y = x @ [0.3, -0.2] + 4
    norm = Normalization()
    norm.adapt(x)
    model = Sequential([Input((2,)), norm, Dense(3), Activation("linear"), Dense(1)])
    model.compile(optimizer=linnet.engine.optimizers.Adam(0.05), loss="mse")
    model.fit(x, y, epochs=300, batch_size=200, verbose=0)
    assert model.evaluate(x, y, verbose=0) < 1e-3
    coef, _intercept = model.network.affine()
    np.testing.assert_allclose(coef, [0.3, -0.2], atol=2e-3)
    assert model.count_params() == 2 + 2 + 1 + 3 * 2 + 3 + 3 + 1


def test_nonlinear_activation_is_refused_with_reason():
    with pytest.raises(ValueError, match="linnet fits linear models"):
        Dense(1, activation="relu")
    with pytest.raises(ValueError, match="linnet fits linear models"):
        Activation("sigmoid")


def test_bad_input_errors_name_the_argument():
    model = Sequential([Input((1,)), Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    cases = [
        (lambda: model.fit([[1.0, 2.0, 3.0]], [1.0]), ValueError, "x has 3 feature.*expects 1"),
        (lambda: model.fit([1.0, np.nan], [1.0, 2.0]), ValueError, "x contains NaN"),
        (lambda: model.fit([1.0, 2.0], [1.0, np.inf]), ValueError, "y contains NaN or infinite"),
        (lambda: model.fit([1.0, 2.0], [1.0]), ValueError, "same number of samples"),
        (lambda: model.fit([], []), ValueError, "x is empty"),
        (lambda: model.fit(["a", "b"], [1.0, 2.0]), TypeError, "x must hold numbers"),
        (lambda: model.fit("abc", [1.0]), TypeError, "x must be numeric"),
        (lambda: model.fit(np.ones((2, 1, 1)), [1.0, 2.0]), ValueError, r"Received: x\.shape=\(2, 1, 1\)"),
        (lambda: model.fit([1.0, 2.0], [1.0, 2.0], validation_split=1.5), ValueError, "validation_split"),
        (lambda: model.fit([1.0, 2.0], [1.0, 2.0], validation_split=0.9), ValueError, "leaves 0 training"),
        (lambda: model.fit([1.0], [1.0], batch_size=0), ValueError, "batch_size must be a positive integer"),
        (lambda: model.fit([1.0], [1.0], epochs=-1), ValueError, "epochs"),
        (lambda: model.fit([1.0], [1.0], epochs=2.5), TypeError, "epochs"),
        (lambda: model.fit([1.0], [1.0], epoch=2), TypeError, "did you mean 'epochs'"),
        (lambda: model.fit([1.0], [1.0], shuffle="yes"), ValueError, "shuffle"),
        (lambda: model.compile(optimizer="adamm"), ValueError, "Did you mean 'adam'"),
        (lambda: model.compile(loss="maee"), ValueError, "Did you mean 'mae'"),
        (lambda: model.compile(loss="mse", metrics="mae"), TypeError, "metrics must be a list"),
    ]
    for call, error, pattern in cases:
        with pytest.raises(error, match=pattern):
            call()


def test_predict_before_build_and_before_compile():
    with pytest.raises(ValueError, match="not built"):
        Sequential([Dense(1)]).get_weights()
    with pytest.raises(ValueError, match="compile the model first"):
        Sequential([Dense(1)]).fit([1.0], [1.0])
    unbuilt = Sequential([Dense(1)])
    assert unbuilt.predict([[1.0, 2.0]]).shape == (1, 1)  # builds from the data, as Keras does


def test_predict_accepts_lists_and_pandas_and_is_quiet(capsys):
    import pandas as pd
    model = Sequential([Input((1,)), Dense(1)])
    model.set_weights([np.array([[2.0]]), np.array([30.0])])
    assert model.predict([20.0])[0, 0] == pytest.approx(70.0)
    assert model.predict(pd.Series([1.0, 2.0])).ravel().tolist() == [32.0, 34.0]
    assert model(np.array([[0.0]]))[0, 0] == 30.0
    assert capsys.readouterr().out == ""


def test_evaluate_returns_loss_or_list(capsys):
    model = Sequential([Input((1,)), Dense(1)])
    model.set_weights([np.array([[1.0]]), np.array([0.0])])
    model.compile(loss="mse", metrics=["mae"])
    assert model.evaluate([1.0, 2.0], [2.0, 2.0], verbose=0) == pytest.approx([0.5, 0.5])
    assert model.evaluate([1.0, 2.0], [2.0, 2.0], return_dict=True, verbose=0) == {"loss": 0.5, "mae": 0.5}
    model.evaluate([1.0, 2.0], [2.0, 2.0])
    assert capsys.readouterr().out.startswith("1/1 ━━━━━━━━━━━━━━━━━━━━ 0s")


def test_fit_prints_keras_text_on_a_pipe(capsys):
    model = Sequential([Input((1,)), Dense(1)])
    model.compile(loss="mse")
    with pytest.warns(UserWarning, match="holds out the last 10 of 40 rows"):  # sorted data: a biased tail
        model.fit(np.arange(40.0), np.arange(40.0), epochs=2, validation_split=0.25)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert lines[1].startswith("1/1 ━━━━━━━━━━━━━━━━━━━━ ") and " - loss: " in lines[1] and " - val_loss: " in lines[1]


def test_a_copied_model_keeps_training_its_own_weights():
    import copy
    import pickle
    model = Sequential([Input((1,)), Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit([1.0, 2.0], [2.0, 4.0], verbose=0)
    for clone in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        before = clone.get_weights()[0].copy()
        clone.fit([1.0, 2.0], [2.0, 4.0], verbose=0)
        assert not np.array_equal(clone.get_weights()[0], before)
        assert np.shares_memory(clone.layers[0].kernel, clone.network.params)


def test_values_beyond_float32_are_refused_with_the_reason():
    model = Sequential([Dense(1)])
    model.compile(loss="mse")
    with pytest.raises(ValueError, match="beyond the float32 range"):
        model.fit([3.4e39, 1.0], [1.0, 2.0], verbose=0)
    with pytest.raises(ValueError, match=r"y contains NaN or infinite values \(first at index \(1,\): nan\)"):
        model.fit([1.0, 2.0], [1.0, np.nan], verbose=0)


def test_predicting_on_columns_in_another_order_than_trained_warns_and_says_how_to_fix_it():
    """The model takes inputs by position, as Keras does: reordered DataFrame columns gave other numbers silently."""
    import warnings

    import pandas as pd

    import linnet
    frame = pd.DataFrame({"a": np.arange(20.0) / 20, "b": np.arange(20.0) % 3})  # a stable rate for SGD's 0.01
    model = linnet.Sequential([linnet.Input((2,)), linnet.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(frame, frame["a"] * 2 + frame["b"], epochs=1, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(frame)  # the trained order: no warning
        model.predict(frame.to_numpy())  # plain arrays carry no names
    with pytest.warns(UserWarning, match=r"x has its columns in another order than the model was trained on: "
                                         r"\['b', 'a'\] against \['a', 'b'\].*pass x\[\['a', 'b'\]\]"):
        model.predict(frame[["b", "a"]])


COLUMN_ENTRY_POINTS = {
    "fit": lambda model, x, y: model.fit(x, y, epochs=1, verbose=0),
    "evaluate": lambda model, x, y: model.evaluate(x, y, verbose=0),
    "evaluate, callbacks": lambda model, x, y: model.evaluate(x, y, verbose=0, callbacks=[linnet.callbacks.Callback()]),
    "predict": lambda model, x, y: model.predict(x),
    "predict with steps": lambda model, x, y: model.predict(x, steps=1),
    "train_on_batch": lambda model, x, y: model.train_on_batch(x, y),
    "test_on_batch": lambda model, x, y: model.test_on_batch(x, y),
    "predict_on_batch": lambda model, x, y: model.predict_on_batch(x),
    "__call__": lambda model, x, y: model(x),
}


@pytest.mark.parametrize("entry", COLUMN_ENTRY_POINTS)
def test_the_column_order_warning_points_at_the_users_line_from_every_entry_point(entry):
    """The warning named a line inside linnet for ``fit`` and ``evaluate`` (hand-counted stack levels that fitted
    ``predict``'s depth only); it names the caller's line, wherever the check sits below the entry point."""
    import warnings

    import pandas as pd
    frame = pd.DataFrame({"a": np.arange(20.0) / 20, "b": np.arange(20.0) % 3})
    model = linnet.Sequential([linnet.Input((2,)), linnet.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(frame, frame["a"] * 2 + frame["b"], epochs=1, verbose=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        COLUMN_ENTRY_POINTS[entry](model, frame[["b", "a"]], frame["a"])
    [warning] = [w for w in caught if "another order" in str(w.message)]
    assert (warning.filename, warning.lineno) == (__file__, COLUMN_ENTRY_POINTS[entry].__code__.co_firstlineno)


def test_a_declared_input_builds_the_model_at_construction_as_keras_does():
    """Keras 3.15.1 (observed): ``Sequential([Input((2,)), Dense(1)])`` and ``Sequential([Dense(1, input_shape=[2])])``
    are built at once, with weights; ``[Input((2,))]`` and ``[Dense(1)]`` are not; ``add`` builds again and the
    layer built before keeps its weights."""
    for model in (Sequential([Input((2,)), Dense(1)]), Sequential([Dense(1, input_shape=[2])])):
        assert model.built and [w.shape for w in model.layers[0].get_weights()] == [(2, 1), (1,)]
    assert not Sequential([Input((2,))]).built and not Sequential([Dense(1)]).built
    model = Sequential([Input((2,)), Dense(1)])
    kernel = model.get_weights()[0]
    model.add(Dense(1))
    assert model.built and [w.shape for w in model.get_weights()] == [(2, 1), (1,), (1, 1), (1,)]
    np.testing.assert_array_equal(model.get_weights()[0], kernel)
    widening = Sequential([Input((2,)), Dense(3)])
    assert not widening.built  # linnet fits one output: the stack is complete once it ends with one unit
    widening.add(Dense(1))
    assert widening.built and widening.count_params() == 2 * 3 + 3 + 3 + 1


def test_building_at_construction_draws_the_same_weights_and_shuffles_as_building_at_fit():
    x = np.linspace(-1, 1, 64).reshape(32, 2)
    y = x @ [1.0, -2.0] + 0.5

    def trained(layers):
        linnet.utils.set_random_seed(7)
        model = Sequential(layers)
        model.compile(optimizer="sgd", loss="mse")
        model.fit(x, y, batch_size=4, epochs=3, verbose=0)
        return model.get_weights()

    for early, late in zip(trained([Input((2,)), Dense(1)]), trained([Dense(1)])):
        np.testing.assert_array_equal(early, late)


@pytest.mark.parametrize("change", ["add", "pop then add"])
def test_layers_added_after_training_train_once_compiled_again(change):
    """Keras 3 lets a trained model take new layers (pop, then add: transfer learning) and refuses to train them
    with an optimizer that has no state for their variables ("Unknown variable"). linnet refused the add itself
    ("build a new Sequential model instead"); with pop then add it trained on with the popped layer's state."""
    x = np.linspace(-1.0, 1.0, 40).reshape(20, 2)
    y = x @ [1.0, -2.0] + 0.5
    model = Sequential([Input((2,)), Dense(2), Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, verbose=0)
    if change == "pop then add":
        model.pop()
    model.add(Dense(1, name="late"))
    assert model.built and model.layers[-1].name == "late"
    assert model.predict(x).shape == (20, 1)  # inference needs no optimizer
    for train in (lambda: model.fit(x, y, verbose=0), lambda: model.train_on_batch(x, y)):
        with pytest.raises(ValueError, match=r"the layers with weights changed \(add or pop\) after the optimizer "
                                             r"took steps .* compile again with a new optimizer"):
            train()
    optimizer = model.optimizer
    model.compile(optimizer=optimizer, loss="mse")  # the same optimizer, still holding the old layers' state
    with pytest.raises(ValueError, match=r"compile again with a new optimizer"):
        model.fit(x, y, verbose=0)
    model.compile(optimizer="adam", loss="mse")
    assert np.isfinite(model.fit(x, y, verbose=0).history["loss"][0])


def test_validation_data_with_other_columns_than_x_warns_and_says_how_to_fix_it():
    """``fit`` reads validation_data's columns by position too: reordered, they gave another val_loss silently."""
    import warnings

    import pandas as pd

    import linnet
    frame = pd.DataFrame({"a": np.arange(20.0) / 20, "b": np.arange(20.0) % 3})
    target = frame["a"] * 2 + frame["b"]
    model = linnet.Sequential([linnet.Input((2,)), linnet.Dense(1)])
    model.compile("sgd", "mse")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(frame, target, verbose=0, validation_data=(frame, target))
        model.fit(frame, target, verbose=0, validation_data=(frame.to_numpy(), target))
    with pytest.warns(UserWarning, match=r"validation_data x has its columns in another order than x: \['b', 'a'\] "
                                         r"against \['a', 'b'\].*pass x_val\[\['a', 'b'\]\]") as caught:
        model.fit(frame, target, verbose=0, validation_data=(frame[["b", "a"]], target))
    assert caught[0].filename == __file__
    with pytest.warns(UserWarning, match=r"validation_data x has other columns than x: \['z', 'b'\]"):
        model.fit(frame, target, verbose=0, validation_data=(frame.rename(columns={"a": "z"}), target, np.ones(20)))


def test_a_layer_without_weights_added_after_training_trains_on_with_the_same_optimizer():
    """As in Keras 3: the optimizer knows every trainable variable still."""
    from linnet.engine.layers import Activation
    x = np.linspace(-1.0, 1.0, 40).reshape(20, 2)
    model = Sequential([Input((2,)), Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, x @ [1.0, -2.0], verbose=0)
    model.add(Activation("linear"))
    model.fit(x, x @ [1.0, -2.0], verbose=0)
    assert model.optimizer.iterations == 2


def test_summary_of_a_stack_mid_way_shows_it_unbuilt(capsys):
    """After pop leaves a lone Normalization (or before the last Dense(1) is added) summary raised 'the last layer
    must have 1 unit'; Keras prints the table, as linnet now does, with the layers unbuilt."""
    from linnet.engine.layers import Normalization
    model = Sequential([Input((2,)), Normalization(), Dense(1)])
    model.pop()
    model.summary()
    Sequential([Input((2,)), Dense(3)]).summary()
    out = capsys.readouterr().out
    assert re.search(r"\(Normalization\) +│ \(None, 2\) +│ +0 \(unbuilt\)", out) and "(None, 3)" in out

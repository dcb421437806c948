"""Callable learning rates, EMA of weights, gradient accumulation, exclude_from_weight_decay, get(None), names.

Three kinds of oracle: Keras' own tests (golden values, ported; file and test named on each), a float64
reference written here from Keras' ``_backend_apply_gradients`` (hypothesis varies the settings), and the
argument checks. Real Keras' numbers for the same features are in ``test_keras_recorded.py``.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_optimizers import ref_adam, ref_sgd

import linnet
from linnet.engine import optimizers
from linnet.engine.optimizers import SGD, Adagrad, Adam, Adamax, AdamW, Nadam, RMSprop
from linnet.engine.schedules import PolynomialDecay

F32 = np.float32


def step(optimizer, params, grads):
    optimizer.apply(params, np.asarray(grads, F32))
    return params


# ---------------------------------------------------------------- Keras' published tests, ported
# keras/src/optimizers/optimizer_test.py, adam_test.py, adamw_test.py, sgd_test.py (Keras 3). A Keras variable
# of shape (2, 2) is one linnet variable of size 4; tolerances are Keras' assertAllClose default (1e-6).

def test_optimizer_test_test_ema():
    """optimizer_test.py::test_ema: SGD(1.0), EMA 0.9, overwritten every 3 iterations."""
    optimizer = SGD(learning_rate=1.0, use_ema=True, ema_momentum=0.9, ema_overwrite_frequency=3)
    optimizer.build([4])
    v, ones = np.array([3.0, 4.0, 5.0, 6.0], F32), np.ones(4, F32)
    step(optimizer, v, ones)
    np.testing.assert_allclose(v, [2.0, 3.0, 4.0, 5.0])
    np.testing.assert_allclose(optimizer.variables()["average"], [2.0, 3.0, 4.0, 5.0])  # initialized after step 1
    step(optimizer, v, ones)
    np.testing.assert_allclose(v, [1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(optimizer.variables()["average"], [1.9, 2.9, 3.9, 4.9], rtol=1e-6)
    step(optimizer, v, ones)
    np.testing.assert_allclose(v, [1.71, 2.71, 3.71, 4.71], rtol=1e-6)  # overwritten with the EMA
    np.testing.assert_allclose(optimizer.variables()["average"], [1.71, 2.71, 3.71, 4.71], rtol=1e-6)


def test_optimizer_test_test_ema_with_model_fit():
    """optimizer_test.py::test_ema_with_model_fit, on one unit: Keras' Dense(2) with MSE averages over 2 outputs,
    so each kernel's gradient is w; here Dense(1)'s is 2w, and learning_rate 0.05 makes the same two steps
    (0.9, 0.81) and the same EMA, 0.9 * 0.9 + 0.1 * 0.81 = 0.891, which fit leaves in the weights."""
    model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1, kernel_initializer="ones", use_bias=False)])
    optimizer = SGD(learning_rate=0.05, use_ema=True, ema_momentum=0.9)
    model.compile(loss="mse", optimizer=optimizer)
    model.fit(np.ones((1, 1)), np.zeros((1, 1)), batch_size=1, epochs=2, verbose=0)
    np.testing.assert_allclose(optimizer.variables()["average"], [0.891], atol=1e-5)
    np.testing.assert_allclose(model.get_weights()[0], [[0.891]], atol=1e-5)


def test_optimizer_test_test_get_method():
    """optimizer_test.py::test_get_method."""
    assert isinstance(optimizers.get("sgd"), SGD) and isinstance(optimizers.get("adamw"), AdamW)
    assert optimizers.get(None) is None
    with pytest.raises(ValueError):
        optimizers.get("typo")


def test_optimizer_test_test_gradient_accumulation():
    """optimizer_test.py::test_gradient_accumulation: SGD(1.0), 3 steps; the two counters after each call."""
    optimizer = SGD(learning_rate=1.0, gradient_accumulation_steps=3)
    assert optimizer.gradient_accumulation_steps == 3
    optimizer.build([4])
    v, ones = np.array([1.0, 2.0, 3.0, 4.0], F32), np.ones(4, F32)
    expected = [([1, 2, 3, 4], [1] * 4, 1, 0), ([1, 2, 3, 4], [2] * 4, 2, 0), ([0, 1, 2, 3], [0] * 4, 3, 1),
                ([0, 1, 2, 3], [1] * 4, 4, 1)]
    for weights, accumulated, calls, iterations in expected:
        step(optimizer, v, ones)
        np.testing.assert_allclose(v, weights)
        np.testing.assert_allclose(optimizer.variables()["gradient_accumulator"], accumulated)
        assert int(optimizer.variables()["iterations"]) == calls and optimizer.iterations == iterations


def test_optimizer_test_test_callable_learning_rate():
    """optimizer_test.py::test_callable_learning_rate."""
    optimizer = SGD(learning_rate=lambda: 0.1)
    optimizer.build([4])
    assert optimizer.iterations == 0
    np.testing.assert_allclose(step(optimizer, np.array([1.0, 2.0, 3.0, 4.0], F32), np.ones(4)),
                               [0.9, 1.9, 2.9, 3.9], rtol=1e-6)
    assert optimizer.iterations == 1


@pytest.mark.parametrize("name", ["adam", "sgd", "adamw", "adagrad", "rmsprop", "adamax", "nadam"])
def test_optimizer_test_test_gradient_accumulation_with_weight_decay(name):
    """optimizer_test.py::test_gradient_accumulation_with_weigth_decay: 3 accumulated steps == 1 mean step."""
    every = optimizers.get({"class_name": name, "config": {"weight_decay": 0.05}})
    accumulated = optimizers.get({"class_name": name, "config": {"weight_decay": 0.05,
                                                                 "gradient_accumulation_steps": 3}})
    every.build([2])
    accumulated.build([2])
    variable1, variable3 = np.array([0.9, 0.5], F32), np.array([0.9, 0.5], F32)
    rng = np.random.default_rng(13)
    for _ in range(8):
        grads3 = rng.random((3, 2)).astype(F32)
        step(every, variable1, grads3.mean(axis=0))
        for batch in grads3:
            step(accumulated, variable3, batch)
    np.testing.assert_allclose(variable1, variable3, rtol=1e-6, atol=1e-6)
    assert np.max(np.abs(variable1 - [0.9, 0.5])) > 1e-3


def test_optimizer_test_test_setting_lr_to_callable_untracks_lr_var():
    """optimizer_test.py::test_setting_lr_to_callable_untracks_lr_var: no learning_rate variable once scheduled."""
    adam = Adam(learning_rate=0.001)
    assert len(adam.variables()) == 2
    adam.learning_rate = PolynomialDecay(adam.learning_rate, 4)
    assert len(adam.variables()) == 1


@pytest.mark.parametrize("cls", [Adam, AdamW, SGD], ids=["adam_test", "adamw_test", "sgd_test"])
def test_keras_test_weight_decay(cls):
    """{adam,adamw,sgd}_test.py::test_weight_decay: var1 is decayed by three optimizers (2 * 0.996**3), the
    variable named "exclude" and the one in var_list not at all."""
    var1 = step(_built(cls(learning_rate=1.0, weight_decay=0.004), [1]), np.array([2.0], F32), [0.0])
    optimizer_2 = cls(learning_rate=1.0, weight_decay=0.004)
    optimizer_2.exclude_from_weight_decay(var_names=["exclude"])
    pair = step(_built(optimizer_2, [1, 1], ["variable", "exclude"]), np.array([var1[0], 2.0], F32), [0.0, 0.0])
    optimizer_3 = cls(learning_rate=1.0, weight_decay=0.004)
    triple = _built(optimizer_3, [1, 1])
    params = np.array([pair[0], 2.0], F32)
    optimizer_3.exclude_from_weight_decay(var_list=[params[1:]])
    step(triple, params, [0.0, 0.0])
    assert params[0] == pytest.approx(1.9760959, abs=1e-6)
    assert pair[1] == 2.0 and params[1] == 2.0


def _built(optimizer, sizes, names=None):
    optimizer.build(sizes, names)
    return optimizer


def test_adam_test_test_ema():
    """adam_test.py::test_ema: the EMA starts at the first updated weights; finalize copies it."""
    optimizer = _built(Adam(learning_rate=1.0, use_ema=True, ema_momentum=0.9), [2])
    var, grads = np.array([1.0, 2.0], F32), [0.1, 0.2]
    v1 = step(optimizer, var, grads).copy()
    np.testing.assert_allclose(optimizer.variables()["average"], v1)
    v2 = step(optimizer, var, grads).copy()
    expected = 0.9 * v1 + 0.1 * v2
    np.testing.assert_allclose(optimizer.variables()["average"], expected, rtol=1e-6)
    optimizer.finalize_variable_values(var)
    np.testing.assert_allclose(var, expected, rtol=1e-6)


def test_adam_test_test_ema_model_fit_ends_on_the_ema():
    """adam_test.py::test_ema, its model.fit part: the weights after fit are the EMA weights."""
    model = linnet.Sequential([linnet.Input((5,)), linnet.Dense(1, kernel_initializer="ones", use_bias=False)])
    model.compile(optimizer=Adam(use_ema=True, ema_momentum=0.9), loss="mse")
    model.fit(np.ones((1, 5)), np.zeros((1, 1)), verbose=0)
    np.testing.assert_array_equal(model.get_weights()[0].ravel(), model.optimizer.variables()["average"])


def test_adam_test_test_ema_overwrite_frequency():
    """adam_test.py::test_ema_overwrite_frequency: with frequency 2 the second step ends on the EMA."""
    optimizer = _built(Adam(learning_rate=1.0, use_ema=True, ema_momentum=0.9, ema_overwrite_frequency=2), [2])
    plain = _built(Adam(learning_rate=1.0), [2])
    var, var_no_ema, grads = np.array([1.0, 2.0], F32), np.array([1.0, 2.0], F32), [0.1, 0.2]
    step(optimizer, var, grads)
    v1 = step(plain, var_no_ema, grads).copy()
    np.testing.assert_allclose(var, v1)  # not overwritten yet
    step(optimizer, var, grads)
    v2 = step(plain, var_no_ema, grads).copy()
    np.testing.assert_allclose(var, 0.9 * v1 + 0.1 * v2, rtol=1e-6)
    np.testing.assert_allclose(optimizer.variables()["average"], 0.9 * v1 + 0.1 * v2, rtol=1e-6)


# ---------------------------------------------------------------- an independent float64 reference

START = [0.8, -0.6, 0.5]  # a kernel of 2 then a bias


def reference(rule, grads, rates, *, accumulate=None, ema=None, overwrite=None, weight_decay=None,
              exempt=(), **hyper):
    """Keras' apply in float64, one call per gradient; returns the weights and the EMA after each call."""
    w, state, acc, average, out = list(START), {}, [0.0] * 3, [0.0] * 3, []
    for calls, g in enumerate(grads):
        updates = calls // accumulate if accumulate else calls
        if accumulate and (calls + 1) % accumulate:
            acc = [a + gi for a, gi in zip(acc, g)]
        else:
            if accumulate:
                g, acc = [(gi + a) / accumulate for gi, a in zip(g, acc)], [0.0] * 3
            lr = rates[calls]
            if weight_decay:
                w = [wi if i in exempt else wi - wi * weight_decay * lr for i, wi in enumerate(w)]
            w = rule(w, list(g), lr, updates + 1, state, **hyper)
        if ema is not None:
            m = 0.0 if updates == 0 else ema
            average = [m * a + (1 - m) * wi for a, wi in zip(average, w)]
            if overwrite and (updates + 1) % overwrite == 0:
                w = list(average)
        out.append((list(w), list(average)))
    return out


grad_lists = st.lists(st.lists(st.floats(-3, 3).filter(lambda g: abs(g) > 1e-3), min_size=3, max_size=3),
                      min_size=1, max_size=10)


@settings(max_examples=60, deadline=None)
@given(grads=grad_lists, adam=st.booleans(), accumulate=st.sampled_from([None, 2, 3]),
       ema=st.sampled_from([None, 0.0, 0.5, 0.9, 1.0]), overwrite=st.sampled_from([None, 1, 2, 3]),
       decay=st.sampled_from([None, 0.1]), exempt_bias=st.booleans(), callable_rate=st.booleans())
def test_features_match_the_float64_reference(grads, adam, accumulate, ema, overwrite, decay, exempt_bias,
                                              callable_rate):
    rates = [0.05 + 0.01 * (k % 4) for k in range(len(grads))] if callable_rate else [0.05] * len(grads)
    current = [rates[0]]
    options = {"use_ema": ema is not None, "ema_momentum": 0.99 if ema is None else ema,
               "ema_overwrite_frequency": overwrite if ema is not None else None,
               "gradient_accumulation_steps": accumulate, "weight_decay": decay,
               "learning_rate": (lambda: current[0]) if callable_rate else 0.05}
    optimizer = Adam(**options) if adam else SGD(momentum=0.7, **options)
    if exempt_bias:
        optimizer.exclude_from_weight_decay(var_names=["bias"])
    optimizer.build([2, 1], ["kernel", "bias"])
    params = np.array(START, F32)
    expected = reference(ref_adam if adam else ref_sgd, grads, rates, accumulate=accumulate, ema=ema,
                         overwrite=overwrite if ema is not None else None, weight_decay=decay,
                         exempt=(2,) if exempt_bias else (), **({} if adam else {"momentum": 0.7}))
    for k, (g, (w, average)) in enumerate(zip(grads, expected)):
        current[0] = rates[k]
        step(optimizer, params, g)
        np.testing.assert_allclose(params, w, rtol=1e-4, atol=1e-5)
        if ema is not None:
            np.testing.assert_allclose(optimizer.variables()["average"], average, rtol=1e-4, atol=1e-5)
    assert optimizer.iterations == (len(grads) // accumulate if accumulate else len(grads))


def test_the_reference_itself_on_a_hand_computed_case():
    """SGD(0.1), accumulation 2, EMA 0.5: call 1 accumulates; call 2 steps with the mean 1.0 -> 0.7; the EMA
    is the weights while iterations is 0 (calls 1 and 2), then 0.5 * 0.7 + 0.5 * w."""
    out = reference(ref_sgd, [[1.0] * 3, [1.0] * 3, [2.0] * 3, [0.0] * 3], [0.1] * 4, accumulate=2, ema=0.5)
    assert out[0] == ([0.8, -0.6, 0.5], [0.8, -0.6, 0.5])
    assert out[1][0] == pytest.approx([0.7, -0.7, 0.4])
    assert out[3][0] == pytest.approx([0.6, -0.8, 0.3]) and out[3][1] == pytest.approx([0.65, -0.75, 0.35])


def test_gradient_accumulation_sees_schedules_at_the_call_count():
    """Keras' documented split: schedules see every apply call, ``iterations`` (and Adam's t) the updates."""
    seen = []

    class Recording(PolynomialDecay):
        def __call__(self, step):
            seen.append(step)
            return super().__call__(step)

    optimizer = _built(SGD(Recording(0.1, 10), gradient_accumulation_steps=2), [1])
    for _ in range(6):
        step(optimizer, np.array([1.0], F32), [1.0])
    assert seen == [1, 3, 5] and optimizer.iterations == 3
    assert optimizer.learning_rate == pytest.approx((0.1 - 0.0001) * (1 - 6 / 10) + 0.0001)  # at call 6


def test_exclusion_by_var_list_of_a_built_model_and_by_name_in_fit():
    model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1, bias_initializer="ones")])
    model.build()
    optimizer = SGD(0.1, weight_decay=0.5)
    optimizer.exclude_from_weight_decay(var_list=[model.layers[0].kernel])
    model.compile(optimizer=optimizer, loss="mse")
    kernel = model.get_weights()[0].copy()
    model.fit(np.zeros((4, 1)), np.ones(4), batch_size=4, verbose=0)  # gradient 0: only decay moves weights
    np.testing.assert_array_equal(model.get_weights()[0], kernel)
    assert model.get_weights()[1] == pytest.approx([1 - 0.1 * 0.5])


def test_var_list_entries_must_be_the_models_own_arrays():
    model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1)])
    model.build()
    optimizer = SGD(0.1, weight_decay=0.5)
    optimizer.exclude_from_weight_decay(var_list=[model.layers[0].kernel.copy()])
    model.compile(optimizer=optimizer, loss="mse")
    with pytest.raises(ValueError, match=r"var_list\[0\] is not a variable of the model.*Received"):
        model.fit(np.zeros((4, 1)), np.ones(4), verbose=0)


def test_finalize_is_a_no_op_without_ema_or_steps():
    params = np.array([1.0, 2.0], F32)
    _built(SGD(0.1), [2]).finalize_variable_values(params)
    _built(SGD(0.1, use_ema=True), [2]).finalize_variable_values(params)
    assert params.tolist() == [1.0, 2.0]


# ---------------------------------------------------------------- names, configs, state

def test_new_arguments_round_trip_through_the_config():
    optimizer = AdamW(0.01, use_ema=True, ema_momentum=0.95, ema_overwrite_frequency=5,
                      gradient_accumulation_steps=4, name="mine")
    config = optimizer.get_config()
    assert {key: config[key] for key in ("use_ema", "ema_momentum", "ema_overwrite_frequency",
                                         "gradient_accumulation_steps", "name")} == {
        "use_ema": True, "ema_momentum": 0.95, "ema_overwrite_frequency": 5, "gradient_accumulation_steps": 4,
        "name": "mine"}
    assert optimizers.get(optimizers.serialize(optimizer)).get_config() == config


def test_state_holds_the_average_and_the_accumulator_and_resumes():
    original = _built(Nadam(0.05, use_ema=True, gradient_accumulation_steps=2), [2, 1])
    params = np.array(START, F32)
    for g in ([1.0, -0.5, 0.2], [0.3, 0.1, -0.4], [0.6, 0.2, 0.9]):
        step(original, params, g)
    state = original.variables()
    assert list(state)[:4] == ["iterations", "learning_rate", "average", "gradient_accumulator"]
    resumed = _built(optimizers.get(optimizers.serialize(original)), [2, 1])
    resumed.set_variables(state)
    copy = params.copy()
    for g in ([0.2, 0.2, -0.1], [-0.3, 0.5, 0.7]):
        step(original, params, g)
        step(resumed, copy, g)
    np.testing.assert_array_equal(params, copy)
    assert resumed.summary_counts() == (1 + 1 + 4 * 3 + 1, 8 + 4 * (1 + 4 * 3 + 1))  # + Nadam's u_product


def test_callable_rate_is_reported_and_not_a_state_variable():
    optimizer = RMSprop(learning_rate=lambda: 0.25)
    assert optimizer.learning_rate == 0.25 and "learning_rate" not in optimizer.variables()
    config = optimizer.get_config()["learning_rate"]
    assert config["class_name"] == "function" and config["config"].endswith("<lambda>")
    with pytest.raises(ValueError, match="callable learning_rate cannot be rebuilt"):
        optimizers.get(optimizers.serialize(optimizer))
    with pytest.raises(TypeError, match="callable learning rate"):
        optimizer.learning_rate = 0.1


def test_a_callable_can_replace_a_number_and_a_schedule_a_callable():
    optimizer = Adagrad(0.1)
    optimizer.learning_rate = lambda: 0.3
    assert optimizer.learning_rate == pytest.approx(0.3)
    optimizer.learning_rate = PolynomialDecay(0.2, 10)
    assert optimizer.learning_rate == pytest.approx(0.2)


def test_compile_refuses_no_optimizer():
    model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1)])
    with pytest.raises(TypeError, match="Received: optimizer=None"):
        model.compile(optimizer=None, loss="mse")


# ---------------------------------------------------------------- argument checks

@pytest.mark.parametrize("arguments, error, message", [
    ({"use_ema": "yes"}, TypeError, "use_ema"),
    ({"use_ema": True, "ema_momentum": 1.5}, ValueError, "Received: ema_momentum=1.5"),
    ({"use_ema": True, "ema_momentum": math.nan}, ValueError, "Received: ema_momentum=nan"),
    ({"use_ema": True, "ema_momentum": "0.9"}, TypeError, "Received: ema_momentum='0.9'"),
    ({"use_ema": True, "ema_overwrite_frequency": 0}, ValueError, "Received: ema_overwrite_frequency=0"),
    ({"use_ema": True, "ema_overwrite_frequency": 2.0}, TypeError, "Received: ema_overwrite_frequency=2.0"),
    ({"use_ema": True, "ema_overwrite_frequency": True}, TypeError, "ema_overwrite_frequency"),
    ({"gradient_accumulation_steps": 1}, ValueError,
     "^gradient_accumulation_steps must be an integer >= 2 or None. Received: gradient_accumulation_steps=1$"),
    ({"gradient_accumulation_steps": 3.0}, TypeError, "Received: gradient_accumulation_steps=3.0"),
    ({"learning_rate": lambda step: 0.1}, TypeError, "no arguments.*Received: learning_rate="),
    ({"name": 3}, TypeError, "name"),
])
def test_new_arguments_are_refused_with_what_was_received(arguments, error, message):
    with pytest.raises(error, match=message):
        Adam(**arguments)


def test_ema_settings_without_use_ema_warn_instead_of_being_ignored():
    with pytest.warns(UserWarning, match="only act with use_ema=True.*Received: use_ema=False"):
        SGD(ema_overwrite_frequency=3)


@pytest.mark.parametrize("value", [math.nan, -0.1, math.inf, "0.1", None])
def test_a_callable_rate_returning_garbage_stops_the_step(value):
    optimizer = _built(SGD(learning_rate=lambda: value), [1])
    params = np.array([1.0], F32)
    with pytest.raises(ValueError, match="finite number >= 0. Received: learning_rate"):
        step(optimizer, params, [1.0])
    assert params[0] == 1.0


@pytest.mark.parametrize("arguments, error, message", [
    ({"var_names": "bias"}, TypeError, "list of non-empty strings.*Received: var_names='bias'"),
    ({"var_names": [""]}, TypeError, "var_names"),
    ({"var_names": ["bias("]}, ValueError, "regular expressions.*Received"),
    ({"var_list": [[0.5]]}, TypeError, "Received: var_list"),
    ({"var_list": np.zeros(2)}, TypeError, "var_list"),
])
def test_exclusion_arguments_are_checked(arguments, error, message):
    with pytest.raises(error, match=message):
        AdamW().exclude_from_weight_decay(**arguments)


def test_build_checks_the_names():
    with pytest.raises(ValueError, match="one string per variable"):
        SGD().build([2, 1], ["kernel"])


def test_auto_names_count_up_per_class_in_this_process():
    first, second, other = Adamax(), Adamax(), RMSprop()
    number = 0 if first.name == "adamax" else int(first.name.rsplit("_", 1)[1])
    assert second.name == f"adamax_{number + 1}" and other.name.startswith("rm_sprop")


def test_clipnorm_rounds_in_keras_order_and_a_huge_clipnorm_does_not_overflow():
    """Keras 3 (``base_optimizer._clip_by_norm``): ``g * clipnorm / max(norm(g), clipnorm)`` in float32, which for
    these gradients rounds differently from ``g * (clipnorm / norm)``; with clipnorm 1e38 ``g * clipnorm`` leaves
    float32, and the gradient passes unclipped."""
    from linnet.engine.optimizers.clipping import clip_each_norm
    g = np.array([0.1257302165031433, -0.13210485875606537, 0.6404226422309875], np.float32)
    clip = np.float32(0.3)
    keras = (g * clip) / max(np.sqrt(np.dot(g, g)), clip)
    assert not np.array_equal(keras, g * (clip / np.sqrt(np.dot(g, g))))  # the two orders differ here
    np.testing.assert_array_equal(clip_each_norm(g, [slice(0, 3)], 0.3, np.empty(3, np.float32)), keras)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(clip_each_norm(g, [slice(0, 3)], 1e38, np.empty(3, np.float32)), g)

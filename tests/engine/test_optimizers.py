"""Optimizers against float64 references written from Keras' rules, hand-computed steps, and their contracts.

The references below are plain scalar Python, written from the rules in KERAS_FACTS.md section a) (and Keras'
clipping and schedule formulas), not from linnet's code.
"""

import inspect
import json
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linnet.engine import optimizers
from linnet.engine.optimizers import SGD, Adagrad, Adam, Adamax, AdamW, Nadam, Optimizer, RMSprop
from linnet.engine.schedules import ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay

SIZES = [2, 1]                                   # a kernel of 2 and a bias, like Dense(1) on 2 features
START = [0.8, -0.6, 0.5]
GRADS = [[1.5, -0.4, 0.9], [1.2, -0.7, -0.3], [0.6, 0.2, 1.1], [-0.5, -0.9, 0.4], [2.0, 0.3, -1.2]]


# ---------------------------------------------------------------- float64 references, one element at a time

def ref_sgd(w, g, lr, t, s, momentum=0.0, nesterov=False):
    if momentum == 0:
        return [wi - lr * gi for wi, gi in zip(w, g)]
    v = s.setdefault("v", [0.0] * len(w))
    for i in range(len(w)):
        v[i] = momentum * v[i] - lr * g[i]
        w[i] += momentum * v[i] - lr * g[i] if nesterov else v[i]
    return w


def ref_rmsprop(w, g, lr, t, s, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    n = len(w)
    v, a, m = s.setdefault("v", [0.0] * n), s.setdefault("a", [0.0] * n), s.setdefault("m", [0.0] * n)
    for i in range(n):
        v[i] = rho * v[i] + (1 - rho) * g[i] ** 2
        if centered:
            a[i] = rho * a[i] + (1 - rho) * g[i]
            increment = lr * g[i] / math.sqrt(v[i] - a[i] ** 2 + epsilon)
        else:
            increment = lr * g[i] / math.sqrt(v[i] + epsilon)
        if momentum > 0:
            m[i] = momentum * m[i] + increment
            w[i] -= m[i]
        else:
            w[i] -= increment
    return w


def ref_adam(w, g, lr, t, s, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False):
    n = len(w)
    m, v, vmax = s.setdefault("m", [0.0] * n), s.setdefault("v", [0.0] * n), s.setdefault("vmax", [0.0] * n)
    alpha = lr * math.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
    for i in range(n):
        m[i] += (g[i] - m[i]) * (1 - beta_1)
        v[i] += (g[i] ** 2 - v[i]) * (1 - beta_2)
        vmax[i] = max(vmax[i], v[i])
        w[i] -= alpha * m[i] / (math.sqrt(vmax[i] if amsgrad else v[i]) + epsilon)
    return w


def ref_adagrad(w, g, lr, t, s, initial_accumulator_value=0.1, epsilon=1e-7):
    acc = s.setdefault("acc", [initial_accumulator_value] * len(w))
    for i in range(len(w)):
        acc[i] += g[i] ** 2
        w[i] -= lr * g[i] / math.sqrt(acc[i] + epsilon)
    return w


def ref_adamax(w, g, lr, t, s, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    m, u = s.setdefault("m", [0.0] * len(w)), s.setdefault("u", [0.0] * len(w))
    for i in range(len(w)):
        m[i] += (g[i] - m[i]) * (1 - beta_1)
        u[i] = max(beta_2 * u[i], abs(g[i]))
        w[i] -= lr * m[i] / ((1 - beta_1 ** t) * (u[i] + epsilon))
    return w


def ref_nadam(w, g, lr, t, s, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    m, v = s.setdefault("m", [0.0] * len(w)), s.setdefault("v", [0.0] * len(w))
    u_t = beta_1 * (1 - 0.5 * 0.96 ** t)
    u_next = beta_1 * (1 - 0.5 * 0.96 ** (t + 1))
    s["u_product"] = s.get("u_product", 1.0) * u_t
    for i in range(len(w)):
        m[i] += (g[i] - m[i]) * (1 - beta_1)
        v[i] += (g[i] ** 2 - v[i]) * (1 - beta_2)
        m_hat = u_next * m[i] / (1 - s["u_product"] * u_next) + (1 - u_t) * g[i] / (1 - s["u_product"])
        v_hat = v[i] / (1 - beta_2 ** t)
        w[i] -= lr * m_hat / (math.sqrt(v_hat) + epsilon)
    return w


def clip_each_norm(g, c):
    out, start = [], 0
    for size in SIZES:
        part = g[start:start + size]
        norm = math.sqrt(sum(x * x for x in part))
        out += [x * c / max(norm, c) for x in part]
        start += size
    return out


def clip_global_norm(g, c):
    norm = math.sqrt(sum(x * x for x in g))
    return [x * c * min(1 / norm, 1 / c) for x in g]


def clip_value(g, c):
    return [min(max(x, -c), c) for x in g]


def reference(rule, steps, *, lr, weight_decay=None, clip=None, schedule=None, **hyper):
    """Keras' step order: clip -> weight decay -> rule -> iterations += 1 (t = iterations + 1 in the rule)."""
    w, state = [float(x) for x in START], {}
    for iteration, g in enumerate(GRADS[:steps]):
        rate = schedule(iteration) if schedule else lr
        g = clip(g) if clip else list(g)
        if weight_decay is not None:
            w = [wi - wi * weight_decay * rate for wi in w]
        w = rule(w, g, rate, iteration + 1, state, **hyper)
    return w


def run(optimizer, steps):
    optimizer.build(SIZES)
    params = np.array(START, np.float32)
    for g in GRADS[:steps]:
        optimizer.apply(params, np.array(g, np.float32))
    assert optimizer.iterations == steps
    return params


# (linnet optimizer, reference rule, reference keyword arguments)
CASES = {
    "sgd": (SGD(0.1), ref_sgd, {"lr": 0.1}),
    "sgd momentum": (SGD(0.1, momentum=0.9), ref_sgd, {"lr": 0.1, "momentum": 0.9}),
    "sgd nesterov": (SGD(0.1, momentum=0.8, nesterov=True), ref_sgd, {"lr": 0.1, "momentum": 0.8, "nesterov": True}),
    "sgd weight decay": (SGD(0.1, weight_decay=0.3), ref_sgd, {"lr": 0.1, "weight_decay": 0.3}),
    "rmsprop": (RMSprop(0.05), ref_rmsprop, {"lr": 0.05}),
    "rmsprop big epsilon": (RMSprop(0.05, epsilon=0.5), ref_rmsprop, {"lr": 0.05, "epsilon": 0.5}),
    "rmsprop centered momentum": (RMSprop(0.05, rho=0.8, momentum=0.7, centered=True), ref_rmsprop,
                                  {"lr": 0.05, "rho": 0.8, "momentum": 0.7, "centered": True}),
    "adam": (Adam(0.05), ref_adam, {"lr": 0.05}),
    "adam big epsilon": (Adam(0.05, beta_1=0.8, beta_2=0.9, epsilon=0.3), ref_adam,
                         {"lr": 0.05, "beta_1": 0.8, "beta_2": 0.9, "epsilon": 0.3}),
    "adam amsgrad": (Adam(0.05, beta_2=0.5, amsgrad=True), ref_adam, {"lr": 0.05, "beta_2": 0.5, "amsgrad": True}),
    "adamw": (AdamW(0.05, weight_decay=0.2), ref_adam, {"lr": 0.05, "weight_decay": 0.2}),
    "adagrad": (Adagrad(0.1), ref_adagrad, {"lr": 0.1}),
    "adagrad big epsilon": (Adagrad(0.1, initial_accumulator_value=0.5, epsilon=0.4), ref_adagrad,
                            {"lr": 0.1, "initial_accumulator_value": 0.5, "epsilon": 0.4}),
    "adamax": (Adamax(0.05), ref_adamax, {"lr": 0.05}),
    "adamax big epsilon": (Adamax(0.05, beta_1=0.7, beta_2=0.6, epsilon=0.5), ref_adamax,
                           {"lr": 0.05, "beta_1": 0.7, "beta_2": 0.6, "epsilon": 0.5}),
    "nadam": (Nadam(0.05), ref_nadam, {"lr": 0.05}),
    "nadam big epsilon": (Nadam(0.05, beta_1=0.8, beta_2=0.9, epsilon=0.4), ref_nadam,
                          {"lr": 0.05, "beta_1": 0.8, "beta_2": 0.9, "epsilon": 0.4}),
    "clipnorm": (SGD(0.1, clipnorm=1.0), ref_sgd, {"lr": 0.1, "clip": lambda g: clip_each_norm(g, 1.0)}),
    "global_clipnorm": (RMSprop(0.05, global_clipnorm=1.3), ref_rmsprop,
                        {"lr": 0.05, "clip": lambda g: clip_global_norm(g, 1.3)}),
    "clipvalue": (Adam(0.05, clipvalue=0.5), ref_adam, {"lr": 0.05, "clip": lambda g: clip_value(g, 0.5)}),
    "exponential decay": (SGD(ExponentialDecay(0.2, 2, 0.5)), ref_sgd,
                          {"lr": None, "schedule": lambda k: 0.2 * 0.5 ** (k / 2)}),
    "inverse time decay + weight decay": (SGD(InverseTimeDecay(0.2, 1, 0.5, staircase=True), weight_decay=0.4),
                                          ref_sgd, {"lr": None, "weight_decay": 0.4,
                                                    "schedule": lambda k: 0.2 / (1 + 0.5 * k)}),
    "piecewise constant decay": (RMSprop(PiecewiseConstantDecay([1, 3], [0.1, 0.05, 0.01])), ref_rmsprop,
                                 {"lr": None, "schedule": lambda k: 0.1 if k <= 1 else 0.05 if k <= 3 else 0.01}),
}


@pytest.mark.parametrize("case", CASES)
def test_steps_match_the_float64_reference(case):
    optimizer, rule, arguments = CASES[case]
    for steps in (1, 5):
        # CASES holds unbuilt templates shared by the tests
        fresh = optimizers.deserialize(optimizers.serialize(optimizer))
        np.testing.assert_allclose(run(fresh, steps), reference(rule, steps, **arguments), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("case", CASES)
def test_each_step_moves_the_parameters(case):
    """Guard for the comparison above: the updates are large enough that a wrong rule cannot hide in rtol."""
    optimizer = optimizers.deserialize(optimizers.serialize(CASES[case][0]))
    assert np.min(np.abs(run(optimizer, 1) - np.array(START, np.float32))) > 1e-3


# ---------------------------------------------------------------- first steps computed by hand

W0, G = [1.0, 0.0], [2.0, -0.5]


def first_step(optimizer):
    optimizer.build([1, 1])
    params = np.array(W0, np.float32)
    optimizer.apply(params, np.array(G, np.float32))
    return params


@pytest.mark.parametrize("optimizer, step", [
    # RMSprop: lr * g / sqrt(0.1 * g**2 + 1e-7)
    (RMSprop(), [0.003162277264883746, -0.003162271335632033]),
    # Adam: alpha * 0.1 * g / (sqrt(0.001 * g**2) + 1e-7), alpha = lr * sqrt(1 - beta_2**1) / (1 - beta_1**1).
    # Keras takes the powers of float32(0.999) = 0.99900001287, so 1 - beta_2 = 0.00099998713 and the step is
    # 6.4e-6 smaller than with an exact 0.999 (0.0009999984 and -0.0009999937): the float32 detail is checked.
    (Adam(), [0.0009999917817844694, -0.0009999870384370182]),
    # Adagrad: lr * g / sqrt(0.1 + g**2 + 1e-7)
    (Adagrad(), [0.000987729584604107, -0.0008451541339922204]),
    # Adamax: lr * 0.1 * g / ((1 - 0.9) * (|g| + 1e-7))
    (Adamax(), [0.0009999999500000026, -0.00099999980000004]),
    # Nadam: u1 = 0.9 * 0.52, u2 = 0.9 * (1 - 0.5 * 0.96**2); m_hat = u2 * 0.1g / (1 - u1 * u2) + g,
    # v_hat = 0.001 g**2 / (1 - float32(0.999)) (exact 0.999 would give 0.0010627878 and -0.0010627876)
    (Nadam(), [0.0010627809356810905, -0.0010627807762650103]),
    # SGD: lr * g
    (SGD(), [0.02, -0.005]),
    # AdamW: w - w * 0.004 * 0.001 first (1 -> 0.999996, 0 stays 0), then the Adam step
    (AdamW(), [0.0009999917817844694 + 0.000004, -0.0009999870384370182]),
])
def test_first_step_by_hand(optimizer, step):
    np.testing.assert_allclose(first_step(optimizer), np.subtract(W0, step), rtol=1e-6, atol=1e-9)


def test_sgd_momentum_and_nesterov_two_steps_by_hand():
    # v1 = -0.1, w1 = -0.1; v2 = 0.9 * -0.1 - 0.1 = -0.19, w2 = -0.29
    # nesterov: w1 = 0.9 * -0.1 - 0.1 = -0.19; w2 = w1 + 0.9 * -0.19 - 0.1 = -0.461
    for nesterov, expected in ((False, -0.29), (True, -0.461)):
        optimizer, params = SGD(0.1, momentum=0.9, nesterov=nesterov), np.zeros(1, np.float32)
        optimizer.build([1])
        for _ in range(2):
            optimizer.apply(params, np.ones(1, np.float32))
        assert params[0] == pytest.approx(expected, rel=1e-6)


def test_clipping_by_hand():
    grads = np.array([3.0, 4.0], np.float32)
    for options, expected in [({"clipnorm": 1.0}, [1.0, 1.0]),          # each variable on its own: 3 -> 1, 4 -> 1
                              ({"global_clipnorm": 1.0}, [0.6, 0.8]),  # joint norm 5 -> 1
                              ({"clipvalue": 3.5}, [3.0, 3.5])]:
        optimizer, params = SGD(1.0, **options), np.zeros(2, np.float32)
        optimizer.build([1, 1])
        optimizer.apply(params, grads)
        np.testing.assert_allclose(params, np.negative(expected), rtol=1e-6)
    assert grads.tolist() == [3.0, 4.0], "clipping must not write into the caller's gradient"


def test_clipnorm_uses_the_variable_segments():
    optimizer, params = SGD(1.0, clipnorm=1.0), np.zeros(3, np.float32)
    optimizer.build([2, 1])
    optimizer.apply(params, np.array([3.0, 4.0, 0.5], np.float32))   # kernel norm 5 -> 1, bias 0.5 untouched
    np.testing.assert_allclose(params, [-0.6, -0.8, -0.5], rtol=1e-6)


def test_weight_decay_by_hand_applies_to_every_variable_before_the_update():
    optimizer, params = SGD(0.1, weight_decay=0.5), np.array([2.0, -4.0], np.float32)
    optimizer.build([1, 1])
    optimizer.apply(params, np.array([1.0, 0.0], np.float32))
    np.testing.assert_allclose(params, [2 - 2 * 0.05 - 0.1, -4 + 4 * 0.05], rtol=1e-6)  # bias decayed too


def test_zero_gradient_under_clipping_stays_zero_and_finite():
    for options in ({"clipnorm": 1.0}, {"global_clipnorm": 1.0}):
        optimizer, params = Adam(**options), np.ones(2, np.float32)
        optimizer.build([1, 1])
        optimizer.apply(params, np.zeros(2, np.float32))
        assert params.tolist() == [1.0, 1.0]


# ---------------------------------------------------------------- defaults, names, arguments

KERAS_DEFAULTS = {
    SGD: {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False},
    RMSprop: {"learning_rate": 0.001, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7, "centered": False},
    Adam: {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": False},
    AdamW: {"learning_rate": 0.001, "weight_decay": 0.004, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7,
            "amsgrad": False},
    Adagrad: {"learning_rate": 0.001, "initial_accumulator_value": 0.1, "epsilon": 1e-7},
    Adamax: {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
    Nadam: {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
}


@pytest.mark.parametrize("cls", KERAS_DEFAULTS, ids=lambda c: c.__name__)
def test_defaults_are_keras_defaults(cls):
    signature = {name: p.default for name, p in inspect.signature(cls).parameters.items()
                 if p.default is not inspect.Parameter.empty}
    assert signature == KERAS_DEFAULTS[cls]
    config = cls().get_config()
    assert config["learning_rate"] == float(np.float32(KERAS_DEFAULTS[cls]["learning_rate"]))
    assert config["clipnorm"] is config["clipvalue"] is config["global_clipnorm"] is None
    assert config["weight_decay"] == (0.004 if cls is AdamW else None)


@pytest.mark.parametrize("name, cls", [("sgd", SGD), ("rmsprop", RMSprop), ("adam", Adam), ("adamw", AdamW),
                                       ("adagrad", Adagrad), ("adamax", Adamax), ("nadam", Nadam),
                                       ("RMSprop", RMSprop), ("Adam", Adam), ("SGD", SGD), ("NADAM", Nadam)])
def test_get_by_name_builds_the_defaults(name, cls):
    optimizer = optimizers.get(name)
    assert type(optimizer) is cls
    assert optimizer.learning_rate == float(np.float32(KERAS_DEFAULTS[cls]["learning_rate"]))


def test_get_adam_is_adam_0_001():
    adam = optimizers.get("adam")
    assert (type(adam), adam.learning_rate, adam.beta_1, adam.beta_2, adam.epsilon) == (
        Adam, float(np.float32(0.001)), 0.9, 0.999, 1e-7)


def test_get_returns_instances_as_they_are_and_refuses_other_types():
    adam = Adam()
    assert optimizers.get(adam) is adam
    with pytest.raises(TypeError, match="optimizer"):
        optimizers.get(0.1)


def test_unknown_name_suggests_the_close_one():
    with pytest.raises(ValueError, match="(?i)did you mean 'rmsprop'"):
        optimizers.get("rmsprob")


def test_legacy_lr_works_with_exactly_one_warning_naming_learning_rate():
    for cls in (SGD, AdamW):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            optimizer = cls(lr=0.25)
        assert len(caught) == 1
        assert issubclass(caught[0].category, UserWarning) and "learning_rate" in str(caught[0].message)
        assert caught[0].filename == __file__, "the warning should point at the caller's line"
        assert optimizer.learning_rate == 0.25


def test_unknown_keyword_is_a_type_error_with_a_hint():
    with pytest.raises(TypeError, match="did you mean 'momentum'"):
        SGD(momentun=0.9)
    with pytest.raises(TypeError, match="did you mean 'beta_1'"):
        Adam(beta1=0.9)


def test_keras_2_decay_points_to_a_schedule():
    with pytest.raises(TypeError, match="InverseTimeDecay"):
        SGD(0.01, decay=1e-6)


@pytest.mark.parametrize("make, error, name", [
    (lambda: SGD(-1.0), ValueError, "learning_rate"),
    (lambda: SGD(0.0), ValueError, "learning_rate"),
    (lambda: SGD("fast"), TypeError, "learning_rate"),
    (lambda: SGD(momentum=1.5), ValueError, "momentum"),
    (lambda: SGD(nesterov="yes"), TypeError, "nesterov"),
    (lambda: RMSprop(rho=1.0), ValueError, "rho"),
    (lambda: RMSprop(momentum=-0.1), ValueError, "momentum"),
    (lambda: RMSprop(epsilon=-1e-7), ValueError, "epsilon"),
    (lambda: RMSprop(centered=1), TypeError, "centered"),
    (lambda: Adam(beta_1=1.0), ValueError, "beta_1"),
    (lambda: Adam(beta_1=0.99999999), ValueError, "beta_1"),   # rounds to 1.0 in float32
    (lambda: Adam(beta_2=-0.1), ValueError, "beta_2"),
    (lambda: Adam(amsgrad=None), TypeError, "amsgrad"),
    (lambda: Adagrad(initial_accumulator_value=-0.1), ValueError, "initial_accumulator_value"),
    (lambda: Adamax(epsilon=float("nan")), ValueError, "epsilon"),
    (lambda: Nadam(beta_2=2.0), ValueError, "beta_2"),
    (lambda: Adam(clipnorm=0.0), ValueError, "clipnorm"),
    (lambda: Adam(clipvalue=-1.0), ValueError, "clipvalue"),
    (lambda: Adam(global_clipnorm=0.0), ValueError, "global_clipnorm"),
    (lambda: Adam(clipnorm=1.0, global_clipnorm=1.0), ValueError, "Only one of clipnorm"),
    (lambda: SGD(clipnorm=1.0, clipvalue=1.0), ValueError, "Only one of clipnorm"),
    (lambda: Adam(weight_decay=-0.1), ValueError, "weight_decay"),
    (lambda: AdamW(weight_decay=None), ValueError, "weight_decay"),
    (lambda: Adam(name=3), TypeError, "name"),
])
def test_invalid_hyper_parameters_are_refused_by_name(make, error, name):
    with pytest.raises(error, match=name):
        make()


def test_learning_rate_can_be_set_like_reduce_lr_on_plateau_does():
    optimizer = RMSprop()
    optimizer.learning_rate = 0.0005
    assert optimizer.learning_rate == float(np.float32(0.0005))
    with pytest.raises(ValueError, match="learning_rate"):
        optimizer.learning_rate = -1.0
    optimizer.learning_rate = ExponentialDecay(0.1, 1, 0.5)
    assert optimizer.learning_rate == pytest.approx(0.1)
    with pytest.raises(TypeError, match="LearningRateSchedule"):
        optimizer.learning_rate = 0.01


def test_schedule_is_evaluated_at_iterations():
    optimizer = SGD(ExponentialDecay(0.1, 1, 0.5))
    run(optimizer, 3)
    assert optimizer.learning_rate == pytest.approx(0.1 * 0.5 ** 3)


def test_apply_needs_build_and_build_is_idempotent():
    optimizer = Adam()
    with pytest.raises(RuntimeError, match="build"):
        optimizer.apply(np.zeros(2, np.float32), np.zeros(2, np.float32))
    run(optimizer, 2)
    before = optimizer.variables()
    optimizer.build(SIZES)
    assert all(np.array_equal(before[k], v) for k, v in optimizer.variables().items())
    with pytest.raises(ValueError, match="sizes"):
        optimizer.build([3, 1])
    with pytest.raises(ValueError, match=r"sizes\[0\]"):
        Adam().build([0])


# ---------------------------------------------------------------- configs and state

ALL = [SGD(0.2, momentum=0.5, nesterov=True, clipnorm=2.0), RMSprop(0.01, rho=0.8, momentum=0.3, centered=True),
       Adam(0.02, amsgrad=True, weight_decay=0.01), AdamW(0.003, weight_decay=0.1, global_clipnorm=1.5),
       Adagrad(0.3, initial_accumulator_value=0.2, clipvalue=0.7), Adamax(0.01, beta_2=0.9),
       Nadam(0.004, epsilon=1e-5), SGD(PiecewiseConstantDecay([2], [0.1, 0.01]), weight_decay=0.1),
       RMSprop(InverseTimeDecay(0.01, 2, 1.0), name="custom")]


@pytest.mark.parametrize("optimizer", ALL, ids=repr)
def test_config_round_trip(optimizer):
    envelope = json.loads(json.dumps(optimizers.serialize(optimizer)))
    assert envelope["class_name"] == type(optimizer).__name__
    config = envelope["config"]
    for rebuilt in (type(optimizer).from_config(config), optimizers.deserialize(envelope), optimizers.get(envelope)):
        assert type(rebuilt) is type(optimizer)
        assert rebuilt.get_config() == optimizer.get_config()


def test_schedule_config_is_nested_in_the_optimizer_config():
    config = SGD(ExponentialDecay(0.1, 10, 0.9)).get_config()
    assert config["learning_rate"]["class_name"] == "ExponentialDecay"
    assert config["learning_rate"]["config"]["decay_steps"] == 10


def test_keras_style_config_is_accepted_unless_it_asks_for_loss_scaling():
    keras_config = {"class_name": "Adam", "config": {
        "name": "adam", "learning_rate": 0.001, "weight_decay": None, "clipnorm": None, "global_clipnorm": None,
        "clipvalue": None, "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
        "loss_scale_factor": None, "gradient_accumulation_steps": None, "beta_1": 0.9, "beta_2": 0.999,
        "epsilon": 1e-07, "amsgrad": False}}
    assert isinstance(optimizers.get(keras_config), Adam)
    keras_config["config"].update(use_ema=True, gradient_accumulation_steps=4)
    rebuilt = optimizers.get(keras_config)
    assert rebuilt.use_ema and rebuilt.gradient_accumulation_steps == 4
    keras_config["config"]["loss_scale_factor"] = 128.0
    with pytest.raises(ValueError, match="loss_scale_factor"):
        optimizers.get(keras_config)


def test_from_config_refuses_another_class():
    with pytest.raises(TypeError, match="SGD got unexpected keyword argument.*'beta_1'"):
        SGD.from_config(Adam().get_config())
    with pytest.raises(TypeError, match="needs a concrete class"):
        Optimizer.from_config(Adam().get_config())


@pytest.mark.parametrize("optimizer", ALL, ids=repr)
def test_variables_round_trip_continues_bit_identically(optimizer):
    original = optimizers.deserialize(optimizers.serialize(optimizer))
    params = run(original, 3)
    saved = original.variables()
    resumed = optimizers.deserialize(optimizers.serialize(original))
    resumed.build(SIZES)
    resumed.set_variables(saved)
    assert resumed.iterations == 3
    params_resumed = params.copy()
    for g in GRADS[3:]:
        original.apply(params, np.array(g, np.float32))
        resumed.apply(params_resumed, np.array(g, np.float32))
    assert np.array_equal(params, params_resumed)
    assert all(np.array_equal(value, resumed.variables()[key]) for key, value in original.variables().items())


def test_variables_are_copies_and_set_variables_checks_them():
    optimizer = Adam()
    run(optimizer, 1)
    state = optimizer.variables()
    assert sorted(state) == ["iterations", "learning_rate", "momentum", "velocity"]
    assert state["iterations"].dtype == np.int64 and state["momentum"].dtype == np.float32
    state["momentum"][:] = 99.0
    assert not np.any(optimizer.variables()["momentum"] == 99.0)
    with pytest.raises(ValueError, match="keys"):
        optimizer.set_variables({"iterations": np.array(1)})
    with pytest.raises(ValueError, match="shape"):
        optimizer.set_variables({**state, "velocity": np.zeros(5, np.float32)})
    with pytest.raises(RuntimeError, match="built"):
        Adam().set_variables(state)


@pytest.mark.parametrize("optimizer, counts", [
    (RMSprop(), (4, 20)), (Adam(), (6, 28)),                       # Keras' summary lines
    (SGD(), (2, 12)), (SGD(momentum=0.9), (4, 20)), (Adam(amsgrad=True), (8, 36)), (Nadam(), (7, 32)),
    (RMSprop(momentum=0.5, centered=True), (8, 36)), (RMSprop(ExponentialDecay(0.1, 1, 0.5)), (3, 16)),
])
def test_summary_counts_on_a_one_input_dense(optimizer, counts):
    optimizer.build([1, 1])
    assert optimizer.summary_counts() == counts


def test_repr_shows_the_hyper_parameters():
    assert repr(Adam()) == "Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07, amsgrad=False)"


# ---------------------------------------------------------------- fuzzing: finite in, no NaN out

# |g| <= 2**49 keeps g**2 finite in float32; epsilon > 0, because with epsilon = 0 a zero gradient is 0 / 0 in Keras too
finite_grads = st.lists(st.lists(st.floats(-2.0**49, 2.0**49, width=32), min_size=3, max_size=3),
                        min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(lr=st.floats(1e-6, 10.0), beta_1=st.floats(0.0, 0.999), beta_2=st.floats(0.0, 0.9999),
       epsilon=st.floats(1e-8, 1e-2), amsgrad=st.booleans(), grads=finite_grads)
def test_adam_never_makes_nan_from_finite_input(lr, beta_1, beta_2, epsilon, amsgrad, grads):
    assert_no_nan(Adam(lr, beta_1, beta_2, epsilon, amsgrad), grads)


@settings(max_examples=60, deadline=None)
@given(lr=st.floats(1e-6, 10.0), rho=st.floats(0.0, 0.999), momentum=st.floats(0.0, 1.0),
       epsilon=st.floats(1e-8, 1e-2), grads=finite_grads)
def test_rmsprop_never_makes_nan_from_finite_input(lr, rho, momentum, epsilon, grads):
    assert_no_nan(RMSprop(lr, rho, momentum, epsilon), grads)


def assert_no_nan(optimizer, grads):
    optimizer.build(SIZES)
    params = np.array(START, np.float32)
    for g in grads:
        optimizer.apply(params, np.array(g, np.float32))
    assert not np.isnan(params).any()
    assert not any(np.isnan(values).any() for values in optimizer.variables().values())


@pytest.mark.parametrize("rate", [1e40, 1e-50])
def test_a_learning_rate_float32_cannot_hold_is_refused_by_name(rate):
    """1e40 was stored as inf (with a leaked RuntimeWarning), 1e-50 as 0.0: an optimizer that never moves."""
    import linnet
    with pytest.raises(ValueError, match=r"learning_rate must be at most 3.4e\+38 and, unless 0, at least 1.18e-38"):
        linnet.optimizers.Adam(learning_rate=rate)
    optimizer = linnet.optimizers.SGD(0.1)
    with pytest.raises(ValueError, match="learning_rate must be at most"):
        optimizer.learning_rate = rate
    assert optimizer.learning_rate == pytest.approx(0.1)


def test_a_schedule_that_overflows_is_named_when_the_optimizer_reads_it():
    import linnet
    from linnet.engine.schedules import ExponentialDecay
    schedule = ExponentialDecay(0.1, decay_steps=10, decay_rate=1e10)
    assert schedule(100) == np.inf  # as Keras returns it, without a RuntimeWarning
    optimizer = linnet.optimizers.SGD(schedule)
    optimizer._iterations = 100
    with pytest.raises(ValueError, match=r"gave inf at step 100; a learning rate must be a finite number >= 0"):
        optimizer.learning_rate


def test_keras_loss_scale_factor_is_taken_at_its_default_and_named_otherwise():
    """Keras 3's optimizers all take loss_scale_factor=None; linnet refused the keyword outright."""
    import linnet
    assert linnet.optimizers.Adam(learning_rate=0.01, loss_scale_factor=None).learning_rate == pytest.approx(0.01)
    with pytest.raises(ValueError, match=r"does not support Keras' loss_scale_factor: it must be None\. "
                                         r"Received: loss_scale_factor=128"):
        linnet.optimizers.SGD(loss_scale_factor=128)


@pytest.mark.parametrize("make, name", [
    (lambda: optimizers.Adam(epsilon=1e39), "epsilon"),
    (lambda: optimizers.RMSprop(epsilon=1e39), "epsilon"),
    (lambda: optimizers.Adagrad(initial_accumulator_value=1e39), "initial_accumulator_value"),
    (lambda: optimizers.SGD(weight_decay=1e39), "weight_decay"),
    (lambda: optimizers.SGD(clipnorm=1e39), "clipnorm"),
    (lambda: optimizers.SGD(clipnorm=1e-50), "clipnorm"),
    (lambda: optimizers.SGD(global_clipnorm=1e-50), "global_clipnorm"),
    (lambda: optimizers.SGD(clipvalue=1e-50), "clipvalue"),
])
def test_a_hyper_parameter_float32_cannot_hold_is_refused_by_name(make, name):
    """They were accepted, then rounded to inf or 0 at build: a leaked RuntimeWarning, or NaN steps (clipnorm 1e-50
    makes 0/0 on a zero gradient)."""
    with pytest.raises(ValueError, match=rf"^{name} must be at most 3.4e\+38.* Received: 1e"):
        make().build(SIZES)

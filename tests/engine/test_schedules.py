"""Learning-rate schedules: Keras' formulas (hand-computed values), float32 results, validation, configs."""

import ctypes.util
import json
import math
import re
import warnings

import numpy as np
import pytest

from linnet.engine import schedule_formulas as formulas
from linnet.engine import schedules
from linnet.engine.schedules import (
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
    PolynomialDecay,
)


def f32(value):
    return float(np.float32(value))


# ---------------------------------------------------------------- formulas, by hand

@pytest.mark.parametrize("step, expected", [(0, 0.1), (5, 0.1 * 0.5 ** 0.5), (10, 0.05), (25, 0.1 * 0.5 ** 2.5)])
def test_exponential_decay_is_continuous_by_default(step, expected):
    assert ExponentialDecay(0.1, 10, 0.5)(step) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("step, expected", [(0, 0.1), (9, 0.1), (10, 0.05), (19, 0.05), (20, 0.025)])
def test_exponential_decay_staircase_jumps_every_decay_steps(step, expected):
    assert ExponentialDecay(0.1, 10, 0.5, staircase=True)(step) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("step, expected", [(0, 0.1), (5, 0.1 / 1.25), (20, 0.05), (100, 0.1 / 6)])
def test_inverse_time_decay(step, expected):
    assert InverseTimeDecay(0.1, 10, 0.5)(step) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("step, expected", [(9, 0.1), (10, 0.1 / 1.5), (15, 0.1 / 1.5), (20, 0.05)])
def test_inverse_time_decay_staircase(step, expected):
    assert InverseTimeDecay(0.1, 10, 0.5, staircase=True)(step) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("step, expected", [(0, 1.0), (10, 1.0), (11, 0.5), (20, 0.5), (21, 0.1), (10**6, 0.1)])
def test_piecewise_constant_boundaries_belong_to_the_interval_they_close(step, expected):
    assert PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])(step) == f32(expected)


def test_results_are_float32_values_like_keras():
    assert ExponentialDecay(0.1, 10, 0.5)(0) == f32(0.1) != 0.1
    assert InverseTimeDecay(0.001, 1, 0.0)(7) == f32(0.001)
    assert isinstance(ExponentialDecay(0.1, 10, 0.5)(3), float)


def test_float64_reference_over_many_steps():
    exponential, inverse = ExponentialDecay(0.05, 7, 0.8), InverseTimeDecay(0.05, 7, 0.3)
    for step in range(0, 200, 3):
        assert exponential(step) == pytest.approx(0.05 * 0.8 ** (step / 7), rel=1e-5)
        assert inverse(step) == pytest.approx(0.05 / (1 + 0.3 * step / 7), rel=1e-5)
        assert ExponentialDecay(0.05, 7, 0.8, staircase=True)(step) == pytest.approx(
            0.05 * 0.8 ** math.floor(step / 7), rel=1e-5)


# ---------------------------------------------------------------- validation

@pytest.mark.parametrize("make, error, name", [
    (lambda: ExponentialDecay(0.1, 0, 0.5), ValueError, "decay_steps"),
    (lambda: ExponentialDecay(-0.1, 10, 0.5), ValueError, "initial_learning_rate"),
    (lambda: ExponentialDecay(0.1, 10, -0.5), ValueError, "decay_rate"),
    (lambda: InverseTimeDecay(0.1, 10, 0.5, staircase="yes"), TypeError, "staircase"),
    (lambda: InverseTimeDecay("0.1", 10, 0.5), TypeError, "initial_learning_rate"),
    (lambda: PiecewiseConstantDecay([10, 20], [1.0, 0.5]), ValueError, "one more"),
    (lambda: PiecewiseConstantDecay([20, 10], [1.0, 0.5, 0.1]), ValueError, "strictly increasing"),
    (lambda: PiecewiseConstantDecay([10], [1.0, -0.5]), ValueError, "values[1]"),
    (lambda: PiecewiseConstantDecay([1.5], [1.0, 0.5]), TypeError, "boundaries[0]"),
    (lambda: PolynomialDecay(0.1, 0), ValueError, "decay_steps"),
    (lambda: PolynomialDecay(0.1, 10, end_learning_rate=-1.0), ValueError, "end_learning_rate"),
    (lambda: PolynomialDecay(0.1, 10, power=-0.5), ValueError, "power"),
    (lambda: PolynomialDecay(0.1, 10, power=float("nan")), ValueError, "power"),
    (lambda: PolynomialDecay(0.1, 10, cycle="yes"), TypeError, "Received: cycle='yes'"),
    (lambda: CosineDecay(0.1, -5), ValueError, "decay_steps"),
    (lambda: CosineDecay(0.1, 10, alpha=1.5), ValueError, "alpha"),
    (lambda: CosineDecay(0.1, 10, warmup_steps=5), ValueError, "Received: warmup_steps=5, warmup_target=None"),
    (lambda: CosineDecay(0.0, 10, warmup_target=0.1, warmup_steps=2.5), TypeError, "warmup_steps"),
    (lambda: CosineDecay(0.0, 10, warmup_target=-0.1, warmup_steps=2), ValueError, "warmup_target"),
    (lambda: CosineDecayRestarts(0.1, 0), ValueError, "first_decay_steps"),
    (lambda: CosineDecayRestarts(0.1, 10, t_mul=0.5), ValueError, "t_mul"),
    (lambda: CosineDecayRestarts(0.1, 10, m_mul=-1.0), ValueError, "m_mul"),
    (lambda: CosineDecayRestarts(0.1, 10, alpha="0"), TypeError, "alpha"),
])
def test_invalid_arguments_are_refused_by_name(make, error, name):
    with pytest.raises(error, match=name.replace("[", r"\[").replace("]", r"\]")):
        make()


@pytest.mark.parametrize("make, name", [
    (lambda: ExponentialDecay(1e39, 10, 0.5), "initial_learning_rate"),
    (lambda: ExponentialDecay(0.1, 1e-50, 0.5), "decay_steps"),
    (lambda: InverseTimeDecay(0.1, 10, 1e39), "decay_rate"),
    (lambda: PiecewiseConstantDecay([1], [0.1, 1e39]), "values[1]"),
    (lambda: PolynomialDecay(0.1, 1e-50), "decay_steps"),
    (lambda: PolynomialDecay(0.1, 10, power=1e39), "power"),
    (lambda: CosineDecay(0.1, 10, warmup_target=1e39), "warmup_target"),
    (lambda: CosineDecayRestarts(0.1, 1e-50), "first_decay_steps"),
    (lambda: CosineDecayRestarts(0.1, 10, m_mul=1e39), "m_mul"),
])
def test_arguments_float32_cannot_hold_are_refused_by_name(make, name):
    """They were taken, then the float32 formulas met inf or a zero decay_steps: a leaked RuntimeWarning, NaN."""
    with pytest.raises(ValueError, match=rf"^{re.escape(name)} must be at most 3.4e\+38"):
        make()


@pytest.mark.parametrize("schedule, step, expected", [
    (InverseTimeDecay(0.1, 1, 3e38), 10, 0.0),              # 1 + decay_rate * p overflows: 0.1 / inf
    (ExponentialDecay(0.1, 1, 2.0), 1000, math.inf),
    (CosineDecayRestarts(1.0, 1, t_mul=1.0, m_mul=2.0), 1000, math.inf),   # m_mul ** 1000
])
def test_a_formula_that_overflows_gives_float32_result_without_a_warning(schedule, step, expected):
    """As Keras' float32 tensors give it; an optimizer refuses an infinite rate by name when it reads it."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert schedule(step) == expected


def test_base_class_must_be_subclassed():
    with pytest.raises(NotImplementedError, match="__call__"):
        LearningRateSchedule()(0)


# ---------------------------------------------------------------- configs

ALL = [ExponentialDecay(0.1, 10, 0.5, staircase=True), InverseTimeDecay(0.2, 3, 0.7),
       PiecewiseConstantDecay([5, 9], [0.3, 0.2, 0.1]), PolynomialDecay(0.1, 5, 0.01, power=2.0, cycle=True),
       CosineDecay(0.0, 6, alpha=0.1, warmup_target=0.2, warmup_steps=3),
       CosineDecayRestarts(0.1, 3, t_mul=1.5, m_mul=0.8, alpha=0.05)]


@pytest.mark.parametrize("schedule", ALL, ids=lambda s: type(s).__name__)
def test_serialize_deserialize_round_trip(schedule):
    config = json.loads(json.dumps(schedules.serialize(schedule)))
    rebuilt = schedules.deserialize(config)
    assert type(rebuilt) is type(schedule)
    assert rebuilt.get_config() == schedule.get_config()
    assert [rebuilt(step) for step in range(12)] == [schedule(step) for step in range(12)]
    assert schedules.get(config).get_config() == schedule.get_config()


def test_keras_config_with_module_keys_is_accepted():
    keras_config = {"module": "keras.optimizers.schedules", "class_name": "ExponentialDecay",
                    "config": {"initial_learning_rate": 0.01, "decay_steps": 100, "decay_rate": 0.9,
                               "staircase": False, "name": "ExponentialDecay"}, "registered_name": None}
    assert schedules.get(keras_config)(100) == pytest.approx(0.009, rel=1e-6)


def test_get_returns_schedules_as_they_are():
    schedule = ALL[0]
    assert schedules.get(schedule) is schedule


def test_unknown_schedule_name_suggests_the_close_one():
    with pytest.raises(ValueError, match="(?i)did you mean 'ExponentialDecay'"):
        schedules.deserialize({"class_name": "ExponentialDecai", "config": {}})


@pytest.mark.parametrize("bad", [0.1, "ExponentialDecay", {"config": {}}])
def test_get_refuses_other_identifiers(bad):
    with pytest.raises((TypeError, ValueError)):
        schedules.get(bad)


def test_user_subclasses_deserialize_too():
    class HalvingEveryStep(LearningRateSchedule):
        def __init__(self, start):
            self.start = start

        def __call__(self, step):
            return self.start / 2 ** step

        def get_config(self):
            return {"start": self.start}

    rebuilt = schedules.deserialize(schedules.serialize(HalvingEveryStep(1.0)))
    assert rebuilt(3) == 0.125
    assert repr(rebuilt) == "HalvingEveryStep(start=1.0)"


# ---------------------------------------------------------------- Keras' published tests, ported
# From keras/src/optimizers/schedules/learning_rate_schedule_test.py (Keras 3), class and test named per test;
# Keras asserts with assertAllClose(..., 1e-6) (rtol), or its default 1e-6 for the warmup tests.

def np_cosine_decay(step, decay_steps, alpha=0.0):          # CosineDecayTest.np_cosine_decay
    step = min(step, decay_steps)
    return (1.0 - alpha) * 0.5 * (1.0 + math.cos(math.pi * step / decay_steps)) + alpha


def np_cosine_decay_restarts(step, decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0):  # CosineDecayRestartsTest
    fac = 1.0
    while step >= decay_steps:
        step, decay_steps, fac = step - decay_steps, decay_steps * t_mul, fac * m_mul
    return (1.0 - alpha) * fac * 0.5 * (1.0 + math.cos(math.pi * step / decay_steps)) + alpha


def linear_warmup(step, warmup_steps, initial_lr, target_lr):  # CosineDecayTest.linear_warmup
    return step / warmup_steps * (target_lr - initial_lr)


@pytest.mark.parametrize("test, schedule, step, expected", [
    ("LinearDecayTest.test_halfway", PolynomialDecay(0.05, 10, 0.0), 5, 0.05 * 0.5),
    ("LinearDecayTest.test_end", PolynomialDecay(0.05, 10, 0.001), 10, 0.001),
    ("LinearDecayTest.test_halfway_with_end", PolynomialDecay(0.05, 10, 0.001), 5, (0.05 + 0.001) * 0.5),
    ("LinearDecayTest.test_beyond_end", PolynomialDecay(0.05, 10, 0.001), 15, 0.001),
    ("LinearDecayTest.test_beyond_end_with_cycle", PolynomialDecay(0.05, 10, 0.001, cycle=True), 15,
     (0.05 - 0.001) * 0.25 + 0.001),
    ("SqrtDecayTest.test_halfway", PolynomialDecay(0.05, 10, 0.0, power=0.5), 5, 0.05 * 0.5 ** 0.5),
    ("SqrtDecayTest.test_end", PolynomialDecay(0.05, 10, 0.001, power=0.5), 10, 0.001),
    ("SqrtDecayTest.test_halfway_with_end", PolynomialDecay(0.05, 10, 0.001, power=0.5), 5,
     (0.05 - 0.001) * 0.5 ** 0.5 + 0.001),
    ("SqrtDecayTest.test_beyond_end", PolynomialDecay(0.05, 10, 0.001, power=0.5), 15, 0.001),
    ("SqrtDecayTest.test_beyond_end_with_cycle", PolynomialDecay(0.05, 10, 0.001, power=0.5, cycle=True), 15,
     (0.05 - 0.001) * 0.25 ** 0.5 + 0.001),
    ("SqrtDecayTest.test_begin_with_cycle", PolynomialDecay(0.001, 10, cycle=True), 0, 0.001),
], ids=lambda value: value if isinstance(value, str) else "")
def test_keras_polynomial_decay_golden_values(test, schedule, step, expected):
    assert schedule(step) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("step", range(0, 1500, 250))
def test_keras_cosine_decay_golden_values(step):
    """CosineDecayTest.test_decay, test_alpha, test_warmup."""
    assert CosineDecay(1.0, 1000)(step) == pytest.approx(np_cosine_decay(step, 1000), rel=1e-6, abs=1e-7)
    assert CosineDecay(1.0, 1000, 0.1)(step) == pytest.approx(np_cosine_decay(step, 1000, 0.1), rel=1e-6)
    assert CosineDecay(0.0, 10, warmup_target=10.0, warmup_steps=1500)(step) == pytest.approx(
        linear_warmup(step, 1500, 0.0, 10.0), rel=1e-6)


@pytest.mark.parametrize("step", range(0, 3000, 250))
def test_keras_cosine_decay_warmup_then_decay(step):
    """CosineDecayTest.test_warmup_decay."""
    expected = (linear_warmup(step, 2000, 0.0, 10.0) if step < 2000 + 1
                else 10.0 * np_cosine_decay(step - 2000, 1000))
    assert CosineDecay(0.0, 1000, warmup_target=10.0, warmup_steps=2000)(step) == pytest.approx(
        expected, rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("step", range(0, 1500, 250))
@pytest.mark.parametrize("keyword", [{}, {"alpha": 0.1}, {"m_mul": 0.9}, {"t_mul": 1.0}],
                         ids=["test_decay", "test_alpha", "test_mmul", "test_tmul"])
def test_keras_cosine_decay_restarts_golden_values(step, keyword):
    """CosineDecayRestartsTest.test_decay, test_alpha, test_mmul, test_tmul."""
    assert CosineDecayRestarts(1.0, 1000, **keyword)(step) == pytest.approx(
        np_cosine_decay_restarts(step, 1000, **keyword), rel=1e-6, abs=1e-7)


@pytest.mark.parametrize("schedule", [
    PolynomialDecay(initial_learning_rate=0.1, decay_steps=100, end_learning_rate=0.005, power=1.0, cycle=False,
                    name="my_ld"),
    CosineDecay(initial_learning_rate=0.05, decay_steps=10, alpha=0.1, warmup_target=0.2, warmup_steps=2,
                name="my_cd"),
    CosineDecayRestarts(initial_learning_rate=0.05, first_decay_steps=10, alpha=0.1, t_mul=3.0, m_mul=4.0,
                        name="my_cdr"),
], ids=["LinearDecayTest", "CosineDecayTest", "CosineDecayRestartsTest"])
def test_keras_test_config(schedule):
    """``test_config`` of each Keras test class: the config rebuilds the same schedule."""
    rebuilt = type(schedule).from_config(schedule.get_config())
    assert rebuilt.get_config() == schedule.get_config() and rebuilt.name == schedule.name
    assert [rebuilt(step) for step in range(30)] == [schedule(step) for step in range(30)]


# ---------------------------------------------------------------- the new schedules against float64 closed forms

def test_new_schedules_match_float64_formulas_over_many_steps():
    for step in range(0, 120, 7):
        capped = min(step, 20)
        assert PolynomialDecay(0.3, 20, 0.01, power=1.7)(step) == pytest.approx(
            0.29 * (1 - capped / 20) ** 1.7 + 0.01, rel=2e-6, abs=1e-8)
        period = max(1, math.ceil(step / 20))
        assert PolynomialDecay(0.3, 20, 0.01, power=1.7, cycle=True)(step) == pytest.approx(
            0.29 * (1 - step / (20 * period)) ** 1.7 + 0.01, rel=2e-6, abs=1e-8)
        warm = 0.02 + (0.2 - 0.02) * step / 9 if step < 9 else 0.2 * np_cosine_decay(step - 9, 30, 0.1)
        assert CosineDecay(0.02, 30, alpha=0.1, warmup_target=0.2, warmup_steps=9)(step) == pytest.approx(
            warm, rel=2e-6)
        assert CosineDecayRestarts(0.1, 6, t_mul=3.0, m_mul=0.7, alpha=0.05)(step) == pytest.approx(
            0.1 * np_cosine_decay_restarts(step, 6, 3.0, 0.7, 0.05), rel=5e-6, abs=1e-8)


def test_warmup_starts_at_the_initial_rate_and_reaches_the_target():
    schedule = CosineDecay(0.01, 100, warmup_target=0.1, warmup_steps=10)
    assert schedule(0) == f32(0.01) and schedule(10) == f32(0.1) and schedule(5) == pytest.approx(0.055)
    assert schedule(110) == schedule(10**6) == 0.0   # decayed to alpha = 0, and stays there


# ---------------------------------------------------------------- bit for bit with Keras

# Recorded from Keras 3.15.1 (TensorFlow 2.21 backend, float32), schedule(step) at steps where linnet differed
# by up to 1.3e-7 relative (3.7e-6 near a zero of the cosine): NumPy's float32 cos and power are not the C
# library's cosf and powf that TensorFlow's scalar kernels call, and TensorFlow flushes subnormal results to 0
# (ExponentialDecay(0.1, 10, 0.5) at steps 1227 and 1300). All 2,001 steps 0..2000 of each agree bit for bit.
KERAS_RATES = {
    (ExponentialDecay, (0.1, 10, 0.5), ()): {
        6: 0.06597539037466049, 9: 0.05358867719769478, 12: 0.043527524918317795, 1227: 0.0, 1300: 0.0},
    (ExponentialDecay, (0.01, 100, 0.96), ()): {
        48: 0.009805961512029171, 113: 0.009549188427627087, 436: 0.008369558490812778, 941: 0.006810393650084734},
    (ExponentialDecay, (0.001, 7, 0.9), ()): {
        1: 0.0009850612841546535, 13: 0.0008222839678637683, 1195: 1.5436223479992073e-11,
        1623: 2.4592129480266282e-14},
    (ExponentialDecay, (0.01, 100, 0.96), (("staircase", True),)): {
        400: 0.008493464440107346, 1999: 0.004604189656674862},
    (CosineDecay, (1.0, 1000), ()): {
        105: 0.9730426669120789, 116: 0.9671645164489746, 383: 0.6796727180480957, 697: 0.20993277430534363,
        726: 0.17408311367034912},
    (CosineDecay, (0.1, 500), (("alpha", 0.1),)): {
        58: 0.09704481065273285, 126: 0.08661925047636032, 363: 0.025667479261755943},
    (CosineDecay, (0.0, 1000), (("warmup_target", 0.1), ("warmup_steps", 300))): {
        405: 0.09730426967144012, 416: 0.09671645611524582, 683: 0.06796727329492569, 997: 0.020993277430534363,
        1026: 0.017408311367034912},
    (CosineDecay, (0.001, 700), (("alpha", 0.05), ("warmup_target", 0.01), ("warmup_steps", 137))): {
        192: 0.009856024757027626, 201: 0.009805401787161827, 552: 0.0038839029148221016,
        597: 0.002999123651534319},
    (CosineDecayRestarts, (0.1, 100), (("alpha", 0.01),)): {
        17: 0.09310673922300339, 31: 0.0783231258392334, 453: 0.06836012750864029, 1006: 0.06836012750864029},
}


@pytest.mark.skipif(ctypes.util.find_library("m") is None, reason="no C math library: rates within 1 ulp only")
@pytest.mark.parametrize("make, rates", KERAS_RATES.items(), ids=lambda v: v[0].__name__ if isinstance(v, tuple)
                         else None)
def test_rates_are_keras_bit_for_bit(make, rates):
    cls, arguments, keywords = make
    schedule = cls(*arguments, **dict(keywords))
    assert {step: schedule(step) for step in rates} == rates


def test_without_a_c_math_library_the_functions_are_float64_rounded(monkeypatch):
    """Where ctypes finds no libm (Windows), cos, log and power are NumPy's float64 ones rounded to float32."""
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    formulas._c_function.cache_clear()  # looked up on first use, then kept
    try:
        cos, power = formulas._tensorflow_scalar("cosf", np.cos), formulas._tensorflow_scalar("powf", np.power)
        x = np.float32(1.2345)
        assert cos(x) == np.float32(math.cos(float(x))) and type(cos(x)) is np.float32
        assert power(np.float32(0.5), np.float32(150.0)) == 0.0  # 7e-46: flushed, as TensorFlow's kernels do
    finally:
        formulas._c_function.cache_clear()
    assert formulas.flush_to_zero(np.float32(-1e-39)) == 0.0 and formulas.flush_to_zero(np.float32(2.0)) == 2.0


@pytest.mark.parametrize("make", [
    lambda name: ExponentialDecay(0.1, 10, 0.5, name=name), lambda name: InverseTimeDecay(0.1, 10, 0.5, name=name),
    lambda name: PiecewiseConstantDecay([1], [1.0, 0.5], name=name), lambda name: PolynomialDecay(0.1, 10, name=name),
    lambda name: CosineDecay(0.1, 10, name=name), lambda name: CosineDecayRestarts(0.1, 10, name=name)])
def test_name_must_be_a_string_without_a_slash(make):
    """name=3 was accepted; Keras 3.15.1 refuses it when called: "Argument `name` must be a string and cannot
    contain character `/`. Received: name=3" (recorded)."""
    with pytest.raises(TypeError, match=r"name must be a string. Received: name=3"):
        make(3)
    with pytest.raises(ValueError, match=r"name must not contain '/'.*Received: name='a/b'"):
        make("a/b")
    assert make("my_schedule").name == "my_schedule"

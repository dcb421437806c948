"""Learning-rate schedules: Keras' formulas (hand-computed values), float32 results, validation, configs."""

import json
import math

import numpy as np
import pytest

from linnet.engine import schedules
from linnet.engine.schedules import ExponentialDecay, InverseTimeDecay, LearningRateSchedule, PiecewiseConstantDecay


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
])
def test_invalid_arguments_are_refused_by_name(make, error, name):
    with pytest.raises(error, match=name.replace("[", r"\[").replace("]", r"\]")):
        make()


def test_base_class_must_be_subclassed():
    with pytest.raises(NotImplementedError, match="__call__"):
        LearningRateSchedule()(0)


# ---------------------------------------------------------------- configs

ALL = [ExponentialDecay(0.1, 10, 0.5, staircase=True), InverseTimeDecay(0.2, 3, 0.7),
       PiecewiseConstantDecay([5, 9], [0.3, 0.2, 0.1])]


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

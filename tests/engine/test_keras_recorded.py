"""linnet against numbers recorded from real Keras 3 for the schedules and optimizer features of issue 13.

The fixture ``keras_optimizer_features.json`` was written by ``tests/tools/record_keras_optimizers.py`` with
keras 3.15.1 on the TensorFlow backend (the version is stored in the fixture and checked below); it holds each
case's definition and Keras' results, so nothing here needs Keras. Keras computes in float32, and so does
linnet, in the same order: the tolerances are a few float32 roundings (TensorFlow's and NumPy's ``pow`` can
differ in the last bit, which Nadam's products carry to ~2e-6 relative); a wrong rule, step count or order
is off by 1e-3 or more.
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from optimizer_cases import build_optimizer, exclude

import linnet
from linnet.engine import optimizers, schedules
from linnet.keras import optimizers as keras_optimizers

RECORDED = json.loads((Path(__file__).parent / "keras_optimizer_features.json").read_text())
STEPS, FIT = RECORDED["steps"], RECORDED["fit"]


def test_the_fixture_comes_from_keras_3():
    assert RECORDED["recorded_with"]["keras"] == "3.15.1"
    assert RECORDED["recorded_with"]["backend"] == "tensorflow"


def schedule(name):
    recorded = RECORDED["schedules"][name]
    return getattr(schedules, recorded["class_name"])(**recorded["config"])


def optimizer(case, rate=None):
    """The case's optimizer from ``linnet.keras.optimizers``, the mirror of ``keras.optimizers``."""
    named = {name: [recorded["class_name"], recorded["config"]] for name, recorded in RECORDED["schedules"].items()}
    return build_optimizer(case, keras_optimizers, named, rate)


@pytest.mark.parametrize("name", RECORDED["schedules"])
def test_schedules_give_keras_values_at_every_recorded_step(name):
    recorded = RECORDED["schedules"][name]
    values = [schedule(name)(step) for step in recorded["steps"]]
    np.testing.assert_allclose(values, recorded["values"], rtol=2e-6, atol=1e-7)


@pytest.mark.parametrize("name", STEPS["cases"])
def test_optimizer_steps_match_keras_step_by_step(name):
    case, rate = STEPS["cases"][name], [None]
    opt = optimizer(case, rate)
    opt.build([2, 1], ["kernel", "bias"])
    params = np.array(STEPS["start"], np.float32)
    variables = {"kernel": params[:2].reshape(2, 1), "bias": params[2:]}
    exclude(opt, case, variables)
    for k, grads in enumerate(STEPS["grads"]):
        rate[0] = STEPS["rates"][k]
        opt.apply(params, np.array(grads, np.float32))
        np.testing.assert_allclose(params, case["params"][k], rtol=5e-6, atol=1e-7, err_msg=f"step {k + 1}")
        assert opt.iterations == case["iterations"][k]
        if opt.use_ema:
            np.testing.assert_allclose(opt.variables()["average"], case["average"][k], rtol=5e-6, atol=1e-7)
    opt.finalize_variable_values(params)
    np.testing.assert_allclose(params, case["finalized"], rtol=5e-6, atol=1e-7)


def test_the_step_cases_are_not_trivial():
    """Guard: each recorded case moves the weights, and EMA/accumulation change the result."""
    cases = STEPS["cases"]
    for name, case in cases.items():
        assert np.max(np.abs(np.subtract(case["params"][-1], STEPS["start"]))) > 0.05, name
    assert cases["sgd accumulation 3"]["params"][0] == STEPS["start"]          # no update on the first call
    assert cases["adam ema"]["finalized"] != cases["adam ema"]["params"][-1]  # finalize overwrote with the EMA


@pytest.mark.parametrize("name", FIT["cases"])
def test_fit_matches_keras_losses_and_final_weights(name):
    case = FIT["cases"][name]
    model = linnet.Sequential([linnet.Input((2,)), linnet.Dense(1)])
    start = np.array(FIT["start"], np.float32)
    model.set_weights([start[:2].reshape(2, 1), start[2:]])
    opt = optimizer(case)
    exclude(opt, case, {})
    model.compile(optimizer=opt, loss="mse")
    history = model.fit(np.array(FIT["x"]), np.array(FIT["y"]), verbose=0, **FIT["arguments"])
    np.testing.assert_allclose(history.history["loss"], case["loss"], rtol=1e-5)
    np.testing.assert_allclose(np.concatenate([w.ravel() for w in model.get_weights()]), case["weights"], rtol=1e-5)
    assert opt.iterations == case["iterations"]


def test_optimizers_are_named_like_keras_in_a_fresh_process():
    """Keras' ``auto_name``: snake-case class name, then ``_1``, ``_2``, ... per name in the process."""
    names = RECORDED["auto_names"]
    program = ("import linnet.engine.optimizers as o\n"
               f"print([getattr(o, c)().name for c in {names['classes']!r}])")
    finished = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert finished.stdout.strip() == repr(names["names"])


def test_get_none_is_none_as_in_keras():
    assert RECORDED["get_none"] is None and optimizers.get(None) is None

"""linnet against numbers recorded from real Keras 3 for fit's sample_weight, validation_freq,
validation_batch_size, weighted metrics and Dense regularizers (issue 13).

The fixture ``keras_fit_arguments.json`` was written by ``tests/tools/record_keras_fit_arguments.py`` with keras
3.15.1 on the TensorFlow backend; it holds each case's definition and Keras' results, so nothing here needs
Keras. Both compute in float32 in the same order (``shuffle=False``): a few float32 roundings apart, where a
wrong weighting, a missing penalty or a skipped validation is off by 1e-2 or more.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from linnet.keras import layers, optimizers, regularizers
from linnet.keras.models import Sequential

RECORDED = json.loads((Path(__file__).parent / "keras_fit_arguments.json").read_text())
DATA = {key: np.array(value, np.float32) for key, value in RECORDED["data"].items()}
CASES = RECORDED["cases"]


def test_the_fixture_comes_from_keras_3():
    assert RECORDED["recorded_with"] == {**RECORDED["recorded_with"], "keras": "3.15.1", "backend": "tensorflow"}


def regularizer(spec):
    return spec if spec is None or isinstance(spec, str) else getattr(regularizers, spec[0])(**spec[1])


def run(case):
    regs = case["regularizers"]
    dense = layers.Dense(1, kernel_regularizer=regularizer(regs.get("kernel")),
                         bias_regularizer=regularizer(regs.get("bias")))
    model = Sequential([layers.Input((2,)), dense])
    model.set_weights([np.array(RECORDED["start"]["kernel"], np.float32), np.array(RECORDED["start"]["bias"],
                                                                                   np.float32)])
    name, config = case["optimizer"]
    model.compile(optimizer=getattr(optimizers, name)(**config), loss="mse", **case["compile"])
    fit = dict(case["fit"])
    if fit.pop("sample_weight", False):
        fit["sample_weight"] = DATA["w"]
    if fit.pop("validation_data", False):
        fit["validation_data"] = (DATA["x_val"], DATA["y_val"], DATA["w_val"])
    history = model.fit(DATA["x"], DATA["y"], shuffle=False, verbose=0, **fit).history
    evaluated = model.evaluate(DATA["x"], DATA["y"], sample_weight=DATA["w"], verbose=0, return_dict=True)
    return model, dense, history, evaluated


@pytest.mark.parametrize("name", list(CASES))
def test_history_weights_and_weighted_evaluate_match_keras(name):
    expected = CASES[name]["result"]
    model, _, history, evaluated = run(CASES[name])
    assert sorted(history) == sorted(expected["history"])
    for key, values in expected["history"].items():
        np.testing.assert_allclose(history[key], values, rtol=2e-5, err_msg=key)  # validation_freq: fewer entries
    for ours, theirs in zip(model.get_weights(), expected["weights"]):
        np.testing.assert_allclose(ours, theirs, rtol=2e-5, atol=1e-6)
    assert evaluated == pytest.approx(expected["evaluate_weighted"], rel=2e-5)


@pytest.mark.parametrize("name", [name for name, case in CASES.items() if case["regularizers"]])
def test_the_regularizer_config_is_keras_own(name):
    expected = CASES[name]["result"]["dense_config"]
    dense = run(CASES[name])[1]
    config = dense.get_config()
    for key in ("kernel_regularizer", "bias_regularizer"):
        ours, theirs = config[key], expected[key]
        if theirs is None:
            assert ours is None
            continue
        assert {k: ours[k] for k in ("module", "class_name", "registered_name")} == \
            {k: theirs[k] for k in ("module", "class_name", "registered_name")}
        assert ours["config"] == pytest.approx(theirs["config"], rel=1e-7)  # Keras keeps L1's l1 as float32

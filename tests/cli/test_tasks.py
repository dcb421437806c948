"""The CLI's tasks and report as library calls: recorded demo numbers, no global seed, train + report = run."""

import json

import numpy as np
import pytest

import linnet
from linnet.cli import report, tasks

# What linnet computed for each demo with its default --seed 42 before the CLI was split into tasks and report
# (commit be9ee59, `linnet demo NAME --quiet --no-plots`): the final logs, the neuron and (Boston) the test loss.
RECORDED = {
    "boston": ({"loss": 54.20482316253879, "val_loss": 74.56956807120902}, [3.382998466491699],
               1.0733110904693604, 57.52104396446079),
    "noisy-line": ({"loss": 7.474099252738204}, [0.954620897769928], 6.2015910148620605, None),
    "line": ({"loss": 4.692816734313965}, [2.120896816253662], 27.588712692260742, None),
    "plane": ({"loss": 0.3810234479904175}, [2.078791379928589, -3.01303768157959], 4.988852500915527, None),
}


def quiet_run(task, out):
    return tasks.run(task, out, verbose=0, plots=False, echo=lambda text: None)


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_each_demo_reproduces_the_recorded_numbers_for_its_seed(name, tmp_path):
    metrics = quiet_run(tasks.demo(name), tmp_path)
    final, coef, intercept, test_loss = RECORDED[name]
    assert metrics["final"] == pytest.approx(final, rel=1e-9)
    assert metrics["coef"] == pytest.approx(coef, rel=1e-9) and metrics["intercept"] == pytest.approx(intercept)
    assert metrics.get("test_loss") == (None if test_loss is None else pytest.approx(test_loss, rel=1e-9))


def test_another_seed_changes_the_run_and_is_reproducible(tmp_path):
    seven = [quiet_run(tasks.demo("boston", seed=7), tmp_path / str(i))["final"] for i in range(2)]
    assert seven[0] == seven[1] == pytest.approx({"loss": 54.66089061980552, "val_loss": 75.0357165727459})


def test_a_seeded_run_leaves_linnet_global_generator_alone(tmp_path):
    linnet.random.set_seed(123)
    before = linnet.random.generator().bit_generator.state
    quiet_run(tasks.demo("line"), tmp_path)
    assert linnet.random.generator().bit_generator.state == before  # neither reseeded nor drawn from


def test_an_unseeded_run_draws_from_linnet_default_generator(tmp_path):
    task = tasks.demo("line")
    task.seed = None
    runs = []
    for _ in range(2):
        linnet.random.set_seed(5)
        runs.append(quiet_run(task, tmp_path)["final"])
    assert runs[0] == runs[1]


def test_train_then_write_report_is_what_run_does(tmp_path):
    training = tasks.train(tasks.demo("plane"), verbose=0)
    assert isinstance(training.model, linnet.Sequential) and training.path is None
    assert training.model.training_config["feature_names"] == ["x1", "x2"]
    lines = []
    metrics = report.write_report(training, tmp_path / "a", plots=False, echo=lines.append)
    assert metrics == quiet_run(tasks.demo("plane"), tmp_path / "b")
    assert json.loads((tmp_path / "a" / "metrics.json").read_text()) == json.loads(json.dumps(metrics))
    assert any(line.startswith("\nLearned equation: y = ") for line in lines)
    loaded = linnet.load_model(tmp_path / "a" / "model.linnet")
    np.testing.assert_array_equal(loaded.get_weights()[0], training.model.get_weights()[0])


def test_build_model_draws_the_kernel_from_the_given_seed():
    task = tasks.demo("line")
    first, second = (tasks.build_model(task, np.random.default_rng(3)) for _ in range(2))
    first.build(), second.build()
    kernel = first.get_weights()[0]
    expected = np.float32(np.random.default_rng(3).uniform(-np.sqrt(3.0), np.sqrt(3.0), size=(1, 1)))
    np.testing.assert_array_equal(kernel, expected)  # Glorot uniform of a (1, 1) kernel: limit sqrt(3)
    np.testing.assert_array_equal(second.get_weights()[0], kernel)
    assert first.get_weights()[1].tolist() == [0.0]


def test_training_rows_are_the_head_validation_split_keeps():
    task = tasks.demo("boston")
    _, y_fit = report.training_rows(task)
    assert len(y_fit) == int(np.floor(len(task.y) * 0.7)) == 282
    np.testing.assert_array_equal(y_fit, task.y[:282])

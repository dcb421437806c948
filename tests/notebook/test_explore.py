"""linnet.explore, headless: moving a control re-runs the engine and redraws; the widget tree is what a
notebook shows (labelled controls, the limit scale, a role="status" verdict, one image)."""

import numpy as np
import pytest

import linnet
from linnet.notebook import Playground, Settings

pytest.importorskip("ipywidgets", reason="linnet.explore needs ipywidgets: pip install -e '.[notebook]'")

LABELS = {"optimizer": "Optimizer", "learning_rate": "Learning rate", "batch_size": "Batch size", "epochs": "Epochs",
          "momentum": "Momentum", "normalize": "Normalization", "seed": "Seed"}


@pytest.fixture(scope="module")
def explorer():
    return linnet.explore(learning_rate=1e-4, epochs=60)


def test_every_control_has_its_label_and_starts_at_the_settings(explorer):
    assert {name: control.description for name, control in explorer.controls.items()} == LABELS
    assert explorer.settings() == Settings(learning_rate=pytest.approx(1e-4), epochs=60)
    assert bytes(explorer.image.value).startswith(b"\x89PNG") and 'role="status"' in explorer.status.value


def test_default_data_is_the_single_neuron_tutorials_noisy_line(explorer):
    x, y = linnet.data.synthetic.noisy_line(seed=0)
    np.testing.assert_array_equal(explorer.playground.x[:, 0], x)
    assert explorer.playground.least_squares.coef_[0] == pytest.approx(np.polyfit(x, y, 1)[0], rel=1e-9)


def test_past_the_stability_limit_it_diverges_and_back_below_it_trains(explorer):
    limit = explorer.playground.limit(Settings())
    run = explorer.update(learning_rate=3 * limit)
    assert run.diverged and "Diverged" in explorer.status.value and "above the stable limit" in explorer.status.value
    assert "is above it" in explorer.scale.value
    run = explorer.update(learning_rate=0.5 * limit, epochs=300)
    assert not run.diverged and "is below it" in explorer.scale.value
    reference = Playground(explorer.playground.x, explorer.playground.y).run(explorer.settings())
    assert run.losses == reference.losses  # the widget's run is the engine's, number for number
    np.testing.assert_allclose(explorer.drawn["loss"].artists["loss"].get_ydata(), run.losses)


def test_momentum_is_disabled_for_the_optimizers_without_it(explorer):
    explorer.update(optimizer="adam", learning_rate=0.1)
    assert explorer.controls["momentum"].disabled and explorer.run.settings.momentum == 0.0
    explorer.update(optimizer="sgd", learning_rate=1e-4)
    assert not explorer.controls["momentum"].disabled


def test_moving_a_control_widget_reruns_like_update(explorer):
    explorer.update(optimizer="sgd", learning_rate=1e-4, epochs=20, normalize=False)
    before = explorer.run
    explorer.controls["normalize"].value = True  # what a click does
    assert explorer.run is not before and explorer.run.settings.normalize
    assert explorer.run.limit == pytest.approx(explorer.playground.limit(Settings(normalize=True)))


def test_unknown_settings_and_controls_are_refused(explorer):
    with pytest.raises(TypeError, match=r"unknown setting\(s\) \['lr'\]"):
        linnet.explore(lr=0.1)
    with pytest.raises(TypeError, match="unknown control 'lr'"):
        explorer.update(lr=0.1)


@pytest.mark.parametrize(("change", "message"), [
    ({"epochs": 61, "learning_rate": np.array([0.1, 0.2])}, r"learning_rate must be a real number. Received: lea"),
    ({"epochs": 61, "learning_rate": np.nan}, r"learning_rate must be a finite number .* Received: learning_rate=nan"),
    ({"learning_rate": 1e-8}, r"learning_rate must be in \[1e-06, 10\], the range of its control. Received: "
                              r"learning_rate=1e-08"),
    ({"epochs": 61, "momentum": 0.995}, r"momentum must be in \[0, 0.99\], the range of its control")])
def test_a_control_value_that_is_garbage_or_out_of_range_is_refused_by_name(explorer, change, message):
    """An array stopped on the widget library's TraitError; NaN, 1e-8 and 0.995 were clamped in silence. A refused
    change leaves every control (epochs too) as it was."""
    before = explorer.settings()
    with pytest.raises((TypeError, ValueError), match=message):
        explorer.update(**change)
    assert explorer.settings() == before


def test_the_widget_displays_as_an_ipywidgets_view(explorer):
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle

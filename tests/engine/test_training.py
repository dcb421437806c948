"""Fit semantics and numerical parity with Keras 3 (oracle: tests/keras_reference.py, from KERAS_FACTS.md)."""

import keras_reference
import numpy as np
import pytest

import linnet
from linnet.engine import optimizers
from linnet.engine.layers import Dense, Input
from linnet.engine.sequential import Sequential

SETTINGS = [
    ("sgd", {"learning_rate": 0.01}),
    ("sgd", {"learning_rate": 0.01, "momentum": 0.9}),
    ("sgd", {"learning_rate": 0.01, "momentum": 0.9, "nesterov": True}),
    ("sgd", {"learning_rate": 0.01, "weight_decay": 0.01}),
    ("rmsprop", {"learning_rate": 0.005}),
    ("rmsprop", {"learning_rate": 0.005, "centered": True, "momentum": 0.5}),
    ("adam", {"learning_rate": 0.1}),
    ("adam", {"learning_rate": 0.1, "amsgrad": True}),
    ("adamw", {"learning_rate": 0.1, "weight_decay": 0.004}),
    ("adagrad", {"learning_rate": 0.5}),
    ("adamax", {"learning_rate": 0.1}),
    ("nadam", {"learning_rate": 0.1}),
]
OPTIMIZERS = {"sgd": "SGD", "rmsprop": "RMSprop", "adam": "Adam", "adamw": "AdamW", "adagrad": "Adagrad",
              "adamax": "Adamax", "nadam": "Nadam"}


def _model(n_features, kernel, bias, optimizer, **compile_kwargs):
    model = Sequential([Input((n_features,)), Dense(1)])
    model.set_weights([np.asarray(kernel, np.float32).reshape(n_features, 1), np.array([bias], np.float32)])
    model.compile(optimizer=optimizer, loss="mse", **compile_kwargs)
    return model


@pytest.mark.parametrize("name,hp", SETTINGS, ids=[f"{n}-{'-'.join(h)}" for n, h in SETTINGS])
def test_fit_matches_keras_rules_for_every_optimizer(rooms, name, hp):
    x, y = rooms
    optimizer = getattr(optimizers, OPTIMIZERS[name])(**hp)
    model = _model(1, [0.5], 0.1, optimizer)
    history = model.fit(x, y, batch_size=16, epochs=3, validation_split=0.3, shuffle=False, verbose=0)
    losses, val_losses, kernel, bias = keras_reference.fit(
        x, y, [0.5], 0.1, optimizer=name, hp=hp, batch_size=16, epochs=3, validation_split=0.3)
    np.testing.assert_allclose(history.history["loss"], losses, rtol=1e-5)
    np.testing.assert_allclose(history.history["val_loss"], val_losses, rtol=1e-5)
    kernel_out, bias_out = model.get_weights()
    np.testing.assert_allclose(kernel_out.ravel(), kernel, rtol=1e-5)
    np.testing.assert_allclose(bias_out, [bias], rtol=1e-5)


def test_two_feature_plane_with_partial_last_batch():
    rng = np.random.default_rng(0)
    x = rng.uniform(-10, 10, size=(1000, 2))
    y = x @ [2.0, -3.0] + 5 + rng.normal(size=1000)
    model = _model(2, [1.0, 0.5], 0.0, optimizers.SGD(learning_rate=0.02))
    history = model.fit(x, y, epochs=2, shuffle=False, verbose=0)  # 1000 = 31*32 + 8
    losses, _, kernel, _ = keras_reference.fit(x, y, [1.0, 0.5], 0.0, optimizer="sgd",
                                                  hp={"learning_rate": 0.02}, epochs=2)
    np.testing.assert_allclose(history.history["loss"], losses, rtol=1e-5)
    np.testing.assert_allclose(model.get_weights()[0].ravel(), kernel, rtol=1e-5)
    assert history.params == {"verbose": 0, "epochs": 2, "steps": 32}


def test_epoch_loss_is_weighted_mean_of_losses_before_each_update():
    # Two batches (2 rows, then 1): with SGD lr=0.1 on y = 0, kernel 1, bias 0, x = [1, 1, 1].
    model = _model(1, [1.0], 0.0, optimizers.SGD(learning_rate=0.1))
    history = model.fit([1.0, 1.0, 1.0], [0.0, 0.0, 0.0], batch_size=2, shuffle=False, verbose=0)
    # batch 1: prediction 1, loss 1, grads (2, 2) -> w = 0.8, b = -0.2, prediction 0.6, loss 0.36
    assert history.history["loss"][0] == pytest.approx((2 * 1.0 + 1 * 0.36) / 3, rel=1e-6)
    kernel, bias = model.get_weights()
    # batch 2: grads 2*0.6 = 1.2 each -> w = 0.68, b = -0.32
    assert kernel[0, 0] == pytest.approx(0.68, rel=1e-6) and bias[0] == pytest.approx(-0.32, rel=1e-6)


def test_validation_split_takes_the_tail_before_shuffling():
    x = np.arange(10.0)
    model = _model(1, [0.0], 0.0, optimizers.SGD(learning_rate=0.0001))
    history = model.fit(x, 2 * x, validation_split=0.3, epochs=1, verbose=0)
    # validation rows are 7, 8, 9 with targets 14, 16, 18; predictions are ~0 after one tiny step
    assert history.history["val_loss"][0] == pytest.approx((14**2 + 16**2 + 18**2) / 3, rel=1e-2)


def test_validation_data_overrides_split_and_metrics_are_logged_under_keras_names(rooms):
    x, y = rooms
    model = _model(1, [0.5], 0.1, "rmsprop", metrics=["mae", linnet.engine.metrics.RootMeanSquaredError(), "r2"])
    history = model.fit(x, y, validation_data=(x[:50], y[:50]), verbose=0)
    assert list(history.history) == ["loss", "mae", "root_mean_squared_error", "r2",
                                     "val_loss", "val_mae", "val_root_mean_squared_error", "val_r2"]
    np.testing.assert_allclose(history.history["val_root_mean_squared_error"][0],
                               np.sqrt(history.history["val_loss"][0]), rtol=1e-5)


def test_shuffle_is_reproducible_under_set_seed_and_changes_each_epoch(rooms):
    x, y = rooms

    def run():
        linnet.utils.set_random_seed(7)
        model = Sequential([Input((1,)), Dense(1)])
        model.compile(optimizer=optimizers.RMSprop(0.005), loss="mse")
        return model.fit(x, y, batch_size=16, epochs=3, verbose=0).history["loss"], model.get_weights()

    (loss_a, w_a), (loss_b, w_b) = run(), run()
    assert loss_a == loss_b and all(np.array_equal(a, b) for a, b in zip(w_a, w_b))


def test_shuffle_batch_permutes_only_within_batches():
    source = linnet.engine.sources.ArrayBatches(np.arange(10.0).reshape(-1, 1), np.zeros((10, 1)), batch_size=4,
                                                shuffle="batch")
    batches = [sorted(xb.ravel()) for xb, _ in source.epoch(np.random.default_rng(1))]
    assert batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_initial_epoch_and_history_epochs():
    model = _model(1, [0.0], 0.0, "sgd")
    history = model.fit([1.0, 2.0], [1.0, 2.0], epochs=5, initial_epoch=3, verbose=0)
    assert history.epoch == [3, 4] and len(history.history["loss"]) == 2
    assert model.history is history


def test_divergence_stops_with_epoch_and_advice_and_keeps_finite_weights(rooms):
    x, y = rooms
    model = _model(1, [0.5], 0.1, optimizers.SGD(learning_rate=1.0))
    with pytest.raises(linnet.DivergenceError, match=r"epoch \d+.*smaller learning rate.*normalize") as caught, \
            pytest.warns(UserWarning, match="above the largest stable learning rate"):
        model.fit(x * 1000, y, epochs=50, verbose=0)
    assert all(np.isfinite(w).all() for w in model.get_weights())
    assert caught.value.history is model.history


def test_a_divergence_restores_the_weights_the_best_epoch_started_from_not_those_it_ended_with():
    """SGD at 5 on x in [-1, 1] (stable up to 1), one row a step: epoch 1 ends with weights near 7e10 (finite, its
    mean loss 5e18 the lowest), epoch 2's loss overflows. The weights epoch 1 vouches for are those it started
    from; restoring its end weights (as before) left a model predicting 1e11."""
    x = np.linspace(-1, 1, 10)
    model = _model(1, [0.5], 0.0, optimizers.SGD(learning_rate=5.0))
    with pytest.raises(linnet.DivergenceError, match="started from") as caught, \
            pytest.warns(UserWarning, match="above the largest stable learning rate"):
        model.fit(x, 2 * x, batch_size=1, epochs=5, shuffle=False, verbose=0)
    assert caught.value.history.history["loss"][0] > 1e18  # epoch 1 ran far off
    np.testing.assert_array_equal(model.get_weights()[0], [[0.5]])
    np.testing.assert_array_equal(model.get_weights()[1], [0.0])


def test_a_batch_hook_can_stop_training_mid_epoch():
    from linnet.engine.callbacks import LambdaCallback
    model = _model(1, [0.0], 0.0, "sgd")
    seen = []

    def stop_after_three(batch, logs):
        seen.append(batch)
        if batch == 2:
            model.stop_training = True

    history = model.fit(np.arange(10.0), np.arange(10.0), batch_size=1, epochs=3, shuffle=False, verbose=0,
                        callbacks=[LambdaCallback(on_train_batch_end=stop_after_three)])
    assert seen == [0, 1, 2] and history.epoch == [0]
    # the epoch loss averages the three batches that ran, each before its update: row 1 moves w and b to
    # 0.02 (SGD 0.01, gradient -2), so row 2 is predicted 0.06 and costs (2 - 0.06)^2
    assert history.history["loss"][0] == pytest.approx((0.0 + 1.0 + 1.94 ** 2) / 3, rel=1e-6)


def test_exploding_loss_stops_training_and_restores_the_best_epoch(rooms):
    x, y = rooms
    limit = linnet.diagnostics.stable_learning_rate(x).learning_rate
    model = _model(1, [0.5], 0.1, optimizers.SGD(learning_rate=1.2 * limit))
    with pytest.raises(linnet.DivergenceError, match=r"the loss grew from .* and rose for 3 epochs") as caught, \
            pytest.warns(UserWarning, match=f"{1.2 * limit:.4g} is above the largest stable learning rate"):
        model.fit(x, y, batch_size=len(x), shuffle=False, epochs=500, verbose=0)
    losses = caught.value.history.history["loss"]
    assert losses[-1] > 1e4 * losses[0] and len(losses) < 500
    # full batch: an epoch logs the loss before its one update, the loss of the weights it started from, which
    # are those restored: the model ends with the lowest loss logged (the weights the best epoch ended with,
    # restored before, had the next epoch's higher loss)
    best = int(np.argmin(losses))
    assert model.evaluate(x, y, verbose=0) == pytest.approx(losses[best], rel=1e-4)


def test_fused_one_neuron_step_matches_the_layered_path(rooms):
    x, y = rooms
    fused, layered = (_model(1, [0.5], 0.1, optimizers.Adam(0.1), **kw) for kw in ({}, {"metrics": ["mae"]}))
    assert fused.network.takes_design(fused.loss, fused.metrics)
    assert not layered.network.takes_design(layered.loss, layered.metrics)  # metrics need the predictions
    history_fused = fused.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    history_layered = layered.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(history_fused.history["loss"], history_layered.history["loss"], rtol=1e-6)
    np.testing.assert_allclose(fused.get_weights()[0], layered.get_weights()[0], rtol=1e-6)


def test_design_copy_is_made_only_when_it_pays(monkeypatch):
    asked = []  # the trainer asks the arrays for design batches [x, 1] only when the fused step pays
    original = linnet.engine.sources.ArrayBatches.design_batches
    monkeypatch.setattr(linnet.engine.sources.ArrayBatches, "design_batches",
                        lambda self: asked.append(len(self)) or original(self))
    big = np.zeros((20_000, 20), np.float32)
    model = _model(20, np.zeros(20), 0.0, "sgd")
    model.fit(big, np.zeros(20_000), batch_size=20_000, verbose=0)  # 1.6 MB for one step: not worth a copy
    model.fit(big[:100], np.zeros(100), batch_size=1, verbose=0)  # 8 kB for 100 steps: fused
    assert asked == [100]


def test_the_fused_step_on_a_view_of_wider_rows_equals_it_on_contiguous_rows():
    """Contiguous design rows take ``dot``, views of wider ``[x, 1, y]`` rows (file sources) ``matmul``."""
    rng = np.random.default_rng(2)
    rows = np.hstack([rng.normal(size=(64, 3)), np.ones((64, 1)), rng.normal(size=(64, 1))]).astype(np.float32)
    design, y = rows[:, :4], rows[:, 4:]
    assert not design.flags.c_contiguous
    losses, grads = [], []
    for batch in (design, np.ascontiguousarray(design)):
        network = _model(3, [0.5, -1.0, 2.0], 0.25, "sgd").network
        losses.append(network.mse_step(batch, y))
        grads.append(network.grads.copy())
    assert losses[0] == pytest.approx(losses[1], rel=1e-6)
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-5)


@pytest.mark.parametrize("weights", [np.full(20, 1e38), np.full(20, 1e37), np.r_[np.ones(19), 3e38]])
def test_a_divergence_from_huge_sample_weights_names_them_not_the_learning_rate(weights):
    """The weighted loss (1/B) Σ w·l overflows float32: dividing w by its mean fixes it, a smaller rate would not."""
    x = np.linspace(0.0, 1.0, 20)[:, None]
    for scaled in (weights, weights / weights.mean()):  # the second run takes the advice
        model = Sequential([Input((1,)), Dense(1)])
        model.compile(optimizers.SGD(0.01), loss="mse")
        if scaled is weights:
            with pytest.raises(linnet.DivergenceError, match=r"Divide sample_weight by its mean.*Received: "
                                                             r"sample_weight with mean \S+ and largest \S+$") as caught:
                model.fit(x, 2 * x[:, 0] + 1, sample_weight=scaled, epochs=3, verbose=0)
            assert "smaller learning rate" not in str(caught.value)
        else:
            model.fit(x, 2 * x[:, 0] + 1, sample_weight=scaled, epochs=3, verbose=0)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_the_step_scaled_by_huge_sample_weights_is_named_only_for_sgd(optimizer):
    """SGD's step grows with mean(w); Adam's is about its learning rate whatever the scale of the gradient, so the
    overflow of the weighted loss (1e38 · l) is its only trouble, and 'SGD steps as with a learning rate ...' would
    describe another optimizer."""
    x = np.linspace(0.0, 1.0, 20)[:, None]
    model = Sequential([Input((1,)), Dense(1)])
    model.compile(optimizer, loss="mse")
    with pytest.raises(linnet.DivergenceError, match="Divide sample_weight by its mean") as caught:
        model.fit(x, 2 * x[:, 0] + 1, sample_weight=np.full(20, 1e38), epochs=3, verbose=0)
    assert ("SGD steps as with a learning rate" in str(caught.value)) == (optimizer == "sgd")


def test_a_divergence_with_unit_sample_weights_still_blames_the_learning_rate():
    x = np.linspace(0.0, 1e3, 20)[:, None]
    model = Sequential([Input((1,)), Dense(1)])
    model.compile(optimizers.SGD(1.0), loss="mse")
    with pytest.raises(linnet.DivergenceError, match="smaller learning rate") as caught, \
            pytest.warns(UserWarning, match="above the largest stable learning rate"):
        model.fit(x, x[:, 0], sample_weight=np.full(20, 2.0), epochs=10, verbose=0)
    assert "sample_weight" not in str(caught.value)

"""Callbacks against hand-worked sequences of logs (Keras 3's rules), then inside a real ``fit``."""

import csv
import math
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linnet.engine import optimizers
from linnet.engine.callbacks import (
    CallbackList,
    CSVLogger,
    EarlyStopping,
    History,
    LambdaCallback,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
    TerminateOnNaN,
)
from linnet.engine.divergence import DivergenceError
from linnet.engine.layers import Dense, Input
from linnet.engine.metrics import R2Score
from linnet.engine.metrics import get as get_metric
from linnet.engine.sequential import Sequential, load_model


def F32(value):  # the optimizer keeps its rate in float32
    return float(np.float32(value))


class FakeModel:
    """What callbacks use of a model: one weight (the epoch index while ``drive`` runs), an SGD, ``save``."""

    def __init__(self, learning_rate=0.1, metrics=()):
        self.stop_training = False
        self.weight = -1.0
        self.optimizer = optimizers.SGD(learning_rate=learning_rate)
        self.metrics = list(metrics)
        self.saved = []

    def get_weights(self):
        return [np.array([self.weight])]

    def set_weights(self, weights):
        self.weight = float(weights[0][0])

    def save(self, path):
        self.saved.append(path)


def drive(callback, values, monitor="val_loss", model=None):
    """Run ``callback`` over epochs whose logs hold ``values`` as ``fit`` would; return (epochs run, model)."""
    model = model or FakeModel()
    hooks = CallbackList([callback], model=model)
    hooks.on_train_begin()
    model.stop_training = False
    for epoch, value in enumerate(values):
        hooks.on_epoch_begin(epoch)
        model.weight = float(epoch)  # "training" moved the weights
        hooks.on_epoch_end(epoch, {"loss": 10.0 * value, monitor: value})
        if model.stop_training:
            break
    hooks.on_train_end()
    return epoch + 1, model


def drive_logs(callback, rows, model=None):
    """Call the epoch-end hook on each dict of ``rows`` (which callbacks may add to); return the model."""
    model = model or FakeModel()
    hooks = CallbackList([callback], model=model)
    hooks.on_train_begin()
    for epoch, logs in enumerate(rows):
        hooks.on_epoch_end(epoch, logs)
    return model


# ----- EarlyStopping ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("values, patience, epochs_run", [
    ([5, 4, 4.5, 4.2, 4.1, 3], 2, 4),   # best at 1, two epochs without improvement -> stop after epoch 3
    ([5, 4, 4.5, 4.2, 4.1, 3], 3, 5),
    ([5, 4, 4.5, 4.2, 4.1, 3], 4, 6),   # the 3 at epoch 5 comes in time
    ([3, 2, 2.5, 1], 0, 3),             # patience 0: first epoch without improvement
    ([3, 3, 1], 0, 2),                  # an equal value is no improvement
    ([1, 2, 3], 0, 2),                  # never stops at epoch 0
])
def test_early_stopping_stops_at_the_epoch_keras_stops(values, patience, epochs_run):
    callback = EarlyStopping(patience=patience)
    ran, model = drive(callback, values)
    assert ran == epochs_run
    assert callback.stopped_epoch == (epochs_run - 1 if epochs_run < len(values) else 0)
    assert model.weight == epochs_run - 1  # weights left as they are without restore_best_weights


def test_restore_best_weights_restores_the_best_epoch_even_without_stopping():
    stopped = EarlyStopping(patience=2, restore_best_weights=True)
    assert drive(stopped, [5, 4, 4.5, 4.2, 4.1])[1].weight == 1.0
    assert stopped.best == 4 and stopped.best_epoch == 1
    finished = EarlyStopping(patience=10, restore_best_weights=True)
    assert drive(finished, [3, 2, 2.5, 2.2])[1].weight == 1.0


def test_min_delta_makes_small_gains_count_as_none():
    assert drive(EarlyStopping(patience=1, min_delta=0.5), [5, 4.6, 4.4, 4.0])[0] == 2   # 4.6 + 0.5 >= 5
    assert drive(EarlyStopping(patience=1, min_delta=-0.5), [5, 4.6, 4.4, 4.0])[0] == 2  # |min_delta| is used
    assert drive(EarlyStopping(patience=1), [5, 4.6, 4.4, 4.0])[0] == 4
    assert drive(EarlyStopping(patience=1, mode="max", min_delta=0.5), [4, 4.4, 4.6, 5])[0] == 2
    assert drive(EarlyStopping(patience=1, mode="max"), [4, 4.4, 4.6, 5])[0] == 4


def test_mode_max_and_auto_direction_of_r2():
    values = [0.5, 0.6, 0.55, 0.7]
    assert drive(EarlyStopping(monitor="val_r2", mode="max"), values, "val_r2")[0] == 3
    assert drive(EarlyStopping(monitor="val_r2", mode="min"), values, "val_r2")[0] == 2
    r2_model = FakeModel(metrics=[R2Score()])
    assert drive(EarlyStopping(monitor="val_r2_score"), values, "val_r2_score", r2_model)[0] == 3
    mae_model = FakeModel(metrics=[get_metric("mae")])
    assert drive(EarlyStopping(monitor="mae"), values, "mae", mae_model)[0] == 2


def test_baseline_keeps_counting_until_a_value_beats_it():
    # epoch 0 and 1 improve but not on 3.0, so wait reaches 3 at epoch 2 and training stops
    callback = EarlyStopping(patience=2, baseline=3.0, restore_best_weights=True)
    ran, model = drive(callback, [5, 4, 4.5, 3.9, 2])
    assert ran == 3 and model.weight == 1.0
    assert drive(EarlyStopping(patience=2), [5, 4, 4.5, 3.9, 2])[0] == 5
    assert drive(EarlyStopping(patience=2, baseline=4.2), [5, 4, 4.5, 3.9, 2])[0] == 5  # 4 beats it


def test_start_from_epoch_ignores_the_warm_up():
    values = [1, 2, 3, 4, 3.5]
    assert drive(EarlyStopping(patience=0), values)[0] == 2
    callback = EarlyStopping(patience=0, start_from_epoch=2, restore_best_weights=True)
    ran, model = drive(callback, values)
    assert ran == 4 and model.weight == 2.0 and callback.best == 3


def test_early_stopping_is_reset_by_each_fit():
    callback = EarlyStopping(patience=5)
    drive(callback, [1, 2])
    drive(callback, [5, 6])
    assert callback.best == 5 and callback.wait == 1


def test_missing_monitor_warns_with_the_available_keys_and_does_nothing():
    callback = EarlyStopping(patience=0)
    callback.set_model(FakeModel())
    callback.on_train_begin()
    with pytest.warns(UserWarning, match="Early stopping is conditioned on metric `val_loss` which is not "
                                         "available. Available metrics are: loss,mae"):
        callback.on_epoch_end(1, {"loss": 1.0, "mae": 2.0})
    assert callback.model.stop_training is False


def test_early_stopping_verbose_messages(capsys):
    drive(EarlyStopping(patience=2, restore_best_weights=True, verbose=1), [5, 4, 4.5, 4.2])
    assert capsys.readouterr().out == ("Epoch 4: early stopping\n"
                                       "Restoring model weights from the end of the best epoch: 2.\n")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=1, max_size=12), st.integers(0, 4))
def test_early_stopping_matches_the_running_minimum_rule(values, patience):
    """Stop at the first epoch e >= 1 that is no new minimum and comes >= patience epochs after the last one."""
    ran, model = drive(EarlyStopping(patience=patience, restore_best_weights=True), values)
    last_minimum, expected = 0, len(values)
    for epoch in range(1, len(values)):
        if values[epoch] < min(values[:epoch]):
            last_minimum = epoch
        elif epoch - last_minimum >= patience:
            expected = epoch + 1
            break
    assert ran == expected
    assert model.weight == int(np.argmin(values[:ran]))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"patience": -1}, ValueError, "patience must be a non-negative integer. Received: patience=-1"),
    ({"patience": 1.5}, TypeError, "patience must be"),
    ({"start_from_epoch": -2}, ValueError, "start_from_epoch"),
    ({"min_delta": "0.1"}, TypeError, "min_delta must be a real number"),
    ({"baseline": math.nan}, ValueError, "baseline must be a finite number"),
    ({"restore_best_weights": "yes"}, TypeError, "restore_best_weights must be True or False"),
    ({"monitor": 3}, TypeError, "monitor must be the name"),
    ({"mode": "maxx"}, ValueError, "Unknown mode 'maxx'. Did you mean 'max'?"),
    ({"verbose": -1}, ValueError, "verbose"),
])
def test_early_stopping_refuses_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        EarlyStopping(**kwargs)


def test_auto_mode_refuses_a_quantity_it_cannot_orient():
    with pytest.raises(ValueError, match=r"monitor='val_acc'.*Pass mode='min' or mode='max'"):
        drive(EarlyStopping(monitor="val_acc"), [1.0], "val_acc")


# ----- ReduceLROnPlateau -----------------------------------------------------------------------------------
def test_reduce_lr_with_patience_cooldown_and_min_lr():
    rows = [{"val_loss": 1.0} for _ in range(13)]
    model = drive_logs(ReduceLROnPlateau(factor=0.5, patience=2, cooldown=2, min_lr=0.02), rows)
    logged = [row["learning_rate"] for row in rows]
    # reductions at epochs 2, 5, 8 (patience 2, then 2 cooldown epochs of which Keras counts the last), then the
    # floor: 0.025 * 0.5 is lifted to min_lr, and at min_lr nothing changes any more
    assert logged == [F32(r) for r in [0.1] * 3 + [0.05] * 3 + [0.025] * 3 + [0.02] * 4]
    assert model.optimizer.learning_rate == F32(0.02)


def test_reduce_lr_counts_nothing_during_cooldown():
    callback = ReduceLROnPlateau(factor=0.5, patience=0, cooldown=2)
    logs = [{"val_loss": 1.0} for _ in range(6)]
    model = drive_logs(callback, logs)
    assert [row["learning_rate"] for row in logs] == [F32(r) for r in [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]]
    assert model.optimizer.learning_rate == F32(0.0125)


def test_reduce_lr_compares_with_min_lr_in_float32():
    """The float32 rate 0.1000000015 is not above min_lr=0.1 once both are float32: no reduction, wait grows."""
    callback = ReduceLROnPlateau(patience=1, min_lr=0.1)
    model = drive_logs(callback, [{"val_loss": 1.0} for _ in range(4)])
    assert callback.wait == 3 and model.optimizer.learning_rate == F32(0.1)


def test_reduce_lr_stops_at_the_least_rate_float32_holds_instead_of_crashing_fit():
    """A long plateau took 1e-36 down to 1e-38, which the optimizer refuses: a ValueError in the middle of fit.
    The reductions now stop at float32's smallest normal number, 2**-126."""
    model = FakeModel(learning_rate=1e-36)
    callback = ReduceLROnPlateau(monitor="val_loss", patience=0, factor=0.1)
    drive(callback, [1.0] * 6, model=model)
    assert model.optimizer.learning_rate == 2.0 ** -126
    assert callback.wait == 3  # 1e-37, then the floor at epoch 2; since then wait grows, as at min_lr


def test_reduce_lr_reads_a_min_lr_set_after_construction():
    """Keras' callbacks keep their arguments as attributes; a floor computed once at construction ignored a later
    ``callback.min_lr = ...``."""
    model = FakeModel(learning_rate=1.0)
    callback = ReduceLROnPlateau(monitor="val_loss", patience=0, factor=0.1)
    callback.min_lr = 0.5
    drive(callback, [1.0] * 3, model=model)
    assert model.optimizer.learning_rate == 0.5


@pytest.mark.parametrize("min_lr", [1e39, 1e-50])
def test_reduce_lr_refuses_a_min_lr_float32_cannot_hold(min_lr):
    """1e39 was taken, then leaked an overflow RuntimeWarning at every epoch end (np.float32(min_lr))."""
    with pytest.raises(ValueError, match=r"^min_lr must be at most 3.4e\+38 and, unless 0, at least 1.18e-38"):
        ReduceLROnPlateau(min_lr=min_lr)


def test_reduce_lr_ignores_changes_smaller_than_min_delta_and_restarts_on_improvement():
    model = drive(ReduceLROnPlateau(patience=1), [1.0, 0.99995])[1]
    assert model.optimizer.learning_rate == pytest.approx(0.01, rel=1e-6)    # 0.99995 + 1e-4 is no gain
    model = drive(ReduceLROnPlateau(patience=2), [1.0, 1.0, 0.5, 0.6])[1]
    assert model.optimizer.learning_rate == F32(0.1)                           # wait restarted at epoch 2
    model = drive(ReduceLROnPlateau(patience=0, monitor="val_r2", mode="max"), [0.5, 0.9, 0.8], "val_r2")[1]
    assert model.optimizer.learning_rate == pytest.approx(0.01, rel=1e-6)


def test_reduce_lr_reset_per_fit_and_arguments():
    callback = ReduceLROnPlateau(patience=0)
    drive(callback, [1.0])
    drive(callback, [5.0])
    assert callback.best == 5.0
    with pytest.raises(ValueError, match=r"factor must be a finite number in \(0.0, 1.0\)\. Received: factor=1.0"):
        ReduceLROnPlateau(factor=1.0)
    with pytest.raises(ValueError, match="min_lr"):
        ReduceLROnPlateau(min_lr=-1e-3)
    with pytest.raises(ValueError, match="cooldown"):
        ReduceLROnPlateau(cooldown=-1)
    with pytest.warns(UserWarning, match="Learning rate reduction is conditioned on metric `val_loss`.*"
                                         "Available metrics are: loss,learning_rate"):
        drive(ReduceLROnPlateau(), [1.0], monitor="loss")


# ----- TerminateOnNaN, LearningRateScheduler, LambdaCallback, CallbackList -----------------------------------
@pytest.mark.parametrize("loss", [math.nan, math.inf, -math.inf])
def test_terminate_on_nan_stops_after_the_batch(loss, capsys):
    model = FakeModel()
    callback = TerminateOnNaN()
    callback.set_model(model)
    callback.on_train_batch_end(2, {"loss": 1.0})
    assert model.stop_training is False
    callback.on_train_batch_end(3, {"loss": loss})
    assert model.stop_training is True
    assert capsys.readouterr().out == "Batch 3: Invalid loss, terminating training\n"
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 3"):
        TerminateOnNaN(raise_error=True).on_train_batch_end(3, {"loss": loss})


def test_batch_hooks_only_reach_callbacks_that_use_them():
    def wants(*callbacks):
        return CallbackList(callbacks, model=FakeModel()).wants_batch_hooks

    assert not wants(History(), EarlyStopping(), ReduceLROnPlateau(), CSVLogger("x.csv"),
                     ModelCheckpoint("m.linnet"), LambdaCallback(on_epoch_end=print))
    assert wants(TerminateOnNaN())
    assert wants(ModelCheckpoint("m.linnet", save_freq=5))
    assert wants(LambdaCallback(on_train_batch_begin=print))
    with pytest.raises(TypeError, match=r"^callbacks must be a Callback or a list of them\. Received: callbacks=\[<"):
        CallbackList([print], model=FakeModel())


def test_a_callback_list_takes_one_callback_or_nested_lists_and_adds_a_history_only_where_none_is():
    """Keras 3 flattens its callbacks (tree.flatten) and adds a History only if none is given: CallbackList(History())
    stopped on 'Value after * must be an iterable', and add_history=True added a second History."""
    history = History()
    assert CallbackList(history).callbacks == [history]
    assert CallbackList([[history], []], add_history=True).callbacks == [history]
    added = CallbackList(None, add_history=True).callbacks
    assert len(added) == 1 and isinstance(added[0], History)


def test_learning_rate_scheduler_sets_the_rate_at_each_epoch_begin():
    seen = []
    model = FakeModel(learning_rate=0.1)
    callback = LearningRateScheduler(lambda epoch, lr: seen.append((epoch, lr)) or lr / 2)
    callback.set_model(model)
    logs = {}
    for epoch in range(3):
        callback.on_epoch_begin(epoch)
        callback.on_epoch_end(epoch, logs)
    assert seen == [(0, F32(0.1)), (1, F32(0.05)), (2, F32(0.025))]
    assert logs["learning_rate"] == F32(0.0125)
    legacy = LearningRateScheduler(lambda epoch: 0.5 ** epoch)  # Keras' old one-argument form
    legacy.set_model(model)
    legacy.on_epoch_begin(3)
    assert model.optimizer.learning_rate == 0.125
    integer = LearningRateScheduler(lambda epoch, lr: 1)
    integer.set_model(model)
    with pytest.raises(ValueError, match="The output of the `schedule` function should be a float. Got: 1"):
        integer.on_epoch_begin(0)
    with pytest.raises(TypeError, match="schedule must be a function"):
        LearningRateScheduler(0.1)


def test_lambda_callback_arguments():
    with pytest.raises(TypeError, match=r"'on_epoch_ends' \(did you mean 'on_epoch_end'\?\)"):
        LambdaCallback(on_epoch_ends=print)
    with pytest.raises(TypeError, match="on_train_end must be a function. Received: on_train_end=3"):
        LambdaCallback(on_train_end=3)
    events = []
    CallbackList([LambdaCallback(on_test_begin=lambda logs: events.append("test"))]).on_test_begin()
    assert events == ["test"]


# ----- CSVLogger -------------------------------------------------------------------------------------------
def _feed(logger, rows, start=0):
    logger.on_train_begin()
    for epoch, logs in enumerate(rows, start):
        logger.on_epoch_end(epoch, dict(logs))
    logger.on_train_end()


def test_csv_logger_writes_keras_csv(tmp_path):
    path = tmp_path / "log.csv"
    _feed(CSVLogger(path), [{"val_mae": 0.5, "loss": 0.5, "val_loss": 0.75, "mae": 0.25}, {"loss": 0.125}])
    assert path.read_bytes() == b"epoch,loss,mae,val_loss,val_mae\r\n0,0.5,0.25,0.75,0.5\r\n1,0.125,NA,NA,NA\r\n"
    _feed(CSVLogger(path, separator=";"), [{"loss": 2.5}])  # no val_ key: the val_ columns are added
    assert path.read_bytes() == b"epoch;loss;val_loss\r\n0;2.5;NA\r\n"
    _feed(CSVLogger(path, separator=";", append=True), [{"loss": 1.5}], start=1)
    assert path.read_bytes() == b"epoch;loss;val_loss\r\n0;2.5;NA\r\n1;1.5;NA\r\n"
    fresh = tmp_path / "fresh.csv"
    _feed(CSVLogger(fresh, append=True), [{"loss": 1.0}])
    assert fresh.read_bytes() == b"epoch,loss,val_loss\r\n0,1.0,NA\r\n"
    with pytest.raises(ValueError, match="separator must be a one-character string"):
        CSVLogger(path, separator=", ")
    with pytest.raises(TypeError, match="filename must be a file path"):
        CSVLogger(3.5)


def test_csv_logger_leaves_no_file_open_when_fit_stops_on_an_error(tmp_path):
    """fit diverging in epoch 3: the two rows written are there and the file is closed (it stayed open, without
    on_train_end, until the callback was collected)."""
    import warnings
    path = tmp_path / "log.csv"
    x = np.linspace(-1, 1, 10)
    model = Sequential([Input((1,)), Dense(1)])
    model.compile(optimizers.SGD(5.0), "mse")
    logger = CSVLogger(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the learning rate is above the stable limit, on purpose
        with pytest.raises(DivergenceError):
            model.fit(x, 2 * x, batch_size=1, epochs=5, shuffle=False, verbose=0, callbacks=[logger])
    assert path.read_text().splitlines()[0] == "epoch,loss,val_loss" and len(path.read_text().splitlines()) == 3
    assert logger.keys and str(path) not in _open_files()


def _open_files() -> list[str]:
    """The paths this process holds open (Linux: /proc/self/fd)."""
    folder = "/proc/self/fd"
    return [os.path.realpath(os.path.join(folder, fd)) for fd in os.listdir(folder)] if os.path.isdir(folder) else []


# ----- ModelCheckpoint -------------------------------------------------------------------------------------
def test_checkpoint_fills_the_filepath_like_keras():
    model = drive(ModelCheckpoint("ckpt-{epoch:02d}-{val_loss:.2f}.linnet"), [5, 4.5])[1]
    assert model.saved == ["ckpt-01-5.00.linnet", "ckpt-02-4.50.linnet"]
    with pytest.raises(KeyError, match=r'Failed to format this callback filepath: "\{val_mae\}.linnet".*'
                                       r"Available keys: loss, val_loss, epoch"):
        drive(ModelCheckpoint("{val_mae}.linnet"), [5])


@pytest.mark.parametrize("kwargs, saved_epochs", [
    ({}, [1, 2, 4]),
    ({"initial_value_threshold": 4.2}, [2, 4]),
    ({"mode": "max"}, [1]),
    ({"monitor": "val_r2_score"}, [1]),  # auto: r2 is maximized
])
def test_save_best_only_saves_on_improvement_only(kwargs, saved_epochs):
    callback = ModelCheckpoint("{epoch}.linnet", save_best_only=True, **kwargs)
    model = FakeModel(metrics=[R2Score()])
    drive(callback, [5, 4, 4.5, 3], monitor=callback.monitor, model=model)
    assert model.saved == [f"{epoch}.linnet" for epoch in saved_epochs]


def test_save_best_only_verbose_and_missing_monitor(capsys):
    """Keras 3.15.1's text, recorded: the first best is "None", and each save ends with a "finished saving" line."""
    drive(ModelCheckpoint("m.linnet", save_best_only=True, verbose=1), [5, 6])
    assert capsys.readouterr().out == ("\nEpoch 1: val_loss improved from None to 5.00000, saving model to m.linnet\n"
                                       "\nEpoch 1: finished saving model to m.linnet\n"
                                       "\nEpoch 2: val_loss did not improve from 5.00000\n")
    drive(ModelCheckpoint("m.linnet", verbose=1), [5])
    assert capsys.readouterr().out == ("\nEpoch 1: saving model to m.linnet\n"
                                       "\nEpoch 1: finished saving model to m.linnet\n")
    with pytest.warns(UserWarning, match="Saving the best model is conditioned on metric `val_loss`"):
        model = drive(ModelCheckpoint("m.linnet", save_best_only=True), [5, 6], monitor="mae")[1]
    assert model.saved == ["m.linnet", "m.linnet"]  # as in Keras: saved anyway


def test_checkpoint_every_n_batches_counts_across_epochs():
    model = FakeModel()
    hooks = CallbackList([ModelCheckpoint("{epoch}-{batch}.linnet", save_freq=2)], model=model)
    hooks.on_train_begin()
    for epoch in range(2):
        hooks.on_epoch_begin(epoch)
        for batch in range(3):
            hooks.on_train_batch_begin(batch)
            hooks.on_train_batch_end(batch, {"loss": 1.0})
        hooks.on_epoch_end(epoch, {"loss": 1.0})
    assert model.saved == ["1-2.linnet", "2-1.linnet", "2-3.linnet"]


@pytest.mark.parametrize("kwargs, error, match", [
    ({"filepath": "model.h5"}, ValueError, r"must end in `.keras` \(Keras model format\) or `.linnet` \(linnet's\) "
                                           r"\(.h5, Keras 2's HDF5 format, is not written\)"),
    ({"save_freq": "epochs"}, ValueError, "save_freq must be 'epoch' or a number of batches"),
    ({"save_freq": 0}, ValueError, "save_freq must be a positive integer. Received: save_freq=0"),
    ({"save_best_only": 1}, TypeError, "save_best_only must be True or False"),
    ({"initial_value_threshold": "1"}, TypeError, "initial_value_threshold"),
])
def test_checkpoint_refuses_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        ModelCheckpoint(**{"filepath": "m.linnet", **kwargs})


# ----- inside a real fit -----------------------------------------------------------------------------------
def _model(learning_rate=0.1):
    model = Sequential([Input((1,)), Dense(1)])
    model.compile(optimizers.SGD(learning_rate=learning_rate), loss="mse")
    model.set_weights([np.zeros((1, 1)), np.zeros(1)])
    return model


X = np.linspace(-1.0, 1.0, 21)


def test_fit_with_early_stopping_checkpoint_csv_and_reduce_lr(tmp_path):
    """Training pulls the slope from 0 to 2 while validation wants 0.5: val_loss falls, then rises."""
    model = _model()
    weights = []
    recorder = LambdaCallback(on_epoch_end=lambda epoch, logs: weights.append(model.get_weights()))
    stop = EarlyStopping(patience=3, restore_best_weights=True)
    best_file, csv_file = tmp_path / "best.linnet", tmp_path / "log.csv"
    history = model.fit(X, 2 * X, validation_data=(X, 0.5 * X), epochs=50, batch_size=32, verbose=0,
                        callbacks=[recorder, stop, ModelCheckpoint(best_file, save_best_only=True),
                                   ReduceLROnPlateau(patience=1), CSVLogger(csv_file)])
    val_loss = history.history["val_loss"]
    best = int(np.argmin(val_loss))
    assert best == stop.best_epoch == 3
    assert len(val_loss) == best + 1 + 3 and history.epoch == list(range(best + 4))
    for restored, recorded in zip(model.get_weights(), weights[best]):
        np.testing.assert_array_equal(restored, recorded)
    for loaded, recorded in zip(load_model(best_file).get_weights(), weights[best]):
        np.testing.assert_array_equal(loaded, recorded)
    # ReduceLROnPlateau logs the rate of each epoch; it cut it by 10 (in float32) after epochs best+1 and best+2
    once = F32(F32(0.1) * 0.1)
    assert history.history["learning_rate"] == [F32(0.1)] * (best + 2) + [once, F32(once * 0.1)]
    with open(csv_file, newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == ["epoch", "learning_rate", "loss", "val_loss"]  # ReduceLROnPlateau ran before it
    assert [float(row[3]) for row in rows[1:]] == val_loss


def test_fit_with_learning_rate_scheduler_follows_hand_computed_sgd():
    """One sample x=1, y=0, w=1, b=0: prediction p shrinks by (1 - 4 lr) per step, the loss is p² before it."""
    model = _model()
    model.set_weights([np.ones((1, 1)), np.zeros(1)])
    history = model.fit([1.0], [0.0], epochs=3, verbose=0,
                        callbacks=[LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))])
    rates = [F32(0.1), F32(0.05), F32(0.1 / 3)]
    assert history.history["learning_rate"] == rates
    p, losses = 1.0, []
    for rate in rates:
        losses.append(p * p)
        p *= 1 - 4 * rate
    np.testing.assert_allclose(history.history["loss"], losses, rtol=1e-6)
    np.testing.assert_allclose(model.predict([1.0])[0, 0], p, rtol=1e-6)


def test_fit_dispatches_hooks_in_keras_order():
    events = []
    def record(name):
        return lambda *args: events.append((name, *args[:-1]))

    hooks = {name: record(name) for name in ("on_train_begin", "on_epoch_begin", "on_train_batch_begin",
                                             "on_epoch_end", "on_train_end")}
    hooks["on_train_batch_end"] = lambda batch, logs: events.append(("batch_end", batch, sorted(logs)))
    model = _model()
    model.fit(X[:4], X[:4], epochs=2, batch_size=2, verbose=0, callbacks=[LambdaCallback(**hooks)])
    def epoch(e):
        return [("on_epoch_begin", e), ("on_train_batch_begin", 0), ("batch_end", 0, ["loss"]),
                ("on_train_batch_begin", 1), ("batch_end", 1, ["loss"]), ("on_epoch_end", e)]

    assert events == [("on_train_begin",), *epoch(0), *epoch(1), ("on_train_end",)]


def test_fit_stops_when_a_callback_asks():
    stopper = LambdaCallback(on_epoch_end=lambda epoch, logs: setattr(model, "stop_training", epoch == 1))
    model = _model()
    assert model.fit(X, X, epochs=10, verbose=0, callbacks=[stopper]).epoch == [0, 1]


def test_auto_mode_reads_the_direction_the_metric_declares():
    from linnet.engine.metrics import Metric

    class Accuracyish(get_metric("mae").__class__):
        direction = "max"  # a score: higher is better

    assert R2Score.direction == "max" and get_metric("mse").direction == "min" and Metric.direction == "min"
    values = [0.5, 0.6, 0.55, 0.7]
    model = FakeModel(metrics=[Accuracyish(get_metric("mae").loss, name="score")])
    assert drive(EarlyStopping(monitor="val_score", patience=1), values, "val_score", model)[0] == 3
    model = FakeModel(metrics=[get_metric("mae")])  # an error: 0.6 is worse than 0.5, patience 1 stops there
    assert drive(EarlyStopping(monitor="val_mae", patience=1), values, "val_mae", model)[0] == 2


def test_batch_hook_opt_in_is_declared_and_defaults_to_overriding():
    from linnet.engine.callbacks import Callback, ParameterHistory

    class Counts(Callback):
        def on_train_batch_end(self, batch, logs=None):
            pass

    class Declines(Counts):
        wants_batch_hooks = False

    assert Counts().wants_batch_hooks and not Declines().wants_batch_hooks and not Callback().wants_batch_hooks
    assert ModelCheckpoint("m.linnet", save_freq=3).wants_batch_hooks
    assert not ModelCheckpoint("m.linnet").wants_batch_hooks
    assert ParameterHistory("batch").wants_batch_hooks and not ParameterHistory().wants_batch_hooks
    assert "on_train_batch_end" not in vars(ModelCheckpoint("m.linnet", save_freq=3))  # no shadowing in __init__
    model = Sequential([Input((1,)), Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    seen = []
    counted, declined = Counts(), Declines()
    counted.on_train_batch_end = declined.on_train_batch_end = lambda batch, logs=None: seen.append(batch)
    model.fit(np.arange(6.0), np.arange(6.0), batch_size=2, verbose=0, callbacks=[counted, declined])
    assert seen == [0, 1, 2]  # three batches, to the callback that wants them only


def _public_callback_classes():
    import inspect

    from linnet.engine import callbacks as public
    return [obj for name in public.__all__ if inspect.isclass(obj := getattr(public, name))
            and obj is not public.CallbackList]  # its **params takes any keyword, as Keras' does


@pytest.mark.parametrize("cls", _public_callback_classes(), ids=lambda cls: cls.__name__)
def test_every_public_callback_refuses_a_mistyped_keyword_naming_itself(cls):
    """EarlyStopping(patiense=2) raised Python's "__init__() got an unexpected keyword argument"; callbacks now
    name the class and the closest argument, as losses, metrics, optimizers and layers do."""
    import inspect
    names = [p.name for p in inspect.signature(cls).parameters.values() if p.kind is not p.VAR_KEYWORD]
    typo = names[-1] + "x" if names else "verbosex"
    with pytest.raises(TypeError, match=rf"^{cls.__name__} got unexpected keyword argument\(s\): '{typo}'"
                                        + (rf" \(did you mean '{names[-1]}'\?\)" if names else "")):
        cls(**{typo: 1})

"""The logs of the begin and end hooks, and ``model.stop_evaluating`` / ``model.stop_predicting``: Keras 3.15.1's
calls and results (recorded below, TensorFlow backend, the model and data of ``test_steps``: kernel 0.5, bias 0.1,
SGD(0.1), loss "mse", batch_size=4, verbose=0)."""

import numpy as np
import pytest
from test_steps import Recorder, X, Y, assert_calls, line

from linnet.data.sources import PyDataset
from linnet.engine.callbacks import Callback

# Recorded from Keras 3.15.1.
# fit(X, Y, epochs=3, shuffle=False) with a callback setting stop_training in on_epoch_end(0)
KERAS_STOPPED_FIT_END = [("on_epoch_end", 0, {"loss": 3.9574942588806152}),
                         ("on_train_end", {"loss": 3.9574942588806152})]
KERAS_NO_EPOCH = [("on_train_begin", {}), ("on_train_end", {})]  # fit(X, Y, epochs=2, initial_epoch=2)
# evaluate(X, Y, metrics=["mae"], return_dict=True), stop_evaluating set in on_test_batch_end(1): the logs of
# batches 0 and 1, as evaluate(steps=2); set in on_test_begin: batch 0 is still read
KERAS_EVALUATE_STOPPED = {
    "on_test_batch_end": ({"loss": 5.682812213897705, "mae": 2.2249999046325684}, 2),
    "on_test_begin": ({"loss": 2.5146875381469727, "mae": 1.5124999284744263}, 1)}
# the same stop, evaluate(verbose=2): the progress line counts the steps Keras knew before it started, the batches
# read only when it knew none (a generator without steps=)
KERAS_STOPPED_PROGRESS = {"arrays": "3/3", "sized": "3/3", "sized, steps=2": "2/2", "generator, steps=3": "3/3",
                          "generator": "2/2"}
# predict(X[:9]), stop_predicting set in on_predict_batch_end(0) or in on_predict_begin: batch 0's 4 rows
KERAS_PREDICT_STOPPED = [[0.10000000149011612], [0.22499999403953552], [0.3499999940395355], [0.4749999940395355]]
KERAS_PREDICT_STOPPED_CALLS = [("on_predict_begin", {}), ("on_predict_batch_begin", 0, {}),
                               ("on_predict_batch_end", 0, {"outputs": KERAS_PREDICT_STOPPED}), ("on_predict_end", {})]
# fit(X, Y, epochs=2, shuffle=False, validation_data=(X, Y)), stop_evaluating set in on_test_batch_end(0): val_loss
# is the first validation batch's (the same as validation_data=(X[:4], Y[:4]))
KERAS_VALIDATION_STOPPED = {"loss": [3.9574942588806152, 0.04953335225582123],
                            "val_loss": [0.055058661848306656, 0.03845307230949402]}
# the same when a callback with no batch hook sets it in on_test_begin (Keras still reads the first batch of 4
# rows); with validation_split=0.5 instead, the first batch of the held-out tail
KERAS_SPLIT_STOPPED_AT_BEGIN = {"loss": [2.703205108642578, 0.6015681028366089],
                                "val_loss": [3.4641270637512207, 1.3128422498703003]}


class Stopper(Recorder):
    """A ``Recorder`` that sets ``model.<flag>`` in ``hook`` (at batch ``at``, or at any call when None)."""

    def __init__(self, flag, hook, at=None):
        super().__init__()
        recording = getattr(self, hook)

        def stopping(*args):
            recording(*args)
            if at is None or args[0] == at:
                setattr(self.model, flag, True)
        setattr(self, hook, stopping)


def test_on_train_end_gets_the_last_epochs_logs_when_stop_training_ends_fit():
    recorder = Stopper("stop_training", "on_epoch_end", 0)
    line().fit(X, Y, batch_size=4, epochs=3, shuffle=False, callbacks=[recorder], verbose=0)
    assert_calls([c for c in recorder.calls if c[0] in ("on_epoch_end", "on_train_end")], KERAS_STOPPED_FIT_END)


def test_a_fit_of_no_epoch_passes_empty_logs_to_begin_and_end():
    recorder = Recorder()
    line().fit(X, Y, batch_size=4, epochs=2, initial_epoch=2, callbacks=[recorder], verbose=0)
    assert recorder.calls == KERAS_NO_EPOCH


def test_on_train_end_gets_a_copy_of_the_logs():
    class Ender(Callback):
        def on_train_end(self, logs=None):
            logs["loss"] = -1.0

    history = line().fit(X, Y, batch_size=4, shuffle=False, callbacks=[Ender()], verbose=0)
    assert history.history["loss"] == pytest.approx([3.9574942588806152], rel=1e-6)


@pytest.mark.parametrize("hook, at", [("on_test_batch_end", 1), ("on_test_begin", None)])
def test_stop_evaluating_ends_evaluate_after_the_batch_with_the_logs_so_far(hook, at):
    recorder = Stopper("stop_evaluating", hook, at)
    model = line(["mae"])
    logs = model.evaluate(X, Y, batch_size=4, callbacks=[recorder], verbose=0, return_dict=True)
    expected, batches = KERAS_EVALUATE_STOPPED[hook]
    assert logs == pytest.approx(expected, rel=1e-6)
    assert [c[0] for c in recorder.calls].count("on_test_batch_end") == batches
    assert recorder.calls[-1] == ("on_test_end", logs) and model.stop_evaluating is True  # Keras leaves it set
    assert model.evaluate(X, Y, batch_size=4, verbose=0, callbacks=[Recorder()])[0] == pytest.approx(
        7.937812805175781, rel=1e-6)  # the next evaluate resets it: all 3 batches (test_steps.KERAS_EVALUATE_ALL)


class Sized(PyDataset):
    """X, Y in 3 batches of 4 rows."""

    def __len__(self):
        return 3

    def __getitem__(self, index):
        return X[4 * index:4 * index + 4], Y[4 * index:4 * index + 4]


def endless():
    while True:
        yield from (Sized()[index] for index in range(3))


STOPPED_DATA = {"arrays": lambda: ((X, Y), {"batch_size": 4}), "sized": lambda: ((Sized(),), {}),
                "sized, steps=2": lambda: ((Sized(),), {"steps": 2}),
                "generator, steps=3": lambda: ((endless(),), {"steps": 3}),
                "generator": lambda: (((Sized()[index] for index in range(3)),), {})}


@pytest.mark.parametrize("data", KERAS_STOPPED_PROGRESS)
def test_a_stopped_evaluates_progress_line_counts_the_steps_keras_knew(data, capsys):
    """A data source with a length (or ``steps=``) showed the batches read (2/2) where Keras shows its count."""
    args, kwargs = STOPPED_DATA[data]()
    loss = line().evaluate(*args, **kwargs, callbacks=[Stopper("stop_evaluating", "on_test_batch_end", 1)],
                           verbose=2)
    assert loss == pytest.approx(KERAS_EVALUATE_STOPPED["on_test_batch_end"][0]["loss"], rel=1e-6)
    assert capsys.readouterr().out.startswith(f"{KERAS_STOPPED_PROGRESS[data]} - ")


class Ticker(Callback):
    """Moves the progress bar's clock a quarter of a second at the end of each batch."""

    def __init__(self, clock):
        super().__init__()
        self.clock = clock

    def on_test_batch_end(self, batch, logs=None):
        self.clock.now += 0.25

    on_predict_batch_end = on_test_batch_end


def test_the_evaluate_and_predict_bars_time_the_pass(monkeypatch, capsys):
    """Their bars were made after the pass, so they read ``0s - 0us/step`` however long it took."""
    from types import SimpleNamespace

    from linnet.engine import progress
    clock = SimpleNamespace(now=100.0)
    monkeypatch.setattr(progress, "time", SimpleNamespace(perf_counter=lambda: clock.now))
    model = line()
    model.evaluate(X, Y, batch_size=4, verbose=2, callbacks=[Ticker(clock)])
    model.predict(X, batch_size=4, verbose=2, callbacks=[Ticker(clock)])
    assert capsys.readouterr().out.splitlines() == ["3/3 - 1s - 250ms/step - loss: 7.9378", "3/3 - 1s - 250ms/step"]


@pytest.mark.parametrize("hook, at", [("on_predict_batch_end", 0), ("on_predict_begin", None)])
def test_stop_predicting_returns_the_predictions_of_the_batches_done(hook, at):
    recorder = Stopper("stop_predicting", hook, at)
    model = line()
    prediction = model.predict(X[:9], batch_size=4, callbacks=[recorder])
    np.testing.assert_allclose(prediction, KERAS_PREDICT_STOPPED, rtol=1e-6)
    assert_calls(recorder.calls, KERAS_PREDICT_STOPPED_CALLS)
    assert model.predict(X[:9], batch_size=4, callbacks=[Recorder()]).shape == (9, 1)


def test_stop_evaluating_during_fits_validation_keeps_the_batches_read():
    recorder = Stopper("stop_evaluating", "on_test_batch_end", 0)
    history = line().fit(X, Y, batch_size=4, epochs=2, shuffle=False, validation_data=(X, Y), callbacks=[recorder],
                         verbose=0)
    assert history.history.keys() == KERAS_VALIDATION_STOPPED.keys()
    for name, values in KERAS_VALIDATION_STOPPED.items():
        assert history.history[name] == pytest.approx(values, rel=1e-6)
    assert [c[0] for c in recorder.calls].count("on_test_batch_end") == 2  # one a validation


class StopAtTestBegin(Callback):
    """Sets ``stop_evaluating`` when each validation begins; no batch hook."""

    def on_test_begin(self, logs=None):
        self.model.stop_evaluating = True


@pytest.mark.parametrize("data, expected", [({"validation_data": (X, Y)}, KERAS_VALIDATION_STOPPED),
                                            ({"validation_split": 0.5}, KERAS_SPLIT_STOPPED_AT_BEGIN)])
def test_stop_evaluating_set_in_on_test_begin_validates_keras_first_batch(data, expected):
    """Without a batch hook the validation arrays were read all at once, so a stop set in ``on_test_begin`` came
    after every row (val_loss 0.0617..., that of all 10 rows): Keras reads its first batch of ``batch_size``."""
    history = line().fit(X, Y, batch_size=4, epochs=2, shuffle=False, callbacks=[StopAtTestBegin()], verbose=0,
                         **data)
    assert history.history.keys() == expected.keys()
    for name, values in expected.items():
        assert history.history[name] == pytest.approx(values, rel=1e-6)


def test_the_stop_flags_start_false():
    model = line()
    assert model.stop_training is model.stop_evaluating is model.stop_predicting is False


# fit(X, Y, epochs=3, shuffle=False), stop_training set in on_train_begin or in on_epoch_begin by a callback with no
# batch hook: Keras checks the flag after every batch, so one step is taken (optimizer.iterations 1), and the
# epoch's loss is batch 0's; the weights after it
KERAS_STOPPED_BEFORE_A_BATCH = ({"loss": [2.5146875381469727]}, [[[0.6381250023841858]], [0.4024999737739563]])


@pytest.mark.parametrize("hook", ["on_train_begin", "on_epoch_begin"])
def test_stop_training_set_outside_the_batch_hooks_ends_the_epoch_after_its_batch_as_keras(hook):
    class Stop(Callback):
        pass

    setattr(Stop, hook, lambda self, *args: setattr(self.model, "stop_training", True))
    assert not Stop().wants_batch_hooks
    model = line()
    history = model.fit(X, Y, batch_size=4, epochs=3, shuffle=False, callbacks=[Stop()], verbose=0)
    history_expected, weights_expected = KERAS_STOPPED_BEFORE_A_BATCH
    assert model.optimizer.iterations == 1
    assert history.history["loss"] == pytest.approx(history_expected["loss"], rel=1e-6)
    for weight, expected in zip(model.get_weights(), weights_expected):
        np.testing.assert_allclose(weight, expected, rtol=1e-6)


def test_every_batch_hook_of_a_callback_list_gives_empty_logs_for_none():
    """The CallbackList's docstring says a missing logs becomes {}; on_train_batch_end passed None through (the
    other five batch hooks gave {})."""
    from linnet.engine.callbacks import CallbackList

    seen = []

    class Recorder(Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(logs)

        def on_test_batch_end(self, batch, logs=None):
            seen.append(logs)

    hooks = CallbackList([Recorder()])
    hooks.on_train_batch_end(0)
    hooks.on_test_batch_end(0)
    assert seen == [{}, {}]

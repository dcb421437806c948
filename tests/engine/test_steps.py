"""steps= and callbacks= of evaluate and predict, steps_per_epoch with arrays, and the on_test_* hooks of fit's
validation: Keras 3.15.1's hook order, logs, params and numbers (recorded below, TensorFlow backend), and where
linnet does better (a pass that ends inside an epoch; more steps than batches)."""

import threading

import numpy as np
import pytest

from linnet.engine import optimizers
from linnet.engine.callbacks import Callback, LambdaCallback
from linnet.engine.layers import Dense, Input
from linnet.engine.sequential import Sequential
from linnet.engine.sources import ArrayBatches
from linnet.engine.steps import Passes

X = (np.arange(10, dtype=np.float32) / 4).reshape(-1, 1)
NOISE = np.array([0.1, -0.2, 0.3, 0, -0.1, 0.2, -0.3, 0.1, 0, 0.05], dtype=np.float32)
Y = 2 * X[:, 0] + 1 + NOISE
HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_train_batch_begin",
         "on_test_begin", "on_test_end", "on_test_batch_begin", "on_test_batch_end", "on_predict_begin",
         "on_predict_end", "on_predict_batch_begin", "on_predict_batch_end")

# Recorded from Keras 3.15.1: Sequential([Input((1,)), Dense(1)]), kernel 0.5, bias 0.1, SGD(0.1), loss "mse",
# batch_size=4, verbose=0, a callback recording (hook, batch or epoch, logs); arrays in logs as lists.
KERAS_EVALUATE_STEPS_2_MAE = (
    {"loss": 5.682812213897705, "mae": 2.2249999046325684},
    [("on_test_begin", {}), ("on_test_batch_begin", 0, {}),
     ("on_test_batch_end", 0, {"loss": 2.5146875381469727, "mae": 1.5124999284744263}),
     ("on_test_batch_begin", 1, {}), ("on_test_batch_end", 1, {"loss": 5.682812213897705, "mae": 2.2249999046325684}),
     ("on_test_end", {"loss": 5.682812213897705, "mae": 2.2249999046325684})],
    {"verbose": 0, "epochs": 1, "steps": 2})
KERAS_EVALUATE_ALL = (
    {"loss": 7.937812805175781},
    [("on_test_begin", {}), ("on_test_batch_begin", 0, {}), ("on_test_batch_end", 0, {"loss": 2.5146875381469727}),
     ("on_test_batch_begin", 1, {}), ("on_test_batch_end", 1, {"loss": 5.682812213897705}),
     ("on_test_batch_begin", 2, {}), ("on_test_batch_end", 2, {"loss": 7.937812805175781}),
     ("on_test_end", {"loss": 7.937812805175781})],
    {"verbose": 0, "epochs": 1, "steps": 3})
KERAS_PREDICT_9_ROWS = (  # predict(X[:9], batch_size=4, callbacks=[recorder]): outputs are (B, 1) arrays
    [[0.10000000149011612], [0.22499999403953552], [0.3499999940395355], [0.4749999940395355], [0.6000000238418579],
     [0.7250000238418579], [0.8500000238418579], [0.9750000238418579], [1.100000023841858]],
    [("on_predict_begin", {}), ("on_predict_batch_begin", 0, {}),
     ("on_predict_batch_end", 0, {"outputs": [[0.10000000149011612], [0.22499999403953552], [0.3499999940395355],
                                               [0.4749999940395355]]}),
     ("on_predict_batch_begin", 1, {}),
     ("on_predict_batch_end", 1, {"outputs": [[0.6000000238418579], [0.7250000238418579], [0.8500000238418579],
                                               [0.9750000238418579]]}),
     ("on_predict_batch_begin", 2, {}), ("on_predict_batch_end", 2, {"outputs": [[1.100000023841858]]}),
     ("on_predict_end", {})],
    {"verbose": 0, "epochs": 1, "steps": 3})
KERAS_FIT_VALIDATION = [  # fit(X, Y, shuffle=False, validation_data=(X[:5], Y[:5])), on_train_batch_end left out:
    # the begin hooks get {}, on_train_end the last epoch's logs
    ("on_train_begin", {}), ("on_epoch_begin", 0, {}), ("on_train_batch_begin", 0, {}),
    ("on_train_batch_begin", 1, {}), ("on_train_batch_begin", 2, {}), ("on_test_begin", {}),
    ("on_test_batch_begin", 0, {}), ("on_test_batch_end", 0, {"loss": 0.055058661848306656}),
    ("on_test_batch_begin", 1, {}), ("on_test_batch_end", 1, {"loss": 0.061653364449739456}),
    ("on_test_end", {"loss": 0.061653364449739456}),
    ("on_epoch_end", 0, {"loss": 3.9574942588806152, "val_loss": 0.061653364449739456}),
    ("on_train_end", {"loss": 3.9574942588806152, "val_loss": 0.061653364449739456})]
# fit(X, Y, shuffle=False, epochs=2, steps_per_epoch=3): 3 is all the batches, the same as without it
KERAS_FIT_ALL_STEPS = {"loss": [3.9574942588806152, 0.04953335225582123], "kernel": 1.947266697883606,
                       "bias": 1.1410255432128906, "params": {"verbose": 0, "epochs": 2, "steps": 3}}
# fit(X, Y, shuffle=False, epochs=3, steps_per_epoch=2): Keras trains batches [0, 1], then [2] alone (the pass
# ends: it warns "Your input ran out of data; interrupting training" and goes on), then [0, 1] of a new pass
KERAS_FIT_2_STEPS = {"loss": [4.3416900634765625, 2.4207112789154053, 0.0615309476852417],
                     "batches": [[0, 1], [0], [0, 1]], "params": {"verbose": 0, "epochs": 3, "steps": 2}}


class Recorder(Callback):
    """Records ``(hook, batch or epoch, logs)`` for every hook (logs left out where None is passed)."""

    wants_batch_hooks = True

    def __init__(self):
        super().__init__()
        self.calls = []
        for hook in HOOKS:
            setattr(self, hook, self._recording(hook))

    def _recording(self, hook):
        def record(*args):
            args = [a.tolist() if isinstance(a, np.ndarray) else a for a in args]
            if args and isinstance(args[-1], dict):
                args[-1] = {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in args[-1].items()}
            self.calls.append((hook, *(a for a in args if a is not None)))
        return record


def line(metrics=None):
    model = Sequential([Input((1,)), Dense(1)])
    model.set_weights([np.array([[0.5]], np.float32), np.array([0.1], np.float32)])
    model.compile(optimizer=optimizers.SGD(0.1), loss="mse", metrics=metrics)
    return model


def assert_calls(calls, expected):
    assert [c[:-1] if isinstance(c[-1], dict) else c for c in calls] == \
           [e[:-1] if isinstance(e[-1], dict) else e for e in expected]
    for call, want in zip(calls, expected):
        if isinstance(want[-1], dict):
            assert call[-1].keys() == want[-1].keys()
            np.testing.assert_allclose([np.ravel(v) for v in call[-1].values()],
                                       [np.ravel(v) for v in want[-1].values()], rtol=1e-6)


@pytest.mark.parametrize("steps, metrics, recorded", [(2, ["mae"], KERAS_EVALUATE_STEPS_2_MAE),
                                                      (None, None, KERAS_EVALUATE_ALL)])
def test_evaluate_reads_the_first_steps_batches_and_calls_the_test_hooks_as_keras(steps, metrics, recorded):
    recorder = Recorder()
    logs = line(metrics).evaluate(X, Y, batch_size=4, steps=steps, callbacks=[recorder], verbose=0,
                                  return_dict=True)
    assert logs == pytest.approx(recorded[0], rel=1e-6)
    assert_calls(recorder.calls, recorded[1])
    assert recorder.params == recorded[2] and recorder.model is not None


def test_evaluate_steps_is_the_loss_of_the_rows_of_those_batches():
    """2 batches of 4: the loss of rows 0..7, with or without callbacks, weighted too."""
    weights = np.linspace(0.5, 2, 10)
    assert line().evaluate(X, Y, batch_size=4, steps=2, verbose=0) == pytest.approx(
        line().evaluate(X[:8], Y[:8], verbose=0), rel=1e-6)
    assert line().evaluate(X, Y, batch_size=4, steps=2, sample_weight=weights, verbose=0) == pytest.approx(
        line().evaluate(X[:8], Y[:8], sample_weight=weights[:8], verbose=0), rel=1e-6)


def test_predict_passes_each_batchs_outputs_to_the_callbacks_as_keras():
    recorder = Recorder()
    prediction = line().predict(X[:9], batch_size=4, callbacks=recorder)
    np.testing.assert_allclose(prediction, KERAS_PREDICT_9_ROWS[0], rtol=1e-6)
    assert prediction.dtype == np.float32 and prediction.shape == (9, 1)
    assert_calls(recorder.calls, KERAS_PREDICT_9_ROWS[1])
    assert recorder.params == KERAS_PREDICT_9_ROWS[2]


def test_predict_steps_keeps_the_rows_of_the_first_batches():
    recorder = Recorder()
    prediction = line().predict(X, batch_size=4, steps=2, callbacks=[recorder])
    np.testing.assert_allclose(prediction, KERAS_PREDICT_9_ROWS[0][:8], rtol=1e-6)  # Keras: the same 8 rows
    assert recorder.params["steps"] == 2 and [c[0] for c in recorder.calls].count("on_predict_batch_end") == 2
    assert line().predict(X, batch_size=3, steps=4).shape == (10, 1)  # the last batch holds one row


def test_fit_gives_its_callbacks_the_test_hooks_of_its_validation_in_keras_batches():
    recorder = Recorder()
    history = line().fit(X, Y, batch_size=4, shuffle=False, validation_data=(X[:5], Y[:5]), callbacks=[recorder],
                         verbose=0)
    assert_calls(recorder.calls, KERAS_FIT_VALIDATION)
    assert history.history["val_loss"] == pytest.approx([0.061653364449739456], rel=1e-6)


def test_a_lambda_callback_gets_the_test_and_predict_batch_hooks():
    seen = []
    callback = LambdaCallback(on_test_batch_end=lambda batch, logs: seen.append(("test", batch)),
                              on_predict_batch_end=lambda batch, logs: seen.append(("predict", batch)))
    model = line()
    model.fit(X, Y, batch_size=4, validation_split=0.5, callbacks=[callback], verbose=0)  # 5 rows: 2 batches
    model.evaluate(X, Y, batch_size=5, callbacks=[callback], verbose=0)
    model.predict(X, batch_size=8, callbacks=[callback])
    assert seen == [("test", 0), ("test", 1), ("test", 0), ("test", 1), ("predict", 0), ("predict", 1)]


@pytest.mark.parametrize("metrics", [None, ["mae"]])  # the fused one-neuron step, and the layers' path
def test_steps_per_epoch_of_all_the_batches_is_keras_fit(metrics):
    history = line(metrics).fit(X, Y, batch_size=4, epochs=2, steps_per_epoch=3, shuffle=False, verbose=0)
    assert history.history["loss"] == pytest.approx(KERAS_FIT_ALL_STEPS["loss"], rel=1e-6)
    assert history.params == KERAS_FIT_ALL_STEPS["params"]
    np.testing.assert_allclose(history.model.get_weights()[0], [[KERAS_FIT_ALL_STEPS["kernel"]]], rtol=1e-6)


def sgd_by_hand(batches, lr=0.1, w=0.5, b=0.1):
    """SGD on the MSE ``(1/B) Σ (w·x + b − y)²``: the loss before each step, then ``w ← w − lr·(2/B)·Σ e·x``,
    ``b ← b − lr·(2/B)·Σ e``, in float64."""
    losses = []
    for rows in batches:
        x, y = X[rows, 0].astype(float), Y[rows].astype(float)
        e = w * x + b - y
        losses.append((np.mean(e ** 2), len(rows)))
        w, b = w - lr * 2 * np.mean(e * x), b - lr * 2 * np.mean(e)
    return losses, w, b


@pytest.mark.parametrize("metrics", [None, ["mae"]])
def test_steps_per_epoch_goes_on_into_the_next_pass_where_keras_ends_the_epoch_short(metrics):
    """Batches of 4 rows: b0 = 0..3, b1 = 4..7, b2 = 8..9. Epochs of 2 steps: [b0, b1], [b2, b0], [b1, b2]. Keras
    trains [b0, b1], [b2], [b0, b1]: its second epoch is one step of 2 rows (KERAS_FIT_2_STEPS)."""
    recorder = Recorder()
    history = line(metrics).fit(X, Y, batch_size=4, epochs=3, steps_per_epoch=2, shuffle=False, callbacks=[recorder],
                                verbose=0)
    b0, b1, b2 = [0, 1, 2, 3], [4, 5, 6, 7], [8, 9]
    losses, w, b = sgd_by_hand([b0, b1, b2, b0, b1, b2])
    epochs = [losses[i:i + 2] for i in range(0, 6, 2)]
    expected = [sum(loss * n for loss, n in epoch) / sum(n for _, n in epoch) for epoch in epochs]
    assert history.history["loss"] == pytest.approx(expected, rel=1e-5)
    assert history.history["loss"][0] == pytest.approx(KERAS_FIT_2_STEPS["loss"][0], rel=1e-6)  # as Keras's
    assert history.history["loss"][1] != pytest.approx(KERAS_FIT_2_STEPS["loss"][1], rel=1e-2)  # Keras's is b2's
    np.testing.assert_allclose(np.concatenate([np.ravel(a) for a in history.model.get_weights()]), [w, b], rtol=1e-5)
    batches = [c[1] for c in recorder.calls if c[0] == "on_train_batch_begin"]
    assert batches == [0, 1] * 3 and history.params == KERAS_FIT_2_STEPS["params"]


def test_passes_shuffle_each_pass_and_cover_every_row_once_per_pass():
    x = np.arange(12, dtype=np.float32).reshape(-1, 1)
    passes = Passes(ArrayBatches(x, x, batch_size=4, shuffle=True, background=False), 2)
    rng = np.random.default_rng(3)
    rows = np.concatenate([batch[0][:, 0] for _ in range(3) for batch in passes.epoch(rng)])
    assert len(passes) == 2 and rows.shape == (24,)
    assert sorted(rows[:12]) == sorted(rows[12:]) == list(range(12)) and list(rows[:12]) != list(rows[12:])


def test_steps_per_epoch_across_passes_gathered_in_the_background_ends_its_thread():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(70_000, 1)).astype(np.float32)  # more than a block: gathered in the background
    before = threading.active_count()
    history = line().fit(x, 2 * x[:, 0], batch_size=32, epochs=3, steps_per_epoch=1500, verbose=0, seed=0)
    assert history.params["steps"] == 1500 and len(history.history["loss"]) == 3  # 4500 steps: 2.06 passes
    assert history.history["loss"][-1] < 1e-4 and threading.active_count() == before


def test_evaluate_steps_on_a_data_source_reads_its_first_batches():
    class Chunks:
        n_features = 1

        def __len__(self):
            return 3

        def epoch(self, rng):
            for rows in ([0, 1, 2, 3], [4, 5, 6, 7], [8, 9]):
                yield X[rows], Y[rows]

    assert line().evaluate(Chunks(), steps=2, verbose=0) == pytest.approx(line().evaluate(X[:8], Y[:8], verbose=0))
    with pytest.raises(ValueError, match=r"steps=4 is more than the 3 batch\(es\) of one epoch of the data source"):
        line().evaluate(Chunks(), steps=4, verbose=0)


@pytest.mark.parametrize("call, name", [
    (lambda model, steps: model.evaluate(X, Y, batch_size=4, steps=steps, verbose=0), "steps"),
    (lambda model, steps: model.predict(X, batch_size=4, steps=steps), "steps"),
    (lambda model, steps: model.fit(X, Y, batch_size=4, steps_per_epoch=steps, verbose=0), "steps_per_epoch")])
def test_more_steps_than_batches_is_refused_with_the_fix(call, name):
    """Keras 3.15.1 runs the 3 batches, warns "Your input ran out of data; interrupting training" (every epoch,
    in fit) and reports params["steps"] == 5 to the callbacks and the progress bar."""
    with pytest.raises(ValueError, match=rf"{name}=5 is more than the 3 batch\(es\) of .*10 .*rows in batches of 4; "
                                         rf"give {name} <= 3, or leave it unset"):
        call(line(), 5)


@pytest.mark.parametrize("steps, error", [(0, ValueError), (-1, ValueError), (2.5, TypeError), (True, TypeError),
                                          ("3", TypeError)])
@pytest.mark.parametrize("call, name", [
    (lambda model, steps: model.evaluate(X, Y, steps=steps, verbose=0), "steps"),
    (lambda model, steps: model.predict(X, steps=steps), "steps"),
    (lambda model, steps: model.fit(X, Y, steps_per_epoch=steps, verbose=0), "steps_per_epoch")])
def test_a_step_count_that_is_not_a_positive_integer_is_refused(call, name, steps, error):
    """Keras 3.15.1 takes 0 and True as "all the batches", and fails inside TensorFlow on -1, 2.5 and "3"."""
    with pytest.raises(error, match=rf"{name} must be a positive integer \(a number of batches\) or None for all "
                                    rf"of them. Received: {name}={steps!r}"):
        call(line(), steps)


@pytest.mark.parametrize("callbacks", ["stop", [object()], [None], [Recorder, Recorder]])
def test_callbacks_that_are_not_callback_objects_are_refused(callbacks):
    """Keras 3.15.1 fails with AttributeError ("'str' object has no attribute 'set_model'")."""
    for call in (lambda: line().evaluate(X, Y, callbacks=callbacks, verbose=0),
                 lambda: line().predict(X, callbacks=callbacks)):
        with pytest.raises(TypeError, match="callbacks must be a Callback or a list of them. Received: callbacks="):
            call()


def test_validation_batch_size_is_checked_and_taken_when_x_is_a_data_source():
    """It was neither: fit(source, validation_data=arrays) read the validation arrays at once, whatever it was."""
    seen = []
    callback = LambdaCallback(on_test_batch_end=lambda batch, logs: seen.append(batch))
    source = lambda: iter([(X[:5], Y[:5]), (X[5:], Y[5:])])
    line().fit(source, validation_data=(X, Y), validation_batch_size=3, callbacks=[callback], verbose=0)
    assert seen == [0, 1, 2, 3]  # 10 rows in batches of 3
    with pytest.raises(TypeError, match="validation_batch_size must be a positive integer"):
        line().fit(source, validation_data=(X, Y), validation_batch_size="3", verbose=0)


def test_evaluate_on_a_source_that_shuffles_is_repeatable_and_leaves_linnets_generator_alone():
    """A file source draws its piece order and shuffle buffer from the generator it is read with. evaluate drew
    them from linnet's generator: each call a slightly different sum (the last digits of the loss) and a later
    fit(seed=None) shuffled differently for having evaluated first."""
    import linnet.random

    class Shuffled:
        n_features = 1

        def epoch(self, rng):
            for start in rng.permutation(5) * 2:
                yield X[start:start + 2], Y[start:start + 2] * 1e3

    model = line()
    linnet.random.set_seed(3)
    untouched = linnet.random.generator().integers(1 << 30)
    linnet.random.set_seed(3)
    losses = {model.evaluate(Shuffled(), verbose=0) for _ in range(5)}
    assert linnet.random.generator().integers(1 << 30) == untouched
    assert len(losses) == 1

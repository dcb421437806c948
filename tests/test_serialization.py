"""One envelope for every configurable object, in Keras 3's format: golden dicts, round trips, refusals.

The golden dicts are what Keras 3 writes for the same objects (``keras.saving.serialize_keras_object``, see
``keras/src/saving/serialization_lib.py``, ``Dense.get_config``, ``BaseOptimizer.get_config`` and the
``config.json`` inside ``.keras`` files): Keras is not installed here, so they are written out by hand.
"""

import functools
import inspect
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linnet._serialization import CheckedKeywords, Configurable, deserialize, serialize
from linnet.engine import callbacks, initializers, layers, losses, metrics, optimizers, regularizers, schedules  # noqa: F401 (callbacks, regularizers: their classes are enumerated)

NULL = None  # as in the JSON Keras writes

KERAS_DENSE = {
    "module": "keras.layers", "class_name": "Dense", "registered_name": NULL,
    "config": {
        "name": "dense_golden", "trainable": True,
        "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
                  "registered_name": NULL},
        "units": 1, "activation": "linear", "use_bias": True,
        "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform",
                               "config": {"seed": NULL}, "registered_name": NULL},
        "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {},
                             "registered_name": NULL},
        "kernel_regularizer": NULL, "bias_regularizer": NULL, "kernel_constraint": NULL, "bias_constraint": NULL,
        "quantization_config": NULL,
    },
}

KERAS_ADAM = {
    "module": "keras.optimizers", "class_name": "Adam", "registered_name": NULL,
    "config": {
        "name": "adam", "learning_rate": 0.0010000000474974513, "weight_decay": NULL, "clipnorm": NULL,
        "global_clipnorm": NULL, "clipvalue": NULL, "use_ema": False, "ema_momentum": 0.99,
        "ema_overwrite_frequency": NULL, "loss_scale_factor": NULL, "gradient_accumulation_steps": NULL,
        "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False,
    },
}

KERAS_EXPONENTIAL_DECAY = {
    "module": "keras.optimizers.schedules", "class_name": "ExponentialDecay", "registered_name": NULL,
    "config": {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.96, "staircase": False,
               "name": "ExponentialDecay"},
}


def round_trip(obj, kind):
    """``obj`` serialized, through JSON text, and rebuilt."""
    envelope = json.loads(json.dumps(serialize(obj)))
    return envelope, deserialize(envelope, kind)


# ----- golden envelopes ------------------------------------------------------------------------------------------
def test_dense_is_written_as_keras_3_writes_it():
    assert serialize(layers.Dense(1, name="dense_golden")) == KERAS_DENSE


def test_a_built_dense_adds_keras_build_config():
    model = layers.Dense(1, name="dense_built")
    model.build(8)
    assert serialize(model)["build_config"] == {"input_shape": [None, 8]}


def test_adam_is_written_as_keras_3_writes_it():
    assert serialize(optimizers.Adam(name="adam")) == KERAS_ADAM  # the name a process's first Adam gets


def test_exponential_decay_is_written_as_keras_3_writes_it():
    assert serialize(schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.96)) == KERAS_EXPONENTIAL_DECAY


def test_a_schedule_inside_an_optimizer_is_a_nested_envelope():
    config = serialize(optimizers.SGD(schedules.ExponentialDecay(0.1, 10, 0.96)))["config"]
    assert config["learning_rate"] == KERAS_EXPONENTIAL_DECAY


@pytest.mark.parametrize("golden, kind", [(KERAS_DENSE, layers.Layer), (KERAS_ADAM, optimizers.Optimizer),
                                          (KERAS_EXPONENTIAL_DECAY, schedules.LearningRateSchedule)])
def test_keras_envelopes_are_read_back_into_the_same_envelope(golden, kind):
    assert serialize(deserialize(golden, kind)) == golden


# ----- round trips of every class ------------------------------------------------------------------------------
finite = st.floats(-1e6, 1e6, allow_nan=False)
positive = st.floats(1e-6, 1e3, allow_nan=False)
rate = st.floats(0.0, 0.999, allow_nan=False)
seeds = st.none() | st.integers(0, 2**31)
names = st.text("abcdefghij_", min_size=1, max_size=8)


@settings(max_examples=40, deadline=None)
@given(lr=positive, beta_1=rate, beta_2=rate, epsilon=positive, amsgrad=st.booleans(), clip=st.none() | positive,
       name=names, cls=st.sampled_from([optimizers.Adam, optimizers.AdamW, optimizers.Adamax, optimizers.Nadam]))
def test_adam_family_round_trips(lr, beta_1, beta_2, epsilon, amsgrad, clip, name, cls):
    extra = {"amsgrad": amsgrad} if cls in (optimizers.Adam, optimizers.AdamW) else {}
    optimizer = cls(lr, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, clipnorm=clip, name=name, **extra)
    envelope, rebuilt = round_trip(optimizer, optimizers.Optimizer)
    assert type(rebuilt) is cls and serialize(rebuilt) == envelope
    assert rebuilt.learning_rate == optimizer.learning_rate and rebuilt.name == name


@settings(max_examples=40, deadline=None)
@given(lr=positive, momentum=rate, rho=rate, centered=st.booleans(), nesterov=st.booleans(),
       decay=st.none() | positive, accumulator=positive)
def test_sgd_rmsprop_and_adagrad_round_trip(lr, momentum, rho, centered, nesterov, decay, accumulator):
    for optimizer in (optimizers.SGD(lr, momentum=momentum, nesterov=nesterov, weight_decay=decay),
                      optimizers.RMSprop(lr, rho=rho, momentum=momentum, centered=centered, clipvalue=decay),
                      optimizers.Adagrad(lr, initial_accumulator_value=accumulator, global_clipnorm=decay)):
        envelope, rebuilt = round_trip(optimizer, optimizers.Optimizer)
        assert type(rebuilt) is type(optimizer) and serialize(rebuilt) == envelope


@settings(max_examples=40, deadline=None)
@given(initial=positive, steps=positive, decay=st.floats(0.0, 1.0), staircase=st.booleans(),
       boundaries=st.lists(st.integers(0, 10**6), min_size=0, max_size=4, unique=True), value=positive)
def test_every_schedule_round_trips_and_gives_the_same_rates(initial, steps, decay, staircase, boundaries, value):
    boundaries = sorted(boundaries)
    values = [value / (i + 1) for i in range(len(boundaries) + 1)]
    for schedule in (schedules.ExponentialDecay(initial, steps, decay, staircase),
                     schedules.InverseTimeDecay(initial, steps, decay, staircase),
                     schedules.PiecewiseConstantDecay(boundaries, values)):
        envelope, rebuilt = round_trip(schedule, schedules.LearningRateSchedule)
        assert serialize(rebuilt) == envelope
        assert [rebuilt(k) for k in (0, 1, 7, 1000)] == [schedule(k) for k in (0, 1, 7, 1000)]
        assert schedules.deserialize(envelope).get_config() == schedule.get_config()


@settings(max_examples=30, deadline=None)
@given(delta=positive, name=names)
def test_every_loss_and_metric_round_trips(delta, name):
    objects = [(losses.MeanSquaredError(), losses.Loss), (losses.MeanAbsoluteError(), losses.Loss),
               (losses.Huber(delta), losses.Loss), (losses.LogCosh(), losses.Loss),
               (metrics.MeanOfLoss(losses.Huber(delta), name=name), metrics.Metric),
               (metrics.MeanSquaredError(name=name), metrics.Metric),
               (metrics.MeanAbsoluteError(), metrics.Metric),
               (metrics.RootMeanSquaredError(name=name), metrics.Metric), (metrics.R2Score(name=name), metrics.Metric)]
    y_true, y_pred = np.float32([[1.0], [2.0], [4.0]]), np.float32([[1.5], [1.0], [7.0]])
    for obj, kind in objects:
        envelope, rebuilt = round_trip(obj, kind)
        assert type(rebuilt) is type(obj) and serialize(rebuilt) == envelope
        if kind is losses.Loss:
            assert rebuilt(y_true, y_pred) == obj(y_true, y_pred)
        else:
            for metric in (obj, rebuilt):
                metric.reset_state()
                metric.update_state(y_true, y_pred)
            assert rebuilt.name == obj.name and rebuilt.result() == obj.result()


@settings(max_examples=30, deadline=None)
@given(value=finite, low=finite, width=positive, mean=finite, stddev=positive, seed=seeds)
def test_every_initializer_round_trips_and_draws_the_same_values(value, low, width, mean, stddev, seed):
    objects = [initializers.Constant(value), initializers.Zeros(), initializers.Ones(),
               initializers.RandomUniform(low, low + width, seed=seed),
               initializers.RandomNormal(mean, stddev, seed=seed), initializers.GlorotUniform(seed=seed)]
    for initializer in objects:
        envelope, rebuilt = round_trip(initializer, initializers.Initializer)
        assert type(rebuilt) is type(initializer) and serialize(rebuilt) == envelope
        if seed is not None or not isinstance(initializer, initializers._Seeded):
            np.testing.assert_array_equal(rebuilt((4, 2)), initializer((4, 2)))


@settings(max_examples=30, deadline=None)
@given(units=st.integers(1, 9), use_bias=st.booleans(), input_dim=st.none() | st.integers(1, 9),
       mean=st.lists(finite, min_size=1, max_size=3), name=names)
def test_every_layer_round_trips(units, use_bias, input_dim, mean, name):
    variance = [abs(m) + 1.0 for m in mean]
    objects = [layers.Dense(units, use_bias=use_bias, input_dim=input_dim, name=name,
                            kernel_initializer=initializers.RandomUniform(-1, 1, seed=3), bias_initializer="ones"),
               layers.Activation("linear", name=name),
               layers.Normalization(mean=mean, variance=variance, name=name),
               layers.InputLayer(shape=(units,), name=name)]
    for layer in objects:
        envelope, rebuilt = round_trip(layer, layers.Layer)
        assert type(rebuilt) is type(layer) and serialize(rebuilt) == envelope and rebuilt.name == name
    assert deserialize(serialize(objects[0]), layers.Layer).declared_input_dim == input_dim


class Fives(initializers.Initializer):
    """A user's initializer: not one of Keras' classes."""

    def draw(self, shape):
        return np.full(shape, 5.0)


def test_user_subclasses_are_written_under_their_module_with_a_registered_name():
    envelope = serialize(Fives())
    assert envelope == {"module": __name__, "class_name": "Fives", "config": {}, "registered_name": "Fives"}
    assert initializers.get(envelope)((2,)).tolist() == [5.0, 5.0]
    assert serialize(metrics.MeanOfLoss(losses.LogCosh()))["module"] == "linnet.engine.metrics"


def test_each_family_has_its_own_serialize_and_deserialize():
    for module, obj in [(optimizers, optimizers.SGD()), (schedules, schedules.InverseTimeDecay(1.0, 2, 3)),
                        (losses, losses.Huber(2.0)), (metrics, metrics.R2Score()),
                        (initializers, initializers.Constant(3.0))]:
        assert module.serialize(obj) == serialize(obj)
        assert module.deserialize(module.serialize(obj)).get_config() == obj.get_config()
        assert module.get(module.serialize(obj)).get_config() == obj.get_config()


# ----- refusals ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("envelope, error, message", [
    ([1, 2], TypeError, r"must be a dict .*Received: \[1, 2\]"),
    ({"config": {}}, ValueError, "'class_name' string.*Received: {'config': {}}"),
    ({"class_name": "Adam", "config": [1]}, ValueError, "'config' dict"),
    ({"class_name": "Adamm", "config": {}}, ValueError, "Unknown optimizer 'Adamm'. Did you mean 'Adam'"),
    ({"class_name": "Optimizer", "config": {}}, ValueError, "Unknown optimizer 'Optimizer'"),
    ({"class_name": "Adam", "config": {"loss_scale_factor": 128.0}}, ValueError,
     r"does not support Keras' loss_scale_factor: it must be None. Received: loss_scale_factor=128.0"),
    ({"class_name": "Adam", "config": {"beta1": 0.9}}, TypeError, "'beta1' \\(did you mean 'beta_1'\\?\\)"),
])
def test_malformed_optimizer_envelopes_are_refused_clearly(envelope, error, message):
    with pytest.raises(error, match=message):
        deserialize(envelope, optimizers.Optimizer)


@pytest.mark.parametrize("envelope, kind, message", [
    ({"class_name": "Dense", "config": {"units": 1, "kernel_constraint": "non_neg"}}, layers.Layer,
     "does not support Keras' kernel_constraint: it must be None. Received: kernel_constraint='non_neg'"),
    ({"class_name": "Dense", "config": {"units": 1, "trainable": False}}, layers.Layer, "trainable"),
    ({"class_name": "Dense", "config": {"units": 1, "dtype": "float64"}}, layers.Layer, "dtype"),
    ({"class_name": "Huber", "config": {"name": "other"}}, losses.Loss, "always named 'huber'"),
    ({"class_name": "Huber", "config": {"reduction": "sum"}}, losses.Loss, "reduction"),
    ({"class_name": "MeanOfLoss", "config": {"name": "m"}}, metrics.Metric, "missing 'loss'"),
    ({"class_name": "Zeros", "config": {"value": 1}}, initializers.Initializer, "'value'"),
    ({"class_name": "ExponentialDecay", "config": {"decay_steps": 1}}, schedules.LearningRateSchedule,
     "missing 'initial_learning_rate', 'decay_rate'"),
])
def test_configs_linnet_cannot_honour_are_refused(envelope, kind, message):
    with pytest.raises((ValueError, TypeError), match=message):
        deserialize(envelope, kind)


def test_keras_defaults_are_accepted_and_keras_names_too():
    assert isinstance(deserialize({"class_name": "Huber", "config": {"name": "huber_loss", "delta": 2.0,
                                                                     "reduction": "sum_over_batch_size"}},
                                  losses.Loss), losses.Huber)
    dense = deserialize({"module": "keras.layers", "class_name": "Dense",
                         "config": {"units": 2, "dtype": "float32", "activation": None}}, layers.Layer)
    assert dense.units == 2


def test_only_configurable_objects_serialize():
    with pytest.raises(TypeError, match="Received: 3 \\(int\\)"):
        serialize(3)


def test_serializing_does_not_change_the_object_or_share_state_with_it():
    optimizer = optimizers.SGD(schedules.PiecewiseConstantDecay([2], [0.1, 0.01]))
    envelope = serialize(optimizer)
    envelope["config"]["learning_rate"]["config"]["values"].append(9.0)
    assert optimizer._schedule.values == [0.1, 0.01]


def _configurable_classes():
    """Every public class of the configurable families, with the positional arguments it needs."""
    needs = {layers.Dense: (1,), layers.Activation: ("linear",), metrics.MeanOfLoss: (losses.MeanSquaredError(),)}
    forwards = (optimizers.Optimizer, metrics.MeanMetricWrapper)  # abstract; its other keywords are fn's
    found, todo = [], list(Configurable.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("linnet.engine") and not cls.__name__.startswith("_") \
                and cls not in forwards and inspect.signature(cls).parameters:
            found.append(pytest.param(cls, needs.get(cls, ()), id=f"{cls.__module__[14:]}.{cls.__name__}"))
    return sorted(found, key=lambda param: param.id)


@pytest.mark.parametrize("cls, args", _configurable_classes())
def test_every_constructor_refuses_a_mistyped_keyword_with_a_hint_naming_its_class(cls, args):
    """Schedules, initializers, regularizers and metrics gave Python's message, which named the function defining
    __init__ (_StepDecay, _Seeded, _keras_mean_of.<locals>) and no hint; losses hinted only at the base's names;
    InputLayer's message named Input."""
    name = [p.name for p in inspect.signature(cls).parameters.values() if p.kind is not p.VAR_KEYWORD][-1]
    with pytest.raises(TypeError, match=rf"^{cls.__name__} got unexpected keyword argument\(s\): '{name}x' \(did "
                                        rf"you mean '{name}'\?\)"):
        cls(*args, **{f"{name}x": None})


@pytest.mark.parametrize("cls, args", _configurable_classes())
def test_every_constructor_called_with_too_many_arguments_names_its_class(cls, args):
    """A call that does not fit the signature gave Python's message naming the function that defines __init__
    (_StepDecay.__init__() missing 1 required positional argument, _keras_mean_of.<locals>.__init__() takes from 1
    to 2 positional arguments)."""
    own = [p.name for p in inspect.signature(cls).parameters.values() if p.kind is p.POSITIONAL_OR_KEYWORD]
    keras_only = [name for name in cls.keras_positional if name not in own]  # positional in Keras, not in linnet
    too_many = [None] * (len(inspect.signature(cls).parameters) + len(keras_only) + 1)
    with pytest.raises(TypeError, match=rf"^{cls.__name__}(: too many positional arguments;| takes at most )"
                                        rf".*Received: {len(too_many)} positional argument"):
        cls(*too_many)


def _checked_classes():
    """Every public class whose constructor ``CheckedKeywords`` checks (optimizers, schedules, losses, metrics,
    initializers, regularizers, layers, callbacks), found as its subclasses."""
    found, todo = [], list(CheckedKeywords.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("linnet.engine") and not cls.__name__.startswith("_"):
            found.append(pytest.param(cls, id=f"{cls.__module__[14:]}.{cls.__name__}"))
    return sorted(found, key=lambda param: param.id)


def _received(call):
    with pytest.raises(TypeError) as raised:
        call()
    return str(raised.value)


def test_the_checked_classes_are_every_family():
    modules = {param.values[0].__module__.split(".")[2] for param in _checked_classes()}
    assert {"callbacks", "initializers", "layers", "losses", "metrics", "optimizers", "regularizers",
            "schedules"} <= modules and len(_checked_classes()) >= 60


@pytest.mark.parametrize("cls", _checked_classes())
def test_a_call_that_does_not_fit_the_signature_names_the_class_the_argument_and_what_it_received(cls):
    """Activation(), Dense(1, units=2), SGD(0.1, learning_rate=0.2) and Activation("linear", 2) gave Python's bare
    message ("Activation.__init__() missing 1 required positional argument: 'activation'", "got multiple values for
    argument 'units'", "takes from 2 to 3 positional arguments"): classes whose __init__ takes **kwargs were not
    checked."""
    parameters = [p for p in inspect.signature(cls).parameters.values() if p.kind is not p.VAR_KEYWORD]
    own = [p.name for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD]
    tail = [name for name in cls.keras_positional if name not in own] if cls.__module__.startswith("linnet") else []
    too_many = [None] * (len(own) + len(tail) + 1)
    message = _received(lambda: cls(*too_many))
    assert message.startswith(f"{cls.__name__}") and f"Received: {len(too_many)} positional" in message, message
    required = [p.name for p in parameters if p.default is p.empty]
    if required:
        message = _received(cls)
        assert message.startswith(f"{cls.__name__}: missing a required argument: '{required[0]}'") \
            and "Received: 0 positional argument(s)" in message, message
    if own:
        message = _received(lambda: cls(None, **{own[0]: None}))
        assert message.startswith(f"{cls.__name__}: multiple values for argument '{own[0]}'") \
            and f"Received: 1 positional argument(s) and '{own[0]}'" in message, message


def test_the_keras_positional_argument_given_twice_is_refused_with_what_was_received():
    with pytest.raises(TypeError, match=r"^SGD got multiple values for argument 'weight_decay' \(positional argument 4 "
                                        r"is Keras' 'weight_decay'\)\. Received: weight_decay=0\.2 and positional "
                                        r"argument 0\.1\.$"):
        optimizers.SGD(0.1, 0.0, False, 0.1, weight_decay=0.2)


def test_a_missing_argument_of_a_schedule_names_the_schedule_and_what_it_takes():
    with pytest.raises(TypeError, match=r"^ExponentialDecay: missing a required argument: 'decay_rate'; its "
                                        r"arguments are \['initial_learning_rate', 'decay_steps', 'decay_rate', "):
        schedules.ExponentialDecay(initial_learning_rate=0.1, decay_steps=10)


def test_a_keras_only_key_takes_no_bool_for_its_number():
    """R2Score(num_regressors=False) was taken as 0: the Keras-only keys compared with ==."""
    with pytest.raises(ValueError, match=r"num_regressors: it must be 0\. Received: num_regressors=False"):
        metrics.R2Score(num_regressors=False)
    assert metrics.R2Score(num_regressors=0).get_config() == metrics.R2Score().get_config()


def test_a_construction_that_fits_binds_no_signature(monkeypatch):
    """MeanSquaredError() bound its signature twice (the _KerasLoss wrapper, then Loss'), ~9 us more per batch of
    MeanMetricWrapper(mean_squared_error), which builds one per batch; a call that does not fit still binds to say
    why."""
    calls = []
    bind = inspect.Signature.bind
    monkeypatch.setattr(inspect.Signature, "bind", lambda *args, **kwargs: calls.append(1) or bind(*args, **kwargs))
    metric = metrics.MeanMetricWrapper(losses.mean_squared_error, name="mse_wrapped")  # named: an unnamed one
    metric.update_state([1.0, 2.0], [1.0, 4.0])  # would take the name "mean_metric_wrapper" from tests run after
    losses.Huber(2.0), layers.Dense(1, name="d"), optimizers.SGD(0.1), schedules.ExponentialDecay(0.1, 10, 0.9)
    assert calls == [] and metric.result() == pytest.approx(2.0)
    with pytest.raises(TypeError, match=r"^Huber: too many positional arguments"):
        losses.Huber(2.0, "sum_over_batch_size", "huber", None, None)
    assert calls == [1]


@pytest.mark.parametrize("base", [initializers.Initializer, regularizers.Regularizer,
                                  schedules.LearningRateSchedule], ids=lambda base: base.__name__)
def test_a_base_without_a_constructor_of_its_own_initialises_a_users_mixin_as_keras_does(base):
    """The checked no-argument __init__ of these bases did not call super().__init__(), so the mixin after it in the
    method order was never initialised; Keras 3.15.1 initialises it (its bases inherit object's __init__)."""
    class Mixin:
        def __init__(self):
            self.ready = True

    class Mine(base, Mixin):
        def __call__(self, *args, **kwargs):
            return 0.0

        def get_config(self):
            return {}

    assert Mine().ready is True


def test_a_type_error_from_a_decorated_constructors_body_is_left_as_it_is():
    """A decorator's wrapper calling the constructor with an argument the caller did not give made the class' own
    TypeError read "I: missing a required argument: 'b'" (the signature was bound to what the wrapper received)."""
    def supplying_b(init):
        @functools.wraps(init)
        def wrapper(self, a):
            return init(self, a, b=2)
        return wrapper

    class Mine(initializers.Initializer):
        @supplying_b
        def __init__(self, a, b):
            int([])  # the body's own TypeError

        def __call__(self, *args, **kwargs):
            return 0.0

    with pytest.raises(TypeError, match=r"^int\(\) argument must be"):
        Mine(1)

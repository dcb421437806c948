"""Oracle: every public linnet class with a Keras 3 twin takes positional arguments as Keras does (the model
methods are checked in tests/engine/test_keras_signatures.py).

Tutorial code calls constructors positionally (``SGD(0.01)``, ``EarlyStopping("val_loss", 0, 5)``,
``MeanSquaredError("mse", "float32")``); with ``keras`` replaced by ``linnet`` each argument must reach the parameter
Keras gives it, or be refused by that parameter's name. Compared with ``inspect.signature`` of the installed Keras:

* linnet's positional parameters are Keras', at Keras' positions;
* those linnet takes by keyword only (or not at all) but Keras positionally are ``keras_positional``, so the
  positions after linnet's own continue Keras' list to its end;
* the defaults of the parameters both have are equal (floats exactly), but for the allow-list below.
"""

import inspect
import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")  # as tests/saving; only signatures and configs are read here
keras = pytest.importorskip("keras", reason="the oracle is Keras 3 itself: pip install -e '.[keras]' (CI installs it)")

import linnet.keras as lk  # noqa: E402

FAMILIES = {"optimizers": (lk.optimizers, keras.optimizers), "schedules": (lk.optimizers.schedules,
                                                                         keras.optimizers.schedules),
            "losses": (lk.losses, keras.losses), "metrics": (lk.metrics, keras.metrics),
            "callbacks": (lk.callbacks, keras.callbacks), "initializers": (lk.initializers, keras.initializers),
            "regularizers": (lk.regularizers, keras.regularizers), "layers": (lk.layers, keras.layers)}

DEFAULTS_THAT_DIFFER = {
    # The name None stands for the class's own Keras name (the shared __init__ of linnet's losses and of the two
    # step decays reads it from the class): Huber() is named "huber_loss" and ExponentialDecay() "ExponentialDecay",
    # as in Keras, and a loss cannot be renamed in linnet.
    **{(cls, "name"): "the class's Keras name" for cls in (
        lk.losses.Huber, lk.losses.LogCosh, lk.losses.MeanAbsoluteError, lk.losses.MeanAbsolutePercentageError,
        lk.losses.MeanSquaredError, lk.losses.MeanSquaredLogarithmicError, lk.optimizers.schedules.ExponentialDecay,
        lk.optimizers.schedules.InverseTimeDecay)},
}


def _twins():
    pairs = []
    for family, (ours, theirs) in FAMILIES.items():
        for name in getattr(ours, "__all__", [name for name in dir(ours) if not name.startswith("_")]):
            cls = getattr(ours, name)
            if inspect.isclass(cls) and hasattr(theirs, name):
                pairs.append(pytest.param(cls, getattr(theirs, name), id=f"{family}.{name}"))
    return pairs


def _keras_signature(cls):
    """Keras' Layer hides ``__init__`` behind ``__new__(*args, **kwargs)``."""
    signature = inspect.signature(cls)
    if [p.kind for p in signature.parameters.values()] == [inspect.Parameter.VAR_POSITIONAL,
                                                            inspect.Parameter.VAR_KEYWORD]:
        return inspect.signature(cls.__init__.__get__(object()))
    return signature


def _positional(signature):
    return [p.name for p in signature.parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _linnet_positional(cls):
    """linnet's positional parameters, then the Keras names its later positional arguments are passed as."""
    own = _positional(inspect.signature(cls))
    return own + [name for name in getattr(cls, "keras_positional", ()) if name not in own]


def test_the_oracle_covers_every_family():
    covered = {param.id.split(".")[0] for param in _twins()}
    assert covered == set(FAMILIES)
    assert len(_twins()) >= 50


@pytest.mark.parametrize("ours, theirs", _twins())
def test_positional_arguments_bind_to_keras_parameters(ours, theirs):
    """Dense(1, None, True, "glorot_uniform", "zeros", L2(0.01)) bound the regularizer to input_shape; R2Score(
    "uniform_average") was named "uniform_average"; MeanSquaredError("mse", "float32") was refused; SGD(0.01, 0.9,
    False, 0.004) was refused by Python, not taken as weight_decay; InputLayer((1,), 32) was named 32."""
    assert _linnet_positional(ours) == _positional(_keras_signature(theirs))


@pytest.mark.parametrize("ours, theirs", _twins())
def test_defaults_are_keras_defaults(ours, theirs):
    keras_parameters = _keras_signature(theirs).parameters
    for name, parameter in inspect.signature(ours).parameters.items():
        if name not in keras_parameters or (ours, name) in DEFAULTS_THAT_DIFFER:
            continue
        expected = keras_parameters[name].default
        assert (parameter.default, type(parameter.default)) == (expected, type(expected)), name


@pytest.mark.parametrize("ours, theirs", _twins())
def test_a_positional_argument_linnet_does_not_support_is_refused_by_its_name(ours, theirs):
    """Each Keras positional parameter that linnet takes by keyword only or not at all, given a value linnet has no
    feature for, is refused naming that parameter (never bound to another one)."""
    own = _positional(inspect.signature(ours))
    keras_parameters = _keras_signature(theirs).parameters
    required = [keras_parameters[name].default for name in own]
    needs = {lk.layers.Dense: {"units": 1}, lk.layers.Activation: {"activation": "linear"},
             lk.layers.InputLayer: {"shape": (1,)}}.get(ours, {})
    head = [needs.get(name, default) for name, default in zip(own, required)]
    tail = [name for name in getattr(ours, "keras_positional", ()) if name not in own]
    for i, name in enumerate(tail):
        if name in ("name", "batch_size", "weight_decay", "clipnorm", "clipvalue", "global_clipnorm",
                    "ema_overwrite_frequency", "gradient_accumulation_steps", "use_ema", "ema_momentum"):
            continue  # features linnet has: bound by the next test's configs
        defaults = [keras_parameters[before].default for before in tail[:i]]
        with pytest.raises((TypeError, ValueError), match=name):
            ours(*head, *defaults, "not supported")


def _shared_config(ours, theirs):
    mine, keras_config = ours.get_config(), theirs.get_config()
    shared = sorted(set(mine) & set(keras_config) - {"name"})
    assert shared, (mine, keras_config)
    return {key: mine[key] for key in shared}, {key: keras_config[key] for key in shared}


CALLS = {
    "SGD(0.01)": lambda k: k.optimizers.SGD(0.01),
    "SGD(0.01, 0.9, True, 0.004)": lambda k: k.optimizers.SGD(0.01, 0.9, True, 0.004),
    "Adam(0.01, 0.8, 0.99, 1e-6, True, None, 1.0)": lambda k: k.optimizers.Adam(0.01, 0.8, 0.99, 1e-6, True, None,
                                                                                 1.0),
    "AdamW(0.01, 0.1)": lambda k: k.optimizers.AdamW(0.01, 0.1),
    "Huber(2.0)": lambda k: k.losses.Huber(2.0),
    "MeanSquaredError('mse', 'float32')": lambda k: k.metrics.MeanSquaredError("mse", "float32"),
    "R2Score('uniform_average', 0, 'r2')": lambda k: k.metrics.R2Score("uniform_average", 0, "r2"),
    "RandomNormal(0.0, 0.05, 42)": lambda k: k.initializers.RandomNormal(0.0, 0.05, 42),
    "ExponentialDecay(0.1, 1000, 0.96)": lambda k: k.optimizers.schedules.ExponentialDecay(0.1, 1000, 0.96),
    "L2(0.01)": lambda k: k.regularizers.L2(0.01),
    "Dense(1, None, False, 'zeros', 'ones')": lambda k: k.layers.Dense(1, None, False, "zeros", "ones"),
}


@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")  # Keras' optimizer config, jax
@pytest.mark.parametrize("call", CALLS)
def test_positional_calls_give_keras_config(call):
    mine, theirs = _shared_config(CALLS[call](lk), CALLS[call](keras))
    assert mine == pytest.approx(theirs) if all(isinstance(v, float) for v in theirs.values()) else mine == theirs


def test_positional_calls_of_the_tutorials_keep_their_meaning():
    """The calls of the brief, checked on what linnet exposes (EarlyStopping's config is not Keras')."""
    stop = lk.callbacks.EarlyStopping("val_loss", 0, 5)
    assert (stop.monitor, stop.min_delta, stop.patience) == ("val_loss", 0, 5)
    assert lk.metrics.MeanSquaredError("mse", "float32").name == "mse"
    assert lk.layers.Dense(1, input_shape=(1,)).declared_input_dim == 1
    assert lk.metrics.R2Score("uniform_average", 0, "r2").name == "r2"
    with pytest.raises(ValueError, match="dtype"):
        lk.metrics.MeanSquaredError("mse", "float64")
    with pytest.raises(ValueError, match="class_aggregation"):
        lk.metrics.R2Score("variance_weighted_average")
    with pytest.raises(ValueError, match="add_progbar"):
        lk.callbacks.CallbackList([], False, True)
    assert len(lk.callbacks.CallbackList([], True).callbacks) == 1  # add_history, as in Keras

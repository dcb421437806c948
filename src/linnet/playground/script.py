"""What the page writes out about a run: the chosen optimizer's update rule and the run as a linnet script.

The rule is read from the optimizer's own docstring (its ```` ```python ```` block, the one place it is written)
and headed by the hyper-parameters in use. The script ("copy as code") is a runnable linnet program with the
Keras API that makes the same draws as the playground (one generator seeded by ``seed`` gives the initial
kernel, then every shuffle) and so ends at the same weights.
"""

from __future__ import annotations

import inspect
import re

from .settings import MOMENTUM_OPTIMIZERS, Settings

_CLASS_NAMES = {"sgd": "SGD", "rmsprop": "RMSprop", "adam": "Adam", "adagrad": "Adagrad", "adamax": "Adamax",
                "nadam": "Nadam"}
_SHORT = {"learning_rate": "lr"}
_NOT_SHOWN = ("ema_momentum", "ema_overwrite_frequency", "gradient_accumulation_steps", "loss_scale_factor")
_RULE = re.compile(r"```python\n(.*?)```", re.DOTALL)


def update_rule(optimizer) -> str:
    """The optimizer's update rule with the values of its hyper-parameters; ``g`` is the gradient of the batch."""
    values = ", ".join(f"{_SHORT.get(key, key)} = {value:g}" for key, value in optimizer.get_config().items()
                       if isinstance(value, (int, float)) and not isinstance(value, bool) and key not in _NOT_SHOWN)
    body = _RULE.search(inspect.getdoc(type(optimizer)) or "")
    rule = "\n".join(line.rstrip() for line in body.group(1).strip().splitlines()) if body else ""
    return f"{type(optimizer).__name__}, every batch ({values}):\n{rule}"


def _data_lines(settings: Settings) -> list[str]:
    """The lines that load the run's rows into ``x`` and ``y``."""
    if settings.upload is not None:
        upload = settings.upload
        return ["from linnet.data import read_table", "",
                f"x, y, names = read_table({upload.name!r}, {upload.target!r}, {list(upload.features)!r})"]
    if settings.preset == "boston":
        return ["from linnet.keras.datasets import boston_housing", "",
                "(x_train, y_train), (x_test, y_test) = boston_housing.load_data()",
                "x, y = x_train[:, 5:6], y_train  # column 5: rooms per dwelling (RM)"]
    call = {"noisy-line": f"synthetic.noisy_line(seed={settings.seed})", "line": "synthetic.line()",
            "plane": f"synthetic.plane(seed={settings.seed})"}[settings.preset]
    return ["from linnet.data import synthetic", "", f"x, y = {call}", "x = x.reshape(len(y), -1)"]


def code(settings: Settings, feature_names: list[str], target_name: str) -> str:
    """A runnable linnet script of the run: data, model, compile, fit, and the equation it learned."""
    momentum = f", momentum={settings.momentum:g}" if settings.optimizer in MOMENTUM_OPTIMIZERS else ""
    optimizer = f"keras.optimizers.{_CLASS_NAMES[settings.optimizer]}(learning_rate={settings.learning_rate:g}" \
                f"{momentum})"
    layers = ["keras.Input((x.shape[1],))"]
    adapt = []
    if settings.normalize:
        layers.append("normalization")
        adapt = ["normalization = keras.layers.Normalization()", "normalization.adapt(x)"]
    validation = f", validation_split={settings.validation_split:g}" if settings.validation_split else ""
    lines = [f'"""The linnet playground run: {settings.preset}, {_CLASS_NAMES[settings.optimizer]} at learning '
             f'rate {settings.learning_rate:g}."""', "import linnet", "from linnet import keras",
             *_data_lines(settings), "",
             f"rng = linnet.random.generator({settings.seed})  # draws the initial kernel, then every shuffle",
             *adapt,
             "model = keras.Sequential([",
             *[f"    {layer}," for layer in layers],
             "    keras.layers.Dense(1, kernel_initializer=keras.initializers.GlorotUniform(seed=rng)),",
             "])",
             f'model.compile(optimizer={optimizer}, loss="mse")',
             f"history = model.fit(x, y, batch_size={settings.batch_size}, epochs={settings.epochs}{validation}, "
             f"seed=rng, verbose=0)",
             f"print(model.equation({feature_names!r}, {target_name!r}))",
             "print(\"final loss:\", history.history[\"loss\"][-1])", ""]
    return "\n".join(lines)

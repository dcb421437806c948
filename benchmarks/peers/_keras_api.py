"""Train a ``Dense(1)`` neuron through the Keras API: the same code serves Keras and linnet (its drop-in)."""

from __future__ import annotations

from _harness import start_weights

OPTIMIZER_CLASSES = {"sgd": "SGD", "rmsprop": "RMSprop", "adam": "Adam"}


def train(framework, spec, x, y, clock) -> dict:
    """Fit ``spec`` with ``framework.Sequential``; Keras' default hyper-parameters for everything unnamed."""
    framework.utils.set_random_seed(0)
    model = framework.Sequential([framework.Input((x.shape[1],)), framework.layers.Dense(1)])
    model.set_weights(start_weights(x.shape[1]))
    optimizer = getattr(framework.optimizers, OPTIMIZER_CLASSES[spec.optimizer])(learning_rate=spec.learning_rate)
    model.compile(optimizer=optimizer, loss="mse")
    with clock:
        history = model.fit(x, y, batch_size=spec.batch_size, epochs=spec.epochs,
                            validation_split=spec.validation_split, shuffle=spec.shuffle, verbose=0)
    kernel, bias = model.get_weights()
    return {"loss": float(history.history["loss"][-1]), "val_loss": _last(history.history.get("val_loss")),
            "coef": kernel.ravel(), "intercept": float(bias[0])}


def _last(values) -> float | None:
    return float(values[-1]) if values else None

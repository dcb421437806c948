"""``Sequential``: Keras' model API over a stack of linear layers.

The model is built on first use (or by ``Input``/``input_shape``), compiled with an optimizer, a loss and
metrics, and trained by ``fit`` with Keras 3's semantics (see ``training``).
"""

from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np

from . import callbacks as callbacks_module
from . import losses, metrics as metrics_module, optimizers
from .. import random as _random
from .._validation import features, positive_int, non_negative_int, reject_unknown_kwargs, targets
from .layers import InputLayer, Layer, input_dim_from_shape, unique_name
from .network import Network
from .progress import Progbar
from .trainer import ArrayBatches, evaluate_arrays, run_epochs, split_validation

_AUTO = "auto"
# The fused one-neuron step (Network.mse_step) saves ~2 µs a step but needs a copy of [x, 1], ~0.2 ms a MB:
# worth it when x holds at most this many bytes per training step to run.
DESIGN_BYTES_PER_STEP = 10_000
LIMIT_CHECK_ROWS = 10_000  # evenly spaced rows that estimate SGD's stable learning rate on large data (~1% error)


def _verbosity(verbose: Any, auto: int) -> int:
    if verbose == _AUTO:
        return auto
    if verbose not in (0, 1, 2) or isinstance(verbose, float):
        raise ValueError(f"verbose must be 'auto', 0, 1 or 2, received {verbose!r}.")
    return int(verbose)


class Sequential:
    """A linear stack of layers: ``Sequential([Input((1,)), Dense(1)])``."""

    def __init__(self, layers: Sequence[Layer] | None = None, name: str | None = None, **kwargs):
        reject_unknown_kwargs(kwargs, "Sequential", ["layers", "name"])
        self.name = name if name is not None else unique_name("sequential")
        self._layers: list[Layer] = []
        self._input: InputLayer | None = None
        self.network: Network | None = None
        self.optimizer = self.loss = None
        self.metrics: list = []
        self.compiled = False
        self.history: callbacks_module.History | None = None
        self.training_config: dict | None = None
        self.stop_training = False
        for layer in layers or []:
            self.add(layer)

    # ----- structure -------------------------------------------------------------------------------------------
    def add(self, layer: Layer) -> None:
        """Append a layer (``Input`` sets the number of features)."""
        if self.network is not None:
            raise ValueError("Add every layer before the model is built (before fit, predict or build).")
        if isinstance(layer, InputLayer):
            if self._input is not None or self._layers:
                raise ValueError("Input must be the first layer of a Sequential model, and only once.")
            self._input = layer
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add expects a linnet layer such as Dense(1), received {layer!r}.")
        if any(existing.name == layer.name for existing in self._layers):
            raise ValueError(f"Layer names must be unique within a model; {layer.name!r} is already used.")
        self._layers.append(layer)

    @property
    def layers(self) -> list[Layer]:
        return list(self._layers)

    @property
    def built(self) -> bool:
        return self.network is not None

    def _declared_input_dim(self) -> int | None:
        if self._input is not None:
            return self._input.declared_input_dim
        return self._layers[0].declared_input_dim if self._layers else None

    def build(self, input_shape: Any = None) -> None:
        """Create the weights for ``input_shape`` ``(None, n_features)`` (or the declared input shape)."""
        if not self._layers:
            raise ValueError("The model has no layers; add at least one Dense layer.")
        dim = self._declared_input_dim()
        if input_shape is not None:
            dim = input_dim_from_shape(input_shape, "input_shape")
        if dim is None:
            raise ValueError("The model does not know its number of input features yet: start it with "
                             "Input(shape=(n,)), give the first layer input_shape=(n,), or call fit/predict.")
        self.network = Network(self._layers, dim)

    def _ensure_built(self, x: np.ndarray) -> None:
        if self.network is None:
            self.build((x.shape[1],)) if self._declared_input_dim() is None else self.build()

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """The layer called ``name``, or at position ``index`` in ``layers``."""
        if (name is None) == (index is None):
            raise ValueError("get_layer needs exactly one of name= or index=.")
        if index is not None:
            if not isinstance(index, int) or not -len(self._layers) <= index < len(self._layers):
                raise ValueError(f"index must be an integer in [0, {len(self._layers)}), received {index!r}.")
            return self._layers[index]
        for layer in self._layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No layer named {name!r}. Layers: {[layer.name for layer in self._layers]}.")

    def get_weights(self) -> list[np.ndarray]:
        """Copies of every weight array, layer by layer (``[kernel, bias]`` for one Dense layer)."""
        self._require_built("get_weights")
        return [np.array(w) for layer in self._layers for w in layer.get_weights()]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Set every weight array, in the order of ``get_weights``; shapes must match."""
        self._require_built("set_weights")
        weights = list(weights)
        expected = sum(len(layer.get_weights()) for layer in self._layers)
        if len(weights) != expected:
            raise ValueError(f"set_weights expects {expected} arrays (as get_weights returns), received {len(weights)}.")
        for layer in self._layers:
            count = len(layer.get_weights())
            layer.set_weights(weights[:count])
            weights = weights[count:]

    def count_params(self) -> int:
        self._require_built("count_params")
        return sum(int(np.size(w)) for layer in self._layers for w in layer.get_weights())

    def _require_built(self, what: str) -> None:
        """Build now if the input shape is declared (as Keras does on ``Input``); refuse otherwise."""
        if self.network is None and self._layers and self._declared_input_dim() is not None:
            self.build()
        if self.network is None:
            raise ValueError(f"{what}: the model is not built yet. Give it an Input(shape=...) or call fit() "
                             f"or build() first.")

    def summary(self, print_fn=print) -> None:
        """Print Keras' summary table: layers, output shapes, parameter counts."""
        from .summary import render_summary
        if self._layers and self._declared_input_dim() is not None:
            self._require_built("summary")
        print_fn(render_summary(self))

    # ----- compile, fit, evaluate, predict ---------------------------------------------------------------------
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, metrics: Sequence[Any] | None = None,
                **kwargs) -> None:
        """Choose the optimizer (name or instance), the loss and the metrics logged in ``History``."""
        reject_unknown_kwargs(kwargs, "compile", ["optimizer", "loss", "metrics"])
        self.optimizer = optimizers.get(optimizer)
        if self.optimizer is None:  # optimizers.get(None) is None, as in Keras
            raise TypeError("compile needs an optimizer such as 'rmsprop' or Adam(0.01). Received: optimizer=None")
        self.loss = None if loss is None else losses.get(loss)
        if metrics is not None and (isinstance(metrics, str) or not isinstance(metrics, (list, tuple))):
            raise TypeError(f"metrics must be a list such as ['mae'], received {metrics!r}.")
        self.metrics = [metrics_module.get(m) for m in metrics or []]
        self.compiled = True

    def _require_compiled(self, what: str) -> None:
        if not self.compiled:
            raise ValueError(f"{what}: compile the model first, e.g. model.compile(optimizer='rmsprop', loss='mse').")
        if self.loss is None:
            raise ValueError(f"{what}: no loss to compute; pass loss= to compile(), e.g. loss='mse'.")

    def _xy(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        if x is None or y is None:
            raise ValueError("Both x and y are needed, received " + ("x=None" if x is None else "y=None") + ".")
        x = features(x, "x", n_features=self.network.input_dim if self.network else self._declared_input_dim())
        return x, targets(y, x.shape[0], "y")

    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: Any = _AUTO, callbacks: Sequence[callbacks_module.Callback] | None = None,
            validation_split: float = 0.0, validation_data: Any = None, shuffle: bool | str = True,
            initial_epoch: int = 0, *, seed: int | np.random.Generator | None = None,
            **kwargs) -> callbacks_module.History:
        """Train for ``epochs - initial_epoch`` epochs; return the ``History`` (also ``model.history``).

        ``seed`` (a linnet extension) fixes this fit's shuffles; ``None`` draws them from linnet's default
        generator, which ``linnet.utils.set_random_seed`` seeds.
        """
        reject_unknown_kwargs(kwargs, "fit", ["x", "y", "batch_size", "epochs", "verbose", "callbacks",
                                              "validation_split", "validation_data", "shuffle", "initial_epoch",
                                              "seed"])
        self._require_compiled("fit")
        x, y = self._xy(x, y)
        batch_size = positive_int(batch_size, "batch_size", allow_none=True) or 32
        epochs = positive_int(epochs, "epochs")
        initial_epoch = non_negative_int(initial_epoch, "initial_epoch")
        verbose = _verbosity(verbose, auto=1)
        train, validation = self._split(x, y, validation_split, validation_data)
        self._ensure_built(x)
        steps = -(-train[0].shape[0] // batch_size) * max(epochs - initial_epoch, 0)
        design = (self.network.takes_design(self.loss, self.metrics)  # and the copy of [x, 1] pays for itself
                  and train[0].nbytes <= DESIGN_BYTES_PER_STEP * steps)
        source = ArrayBatches(*train, batch_size=batch_size, shuffle=shuffle, design=design)
        if not self.optimizer.built:
            self.optimizer.build(self.network.sizes, self.network.names)
        self._warn_before_training(x, y, train[0], batch_size, validation_split if validation_data is None else 0.0)
        self.training_config = {"epochs": epochs, "batch_size": batch_size, "shuffle": shuffle,
                                "validation_split": validation_split if validation_data is None else None,
                                "initial_epoch": initial_epoch, "samples": int(x.shape[0])}
        return run_epochs(self, source, validation, epochs, initial_epoch, verbose, callbacks, _random.generator(seed))

    def _warn_before_training(self, x, y, x_train, batch_size, validation_split) -> None:
        """Warn once about a sorted validation tail and about an SGD learning rate above the stable limit."""
        messages = []
        if validation_split:
            from ..diagnostics.validation import sorted_tail_warning
            messages.append(sorted_tail_warning(x, y, validation_split))
        if isinstance(self.optimizer, optimizers.SGD):  # the only optimizer with a known stability limit
            from ..diagnostics.stability import learning_rate_warning
            step = -(-x_train.shape[0] // LIMIT_CHECK_ROWS)  # the limit from an even sample of large data
            messages.append(learning_rate_warning(self, x_train[::step], batch_size if step == 1 else None))
        for message in filter(None, messages):
            warnings.warn(message, UserWarning, stacklevel=3)

    def _split(self, x, y, validation_split, validation_data):
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValueError("validation_data must be a tuple (x_val, y_val).")
            xv = features(validation_data[0], "validation_data x", n_features=x.shape[1])
            return (x, y), (xv, targets(validation_data[1], xv.shape[0], "validation_data y"))
        if validation_split:
            return split_validation(x, y, validation_split)
        return (x, y), None

    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None, verbose: Any = _AUTO,
                 return_dict: bool = False, **kwargs):
        """Loss (and metrics) over ``(x, y)``: a float, a list ``[loss, *metrics]``, or a dict."""
        reject_unknown_kwargs(kwargs, "evaluate", ["x", "y", "batch_size", "verbose", "return_dict"])
        self._require_compiled("evaluate")
        x, y = self._xy(x, y)
        batch_size = positive_int(batch_size, "batch_size", allow_none=True) or 32
        verbose = _verbosity(verbose, auto=1)
        self._ensure_built(x)
        logs = evaluate_arrays(self.network, self.loss, self.metrics, x, y)
        if verbose:
            Progbar(-(-x.shape[0] // batch_size), verbose).update(-(-x.shape[0] // batch_size), logs, finalize=True)
        if return_dict:
            return logs
        return logs["loss"] if len(logs) == 1 else list(logs.values())

    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = 0, **kwargs) -> np.ndarray:
        """Predictions of shape ``(n, 1)``, float32. Accepts arrays, lists and pandas objects; quiet by default."""
        reject_unknown_kwargs(kwargs, "predict", ["x", "batch_size", "verbose"])
        batch_size = positive_int(batch_size, "batch_size", allow_none=True) or 32
        verbose = _verbosity(verbose, auto=0)
        prediction = self.predict_on_batch(x)
        if verbose:
            steps = -(-prediction.shape[0] // batch_size)
            Progbar(steps, verbose).update(steps, {}, finalize=True)
        return prediction

    def predict_on_batch(self, x: Any) -> np.ndarray:
        """Predictions for ``x`` in one pass (builds the model from ``x`` if needed, as Keras does)."""
        x = features(x, "x", n_features=self.network.input_dim if self.network else self._declared_input_dim())
        self._ensure_built(x)
        with np.errstate(over="ignore", invalid="ignore"):
            prediction = self.network.forward(x)
        if not np.isfinite(prediction.sum()):
            row = int(np.argmax(~np.isfinite(prediction.ravel())))
            raise ValueError(f"The prediction for x row {row} is beyond the float32 range (|y| > 3.4e38): that "
                             f"input is far outside the data the model was trained on; rescale x.")
        return prediction

    def __call__(self, x: Any) -> np.ndarray:
        return self.predict_on_batch(x)

    # ----- the model as a linear equation, beside the exact answer -------------------------------------------
    @property
    def coef_(self) -> np.ndarray:
        """Slopes of the whole model in the units of x and y, shape ``(n_features,)`` (stacks folded into one)."""
        self._require_built("coef_")
        return self.network.affine()[0]

    @property
    def intercept_(self) -> float:
        """Intercept of the whole model in the units of y."""
        self._require_built("intercept_")
        return self.network.affine()[1]

    def equation(self, feature_names: Sequence[str] | None = None, target_name: str = "y", digits: int = 4) -> str:
        """The model as an equation, e.g. ``"price = 9.102·rooms − 34.67"``."""
        from ..diagnostics.equation import equation
        return equation(self, feature_names, target_name, digits)

    def compare_to_ols(self, x: Any, y: Any, feature_names: Sequence[str] | None = None, print_fn=print):
        """Print and return the neuron beside the exact least-squares fit (parameters, loss, R²)."""
        from ..diagnostics.equation import compare_to_ols
        return compare_to_ols(self, x, y, feature_names=feature_names, print_fn=print_fn)

    # ----- persistence -----------------------------------------------------------------------------------------
    def save(self, path) -> None:
        """Write the model (architecture, weights, optimizer state) to a ``.linnet`` file, atomically."""
        from ..saving.model_file import save_model
        save_model(self, path)

    def __repr__(self) -> str:
        return f"<Sequential name={self.name!r} layers={[layer.name for layer in self._layers]}>"


def load_model(path) -> Sequential:
    """Read a model written by ``Sequential.save``."""
    from ..saving.model_file import load_model as _load
    return _load(path)

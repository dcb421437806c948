"""``Sequential``: Keras' model API over a stack of linear layers.

Built once its stack is complete when its input shape is declared (``Input``), else on first use; compiled,
and trained by ``fit`` with Keras 3's semantics: ``fit`` checks its arguments, makes a data source of them
(``sources``, ``fitplan``) and hands it to a ``Trainer``. The packages above the engine plug in through registries
that ``linnet/__init__.py`` fills (``fitplan.ADVISERS``, ``plugins.PLUGINS``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _html, _naming
from .. import _validation as check
from .. import random as _random
from . import callbacks as callbacks_module
from . import losses, optimizers
from . import metrics as metrics_module
from .batch_methods import BatchMethods
from .callbacks.base import takes_batches
from .fitplan import advise, fit_plan, validation_frequency
from .inference import Inference
from .layers import InputLayer, Layer, input_dim_from_shape, unique_name
from .model_attributes import ModelAttributes
from .network import Network
from .plugins import plugin
from .saving_methods import SavingMethods
from .sources import refuse_class_weight, source_features
from .steps import step_count
from .summary import ModelSummary
from .trainer import Trainer

_AUTO = "auto"
_FIT_ARGUMENTS = ("x", "y", "batch_size", "epochs", "verbose", "callbacks", "validation_split", "validation_data",
                  "shuffle", "class_weight", "sample_weight", "initial_epoch", "steps_per_epoch", "validation_steps",
                  "validation_batch_size", "validation_freq")
"""``fit``'s arguments, in Keras 3's order."""
_LAYERS = "a list of layers such as [Input((1,)), Dense(1)], or None"


class Sequential(Inference, BatchMethods, SavingMethods, ModelAttributes):
    """A linear stack of layers: ``Sequential([Input((1,)), Dense(1)])``."""

    def __init__(self, layers: Sequence[Layer] | None = None, name: str | None = None, **kwargs):
        check.reject_unknown_kwargs(kwargs, "Sequential", ["layers", "name"])
        self.name = name if name is not None else unique_name("sequential")
        self._layers: list[Layer] = []
        self._input: InputLayer | None = None
        self.network: Network | None = None
        self.optimizer = self.loss = None
        self.metrics: list = []
        self.weighted_metrics: list = []
        self.compiled = False
        self.history: callbacks_module.History | None = None
        self.training_config: dict | None = None
        self.stop_training = self.stop_evaluating = self.stop_predicting = False  # set by callbacks to stop early
        for layer in [] if layers is None else check.items(layers, "layers", _LAYERS):
            self.add(layer)

    def add(self, layer: Layer) -> None:
        """Append a layer (``Input`` sets the number of features). As in Keras, a model whose input shape is
        declared is built (again) once its stack ends with one unit; layers built before keep their weights.
        After training, a layer with weights needs a new compile before training on: the optimizer has no state
        for them (Keras 3 refuses such an "unknown variable" too)."""
        if isinstance(layer, InputLayer):
            if self._input is not None or self._layers:
                raise ValueError("Input must be the first layer of a Sequential model, and only once.")
            self._input = layer
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add expects a linnet layer such as Dense(1). Received: layer={layer!r}")
        if any(existing.name == layer.name for existing in self._layers):
            raise ValueError(f"Layer names must be unique within a model; {layer.name!r} is already used.")
        self._layers.append(layer)
        self.network = None
        self._build_if_complete()

    layers = property(lambda self: list(self._layers), doc="The layers, ``Input`` excluded (a copy of the list).")
    built = property(lambda self: self.network is not None, doc="Whether the weights exist.")

    @property
    def declared_input_dim(self) -> int | None:
        """The number of features declared by ``Input`` or the first layer's ``input_shape`` (None if not)."""
        if self._input is not None:
            return self._input.declared_input_dim
        return self._layers[0].declared_input_dim if self._layers else None

    def build(self, input_shape: Any = None) -> None:
        """Create the weights for ``input_shape`` ``(None, n_features)`` (or the declared input shape)."""
        if not self._layers:
            raise ValueError("The model has no layers; add at least one Dense layer.")
        dim = self.declared_input_dim
        if input_shape is not None:
            dim = input_dim_from_shape(input_shape, "input_shape")
        if dim is None:
            raise ValueError("The model does not know its number of input features yet: start it with "
                             "Input(shape=(n,)), give the first layer input_shape=(n,), or call fit/predict.")
        self.network = Network(self._layers, dim)

    def _ensure_built(self, n_features: int) -> None:
        if self.network is None:
            self.build((n_features,)) if self.declared_input_dim is None else self.build()

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """The layer called ``name``, or at position ``index`` in ``layers``."""
        if (name is None) == (index is None):
            raise ValueError("get_layer needs exactly one of name= or index=.")
        if index is not None:
            expected = f"an integer in [0, {len(self._layers)})"  # a bool is no index: True is not layer 1
            if check.integer_at_least(index, "index", -len(self._layers), expected=expected) >= len(self._layers):
                raise ValueError(f"index must be {expected}. Received: index={index!r}")
            return self._layers[index]
        if not isinstance(name, str):
            raise TypeError(f"name must be a layer's name (a string). Received: name={name!r} ({type(name).__name__})")
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
        self.network.set_weights(check.items(weights, "weights", "a list of arrays, in the order of get_weights()"))

    def count_params(self) -> int:
        self._require_built("count_params")
        return sum(int(np.size(w)) for layer in self._layers for w in layer.get_weights())

    def _require_built(self, what: str) -> None:
        """Refuse ``what`` without weights (a declared input that ``build`` refuses says why)."""
        if self.network is None and self._layers and self.declared_input_dim is not None:
            self.build()  # the declared stack does not end with one unit: Network says so
        if self.network is None:
            raise ValueError(f"{what}: the model is not built yet. Give it an Input(shape=...) or call fit() "
                             f"or build() first.")

    def summary(self, print_fn=print) -> None:
        """Print Keras' summary table: layers, output shapes, parameter counts (a table in a notebook)."""
        _html.show(ModelSummary(self), print_fn)

    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, metrics: Sequence[Any] | None = None,
                weighted_metrics: Sequence[Any] | None = None, **kwargs) -> None:
        """Choose the optimizer (name or instance), the loss and the metrics logged in ``History`` (``metrics``
        ignore ``sample_weight``, ``weighted_metrics`` use it, as in Keras 3)."""
        check.reject_unknown_kwargs(kwargs, "compile", ["optimizer", "loss", "metrics", "weighted_metrics"])
        self.optimizer = optimizers.get(optimizer)
        if self.optimizer is None:  # optimizers.get(None) is None, as in Keras
            raise TypeError("compile needs an optimizer such as 'rmsprop' or Adam(0.01). Received: optimizer=None")
        self.loss = None if loss is None else losses.get(loss)
        self.metrics = metrics_module.get_list(metrics, "metrics")
        self.weighted_metrics = metrics_module.get_list(weighted_metrics, "weighted_metrics", self.metrics)
        self.compiled = True

    def _require_compiled(self, what: str) -> None:
        if not self.compiled:
            raise ValueError(f"{what}: compile the model first, e.g. model.compile(optimizer='rmsprop', loss='mse').")
        if what in ("fit", "train_on_batch"):
            self._refuse_changed_layers(what)
        if self.loss is None:
            raise ValueError(f"{what}: no loss to compute; pass loss= to compile(), e.g. loss='mse'.")

    def _input_dim(self) -> int | None:
        return self.network.input_dim if self.network else self.declared_input_dim

    def _checked_x(self, x: Any) -> np.ndarray:
        """``x`` checked against the model's inputs (float32), the model built from it if need be."""
        _naming.warn_if_columns_differ(self, x)
        x = check.features(x, "x", n_features=self._input_dim())
        self._ensure_built(x.shape[1])
        return x

    def _xy(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        if x is None or y is None:
            raise ValueError("Both x and y are needed. Received: " + ("x=None" if x is None else "y=None"))
        x = self._checked_x(x)
        return x, check.targets(y, x.shape[0], "y")

    def _source_features(self, source: Any) -> int:
        """The source's ``n_features``, checked against the model's inputs (which it builds if need be)."""
        n_features = source_features(source, self._input_dim())
        self._ensure_built(n_features)
        return n_features

    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: Any = _AUTO, callbacks: Sequence[callbacks_module.Callback] | None = None,
            validation_split: float = 0.0, validation_data: Any = None, shuffle: bool | str = True,
            class_weight: None = None, sample_weight: Any = None, initial_epoch: int = 0,
            steps_per_epoch: int | None = None, validation_steps: int | None = None,
            validation_batch_size: int | None = None, validation_freq: int | Sequence[int] = 1, *,
            seed: int | np.random.Generator | None = None, **kwargs) -> callbacks_module.History:
        """Train for ``epochs - initial_epoch`` epochs; return the ``History`` (also ``model.history``).

        ``x`` and ``validation_data`` may be data sources, generators (or factories) or ``PyDataset`` objects
        (``linnet.data.sources``); then the arguments for arrays stay unset (``fitplan.fit_plan``). An epoch is
        ``steps_per_epoch`` batches when given: the next ones of passes over the arrays or the source, going on
        into a new pass where one ends (``engine.steps``); a one-shot generator's next ones, where the last epoch
        stopped. ``sample_weight`` ``(n,)`` weights the rows' losses (``class_weight``, for classifiers, is refused);
        validation runs after epoch ``e`` if ``e % validation_freq == 0``, on the first ``validation_steps`` batches
        of the validation data when given (as Keras 3). ``seed`` (linnet's) fixes the shuffles;
        None draws them from the generator ``linnet.utils.set_random_seed`` seeds.
        The arguments come in Keras 3's order; ``seed`` is linnet's and keyword-only.
        """
        check.reject_unknown_kwargs(kwargs, "fit", [*_FIT_ARGUMENTS, "seed"])
        refuse_class_weight(class_weight)
        self._require_compiled("fit")
        validation_freq = validation_frequency(validation_freq)
        steps_per_epoch = step_count(steps_per_epoch, "steps_per_epoch")
        validation_steps = step_count(validation_steps, "validation_steps")
        epochs = check.positive_int(epochs, "epochs")
        initial_epoch = check.non_negative_int(initial_epoch, "initial_epoch")
        verbose, names = check.verbosity(verbose, auto=1), _naming.pandas_names(x, y)  # kept for equation()
        _naming.warn_if_validation_columns_differ(x, validation_data)
        source = plugin("data_source")(x, shuffle, steps_per_epoch, epochs - initial_epoch)
        if source is not None:  # it orders its own batches (a PyDataset took shuffle above)
            x, shuffle = source, True
        # validation_steps bounds each validation: a one-shot generator is then read that many batches a time
        validation_data = plugin("data_source")(validation_data, None, None,
                                                epochs if validation_steps is None else 1) or validation_data
        with fit_plan(self, x, y, batch_size=batch_size, validation_split=validation_split, seed=seed,
                      validation_data=validation_data, shuffle=shuffle, sample_weight=sample_weight,
                      validation_batch_size=validation_batch_size, steps_per_epoch=steps_per_epoch,
                      validation_steps=validation_steps,
                      test_batches=takes_batches(callbacks, "test")) as plan:  # may draw the first shuffle ahead
            advise(plan)
            self.training_config = {"epochs": epochs, "batch_size": plan.batch_size, "shuffle": shuffle,
                                    "validation_split": validation_split if validation_data is None else None,
                                    "initial_epoch": initial_epoch,
                                    "samples": None if plan.x is None else int(plan.x.shape[0]), **names}
            trainer = Trainer(self, callbacks, verbose, _random.generator(seed))
            return trainer.fit(plan.source, plan.validation, epochs, initial_epoch, validation_freq)

    def __call__(self, x: Any) -> np.ndarray:
        return self.predict_on_batch(x)

    coef_ = property(lambda self: self._affine("coef_")[0],
                     doc="Slopes of the whole model in the units of x and y, shape ``(n_features,)`` (stacks folded).")
    intercept_ = property(lambda self: self._affine("intercept_")[1], doc="Intercept of the model in y's units.")

    def _affine(self, what: str) -> tuple[np.ndarray, float]:
        self._require_built(what)
        return self.network.affine()

    def equation(self, feature_names: Sequence[str] | None = None, target_name: str | None = None, digits: int = 4):
        """The model as an equation, e.g. ``"price = 9.102·rooms − 34.67"`` (``linnet.diagnostics.equation``)."""
        return plugin("equation")(self, feature_names, target_name, digits)

    def compare_to_ols(self, x: Any, y: Any, feature_names: Sequence[str] | None = None, print_fn=print, *,
                       ols_result=None):
        """Print and return the neuron beside the exact least-squares fit (parameters, loss, R²); ``ols_result``,
        that fit already solved on ``(x, y)``, is reused."""
        return plugin("compare_to_ols")(self, x, y, feature_names=feature_names, print_fn=print_fn,
                                        ols_result=ols_result)

    def save(self, path) -> None:
        """Write the model (architecture, weights, optimizer state) to a ``.linnet`` file, atomically."""
        plugin("save_model")(self, path)

    def __repr__(self) -> str:
        return f"<Sequential name={self.name!r} layers={[layer.name for layer in self._layers]}>"
    _repr_html_ = _html.html  # the summary table and the equation (linnet.notebook.display)


def load_model(path, custom_objects: None = None, compile: bool = True, safe_mode: bool = True) -> Sequential:
    """Read a model written by ``Sequential.save`` (``linnet.saving.load_model``), with Keras 3's arguments:
    ``compile=False`` reads the architecture and weights only (a model compiled with a metric function of your own,
    which a file stores by name, loads that way); ``custom_objects`` must be None (linnet rebuilds only its own and
    Keras' objects and never runs code from a file, so ``safe_mode`` is always on)."""
    return plugin("load_model")(path, custom_objects, compile, safe_mode)


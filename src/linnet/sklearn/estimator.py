"""``NeuronRegressor``: linnet's single neuron as a scikit-learn estimator.

It works with ``clone``, ``Pipeline`` and ``GridSearchCV`` and passes ``check_estimator`` without
importing scikit-learn: the estimator protocol (``get_params``/``set_params``, tags) is written out here and
the input validation with scikit-learn's messages in :mod:`linnet._sklearn_checks`, so scikit-learn stays an
optional dependency.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from .. import random as _random
from .._serialization import CheckedKeywords
from .._validation import boolean, column_statistics, positive_int, real_number, sample_weights, unknown_name
from ..engine import losses, optimizers
from ..engine.initializers import Constant
from ..engine.layers import Dense, Input, Normalization
from ..engine.sequential import Sequential
from ._checks import check_is_fitted, target, validate_data


class NeuronRegressor(CheckedKeywords):
    """Linear regression ``y ≈ X @ coef_ + intercept_`` learned by one neuron with mini-batch gradient descent.

    Parameters
    ----------
    optimizer : str, default="adam"
        Name of a linnet optimizer (``"sgd"``, ``"rmsprop"``, ``"adam"``, ...), built with ``learning_rate``.
    learning_rate : float, default=0.01
        Step size of the optimizer, > 0.
    epochs : int, default=300
        Passes over the data made by ``fit`` (``partial_fit`` makes one).
    batch_size : int, default=32
        Samples per gradient step.
    loss : str, default="mse"
        Name of a linnet loss (``"mse"``, ``"mae"``, ``"huber"``, ...).
    normalize : bool, default=True
        Standardize the features inside the model with a ``Normalization`` layer holding the mean and
        variance of the ``X`` given to ``fit``, and train on the standardized target ``(y - mean) / std``
        (a constant column or target is only centred). ``coef_``, ``intercept_`` and ``model_`` are in the
        units of ``X`` and ``y`` either way.
    random_state : int, numpy Generator or RandomState, default=None
        Seeds the order in which each epoch visits the samples, the only random draw (see Notes).
        ``None`` draws it from linnet's default generator (``linnet.random.set_seed``).

    Attributes
    ----------
    model_ : linnet.Sequential
        The trained model: ``[Input, Normalization (if normalize), Dense(1)]``.
    coef_ : ndarray of shape (n_features_in_,)
        Weights of the whole model in the units of ``X``.
    intercept_ : float
        Prediction for ``X = 0``.
    history_ : dict of str to list of float
        Training loss of every epoch (of the standardized target when ``normalize``): ``fit`` starts it,
        ``partial_fit`` appends to it.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names of ``X``, only when ``X`` was a DataFrame with string column names.

    Notes
    -----
    The kernel starts at zero and the bias at ``mean(y)``, the best constant model: a linear model's loss
    is convex, so there is no symmetry to break, and gradient descent from zero on the mean squared error
    approaches the least-squares solution of smallest norm (in normalized units).

    Adaptive optimizers such as Adam move each weight by about ``learning_rate`` per step whatever the
    scale of the data, so without standardization the number of steps needed grows with the spread of
    ``y`` and of the coefficients. With ``normalize=True`` the same defaults fit ``y = 2x + 30`` on six
    points and house prices in dollars alike; ``normalize=False`` trains the raw Keras model, where
    ``learning_rate`` is in the units of ``y``.

    Examples
    --------
    >>> reg = NeuronRegressor(random_state=0).fit([[1.0], [2.0], [3.0], [4.0]], [32.0, 34.0, 36.0, 38.0])
    >>> round(float(reg.coef_[0]), 2), round(reg.intercept_, 2)
    (2.0, 30.0)
    """

    def __init__(self, optimizer: str = "adam", learning_rate: float = 0.01, epochs: int = 300,
                 batch_size: int = 32, loss: str = "mse", normalize: bool = True, random_state: Any = None):
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.loss = loss
        self.normalize = normalize
        self.random_state = random_state

    # ----- scikit-learn's estimator protocol ----------------------------------------------------------------
    @classmethod
    def _get_param_names(cls) -> list[str]:
        return sorted(name for name in inspect.signature(cls.__init__).parameters if name != "self")

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor arguments (``deep`` is accepted for scikit-learn; there are no sub-estimators)."""
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params) -> NeuronRegressor:
        """Set constructor arguments by name; unknown names are refused with a "did you mean" hint."""
        for name, value in params.items():
            if name not in self._get_param_names():
                raise unknown_name("NeuronRegressor parameter", name, self._get_param_names())
            setattr(self, name, value)
        return self

    def __sklearn_tags__(self):
        """scikit-learn's tags of a single-output regressor (only scikit-learn calls this)."""
        from sklearn.utils import RegressorTags, Tags, TargetTags
        return Tags(estimator_type="regressor", target_tags=TargetTags(required=True),
                    regressor_tags=RegressorTags())

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "model_")

    def __repr__(self) -> str:
        defaults = inspect.signature(type(self).__init__).parameters
        changed = [f"{name}={value!r}" for name, value in self.get_params().items()
                   if not _same(value, defaults[name].default)]
        return f"{type(self).__name__}({', '.join(changed)})"

    # ----- learning -------------------------------------------------------------------------------------------
    def fit(self, X: Any, y: Any) -> NeuronRegressor:
        """Train a fresh model for ``epochs`` epochs on ``X`` (n_samples, n_features) and ``y`` (n_samples,)."""
        settings = self._settings()
        X, y = validate_data(self, X, y, reset=True)
        self._start(X, y, settings)
        self._train(X, y, settings["epochs"], settings["batch_size"])
        return self

    def partial_fit(self, X: Any, y: Any) -> NeuronRegressor:
        """One epoch on ``(X, y)``; the first call builds the model, later ones keep its optimizer state."""
        settings = self._settings()
        first = not hasattr(self, "model_")
        X, y = validate_data(self, X, y, reset=first)
        if first:
            self._start(X, y, settings)
        self._train(X, y, 1, settings["batch_size"])
        return self

    def _settings(self) -> dict[str, Any]:
        """The checked hyper-parameters, read before anything is changed."""
        return {"optimizer": _optimizer(self.optimizer, self.learning_rate), "loss": losses.get(self.loss),
                "normalize": boolean(self.normalize, "normalize"), "epochs": positive_int(self.epochs, "epochs"),
                "batch_size": positive_int(self.batch_size, "batch_size"), "rng": _generator(self.random_state)}

    def _start(self, X: np.ndarray, y: np.ndarray, settings: dict[str, Any]) -> None:
        """A compiled ``[Input, Normalization, Dense(1)]`` at the best constant model, an empty history."""
        layers, (center, variance) = [Input((X.shape[1],))], column_statistics(y.reshape(-1, 1), "y")
        if settings["normalize"]:
            means, variances = column_statistics(X, "X")
            layers.append(Normalization(mean=means, variance=_nonzero(variances)))
        layers.append(Dense(1, kernel_initializer="zeros", bias_initializer=Constant(float(center[0]))))
        self.model_ = Sequential(layers)
        self.model_.compile(optimizer=settings["optimizer"], loss=settings["loss"])
        self._target_scaling = ((float(center[0]), float(_nonzero(np.sqrt(variance))[0])) if settings["normalize"]
                                else (0.0, 1.0))
        self._shuffle_rng = settings["rng"]  # partial_fit continues the stream
        self.history_ = {}

    def _train(self, X: np.ndarray, y: np.ndarray, epochs: int, batch_size: int) -> None:
        """Train ``model_`` on the target in standardized units, then put its weights back in the units of y."""
        center, scale = self._target_scaling
        dense = self.model_.layers[-1]
        kernel, bias = dense.get_weights()
        dense.set_weights([kernel / scale, (bias - center) / scale])
        try:
            history = self.model_.fit(X, (y - center) / scale, batch_size=batch_size, epochs=epochs, verbose=0,
                                      seed=self._shuffle_rng)
        finally:
            kernel, bias = dense.get_weights()
            dense.set_weights([kernel * scale, bias * scale + center])
        for name, values in history.history.items():
            self.history_.setdefault(name, []).extend(values)

    # ----- prediction -----------------------------------------------------------------------------------------
    @property
    def coef_(self) -> np.ndarray:
        return self._affine()[0]

    @property
    def intercept_(self) -> float:
        return self._affine()[1]

    def _affine(self) -> tuple[np.ndarray, float]:
        check_is_fitted(self)
        return self.model_.network.affine()

    def predict(self, X: Any) -> np.ndarray:
        """``X @ coef_ + intercept_`` in float64, shape (n_samples,)."""
        coef, intercept = self._affine()
        return validate_data(self, X, None, reset=False) @ coef + intercept

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Coefficient of determination ``R² = 1 - Σ w (y - ŷ)² / Σ w (y - ȳ)²`` (``ȳ`` weighted by ``w``).

        As scikit-learn's ``r2_score``: 1.0 for a perfect fit of a constant ``y``, 0.0 for an imperfect one.
        """
        prediction = self.predict(X)
        y = target(y, prediction.shape[0])
        weight = np.ones_like(y) if sample_weight is None else sample_weights(sample_weight, y.shape[0])
        residual = np.sum(weight * (y - prediction) ** 2)
        total = np.sum(weight * (y - np.average(y, weights=weight)) ** 2)
        if total == 0:
            return 1.0 if residual == 0 else 0.0
        return float(1.0 - residual / total)


def _same(value: Any, default: Any) -> bool:
    return value is default or (type(value) is type(default) and value == default)


def _nonzero(spread: np.ndarray) -> np.ndarray:
    """Spreads with zeros replaced by 1, so that a constant column or target is only centred."""
    return np.where(spread > 0, spread, 1.0)


def _optimizer(name: Any, learning_rate: Any) -> optimizers.Optimizer:
    if not isinstance(name, str):
        raise TypeError(f"optimizer must be the name of a linnet optimizer such as 'adam' (the estimator builds "
                        f"it with learning_rate). Received: optimizer={name!r}")
    rate = real_number(learning_rate, "learning_rate", low=0.0, low_open=True)
    return type(optimizers.get(name))(learning_rate=rate)


def _generator(random_state: Any) -> np.random.Generator:
    """A generator for ``random_state``: None, a seed, a numpy Generator or a legacy RandomState."""
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    try:
        return _random.generator(random_state)
    except TypeError:
        raise TypeError(f"random_state must be None, a non-negative integer, a numpy Generator or a "
                        f"RandomState. Received: random_state={random_state!r}") from None

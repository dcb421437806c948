"""``NeuronRegressor``: linnet's single neuron as a scikit-learn estimator.

It works with ``clone``, ``Pipeline`` and ``GridSearchCV`` and passes ``check_estimator`` without
importing scikit-learn: the estimator protocol (``get_params``/``set_params``, tags, input validation
with scikit-learn's messages) is written out here, so scikit-learn stays an optional dependency.
"""

from __future__ import annotations

import inspect
import warnings
from typing import Any

import numpy as np

from . import losses, optimizers
from . import random as _random
from ._checks import _require_finite, positive_int, real_number, unknown_name
from .initializers import Constant
from .layers import Dense, Input, Normalization
from .models import Sequential


class _NotFittedError(ValueError, AttributeError):
    """``predict``, ``score``, ``coef_`` or ``intercept_`` was used before ``fit`` (scikit-learn absent)."""


class _DataConversionWarning(UserWarning):
    """A column-vector target was flattened (scikit-learn absent)."""


def _sklearn_class(name: str, fallback: type) -> type:
    """scikit-learn's exception or warning class ``name`` when it is installed, so that code catching or
    filtering it works (and ``check_estimator`` passes); ``fallback``, with the same bases, otherwise."""
    try:
        from sklearn import exceptions
    except ImportError:
        return fallback
    return getattr(exceptions, name)


class NeuronRegressor:
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
        X, y = self._validate(X, y, reset=True)
        self._start(X, y, settings)
        self._train(X, y, settings["epochs"], settings["batch_size"])
        return self

    def partial_fit(self, X: Any, y: Any) -> NeuronRegressor:
        """One epoch on ``(X, y)``; the first call builds the model, later ones keep its optimizer state."""
        settings = self._settings()
        first = not hasattr(self, "model_")
        X, y = self._validate(X, y, reset=first)
        if first:
            self._start(X, y, settings)
        self._train(X, y, 1, settings["batch_size"])
        return self

    def _settings(self) -> dict[str, Any]:
        """The checked hyper-parameters, read before anything is changed."""
        return {"optimizer": _optimizer(self.optimizer, self.learning_rate), "loss": losses.get(self.loss),
                "normalize": _flag(self.normalize, "normalize"), "epochs": positive_int(self.epochs, "epochs"),
                "batch_size": positive_int(self.batch_size, "batch_size"), "rng": _generator(self.random_state)}

    def _start(self, X: np.ndarray, y: np.ndarray, settings: dict[str, Any]) -> None:
        """A compiled ``[Input, Normalization, Dense(1)]`` at the best constant model, an empty history."""
        layers = [Input((X.shape[1],))]
        if settings["normalize"]:
            layers.append(Normalization(mean=X.mean(axis=0), variance=_nonzero(X.var(axis=0))))
        layers.append(Dense(1, kernel_initializer="zeros", bias_initializer=Constant(float(y.mean()))))
        self.model_ = Sequential(layers)
        self.model_.compile(optimizer=settings["optimizer"], loss=settings["loss"])
        self.model_.build()
        self._target_scaling = (float(y.mean()), float(_nonzero(y.std()))) if settings["normalize"] else (0.0, 1.0)
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
        if not hasattr(self, "model_"):
            not_fitted = _sklearn_class("NotFittedError", _NotFittedError)
            raise not_fitted(f"This {type(self).__name__} is not fitted yet; call fit(X, y) or partial_fit first.")
        return self.model_.network.affine()

    def predict(self, X: Any) -> np.ndarray:
        """``X @ coef_ + intercept_`` in float64, shape (n_samples,)."""
        coef, intercept = self._affine()
        return self._validate(X, None, reset=False) @ coef + intercept

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Coefficient of determination ``R² = 1 - Σ w (y - ŷ)² / Σ w (y - ȳ)²`` (``ȳ`` weighted by ``w``).

        As scikit-learn's ``r2_score``: 1.0 for a perfect fit of a constant ``y``, 0.0 for an imperfect one.
        """
        prediction = self.predict(X)
        y = _target(y, prediction.shape[0])
        weight = np.ones_like(y) if sample_weight is None else _target(sample_weight, y.shape[0], "sample_weight")
        residual = np.sum(weight * (y - prediction) ** 2)
        total = np.sum(weight * (y - np.average(y, weights=weight)) ** 2)
        if total == 0:
            return 1.0 if residual == 0 else 0.0
        return float(1.0 - residual / total)

    # ----- input validation -----------------------------------------------------------------------------------
    def _validate(self, X: Any, y: Any, *, reset: bool):
        """Check ``X`` (and ``y`` when fitting) as scikit-learn's ``validate_data`` does."""
        if reset and y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        names = _feature_names(X)
        array = _matrix(X)
        if reset:
            self.n_features_in_ = array.shape[1]
            vars(self).pop("feature_names_in_", None)
            if names is not None:
                self.feature_names_in_ = names
        elif array.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {array.shape[1]} features, but {type(self).__name__} is expecting "
                             f"{self.n_features_in_} features as input.")
        else:
            self._check_feature_names(names)
        _require_finite(array, "X")
        return array if y is None else (array, _target(y, array.shape[0]))

    def _check_feature_names(self, names: np.ndarray | None) -> None:
        """scikit-learn's rule: warn if only one of fit and now had names, refuse different names."""
        fitted, me = getattr(self, "feature_names_in_", None), type(self).__name__
        if fitted is None and names is not None:
            warnings.warn(f"X has feature names, but {me} was fitted without feature names", stacklevel=4)
        if fitted is not None and names is None:
            warnings.warn(f"X does not have valid feature names, but {me} was fitted with feature names",
                          stacklevel=4)
        if fitted is None or names is None:
            return
        if len(names) == len(fitted) and np.all(names == fitted):
            return
        unseen, missing = sorted(set(names) - set(fitted)), sorted(set(fitted) - set(names))
        message = "The feature names should match those that were passed during fit.\n"
        message += _name_list("Feature names unseen at fit time", unseen)
        message += _name_list("Feature names seen at fit time, yet now missing", missing)
        if not unseen and not missing:
            message += "Feature names must be in the same order as they were in fit.\n"
        raise ValueError(message)


def _same(value: Any, default: Any) -> bool:
    return value is default or (type(value) is type(default) and value == default)


def _nonzero(spread: np.ndarray) -> np.ndarray:
    """Spreads with zeros replaced by 1, so that a constant column or target is only centred."""
    return np.where(spread > 0, spread, 1.0)


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, received {value!r}.")
    return bool(value)


def _optimizer(name: Any, learning_rate: Any) -> optimizers.Optimizer:
    if not isinstance(name, str):
        raise TypeError(f"optimizer must be the name of a linnet optimizer such as 'adam' (the estimator builds "
                        f"it with learning_rate), received {name!r}.")
    rate = real_number(learning_rate, "learning_rate", low=0.0, low_open=True)
    return optimizers.get({"class_name": name, "learning_rate": rate})


def _generator(random_state: Any) -> np.random.Generator:
    """A generator for ``random_state``: None, a seed, a numpy Generator or a legacy RandomState."""
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    try:
        return _random.generator(random_state)
    except TypeError:
        raise TypeError(f"random_state must be None, a non-negative integer, a numpy Generator or a "
                        f"RandomState, received {random_state!r}.") from None


def _feature_names(X: Any) -> np.ndarray | None:
    """The column names of a DataFrame when they are all strings, as scikit-learn keeps them."""
    columns = getattr(X, "columns", None)
    if columns is None or getattr(X, "ndim", 2) != 2 or len(columns) == 0:
        return None
    names = np.asarray(list(columns), dtype=object)
    kinds = {type(name) for name in names}
    if kinds == {str}:
        return names
    if str in kinds:
        raise TypeError(f"Feature names must be all strings or all not strings; X has column names of types "
                        f"{sorted(kind.__name__ for kind in kinds)}: use X.columns = X.columns.astype(str).")
    return None


def _numbers(data: Any, name: str) -> np.ndarray:
    """``data`` as a float64 array: sparse, complex and text input are refused, objects converted."""
    if hasattr(data, "toarray") and hasattr(data, "nnz"):
        raise TypeError(f"{name} is a sparse matrix, which NeuronRegressor does not support; "
                        f"pass a dense array such as {name}.toarray().")
    array = np.asarray(data)
    if array.dtype.kind == "c":
        raise ValueError(f"Complex data not supported; {name} has dtype {array.dtype}.")
    if array.dtype.kind not in "biufO":
        raise TypeError(f"{name} must hold numbers, received an array of dtype {array.dtype}.")
    try:
        return array.astype(np.float64)
    except (TypeError, ValueError) as error:
        raise type(error)(f"{name} must hold numbers; converting it to float failed: {error}") from None


def _matrix(X: Any) -> np.ndarray:
    array = _numbers(X, "X")
    if array.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), received shape {array.shape}. Reshape your "
                         f"data: X.reshape(-1, 1) for one feature, X.reshape(1, -1) for one sample.")
    if array.shape[0] == 0:
        raise ValueError(f"X has 0 sample(s) (shape={array.shape}) while a minimum of 1 is required.")
    if array.shape[1] == 0:
        raise ValueError(f"X has 0 feature(s) (shape={array.shape}) while a minimum of 1 is required.")
    return array


def _target(y: Any, n_samples: int, name: str = "y") -> np.ndarray:
    array = _numbers(y, name)
    if array.ndim == 2 and array.shape[1] == 1:
        warnings.warn(f"A column-vector {name} was passed when a 1d array was expected. Please change the shape "
                      f"of {name} to (n_samples, ), for example using ravel().",
                      _sklearn_class("DataConversionWarning", _DataConversionWarning), stacklevel=4)
        array = array.ravel()
    if array.ndim != 1:
        raise ValueError(f"{name} should be a 1d array, got an array of shape {array.shape} instead.")
    if array.shape[0] != n_samples:
        raise ValueError(f"X and {name} must have the same number of samples: X has {n_samples}, "
                         f"{name} has {array.shape[0]}.")
    _require_finite(array, name)
    return array


def _name_list(title: str, names: list[str]) -> str:
    if not names:
        return ""
    shown = [f"- {name}\n" for name in names[:5]] + (["- ...\n"] if len(names) > 5 else [])
    return f"{title}:\n" + "".join(shown)

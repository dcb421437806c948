"""scikit-learn's input validation for :class:`linnet.sklearn.NeuronRegressor`, with scikit-learn's messages.

``check_estimator`` expects these exact checks and texts (sparse, complex and non-numeric input refused, a
column-vector ``y`` flattened with a ``DataConversionWarning``, feature names remembered and compared); they are
written out here so that scikit-learn stays an optional dependency. Its exception and warning classes are used
when it is installed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._naming import column_labels
from .._validation import numeric_array, require_finite
from .._warnings import warn


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


def check_is_fitted(estimator) -> None:
    """Raise scikit-learn's ``NotFittedError`` when ``estimator`` has not been fitted yet."""
    if not estimator.__sklearn_is_fitted__():
        not_fitted = _sklearn_class("NotFittedError", _NotFittedError)
        raise not_fitted(f"This {type(estimator).__name__} is not fitted yet; call fit(X, y) or partial_fit first.")


def validate_data(estimator, X: Any, y: Any, *, reset: bool):
    """Check ``X`` (and ``y`` when fitting) as scikit-learn's ``validate_data`` does.

    With ``reset`` (fitting) ``n_features_in_`` and ``feature_names_in_`` are set on ``estimator``; otherwise
    ``X`` is checked against them. Returns ``X`` as float64, or ``(X, y)`` when ``y`` is given.
    """
    if reset and y is None:
        raise ValueError(f"{type(estimator).__name__} requires y to be passed, but the target y is None.")
    names = _feature_names(X)
    array = _matrix(X)
    if reset:
        estimator.n_features_in_ = array.shape[1]
        vars(estimator).pop("feature_names_in_", None)
        if names is not None:
            estimator.feature_names_in_ = names
    elif array.shape[1] != estimator.n_features_in_:
        raise ValueError(f"X has {array.shape[1]} features, but {type(estimator).__name__} is expecting "
                         f"{estimator.n_features_in_} features as input.")
    else:
        _check_feature_names(estimator, names)
    require_finite(array, "X")
    return array if y is None else (array, target(y, array.shape[0]))


def _check_feature_names(estimator, names: np.ndarray | None) -> None:
    """scikit-learn's rule: warn if only one of fit and now had names, refuse different names."""
    fitted, me = getattr(estimator, "feature_names_in_", None), type(estimator).__name__
    if fitted is None and names is not None:
        warn(f"X has feature names, but {me} was fitted without feature names")
    if fitted is not None and names is None:
        warn(f"X does not have valid feature names, but {me} was fitted with feature names")
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


def _feature_names(X: Any) -> np.ndarray | None:
    """The column names of a DataFrame when they are all strings, as scikit-learn keeps them."""
    labels = column_labels(X)
    if not labels:
        return None
    names = np.asarray(labels, dtype=object)
    kinds = {type(name) for name in names}
    if kinds == {str}:
        return names
    if str in kinds:
        raise TypeError(f"Feature names must be all strings or all not strings; X has column names of types "
                        f"{sorted(kind.__name__ for kind in kinds)}: use X.columns = X.columns.astype(str).")
    return None


def _numbers(data: Any, name: str) -> np.ndarray:
    """``data`` as a float64 array: sparse, ragged, masked, complex and text input refused, objects converted."""
    return numeric_array(data, name, objects=True).astype(np.float64)


def _matrix(X: Any) -> np.ndarray:
    array = _numbers(X, "X")
    if array.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features). Reshape your data: X.reshape(-1, 1) for one "
                         f"feature, X.reshape(1, -1) for one sample. Received: X.shape={array.shape}")
    if array.shape[0] == 0:
        raise ValueError(f"X has 0 sample(s) (shape={array.shape}) while a minimum of 1 is required.")
    if array.shape[1] == 0:
        raise ValueError(f"X has 0 feature(s) (shape={array.shape}) while a minimum of 1 is required.")
    return array


def target(y: Any, n_samples: int, name: str = "y") -> np.ndarray:
    array = _numbers(y, name)
    if array.ndim == 2 and array.shape[1] == 1:
        warn(f"A column-vector {name} was passed when a 1d array was expected. Please change the shape of {name} to "
             f"(n_samples, ), for example using ravel().",
             _sklearn_class("DataConversionWarning", _DataConversionWarning))
        array = array.ravel()
    if array.ndim != 1:
        raise ValueError(f"{name} should be a 1d array, got an array of shape {array.shape} instead.")
    if array.shape[0] != n_samples:
        raise ValueError(f"X and {name} must have the same number of samples: X has {n_samples}, "
                         f"{name} has {array.shape[0]}.")
    require_finite(array, name)
    return array


def _name_list(title: str, names: list[str]) -> str:
    if not names:
        return ""
    shown = [f"- {name}\n" for name in names[:5]] + (["- ...\n"] if len(names) > 5 else [])
    return f"{title}:\n" + "".join(shown)

"""``NeuronRegressor``: the neuron as a scikit-learn estimator, without importing scikit-learn
(``estimator``; the input checks that must raise scikit-learn's own messages are in ``_checks``)."""

from .estimator import NeuronRegressor

__all__ = ["NeuronRegressor"]

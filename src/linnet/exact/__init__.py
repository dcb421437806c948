"""The exact answer: least squares from a mergeable state, its statistics, and the loss surface.

- ``moments``: the state of a least-squares problem, updated chunk by chunk and merged, and its solve;
- ``results``: ``ols`` and ``OLSResult`` with statsmodels' statistics, computed lazily;
- ``surface``: the mean squared error as a function of the parameters (what the landscape draws).

Nothing here imports the engine: it is the oracle the trained neuron is measured against.
"""

from .moments import Moments
from .results import OLSResult, ResidualDegreesOfFreedomError, ols

__all__ = ["Moments", "OLSResult", "ResidualDegreesOfFreedomError", "ols"]

"""The exact answer: least squares from a mergeable state, its statistics, and the loss surface.

- ``state``: :class:`LeastSquaresState` (``Moments``), a triangular factor of the data updated chunk by chunk
  and merged purely (``a + b``);
- ``solve``: parameters, rank, conditioning and trusted digits from the state; ``refine``: one more pass over
  the rows in extended precision;
- ``results``: ``ols`` and ``OLSResult`` with statsmodels' statistics, computed lazily (``summary`` renders);
- ``surface``: the mean squared error as a function of the parameters (what the landscape draws);
- ``penalized``: the optimum of a regularized model (ridge, lasso, elastic net in Keras' scaling) from the state.

Nothing here imports the engine: it is the oracle the trained neuron is measured against.
"""

from .results import OLSResult, ResidualDegreesOfFreedomError, ols
from .state import LeastSquaresState, Moments

__all__ = ["LeastSquaresState", "Moments", "OLSResult", "ResidualDegreesOfFreedomError", "ols"]

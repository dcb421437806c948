"""linnet: linear regression as a single-neuron neural network, Keras-compatible, on NumPy."""

__version__ = "0.1.0"

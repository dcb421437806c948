"""The engine: a stack of linear layers trained by gradient descent with Keras 3's API and numbers.

- ``layers``, ``network``: the layers and the flat-parameter computation (forward, backward, the fused
  one-neuron MSE step);
- ``losses``, ``metrics`` (with ``reduction_metrics``: ``Metric``, ``Mean``, ``Sum``, ``MeanMetricWrapper``),
  ``initializers``, ``schedules``, ``optimizers/``: Keras' building blocks;
- ``sources``: the data-source protocol and in-memory arrays; ``trainer``: the epoch loop; ``fitplan``: what
  ``fit`` is about to do, and the checks (``ADVISERS``) it runs on that first;
- ``sequential``: ``Sequential`` (compile, fit, evaluate, predict; ``model_attributes``: ``weights`` as
  ``variables.Variable`` views, ``pop``, ``input_shape``, ``metrics_names``, ...);
- ``callbacks/``: the hooks of a run; ``progress``, ``summary``: what the console shows.

The engine imports nothing from the packages above it (``exact`` is beside it, ``diagnostics`` and the
surfaces above); the checks that ``fit`` runs before training are plugged in through ``fitplan.ADVISERS`` and
``plugins.PLUGINS``.
"""

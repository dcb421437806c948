"""How a recorded case (a dict of the Keras fixture) becomes an optimizer, for Keras and linnet alike.

Shared by ``tests/tools/record_keras_optimizers.py`` (with ``keras.optimizers``) and ``test_keras_recorded.py``
(with ``linnet.engine.optimizers``): both modules offer the same class names, schedules and arguments.
"""


def build_optimizer(case: dict, optimizers, schedules: dict, rate: list | None = None):
    """``case["optimizer"](**case["config"])`` with its learning rate: a schedule named in ``schedules``
    (name -> ``[class_name, config]``, built from ``optimizers.schedules``), a callable returning ``rate[0]``
    (``callable_rate``), or a callable returning a constant (``constant_callable_rate``)."""
    config = dict(case["config"])
    if "schedule" in case:
        class_name, arguments = schedules[case["schedule"]]
        config["learning_rate"] = getattr(optimizers.schedules, class_name)(**arguments)
    if case.get("callable_rate"):
        config["learning_rate"] = lambda: rate[0]
    if "constant_callable_rate" in case:
        config["learning_rate"] = lambda: case["constant_callable_rate"]
    return getattr(optimizers, case["optimizer"])(**config)


def exclude(optimizer, case: dict, variables: dict) -> None:
    """Apply ``case["exclude"]``: ``var_names`` as given, ``var_list`` as names looked up in ``variables``."""
    if "exclude" in case:
        wanted = case["exclude"]
        optimizer.exclude_from_weight_decay(var_list=[variables[n] for n in wanted.get("var_list", [])] or None,
                                            var_names=wanted.get("var_names"))

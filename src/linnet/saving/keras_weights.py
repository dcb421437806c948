"""``model.weights.h5`` of a ``.keras`` file: Keras 3's layout of layer weights and optimizer state, both ways.

Keras 3 (``keras/src/saving/saving_lib.py``, the same layout from 3.0 to the current release) stores each layer
of a Sequential under ``layers/<key>/vars/<i>``, where ``<key>`` is the snake-case class name made unique in
order (``dense``, ``dense_1``, ...), and the optimizer under ``optimizer/vars/<i>`` in the order of
``optimizer.variables``: the ``iteration`` count (int32), the learning rate (float32, unless it is a schedule),
then the slots, created group by group. A group of slots is created variable by variable: Adam makes
``momentum, velocity`` of the kernel, then of the bias, then (``amsgrad``) every ``velocity_hat``; RMSprop makes
every ``velocity``, then every ``momentum``, then every ``average_gradient``; the moving average of the weights
and the gradient accumulators come first; Nadam's ``u_product`` is last. linnet keeps each slot as one flat
vector over all variables, so the two orders are a permutation of the same values.

Every dataset is checked against the shape and dtype the architecture calls for from its header, before it is
read. h5py is needed (``pip install 'linnet[keras-compat]'``).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from .checks import check_array
from .container import ModelFileError
from .fields import refuse

MEMBER = "model.weights.h5"
_INTERLEAVED = {"Adam": ("momentum", "velocity"), "AdamW": ("momentum", "velocity"),
                "Nadam": ("momentum", "velocity"), "Adamax": ("momentum", "norm")}
_SCALARS = ("u_product",)


def h5py():
    """The h5py module, or an ImportError saying how to install it."""
    try:
        import h5py as module
    except ImportError:
        raise ImportError("Reading and writing .keras files needs h5py (Keras stores the weights as HDF5): "
                          "pip install 'linnet[keras-compat]' (or pip install h5py).") from None
    return module


def layer_keys(layers) -> list[str]:
    """Keras' path of each layer: the snake-case class name, made unique in order (``dense``, ``dense_1``)."""
    keys, used = [], {}
    for layer in layers:
        name = re.sub(r"(?<!^)(?=[A-Z])", "_", type(layer).__name__).lower()
        keys.append(name if name not in used else f"{name}_{used[name] + 1}")
        used[name] = used[name] + 1 if name in used else 0
    return keys


def slot_order(optimizer, n_variables: int) -> list[tuple[str, int]]:
    """``(slot, variable index)`` of each Keras slot variable, in Keras' creation order."""
    together = _INTERLEAVED.get(type(optimizer).__name__, ())
    groups = []
    for slot in optimizer._slots:
        if slot in _SCALARS or slot in together[1:]:
            continue
        groups.append(together if together and slot == together[0] else (slot,))
    return [(slot, i) for group in groups for i in range(n_variables) for slot in group]


def _keras_order(optimizer, state: dict[str, np.ndarray], shapes: list[tuple[int, ...]]) -> list[tuple]:
    """Where each of Keras' ``optimizer.variables`` lives in linnet's ``state`` (``variables()``), in Keras' order:
    ``(key, index into state[key], Keras' shape)``."""
    places = [(key, (), ()) for key in ("iterations", "learning_rate") if key in state]
    ends = np.cumsum([int(np.prod(s)) for s in shapes])
    for slot, i in slot_order(optimizer, len(shapes)):
        places.append((slot, slice(ends[i] - int(np.prod(shapes[i])), ends[i]), shapes[i]))
    return places + [(scalar, 0, ()) for scalar in _SCALARS if scalar in state]


def optimizer_values(optimizer, shapes: list[tuple[int, ...]]) -> list[np.ndarray]:
    """The optimizer's state as Keras' ``optimizer.variables`` list, each slot in the variable's shape."""
    state = optimizer.variables()
    return [np.asarray(state[key][where], np.int32 if key == "iterations" else np.float32).reshape(shape)
            for key, where, shape in _keras_order(optimizer, state, shapes)]


def optimizer_state(optimizer, shapes: list[tuple[int, ...]], values: list[np.ndarray]) -> dict[str, np.ndarray]:
    """Inverse of ``optimizer_values``: linnet's ``variables()`` dict from Keras' list, or from its first entries
    (the others keep the optimizer's values)."""
    state = {key: value.copy() for key, value in optimizer.variables().items()}
    for (key, where, _), value in zip(_keras_order(optimizer, state, shapes), values):
        state[key][where] = np.ravel(value) if isinstance(where, slice) else value
    return state


def trainable_shapes(model) -> list[tuple[int, ...]]:
    """The shapes of the model's trainable weights, in order (what the optimizer's slots follow)."""
    return [w.shape for layer in model.layers if layer.trainable_names for w in layer.get_weights()]


def size_budget(model) -> int:
    """Bytes accepted for the weights of ``model``: its weights and as many optimizer slots, 8 bytes a value at most,
    8 times over, and 1 MiB of HDF5 structure."""
    return 8 * 8 * sum(w.size for w in model.get_weights()) + 2**20


def model_h5(model, layer_values: list[list[np.ndarray]], optimizer) -> bytes:
    """The bytes of ``model.weights.h5``: every layer's values under its key, then the state of ``optimizer``
    (none when it is None) as Keras' ``optimizer.variables`` list."""
    buffer = io.BytesIO()
    with h5py().File(buffer, "w") as store:
        store.create_group("vars").attrs["name"] = model.name
        for layer, key, values in zip(model.layers, layer_keys(model.layers), layer_values):
            _write_vars(store.create_group(f"layers/{key}").create_group("vars"), layer.name, values)
        if optimizer is not None:
            _write_vars(store.create_group("optimizer").create_group("vars"), optimizer.name,
                        optimizer_values(optimizer, trainable_shapes(model)))
    return buffer.getvalue()


def _write_vars(group, name: str, values: list[np.ndarray]) -> None:
    group.attrs["name"] = name
    for i, value in enumerate(values):
        group.create_dataset(str(i), data=value)


def entries(store, where: str) -> list[str]:
    """The names in the group ``where`` (none when there is no such group)."""
    group = store.get(where)
    return sorted(group.keys()) if group is not None and hasattr(group, "keys") else []


def read_vars(store, where: str, like: Sequence[np.ndarray], member: str) -> list[np.ndarray]:
    """The datasets ``<where>/0, 1, ...``: one for each array of ``like`` (the values they replace), each checked
    from its header to have that array's shape (and to be an integer count where it is one) before it is read,
    then for finiteness; refusals name ``member`` and the dataset."""
    found = entries(store, where)
    if found != sorted(str(i) for i in range(len(like))):
        raise refuse(member, where, f"a group of the {len(like)} arrays the architecture calls for",
                     f"{len(found)} entries {found[:8]}")
    values = []
    for i, current in enumerate(like):
        dataset, field = store[f"{where}/{i}"], f"{where}/{i}"
        shape, counter = current.shape, current.dtype.kind in "iu"
        if not hasattr(dataset, "shape") or tuple(dataset.shape) != shape or dataset.dtype.kind not in "iuf":
            raise refuse(member, field, f"a numeric array of shape {shape}",
                         f"shape {getattr(dataset, 'shape', None)}, dtype {getattr(dataset, 'dtype', None)}")
        value = np.asarray(dataset[()])
        if not counter and value.dtype.kind == "f":
            with np.errstate(over="ignore"):  # a float64 beyond float32 becomes inf: refused as not finite below
                value = value.astype(np.float32)
        values.append(check_array(value, member, field, shape, counter))
    return values


def restore_layer(layer, values: list[np.ndarray]) -> None:
    """Give ``layer`` the ``values`` ``read_vars`` read for its weights, each in the dtype of the weight it replaces."""
    layer.set_weights([value.astype(weight.dtype) for value, weight in zip(values, layer.get_weights())])


def restore_optimizer(optimizer, shapes: list[tuple[int, ...]], found: list[np.ndarray], member: str) -> None:
    """Give the built ``optimizer`` Keras' variables ``found``: all of them, or the first ones (the step count and
    learning rate of an optimizer saved before it was built), its fresh slots kept."""
    try:
        optimizer.set_variables(optimizer_state(optimizer, shapes, found))
    except ValueError as error:  # a value the optimizer refuses (a learning rate of 0 or below, ...)
        raise ModelFileError(f"{member}: optimizer/vars: {error}") from None


@contextmanager
def reading(data: bytes, where: str) -> Iterator:
    """The HDF5 file of ``data`` (``where`` names it in errors), open; what h5py raises on damaged data or on links
    to data outside it becomes a ``ModelFileError``."""
    try:
        store = h5py().File(io.BytesIO(data), "r")
    except (OSError, ValueError) as error:
        raise ModelFileError(f"{where} is not a readable HDF5 file: {error}") from None
    with store:
        try:
            yield store
        except (KeyError, RuntimeError, OSError) as error:
            raise ModelFileError(f"{where} cannot be read (damaged, or a link to data outside it): "
                                 f"{type(error).__name__}: {error}") from None

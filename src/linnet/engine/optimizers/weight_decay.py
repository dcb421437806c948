"""Which variables Keras' decoupled weight decay applies to, and the decay itself.

``exclude_from_weight_decay(var_list, var_names)`` exempts variables given as objects, or whose name
(``"kernel"``, ``"bias"``) matches one of ``var_names``: Keras joins them into one regular expression and
searches the name, so a plain word matches as a substring (``keras/src/optimizers/base_optimizer.py``,
``_use_weight_decay``). In linnet the variables are views of the flat parameter vector (a layer's ``kernel``
and ``bias`` attributes), so an object in ``var_list`` is matched by the memory it shares with it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from ._arguments import name_pattern, variable_list


def decay_mask(params: np.ndarray, segments: Sequence[slice], names: Sequence[str], pattern: re.Pattern | None,
               excluded: Sequence[np.ndarray]) -> np.ndarray | bool:
    """``True`` where weight decay applies (one flag per parameter), or ``True`` alone when it applies everywhere.

    Raises ValueError for an entry of ``excluded`` that is none of the variables in ``params``.
    """
    owners = [[i for i, segment in enumerate(segments) if np.shares_memory(params[segment], array)]
              for array in excluded]
    for index, (array, found) in enumerate(zip(excluded, owners)):
        if not found:
            raise ValueError(f"exclude_from_weight_decay: var_list[{index}] is not a variable of the model being "
                             f"trained; pass a layer's weight attribute itself (such as model.layers[0].bias), "
                             f"not a copy. Received: an array of shape {array.shape}")
    exempt = {i for found in owners for i in found}
    if pattern is not None:
        exempt |= {i for i, name in enumerate(names) if pattern.search(name)}
    if not exempt:
        return True
    mask = np.ones(params.shape, bool)
    for i in exempt:
        mask[segments[i]] = False
    return mask


def apply_weight_decay(params: np.ndarray, decay: np.ndarray, lr: np.ndarray, where: np.ndarray | bool,
                       scratch: np.ndarray) -> None:
    """``w = w - w * weight_decay * lr`` where ``where`` is True (Keras' order of the float32 products)."""
    np.multiply(params, decay, scratch)
    np.multiply(scratch, lr, scratch)
    np.subtract(params, scratch, params, where=where)


class WeightDecay:
    """The part of ``Optimizer`` that remembers the exclusions and applies the decay where it is due."""

    def exclude_from_weight_decay(self, var_list: Sequence[np.ndarray] | None = None,
                                  var_names: Sequence[str] | None = None) -> None:
        """Exempt variables from ``weight_decay``: those in ``var_list`` (a layer's ``kernel``/``bias``
        attribute itself), and those whose name (``"kernel"``, ``"bias"``) contains one of ``var_names``
        (searched as regular expressions, as Keras does). Each call replaces the previous exclusions.

        >>> from linnet.optimizers import AdamW
        >>> AdamW(weight_decay=0.01).exclude_from_weight_decay(var_names=["bias"])   # decay the kernel only
        """
        self._excluded_arrays = variable_list(var_list)
        self._excluded_pattern = name_pattern(var_names)
        self._decay_where: np.ndarray | bool | None = None  # resolved against the parameters on the next step

    def _apply_weight_decay(self, params: np.ndarray, lr: np.ndarray) -> None:
        if self._decay_where is None:
            self._decay_where = decay_mask(params, self._segments, self._names, self._excluded_pattern,
                                           self._excluded_arrays)
        apply_weight_decay(params, self._decay, lr, self._decay_where, self._scratch[0])

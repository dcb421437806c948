"""The exact least-squares answer of a Dask collection, reduced on the cluster in one pass.

Each partition is decoded and reduced to a :class:`~linnet.exact.state.LeastSquaresState` on the worker that
reads it; the states are merged in a tree, ``split_every`` at a time, also on the workers::

    level 0:  s_0   s_1   ...   s_7 | s_8  ...  s_15 | ...        one task per partition (read + update)
    level 1:  s_0 + ... + s_7       | s_8 + ... + s_15 | ...      one task per split_every states
    ...                                                           until one state is left

so the client receives one state of ``(p + 1)²`` numbers, never a row. The merge is pure and exact up to
rounding (tall-skinny QR and Chan's update), so the answer has the digits of the in-memory ``linnet.ols``. Each
state carries the count of partitions merged into it; the client checks that every partition is in the final
state (and, when the metadata knows the rows, every row) before solving.
"""

from __future__ import annotations

from typing import Any

import dask
from dask.base import tokenize

from .. import _validation as _checks
from ..exact.results import OLSResult
from ..exact.state import LeastSquaresState
from . import _tasks
from ._partitions import Partitions, partitions
from ._scheduler import compute, compute_options

SPLIT_EVERY = 8
"""States merged per task of the tree (Dask's own reductions default to 8 or 16)."""


def least_squares_state(x: Any, y: Any = None, *, target: str | None = None, features: list[str] | None = None,
                        sample_weight: Any = None, split_every: int = SPLIT_EVERY,
                        scheduler: Any = None) -> LeastSquaresState:
    """The :class:`~linnet.exact.state.LeastSquaresState` of a Dask array (with ``y``) or DataFrame (with
    ``target``), computed on the workers and tree-reduced there; see :func:`ols` for the arguments."""
    parts = partitions(x, y, target=target, features=features, sample_weight=sample_weight)
    return _reduced(parts, split_every, scheduler)


def _reduced(parts: Partitions, split_every: int, scheduler: Any) -> LeastSquaresState:
    split_every = _checks.positive_int(split_every, "split_every")
    if split_every < 2:
        raise ValueError(f"split_every must be at least 2 (states merged per task). Received: {split_every}")
    if not len(parts):
        raise ValueError("The Dask collection has no partitions, so no rows to fit.")
    level = [parts.task(index, "state", _tasks.partition_state, parts.n_features, index)
             for index in range(len(parts))]
    while len(level) > 1:
        groups = [level[start:start + split_every] for start in range(0, len(level), split_every)]
        # a cluster keeps results between calls: a merge named by its first state alone read another tree's merge
        level = [dask.delayed(_tasks.merged, pure=True)(*group, dask_key_name=_merge_key(group)) for group in groups]
    with compute_options(scheduler) as options:
        (state, count), beyond = compute(level, options)[0]
    parts.say(beyond)
    _check_complete(state, count, parts)
    return state


def _merge_key(group: list) -> str:
    """The key of the merge of ``group``'s states: a token of all of them (a key names one value)."""
    return f"linnet-merge-{tokenize([item.key for item in group])}"


def _check_complete(state: LeastSquaresState, count: int, parts: Partitions) -> None:
    """Refuse a state missing a partition (or, when the metadata knows them, a row): never solved silently."""
    if count != len(parts) or (parts.n_rows is not None and state.n != parts.n_rows):
        raise RuntimeError(f"The reduced state holds {count} of {len(parts)} partitions and {state.n} rows "
                           f"(expected {parts.n_rows}); refusing to solve from incomplete data.")
    if state.n == 0:
        raise ValueError(f"The Dask collection's {len(parts)} partition(s) hold no rows, so there is nothing to fit.")


def ols(x: Any, y: Any = None, fit_intercept: bool = True, *, target: str | None = None,
        features: list[str] | None = None, sample_weight: Any = None, feature_names: list[str] | None = None,
        refine: bool | None = None, split_every: int = SPLIT_EVERY, scheduler: Any = None) -> OLSResult:
    """(Weighted) least squares of a Dask collection, reduced on the cluster: ``linnet.ols`` for Dask.

    Parameters
    ----------
    x : dask.array.Array (n, p) or (n,), or dask.dataframe.DataFrame
        The features (an array), or the table holding features and target (a DataFrame).
    y : dask.array.Array (n,) or (n, 1), or str, optional
        The target of an array ``x``; for a DataFrame, the target column's name (same as ``target=``).
    fit_intercept : bool, default True
        Add a constant column (``"const"``, first in ``params``).
    target, features : str, list of str, optional
        DataFrame columns: the target, and the features (default: every other column but the weight's).
    sample_weight : dask.array.Array (n,) or str, optional
        Non-negative weights (a Dask array with ``x``'s rows, or a DataFrame column's name).
    feature_names : list of str, optional
        Names for the summary; default the DataFrame's feature columns, else ``x1, x2, ...``.
    refine : None or False
        Iterative refinement needs a second pass over the rows and is not available on Dask: ``True`` is
        refused (``ols`` warns when fewer than 6 digits are reliable, as in memory).
    split_every : int, default 8
        States merged per task of the reduction tree (at least 2).
    scheduler : None, str or distributed.Client
        Where to compute (see :mod:`linnet.dask`): the default scheduler, ``"threads"``, ``"processes"``,
        ``"sync"``, a client, or a scheduler's address.

    Returns
    -------
    OLSResult
        The same result, to rounding, as ``linnet.ols(..., refine=False)`` on the collection's rows in memory
        (which by default also refines a fit estimated below 10 digits, with a second pass over the rows).
    """
    if _checks.boolean(refine, "refine", allow_none=True):
        raise ValueError("refine=True needs a second pass over the rows, which linnet.dask.ols does not make; "
                         "leave refine=None (a warning says when fewer than 6 digits are reliable). "
                         f"Received: refine={refine!r}")
    parts = partitions(x, y, target=target, features=features, sample_weight=sample_weight)
    state = _reduced(parts, split_every, scheduler)
    names = feature_names if feature_names is not None else parts.feature_names
    return OLSResult.from_moments(state, fit_intercept, names)

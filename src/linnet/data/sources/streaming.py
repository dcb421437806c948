"""``linnet.ols`` on any source: arrays as before, or a file, a folder, a generator or a data source streamed once.

The least-squares state (:class:`linnet.exact.LeastSquaresState`) is updated chunk by chunk, so the rows are
read once and never held together; the state is the same, up to rounding, as the one of all rows at once (it
is mergeable: ``a + b``), so the answer has the same digits as ``ols(refine=False)`` on the arrays in memory.
Refinement, which needs a second pass over the rows, is not run on a stream (in memory it runs by default when
fewer than 10 digits are estimated); ``digits`` still says how many digits hold.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..._validation import function
from ...engine.sources import is_source, unpacked
from ...exact.results import OLSResult
from ...exact.results import ols as ols_in_memory
from ...exact.state import LeastSquaresState
from .adapters import data_source, open_file
from .files import ChunkedFiles, Where


def ols(x: Any, y: Any = None, fit_intercept: bool = True, *, target: str | None = None,
        features: Iterable[str] | None = None, feature_names: list[str] | None = None,
        progress: Callable[[int], None] | None = None, **kwargs) -> OLSResult:
    """(Weighted) least squares of ``y`` on ``x``, or of a file's ``target`` column on its ``features``.

    ``x`` may be arrays (then this is :func:`linnet.exact.ols`, with ``sample_weight`` and ``refine``), a path to
    a Parquet/CSV/NPY/NPZ file or a folder of them (with ``target=`` and optionally ``features=``), a data
    source, a generator of ``(x, y)`` or ``(x, y, sample_weight)`` batches or a function returning one, or a
    ``PyDataset``: all are read in one pass. ``progress(rows)``, if given, is called after every chunk with the
    number of rows read so far.

    >>> fit = ols("houses.parquet", target="price", features=["rooms"])  # doctest: +SKIP
    """
    if isinstance(x, (str, os.PathLike)) or (isinstance(x, (list, tuple)) and x and
                                             isinstance(x[0], (str, os.PathLike))):
        if isinstance(x, (list, tuple)) and y is not None and not any(map(os.path.exists, x[:8])):
            raise TypeError(f"x must hold numbers (or name files, with target=), and none of these strings is a file "
                            f"or folder. Received: x={x!r:.60}")
        if y is not None or target is None:
            raise ValueError(f"ols on a file takes the target column by name: ols(path, target='y'). Received: "
                             f"y={y!r:.60}, target={target!r}")
        x = open_file(x, target, features)
    elif target is not None or features is not None:
        raise ValueError("target= and features= name the columns of a file; with arrays pass ols(x, y).")
    if progress is not None and not callable(progress):
        raise TypeError(f"progress must be a function called with the rows read so far, or None. Received: "
                        f"{progress!r:.100}")
    source = data_source(x)
    if source is None:
        return ols_in_memory(x, y, fit_intercept, feature_names=feature_names, **kwargs)
    if y is not None or kwargs:
        raise ValueError(f"ols on a data source reads y (and sample weights) from its batches; y= and "
                         f"{sorted(kwargs) or 'other arguments'} cannot be given. Received: y={y!r:.60}")
    names = feature_names if feature_names is not None else getattr(source, "feature_names", None)
    return OLSResult.from_moments(accumulate(source, progress), fit_intercept, names)


def accumulate(source: Any, progress: Callable[[int], None] | None = None) -> LeastSquaresState:
    """The least-squares state of every row of ``source``, read once (file sources chunk by chunk)."""
    function(progress, "progress", "a function called with the rows read so far", allow_none=True)
    state = LeastSquaresState(source.n_features)
    if isinstance(source, ChunkedFiles):
        for x, y, where in source.chunks(checked=False):
            _add_chunk(state, source, x, y, where)
            if progress is not None:
                progress(state.n)
    else:
        for index, batch in enumerate(_batches(source)):
            try:
                state.update(*unpacked(batch, f"batch {index + 1} of the data source"))
            except (ValueError, TypeError) as error:
                raise type(error)(f"Batch {index + 1} of {source!r}: {error}") from None
            if progress is not None:
                progress(state.n)
    if state.n == 0:
        raise ValueError(f"The data source {source!r} yielded no rows.")
    return state


def _add_chunk(state: LeastSquaresState, source: ChunkedFiles, x: np.ndarray, y: np.ndarray, where: Where) -> None:
    """Add a file chunk without a separate finiteness pass: a NaN or infinity makes the update fail (its factor
    is not finite), and only then is the chunk searched, to name the column and row."""
    try:
        with np.errstate(all="ignore"):
            state._update(x, y, None)  # x, y are numbers of the file's float dtype: nothing else to check
    except ValueError:
        source.check(x, y, where)
        raise


def _batches(source: Any):
    if not is_source(source):
        raise TypeError(f"ols needs arrays, a file, or a data source. Received: {type(source).__name__}")
    return source.epoch(np.random.default_rng(0))

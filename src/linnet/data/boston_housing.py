"""The Boston Housing data, split exactly as ``keras.datasets.boston_housing.load_data`` splits it, offline.

The 506 rows ship inside the package, so no download is needed. With its default arguments ``load_data``
returns the very arrays Keras returns (checked value for value against the bundled copy of Keras' split).
Read :data:`DESCRIPTION` before using the data: its column ``B`` encodes a racist assumption, and the data
set is kept here only so that existing Keras tutorials can be reproduced.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import numpy as np

from .. import _validation as _checks
from .._atomic import write_bytes

FEATURE_NAMES: tuple[str, ...] = ("CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD", "TAX",
                                  "PTRATIO", "B", "LSTAT")
TARGET_NAME = "MEDV"
N_SAMPLES = 506

DESCRIPTION = """\
Boston Housing (Harrison & Rubinfeld, 1978), 506 census tracts of the Boston area, 13 features, 1 target.

Provenance
    Harrison, D. and Rubinfeld, D. L. (1978), "Hedonic housing prices and the demand for clean air",
    Journal of Environmental Economics and Management 5(1), 81-102; also in Belsley, Kuh & Welsch,
    Regression Diagnostics (1980). Distributed by StatLib (Carnegie Mellon University) and UCI ("Housing").
    The rows bundled here are the data lines of scikit-learn 1.1.3's boston_house_prices.csv (BSD-3-Clause),
    in the StatLib order, which is also the order of Keras' boston_housing.npz. load_data() shuffles them
    with numpy.random.RandomState(seed) and splits them exactly as Keras does.

Columns
    CRIM     per-capita crime rate by town
    ZN       proportion of residential land zoned for lots over 25,000 sq. ft.
    INDUS    proportion of non-retail business acres per town
    CHAS     Charles River dummy (1 if the tract bounds the river, else 0)
    NOX      nitric-oxide concentration (parts per 10 million)
    RM       average number of rooms per dwelling
    AGE      proportion of owner-occupied units built before 1940
    DIS      weighted distance to five Boston employment centres
    RAD      index of accessibility to radial highways
    TAX      full-value property-tax rate per $10,000
    PTRATIO  pupil-teacher ratio by town
    B        1000(Bk - 0.63)^2, where Bk is the proportion of Black residents by town (see the note below)
    LSTAT    % lower-status population
    MEDV     target: median value of owner-occupied homes, in $1000s

Ethical note on column B
    The authors built B from the proportion of Black residents, assuming that racial self-segregation
    raised house prices; the transform cannot be inverted, so Bk cannot be recovered from it. The study set
    out to measure the effect of air quality (NOX) on prices and did not adequately support that
    assumption. scikit-learn deprecated load_boston in 1.0 and removed it in 1.2 for these reasons, and
    Keras' load_data carries the same warning. linnet ships the data only so that existing Keras tutorials
    can be reproduced exactly. Do not use it to build new models, except to teach about ethical problems in
    data science; prefer the California or Ames housing data sets for anything else.
"""

_DATA_FILE = "boston_housing_full.csv"


def load_data(path: str | os.PathLike | None = None, test_split: float = 0.2,
              seed: int = 113) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load the Boston Housing data as ``(x_train, y_train), (x_test, y_test)``, like Keras.

    The rows are shuffled with ``numpy.random.RandomState(seed)`` and the first
    ``int(506 * (1 - test_split))`` of them form the training set::

        indices = np.arange(506)
        np.random.RandomState(seed).shuffle(indices)
        n_train = int(506 * (1 - test_split))

    Parameters
    ----------
    path : str or path-like, optional
        Accepted for compatibility with ``keras.datasets.boston_housing.load_data(path=...)`` and ignored:
        Keras uses it as the name of its download cache, but linnet's copy of the data is bundled.
    test_split : float, default 0.2
        Fraction of the rows kept for the test set, in ``[0, 1)``.
    seed : int, default 113
        Seed of the shuffle, in ``[0, 2**32)`` (the range ``RandomState`` accepts).

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        float64 arrays of shapes ``(n_train, 13)``, ``(n_train,)``, ``(n_test, 13)`` and ``(n_test,)``;
        the columns of ``x`` are :data:`FEATURE_NAMES`, ``y`` is ``MEDV``. See :data:`DESCRIPTION`.

    Examples
    --------
    >>> (x_train, y_train), (x_test, y_test) = load_data()
    >>> x_train.shape, x_test.shape, float(y_train[0])
    ((404, 13), (102, 13), 15.2)
    """
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file name or None (it is ignored, the data is bundled). "
                        f"Received: path={path!r} ({type(path).__name__})")
    test_split = _checks.real_number(test_split, "test_split", low=0.0, high=1.0, high_open=True)
    seed = _shuffle_seed(seed)
    x, y = _load_all_rows()
    indices = np.arange(N_SAMPLES)
    np.random.RandomState(seed).shuffle(indices)
    x, y = x[indices], y[indices]
    n_train = int(N_SAMPLES * (1 - test_split))
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])


def feature_index(name: str) -> int:
    """Return the column of ``x`` that holds feature ``name`` (case-insensitive), e.g. ``feature_index("RM") == 5``."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a feature name such as 'RM'. Received: name={name!r} ({type(name).__name__})")
    lower_names = [feature.lower() for feature in FEATURE_NAMES]
    if name.lower() not in lower_names:
        raise _checks.unknown_name("Boston Housing feature", name, lower_names)
    return lower_names.index(name.lower())


def _shuffle_seed(seed) -> int:
    seed = _checks.non_negative_int(seed, "seed")
    if seed >= 2**32:
        raise ValueError(f"seed must be below 2**32 (numpy.random.RandomState's limit). Received: seed={seed}")
    return seed


def _load_all_rows() -> tuple[np.ndarray, np.ndarray]:
    """Return all 506 rows in the original StatLib order as ``x`` (506, 13) and ``y`` (506,), float64."""
    with (resources.files(__package__) / "bundled" / _DATA_FILE).open("rb") as file:
        table = np.loadtxt(file, delimiter=",", skiprows=1, dtype=np.float64)
    return table[:, :-1], table[:, -1]


def export_csv(path: str | os.PathLike) -> Path:
    """Write the 506 rows, with the header ``CRIM,...,LSTAT,MEDV``, to the CSV file ``path``, atomically (a
    temporary file in the same folder, then renamed); return the path. ``linnet datasets export boston``."""
    path = Path(path)
    write_bytes(path, (resources.files(__package__) / "bundled" / _DATA_FILE).read_bytes())
    return path

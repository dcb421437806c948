"""The NIST StRD linear least-squares datasets (``tests/data/nist``) and the log relative error.

``load(name)`` reads a ``.dat`` file: its data (as the design of its model: the given columns, or the powers
1..k of its single x for the polynomial models) and its certified values. ``lre(estimate, certified)`` is
NIST's measure of correct significant digits, ``-log10(|estimate - certified| / |certified|)`` (absolute
where the certified value is 0), capped at 15 (the certified values' own precision).
"""

from __future__ import annotations

import pathlib
import re
from dataclasses import dataclass

import numpy as np

FOLDER = pathlib.Path(__file__).resolve().parents[1] / "data" / "nist"
NAMES = ["Norris", "Pontius", "NoInt1", "NoInt2", "Filip", "Longley",
         "Wampler1", "Wampler2", "Wampler3", "Wampler4", "Wampler5"]
STATISTICS = ["coefficients", "standard errors", "residual SD", "R-squared"]


@dataclass(frozen=True)
class Dataset:
    """A NIST problem: ``x`` (the model's columns, without the constant), ``y`` and the certified answer."""

    name: str
    x: np.ndarray
    y: np.ndarray
    fit_intercept: bool
    params: np.ndarray
    bse: np.ndarray
    resid_std: float
    rsquared: float

    def certified(self) -> dict[str, np.ndarray]:
        """Every certified statistic by its name in ``STATISTICS``."""
        return dict(zip(STATISTICS, [self.params, self.bse, np.array([self.resid_std]), np.array([self.rsquared])]))


def _line_range(text: str, what: str) -> slice:
    first, last = re.search(rf"{what}\s+\(lines (\d+) to (\d+)\)", text).groups()
    return slice(int(first) - 1, int(last))


def load(name: str) -> Dataset:
    """Read ``tests/data/nist/<name>.dat``."""
    text = (FOLDER / f"{name}.dat").read_text()
    lines = text.splitlines()
    certified = "\n".join(lines[_line_range(text, "Certified Values")])
    estimates = re.findall(r"^\s*B(\d+)\s+(\S+)\s+(\S+)", certified, flags=re.MULTILINE)
    data = np.array([[float(value) for value in line.split()] for line in lines[_line_range(text, "Data")]])
    y, columns = data[:, 0], data[:, 1:]
    fit_intercept = estimates[0][0] == "0"
    slopes = len(estimates) - fit_intercept
    x = columns if columns.shape[1] == slopes else columns[:, :1] ** np.arange(1, slopes + 1)
    return Dataset(name, x, y, fit_intercept, np.array([float(e[1]) for e in estimates]),
                   np.array([float(e[2]) for e in estimates]),
                   float(re.search(r"Standard Deviation\s+(\S+)", certified).group(1)),
                   float(re.search(r"R-Squared\s+(\S+)", certified).group(1)))


def lre(estimate, certified) -> float:
    """The smallest log relative error over the entries (absolute where certified is 0), in [0, 15]."""
    estimate, certified = np.atleast_1d(np.asarray(estimate, float)), np.atleast_1d(np.asarray(certified, float))
    if not np.isfinite(estimate).all():
        return 0.0
    error = np.abs(estimate - certified) / np.where(certified == 0, 1.0, np.abs(certified))
    worst = float(error.max())
    return 15.0 if worst == 0 else float(np.clip(-np.log10(worst), 0.0, 15.0))

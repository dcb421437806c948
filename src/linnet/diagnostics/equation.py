"""The trained neuron as an equation in the units of the data, and side by side with least squares.

Whatever the stack (a ``Normalization`` layer, several ``Dense`` layers), a linear model computes one affine
map ``y = x @ coef + intercept``; ``Network.affine`` reads it off in float64, so every number here is in the
original units of ``x`` and ``y`` and can be compared directly with :func:`linnet.stats.ols`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _html, _naming
from .._naming import default_feature_names  # noqa: F401 (also part of this module's API)
from .._validation import features, targets
from ..engine.network import built_network
from ..exact.penalized import PenalizedResult, penalized_fit
from ..exact.results import OLSResult, ols
from ..exact.state import ROWS_PER_CHUNK
from ..exact.summary import constant_y, statistic
from .penalty import model_penalty

MINUS = "\u2212"  # the typographic minus sign, as in "price = 9.102·rooms − 34.67"


def coefficients(model) -> tuple[np.ndarray, float]:
    """``(coef, intercept)`` of the whole stack: ``coef`` float64 of shape ``(n_features,)``, in x's units."""
    return built_network(model).affine()


def has_intercept(network) -> bool:
    """Whether the intercept is a free parameter: some ``Dense`` layer of the stack has a bias."""
    return any(getattr(layer, "use_bias", False) for layer in network.layers)


def format_number(value: float, digits: int = 4) -> str:
    """``|value|`` to ``digits`` significant digits: ``9.102``, ``34.67``, ``1.5e-07`` (sign left to the caller)."""
    text = f"{abs(value):.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text


def equation(model, feature_names: Sequence[str] | None = None, target_name: str | None = None,
             digits: int = 4) -> str:
    """The model as an equation in the original units: ``"price = 9.102·rooms − 34.67"``.

    Coefficients are rounded to ``digits`` significant digits; terms are joined by ``+`` or ``−`` (U+2212),
    the intercept comes last and is left out only when it is exactly 0 (no bias anywhere in the stack).
    Default names: those the model keeps (``fit`` on pandas objects, ``linnet train``, a model file), else ``x``
    for one feature, ``x1, x2, ...`` for several, and ``y``.

    Examples
    --------
    A model with ``coef = [9.1021]`` and ``intercept = -34.671``:

    >>> equation(model, ["rooms"], "price")  # doctest: +SKIP
    'price = 9.102·rooms − 34.67'
    """
    if not isinstance(digits, int) or isinstance(digits, bool) or digits < 1:
        raise ValueError(f"digits must be a positive integer. Received: digits={digits!r}")
    coef, intercept = coefficients(model)
    kept_features, kept_target = _naming.stored_names(model, coef.size)
    target_name = _naming.target_name(target_name if target_name is not None else kept_target)
    feature_names = kept_features if feature_names is None else feature_names
    terms = [(value, f"{format_number(value, digits)}·{name}") for value, name in
             zip(coef, _naming.feature_names(feature_names, coef.size))]
    if intercept != 0.0:
        terms.append((intercept, format_number(intercept, digits)))
    first_value, first_text = terms[0]
    text = (MINUS if first_value < 0 else "") + first_text
    for value, term in terms[1:]:
        text += f" {MINUS if value < 0 else '+'} {term}"
    return f"{target_name} = {text}"


def residual_sum_of_squares(coef: np.ndarray, intercept: float, x: np.ndarray, y: np.ndarray) -> float:
    """``Σ (x @ coef + intercept - y)²`` in float64, ``ROWS_PER_CHUNK`` rows at a time (``y`` of shape (n,))."""
    total = 0.0
    for start in range(0, x.shape[0], ROWS_PER_CHUNK):
        stop = start + ROWS_PER_CHUNK
        residual = x[start:stop].astype(np.float64) @ coef + intercept - y[start:stop]
        total += float(residual @ residual)
    return total


def least_squares(model, x: Any, y: Any, feature_names: Sequence[str] | None = None) -> OLSResult | PenalizedResult:
    """``linnet.stats.ols`` on ``(x, y)`` for the same model family: with an intercept iff :func:`has_intercept`;
    for a regularized model the penalized optimum it trains towards (``linnet.exact.penalized``)."""
    network = built_network(model)
    penalty = model_penalty(network)
    if penalty:
        return penalized_fit(x, y, penalty, has_intercept(network))
    return ols(x, y, fit_intercept=has_intercept(network), feature_names=feature_names)


def checked_ols_result(ols_result: Any, network) -> OLSResult | PenalizedResult:
    """``ols_result`` if it is a least-squares result (plain or penalized) on the network's number of features."""
    if not isinstance(ols_result, (OLSResult, PenalizedResult)) or ols_result.coef_.size != network.input_dim:
        raise ValueError(f"ols_result must be the OLSResult of linnet.stats.ols on {network.input_dim} feature(s) "
                         f"(or a regularized model's PenalizedResult). Received: ols_result={ols_result!r}")
    return ols_result


@dataclass(frozen=True)
class ComparisonRow:
    """One parameter in the original units: the neuron's value, least squares' value, and their difference."""

    parameter: str
    neuron: float
    least_squares: float
    difference: float


@dataclass(frozen=True)
class Comparison:
    """The neuron next to the exact least-squares answer: every parameter, the loss (MSE) and R².

    ``rows`` lists the coefficients then the intercept; ``difference`` is neuron minus least squares.
    R² has the definition of :attr:`linnet.stats.OLSResult.rsquared` (centered iff there is an intercept,
    ``fit_intercept``): NaN, shown as "undefined" with a ``note`` saying why, where y has no variation.
    """

    rows: tuple[ComparisonRow, ...]
    neuron_loss: float
    least_squares_loss: float
    neuron_rsquared: float
    least_squares_rsquared: float
    fit_intercept: bool = True

    def cells(self) -> list[tuple[str, str, str, str]]:
        """The table as text: one row per parameter, then the loss and R², each (label, neuron, least squares,
        difference)."""
        rows = [(row.parameter, row.neuron, row.least_squares) for row in self.rows]
        rows += [("loss (MSE)", self.neuron_loss, self.least_squares_loss),
                 ("R²", self.neuron_rsquared, self.least_squares_rsquared)]
        return [(label, statistic(ours, ".6g"), statistic(theirs, ".6g"), statistic(ours - theirs, ".3g"))
                for label, ours, theirs in rows]

    @property
    def note(self) -> str:
        """Why R² is undefined (y is constant; without an intercept, 0 in every row), or ``""``."""
        return f"R² is undefined: {constant_y(self.fit_intercept)}, so there is no variation to explain." \
            if math.isnan(self.least_squares_rsquared) else ""

    def __str__(self) -> str:
        width = max(12, *(len(row.parameter) + 2 for row in self.rows))
        lines = [f"{'':<{width}}{'neuron':>14}{'least squares':>16}{'difference':>14}"]
        lines += [f"{label:<{width}}{ours:>14}{theirs:>16}{difference:>14}"
                  for label, ours, theirs, difference in self.cells()]
        return "\n".join(lines + ([self.note] if self.note else []))

    __repr__ = lambda self: f"<Comparison: MSE {self.neuron_loss:.6g}, least squares {self.least_squares_loss:.6g}>"
    _repr_html_ = _html.html  # the table (linnet.notebook.display)
    _ipython_display_ = _html.display_once  # compare_to_ols shows it: once per cell


def compare_to_ols(model, x: Any, y: Any, feature_names: Sequence[str] | None = None,
                   print_fn: Callable[[str], Any] | None = print, *,
                   ols_result: OLSResult | PenalizedResult | None = None) -> Comparison:
    """Fit least squares on ``(x, y)`` and lay the neuron's parameters, MSE and R² beside it.

    The table is printed with ``print_fn`` (nothing is printed when it is ``None``) and returned as data.
    ``ols_result`` (:func:`least_squares` on the same rows, already solved) is used instead of solving again.
    """
    network = built_network(model)
    if feature_names is None:
        feature_names = _naming.pandas_feature_names(x) or _naming.stored_names(model, network.input_dim)[0]
    x = features(x, "x", n_features=network.input_dim, dtype=None)  # chunks are cast to float64; no copy
    y = targets(y, x.shape[0], "y", dtype=np.float64)[:, 0]
    names = _naming.feature_names(feature_names, x.shape[1])
    reference = least_squares(model, x, y, names) if ols_result is None else checked_ols_result(ols_result, network)
    coef, intercept = network.affine()
    rows = [ComparisonRow(name, float(ours), float(theirs), float(ours - theirs))
            for name, ours, theirs in zip(names, coef, reference.coef_)]
    rows.append(ComparisonRow("intercept", intercept, reference.intercept_, intercept - reference.intercept_))
    n = x.shape[0]
    centered = y - y.mean() if reference.fit_intercept else y
    total = float(centered @ centered)
    neuron_ssr = residual_sum_of_squares(coef, intercept, x, y)
    neuron_rsquared = 1.0 - neuron_ssr / total if total > 0 else float("nan")
    comparison = Comparison(tuple(rows), neuron_ssr / n, reference.ssr / n, neuron_rsquared,
                            float(reference.rsquared), bool(reference.fit_intercept))
    _html.show(comparison, print_fn)  # print_fn(str(comparison)), or a table in a notebook
    return comparison

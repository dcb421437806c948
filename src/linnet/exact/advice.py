"""What ``ols`` tells the user about a fit in one line: a rank-deficient design (naming the columns), and
coefficients of which fewer digits than asked are reliable."""

from __future__ import annotations

import numpy as np

from .._warnings import warn


def warn_if_few_digits(result, solution, below: float) -> None:
    """Warn in one line when fewer than ``below`` digits of the coefficients are reliable (full-rank fits)."""
    if result.digits >= below or result.rank < len(result.params):
        return
    refined = " after one pass of refinement" if result.refined else ""
    params = np.abs(np.asarray(result.params, dtype=float))
    if ((params > 0) & (params < np.finfo(np.float64).tiny)).any():  # subnormal: rounding there is absolute
        warn(f"about {result.digits:.0f} digits of these coefficients are reliable{refined}: some are below "
             f"float64's normal numbers (|value| < 2.2e-308), where rounding is absolute; fit y * 2.0**1000 (or "
             f"another power of two) and divide the coefficients back.")
        return
    warn(f"condition number {solution.design_condition:.2g}: about {result.digits:.0f} digits of "
         f"these coefficients are reliable{refined}; centering or rescaling x may help.")


def warn_if_rank_deficient(result, solution) -> None:
    """Warn naming the constant and collinear columns when the design is rank-deficient."""
    if result.rank == len(result.params):
        return
    names = result.feature_names
    problems = [f"x[:, {j}] ({names[j]!r}) is {'constant' if result.fit_intercept else 'all zeros'}"
                for j in solution.constant]
    if solution.collinear:
        listed = [f"x[:, {j}] ({names[j]!r})" for j in solution.collinear]
        problems.append(f"columns {', '.join(listed[:-1])} and {listed[-1]} are collinear")
    if result.nobs < len(result.params):
        problems.append(f"there are fewer rows ({result.nobs}) than parameters ({len(result.params)})")
    warn(f"The design is rank-deficient (rank {result.rank} of {len(result.params)} parameters): "
         f"{'; '.join(problems)}. Using the minimum-norm least-squares solution.")

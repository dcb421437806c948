"""The plain chunked NumPy normal-equations loop: ``z = [1, x, y]`` in float64 chunks, ``G += z'z``, one solve.

The baseline issue 9 names for ``linnet.ols``: the fastest honest streaming answer with NumPy alone (no
centering, no check of the conditioning; the normal equations square the condition number).
"""

import _harness

ROWS_PER_CHUNK = 65_536


def import_framework():
    import numpy

    return numpy


def train(np, spec, x, y, clock) -> dict:
    if spec.kind != "ols":
        raise _harness.Unsupported("the chunked normal-equations loop only solves least squares")
    with clock:
        p = x.shape[1]
        gram = np.zeros((p + 2, p + 2))
        for start in range(0, len(x), ROWS_PER_CHUNK):
            rows = min(ROWS_PER_CHUNK, len(x) - start)
            z = np.empty((rows, p + 2))
            z[:, 0] = 1.0
            z[:, 1:-1] = x[start:start + rows]
            z[:, -1] = y[start:start + rows]
            gram += z.T @ z
        params = np.linalg.solve(gram[:-1, :-1], gram[:-1, -1])
    return {"coef": params[1:], "intercept": params[0]}


if __name__ == "__main__":
    _harness.main(import_framework, train)

import pathlib

import numpy as np
import pytest

DATA = pathlib.Path(__file__).resolve().parents[1] / "src" / "linnet" / "data" / "bundled" / "boston_housing.npz"


@pytest.fixture(scope="session")
def boston():
    """Keras' Boston split: (x_train, y_train, x_test, y_test)."""
    with np.load(DATA) as data:
        return data["x_train"], data["y_train"], data["x_test"], data["y_test"]


@pytest.fixture(scope="session")
def rooms(boston):
    """The Boston tutorial's data: rooms (column RM) and price of the 404 training rows."""
    x_train, y_train, _, _ = boston
    return x_train[:, 5], y_train

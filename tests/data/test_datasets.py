"""Tests for linnet.data.boston_housing (pinned to the values Keras users published) and .synthetic."""

import math
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

import linnet
from linnet import random as linnet_random
from linnet.data import boston_housing, synthetic

X_TRAIN_0 = [1.23247, 0.0, 8.14, 0.0, 0.538, 6.142, 91.7, 3.9769, 4.0, 307.0, 21.0, 396.9, 18.72]
Y_TRAIN_HEAD = [15.2, 42.3, 50.0, 21.1, 17.7, 18.5, 11.3, 15.6, 15.6, 14.4]
Y_TRAIN_TAIL = [19.4, 19.4, 29.1]
Y_TEST_HEAD = [7.2, 18.8, 19.0, 27.0, 22.2, 24.5, 31.2, 22.9]
FIRST_SHUFFLED_ROWS = [22, 202, 368, 335, 461]


@pytest.fixture(scope="module")
def split():
    return boston_housing.load_data()


# --- Boston Housing: the published Keras values --------------------------------------------------------------

def test_shapes_and_dtypes_match_keras(split):
    (x_train, y_train), (x_test, y_test) = split
    assert (x_train.shape, y_train.shape, x_test.shape, y_test.shape) == ((404, 13), (404,), (102, 13), (102,))
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.float64)}


def test_published_first_rows_and_targets(split):
    (x_train, y_train), (_, y_test) = split
    assert x_train[0].tolist() == X_TRAIN_0
    assert y_train[0] == 15.2
    assert y_train[:10].tolist() == Y_TRAIN_HEAD
    assert y_train[-3:].tolist() == Y_TRAIN_TAIL
    assert y_test[:8].tolist() == Y_TEST_HEAD


def test_published_target_statistics(split):
    (_, y_train), _ = split
    # The published mean is the correctly rounded one (sum in order, or exact sum); NumPy's pairwise
    # summation can land one ulp away, so the exact value is pinned with fsum and np.mean to 1 ulp.
    assert (y_train.min(), math.fsum(y_train) / len(y_train), y_train.max()) == (5.0, 22.395049504950496, 50.0)
    assert sum(y_train.tolist()) / len(y_train) == 22.395049504950496
    assert abs(y_train.mean() - 22.395049504950496) <= np.spacing(22.395049504950496)


def test_default_split_equals_the_bundled_keras_arrays_exactly(split):
    (x_train, y_train), (x_test, y_test) = split
    with (resources.files("linnet.data") / "bundled" / "boston_housing.npz").open("rb") as file:
        keras = dict(np.load(file, allow_pickle=False))
    for name, ours in [("x_train", x_train), ("y_train", y_train), ("x_test", x_test), ("y_test", y_test)]:
        assert ours.dtype == keras[name].dtype and np.array_equal(ours, keras[name]), name


def test_split_is_the_randomstate_113_permutation_of_the_original_order(split):
    (x_train, y_train), (_x_test, y_test) = split
    x_all, y_all = boston_housing._load_all_rows()
    assert x_all.shape == (506, 13) and y_all.shape == (506,)
    assert np.array_equal(x_train[:5], x_all[FIRST_SHUFFLED_ROWS])
    order = np.arange(506)
    np.random.RandomState(113).shuffle(order)
    assert np.array_equal(np.concatenate([y_train, y_test]), y_all[order])


def test_path_is_accepted_and_ignored_like_keras(split):
    (x_train, _), _ = boston_housing.load_data("boston_housing.npz")
    assert np.array_equal(x_train, split[0][0])
    boston_housing.load_data(path=Path("anywhere.npz"))
    with pytest.raises(TypeError, match="path must be a file name or None"):
        boston_housing.load_data(path=113)


@pytest.mark.parametrize("test_split, n_train", [(0.0, 506), (0.5, 253), (0.1, 455), (0.999, 0)])
def test_test_split_sets_int_506_times_one_minus_split(test_split, n_train):
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data(test_split=test_split)
    assert x_train.shape == (n_train, 13) and y_train.shape == (n_train,)
    assert x_test.shape == (506 - n_train, 13) and y_test.shape == (506 - n_train,)


def test_other_seed_gives_another_order_of_the_same_rows(split):
    (_x_train, y_train), (_x_test, y_test) = boston_housing.load_data(seed=0)
    assert not np.array_equal(y_train, split[0][1])
    assert sorted(np.concatenate([y_train, y_test])) == sorted(np.concatenate([split[0][1], split[1][1]]))


@pytest.mark.parametrize("test_split", [-0.1, 1.0, 1.5, float("nan"), float("inf")])
def test_test_split_outside_zero_one_is_refused(test_split):
    with pytest.raises(ValueError, match=r"test_split must be a finite number in \[0.0, 1.0\)"):
        boston_housing.load_data(test_split=test_split)


@pytest.mark.parametrize("test_split", ["0.2", None, True])
def test_test_split_must_be_a_number(test_split):
    with pytest.raises(TypeError, match="test_split must be a real number"):
        boston_housing.load_data(test_split=test_split)


@pytest.mark.parametrize("seed, error", [(-1, ValueError), (2**32, ValueError), (1.5, TypeError),
                                         ("113", TypeError), (None, TypeError)])
def test_bad_seed_is_refused(seed, error):
    with pytest.raises(error, match="seed must be"):
        boston_housing.load_data(seed=seed)


def test_every_call_returns_fresh_arrays():
    (x_train, _), _ = boston_housing.load_data()
    x_train[0, 0] = -1.0
    assert boston_housing.load_data()[0][0][0, 0] == 1.23247


def test_column_names_match_the_bundled_file():
    with (resources.files("linnet.data") / "bundled" / "boston_housing_full.csv").open() as file:
        header = file.readline().strip().split(",")
    assert list(boston_housing.FEATURE_NAMES) == header[:-1] and len(boston_housing.FEATURE_NAMES) == 13
    assert boston_housing.TARGET_NAME == header[-1] == "MEDV"


def test_description_gives_provenance_columns_and_the_ethical_note():
    text = boston_housing.DESCRIPTION
    for needle in ["Harrison", "Rubinfeld", "1978", "StatLib", "scikit-learn 1.1.3", "Black", "NOX",
                   "California", "Ethical note on column B", *boston_housing.FEATURE_NAMES, "MEDV"]:
        assert needle in text, needle


def test_feature_index_finds_columns_case_insensitively(split):
    assert boston_housing.feature_index("RM") == 5
    assert boston_housing.feature_index("lstat") == 12
    assert split[0][0][0, boston_housing.feature_index("RM")] == 6.142


def test_feature_index_suggests_the_closest_name():
    with pytest.raises(ValueError, match="Did you mean 'rm'"):
        boston_housing.feature_index("RMM")
    with pytest.raises(TypeError, match="feature name"):
        boston_housing.feature_index(5)


# --- synthetic ----------------------------------------------------------------------------------------------

def test_noisy_line_is_tutorial_001_data():
    x, y = synthetic.noisy_line(seed=7)
    assert x.dtype == y.dtype == np.float64 and x.shape == y.shape == (51,)
    assert x.tolist() == list(range(51))
    np.testing.assert_array_equal(y, x + 10 * np.random.default_rng(7).random(51))
    assert ((y - x >= 0) & (y - x < 10)).all()


def test_noisy_line_options():
    x, y = synthetic.noisy_line(n=5, noise=0)
    assert x.tolist() == y.tolist() == [0.0, 12.5, 25.0, 37.5, 50.0]
    assert synthetic.noisy_line(n=1, noise=3, seed=1)[0].tolist() == [0.0]


def test_generators_follow_linnet_seeding():
    linnet_random.set_seed(3)
    first = synthetic.noisy_line()[1], synthetic.plane(n=4)[1]
    linnet_random.set_seed(3)
    second = synthetic.noisy_line()[1], synthetic.plane(n=4)[1]
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    generator = np.random.default_rng(5)
    assert np.array_equal(synthetic.noisy_line(seed=generator)[1], synthetic.noisy_line(seed=5)[1])


def test_line_is_tutorial_002_data():
    x, y = synthetic.line()
    assert x.tolist() == [-10.0, 0.0, 2.0, 6.0, 12.0, 15.0]
    assert y.tolist() == [10.0, 30.0, 34.0, 42.0, 54.0, 60.0]
    x, y = synthetic.line(slope=-0.5, intercept=1, x=[0, 4, np.int64(10)])
    assert y.dtype == np.float64 and y.tolist() == [1.0, -1.0, -4.0]


def test_plane_is_tutorial_003_data():
    x, y = synthetic.plane(seed=11)
    assert x.shape == (1000, 2) and y.shape == (1000,) and x.dtype == y.dtype == np.float64
    assert x.min() >= -10 and x.max() < 10
    residual = y - (2 * x[:, 0] - 3 * x[:, 1] + 5)
    assert np.abs(residual).max() <= 1 and residual.std() > 0.5   # U(-1, 1) has std 0.577
    solution = np.linalg.lstsq(np.column_stack([x, np.ones(1000)]), y, rcond=None)[0]
    np.testing.assert_allclose(solution, [2, -3, 5], atol=0.05)


def test_plane_options():
    x, y = synthetic.plane(n=6, weights=[1, 2, 3], bias=-1, noise=0, seed=0, x_range=(0, 1))
    assert x.shape == (6, 3) and x.min() >= 0 and x.max() < 1
    np.testing.assert_allclose(y, x @ [1, 2, 3] - 1, rtol=0, atol=1e-15)
    rng = np.random.default_rng(0)
    assert np.array_equal(x, rng.uniform(0, 1, size=(3, 6)).T)


@pytest.mark.parametrize("call, error, message", [
    (lambda: synthetic.noisy_line(n=0), ValueError, "n must be a positive integer"),
    (lambda: synthetic.noisy_line(n=2.5), TypeError, "n must be a positive integer"),
    (lambda: synthetic.noisy_line(n=True), TypeError, "n must be a positive integer"),
    (lambda: synthetic.noisy_line(noise=-1), ValueError, "noise must be a finite number"),
    (lambda: synthetic.noisy_line(noise=float("nan")), ValueError, "noise must be a finite number"),
    (lambda: synthetic.noisy_line(seed=-3), TypeError, "seed must be"),
    (lambda: synthetic.line(slope=float("inf")), ValueError, "slope must be a finite number"),
    (lambda: synthetic.line(intercept="30"), TypeError, "intercept must be a real number"),
    (lambda: synthetic.line(x=[]), ValueError, "x must be a non-empty 1-D list"),
    (lambda: synthetic.line(x=[[1, 2], [3, 4]]), ValueError, "x must be a non-empty 1-D list"),
    (lambda: synthetic.line(x=["a"]), TypeError, "x must hold numbers"),
    (lambda: synthetic.line(x=[1, float("nan")]), ValueError, "x contains NaN"),
    (lambda: synthetic.plane(n=-5), ValueError, "n must be a positive integer"),
    (lambda: synthetic.plane(weights=[]), ValueError, "weights must be a non-empty 1-D list"),
    (lambda: synthetic.plane(weights=2), ValueError, "weights must be a non-empty 1-D list"),
    (lambda: synthetic.plane(bias=float("inf")), ValueError, "bias must be a finite number"),
    (lambda: synthetic.plane(noise=-0.1), ValueError, "noise must be a finite number"),
    (lambda: synthetic.plane(x_range=(1, 1)), ValueError, "x_range must have low < high"),
    (lambda: synthetic.plane(x_range=5), TypeError, "x_range must be a pair"),
    (lambda: synthetic.plane(x_range=(0, float("inf"))), ValueError, r"x_range\[1\] must be a finite number"),
])
def test_synthetic_arguments_are_checked(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --- the package --------------------------------------------------------------------------------------------

def test_importing_datasets_loads_no_heavy_dependency():
    source_dir = str(Path(linnet.__file__).resolve().parent.parent)
    code = ("import sys, linnet.data as d; "
            "assert callable(d.read_table) and d.boston_housing and d.synthetic; "
            "print(sorted(m for m in ('pandas', 'pyarrow', 'matplotlib') if m in sys.modules))")
    env = {**os.environ, "PYTHONPATH": source_dir + os.pathsep + os.environ.get("PYTHONPATH", "")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "[]"

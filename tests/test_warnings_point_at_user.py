"""Every warning linnet gives names the user's line, whatever path inside linnet reached it (``linnet._warnings``).

The warnings below had hand-counted ``stacklevel``s, right for one call path at most: the rank and digits
warnings of ``ols`` named a line of linnet when called as ``linnet.ols``, as did a Parquet source's skipped-column
warning and a callback's missing-metric warning (``engine/callbacks/base.py``); the others happened to be right.
"""

import warnings

import numpy as np
import pytest

import linnet
from linnet.exact import ols as exact_ols

RANK_DEFICIENT = (np.column_stack([np.arange(10.0), 2 * np.arange(10.0)]), np.arange(10.0) + 1)


def caught_here(call, match: str):
    """The one warning matching ``match`` that ``call()`` gives, checked to name this file."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    matching = [w for w in caught if match in str(w.message)]
    assert len(matching) == 1, [str(w.message) for w in caught]
    assert matching[0].filename == __file__, (matching[0].filename, str(matching[0].message))


@pytest.mark.parametrize("solve", [linnet.ols, exact_ols], ids=["linnet.ols", "linnet.exact.ols"])
def test_the_rank_warning_of_ols(solve):
    caught_here(lambda: solve(*RANK_DEFICIENT), "rank-deficient")


@pytest.mark.parametrize("solve", [linnet.ols, exact_ols], ids=["linnet.ols", "linnet.exact.ols"])
def test_the_few_digits_warning_of_ols(solve):
    x = np.vander(np.linspace(1.0, 2.0, 40), 10, increasing=True)[:, 1:]  # powers 1..9 of [1, 2]: about 3 digits
    y = x @ np.ones(9) + np.sin(np.arange(40))
    caught_here(lambda: solve(x, y, refine=False), "digits of these coefficients are reliable")


def test_the_csv_readers_warnings(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("x,colour,y\n1,red,2\n2,blue,4\n,red,5\n3,red,6\n")
    caught_here(lambda: linnet.data.read_csv(path, "y", dropna=True), "skipped the non-numeric column(s) 'colour'")
    caught_here(lambda: linnet.data.read_csv(path, "y", dropna=True), "dropped 1 of 4 row(s)")


def test_a_file_sources_skipped_column_warning(tmp_path):
    pytest.importorskip("pyarrow", reason="Parquet sources need pyarrow (linnet[parquet]); CI installs it")
    import pyarrow as pa
    import pyarrow.parquet as pq
    path = tmp_path / "rows.parquet"
    pq.write_table(pa.table({"x": [1.0, 2.0, 3.0], "colour": ["a", "b", "c"], "y": [2.0, 4.0, 6.0]}), path)
    caught_here(lambda: linnet.ols(str(path), target="y"), "skipped the non-numeric column(s) 'colour'")


def line_model() -> linnet.Sequential:
    model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1)])
    model.compile(linnet.optimizers.SGD(0.01), "mse")
    return model


def test_fits_advisers_warning():
    x = np.arange(100.0)  # sorted: the validation tail lies outside the training range
    caught_here(lambda: line_model().fit(x, 2 * x, epochs=1, validation_split=0.2, verbose=0, seed=0),
                "validation")


def test_a_callbacks_missing_metric_warning():
    stop = linnet.callbacks.EarlyStopping(monitor="val_loss")
    caught_here(lambda: line_model().fit(np.arange(4.0), np.arange(4.0), epochs=1, verbose=0, callbacks=[stop]),
                "not available")


@pytest.mark.parametrize("build, match", [
    (lambda: linnet.optimizers.SGD(lr=0.1), "`lr` argument is deprecated"),
    (lambda: linnet.optimizers.Adam(ema_momentum=0.5), "only act with use_ema=True"),
], ids=["lr", "ema"])
def test_the_optimizers_warnings(build, match):
    caught_here(build, match)


def test_load_weights_skip_mismatch_warning(tmp_path):
    pytest.importorskip("h5py", reason=".weights.h5 files need h5py: pip install -e '.[keras]'")
    wide = linnet.Sequential([linnet.Input((2,)), linnet.Dense(1)])
    wide.save_weights(tmp_path / "w.weights.h5")
    caught_here(lambda: line_model().load_weights(tmp_path / "w.weights.h5", skip_mismatch=True),
                "Skipping what does not fit")


@pytest.mark.parametrize("name", ["weights", "variables", "trainable_weights", "non_trainable_variables"])
def test_setting_a_weights_list_names_the_attribute_set(name):
    """One property object served two names: model.weights = [] was refused as "property 'variables' ..."."""
    with pytest.raises(AttributeError, match=rf"property '{name}' of 'Sequential' object has no setter"):
        setattr(line_model(), name, [])

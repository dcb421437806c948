"""The one validation module: each rule checked once here, and every caller shown to use it."""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import linnet
from linnet import _validation as v
from linnet.engine import callbacks, optimizers, schedules
from linnet.engine.layers import Dense

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


# ----- boolean: seven former copies, one rule ------------------------------------------------------------------
@pytest.mark.parametrize("value", [True, False, np.bool_(True)])
def test_boolean_accepts_python_and_numpy_bools(value):
    assert v.boolean(value, "flag") is bool(value)


@pytest.mark.parametrize("value", [0, 1, "yes", None, 1.0])
def test_boolean_refuses_everything_else_naming_argument_and_value(value):
    with pytest.raises(TypeError,
                       match=rf"flag must be True or False\. Received: flag={value!r} \({type(value).__name__}\)"):
        v.boolean(value, "flag")


@pytest.mark.parametrize("value", [None, True, np.bool_(False)])
def test_boolean_with_allow_none_also_takes_none(value):
    assert v.boolean(value, "refine", allow_none=True) is (None if value is None else bool(value))


def test_boolean_refuses_an_array_by_name_without_asking_its_truth():
    with pytest.raises(TypeError, match=r"^refine must be True, False or None\. Received: refine=array\(\[1, 0\]\) "
                                        r"\(ndarray\)$"):
        v.boolean(np.array([1, 0]), "refine", allow_none=True)


BOOLEAN_CALLERS = {
    "use_bias": lambda: Dense(1, use_bias=1),
    "nesterov": lambda: optimizers.SGD(nesterov=1),
    "amsgrad": lambda: optimizers.Adam(amsgrad=1),
    "centered": lambda: optimizers.RMSprop(centered=1),
    "staircase": lambda: schedules.ExponentialDecay(0.1, 10, 0.9, staircase=1),
    "restore_best_weights": lambda: callbacks.EarlyStopping(restore_best_weights=1),
    "save_best_only": lambda: callbacks.ModelCheckpoint("m.linnet", save_best_only=1),
    "raise_error": lambda: callbacks.TerminateOnNaN(raise_error=1),
    "append": lambda: callbacks.CSVLogger("log.csv", append=1),
    "fit_intercept": lambda: linnet.ols([1.0, 2.0, 3.0], [1.0, 2.0, 4.0], fit_intercept=1),
    "normalize": lambda: linnet.sklearn.NeuronRegressor(normalize=1).fit([[1.0], [2.0]], [1.0, 2.0]),
}


@pytest.mark.parametrize("name", BOOLEAN_CALLERS)
def test_every_boolean_argument_uses_the_one_rule(name):
    with pytest.raises(TypeError, match=rf"^{name} must be True or False\. Received: {name}=1 \(int\)$"):
        BOOLEAN_CALLERS[name]()


def test_stable_learning_rate_fit_intercept_uses_the_one_rule():
    from linnet.diagnostics.stability import stable_learning_rate
    with pytest.raises(TypeError, match=r"fit_intercept must be True or False\. Received: fit_intercept='no' \(str\)"):
        stable_learning_rate([1.0, 2.0], fit_intercept="no")


# ----- verbosity: Keras 3's rule everywhere ---------------------------------------------------------------------
@pytest.mark.parametrize("value, expected", [("auto", 7), (0, 0), (1, 1), (2, 2), (True, 1), (False, 0),
                                             (np.int64(2), 2)])
def test_verbosity_maps_auto_and_bools(value, expected):
    assert v.verbosity(value, auto=7) == expected


@pytest.mark.parametrize("value", [3, -1, 1.0, "loud", None])
def test_verbosity_refuses_other_values(value):
    with pytest.raises(ValueError, match=rf"verbose must be 'auto', 0, 1 or 2 \(True/False mean 1/0\)\. "
                                         rf"Received: verbose={value!r}"):
        v.verbosity(value, auto=1)


def test_callbacks_have_no_auto_and_follow_the_same_rule_as_fit():
    with pytest.raises(ValueError, match=r"verbose must be 0, 1 or 2 .*Received: verbose='auto'"):
        callbacks.EarlyStopping(verbose="auto")
    for make in (callbacks.EarlyStopping, callbacks.ReduceLROnPlateau, callbacks.LearningRateScheduler):
        args = (lambda epoch, lr: lr,) if make is callbacks.LearningRateScheduler else ()
        with pytest.raises(ValueError, match="verbose must be 0, 1 or 2"):
            make(*args, verbose=3)  # accepted by the old callback rule (any int >= 0), refused by fit's
        assert make(*args, verbose=True).verbose == 1
    model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1)])
    model.compile("sgd", "mse")
    for call in (lambda: model.fit([1.0], [1.0], verbose=3), lambda: model.evaluate([1.0], [1.0], verbose=3),
                 lambda: model.predict([1.0], verbose=3)):
        with pytest.raises(ValueError, match="verbose must be 'auto', 0, 1 or 2"):
            call()


# ----- paths ------------------------------------------------------------------------------------------------------
def test_file_path_rules(tmp_path):
    assert v.file_path(str(tmp_path / "a.csv")) == tmp_path / "a.csv"
    with pytest.raises(TypeError, match=r"where must be a file path \(str or os.PathLike\)\. "
                                        r"Received: where=42 \(int\)"):
        v.file_path(42, "where")
    with pytest.raises(TypeError, match="Received: where=b'a.csv' \\(bytes\\)"):
        v.file_path(b"a.csv", "where")
    with pytest.raises(ValueError, match="where must be a file path, not an empty string. Received: where=''"):
        v.file_path("", "where")
    with pytest.raises(FileNotFoundError, match="No such file"):
        v.existing_file(tmp_path / "missing.csv")
    with pytest.raises(ValueError, match="is a directory"):
        v.existing_file(tmp_path)


@pytest.mark.parametrize("call, name", [
    (lambda: linnet.data.read_csv(42, "y"), "path"),
    (lambda: linnet.Sequential([linnet.Input((1,)), linnet.Dense(1)]).save(42), "path"),
    (lambda: callbacks.CSVLogger(42), "filename"),
    (lambda: callbacks.ModelCheckpoint(42), "filepath"),
])
def test_every_path_argument_uses_the_one_rule(call, name):
    with pytest.raises(TypeError, match=rf"^{name} must be a file path \(str or os.PathLike\)\. "
                                        rf"Received: {name}=42 \(int\)"):
        call()


# ----- ceil_div, instances ----------------------------------------------------------------------------------------
@given(st.integers(0, 10**30), st.integers(1, 10**12))
def test_ceil_div_is_the_exact_ceiling(numerator, denominator):
    assert v.ceil_div(numerator, denominator) == math.ceil(Fraction(numerator, denominator))


def test_ceil_div_counts_batches_as_keras_does():
    assert [v.ceil_div(n, 32) for n in (1, 32, 33, 404)] == [1, 1, 2, 13]  # 404 rows -> 13 steps (KERAS_FACTS e)


def test_instances_wraps_one_and_refuses_others():
    one = callbacks.History()
    assert v.instances(None, "callbacks", callbacks.Callback) == []
    assert v.instances(one, "callbacks", callbacks.Callback) == [one]
    assert v.instances((one, one), "callbacks", callbacks.Callback) == [one, one]
    other = callbacks.History()
    assert v.instances([[one], ((other,), one)], "callbacks", callbacks.Callback) == [one, other, one]  # as Keras 3
    for bad in (3, [one, 3], "history", [[one, [3]]], {"a": one}):
        with pytest.raises(TypeError, match=r"callbacks must be a Callback or a list of them\. Received: callbacks="):
            v.instances(bad, "callbacks", callbacks.Callback)


# ----- arrays -----------------------------------------------------------------------------------------------------
def test_numeric_array_refusals_name_the_argument():
    from scipy import sparse
    masked = np.ma.masked_array([1.0, 2.0, 3.0], mask=[0, 1, 0])
    with pytest.raises(ValueError, match=r"x is a masked array with 1 masked value.*x.filled\(value\).*"
                                         r"x.compressed\(\)"):
        v.numeric_array(masked, "x")
    assert v.numeric_array(np.ma.masked_array([1.0, 2.0]), "x").tolist() == [1.0, 2.0]  # nothing masked: fine
    with pytest.raises(ValueError, match=r"x must be a rectangular numeric array \(every row the same length\)"):
        v.numeric_array([[1.0, 2.0], [3.0]], "x")
    with pytest.raises(ValueError, match="Complex data not supported: x has dtype complex128"):
        v.numeric_array([1 + 2j], "x")
    with pytest.raises(TypeError, match=r"x is a sparse matrix.*x.toarray\(\)"):
        v.numeric_array(sparse.csr_matrix(np.eye(2)), "x")
    with pytest.raises(TypeError, match="x must hold numbers. Received: x.dtype=<U1"):
        v.numeric_array(["a"], "x")
    assert v.numeric_array(np.array([1, "2"], dtype=object), "x", objects=True).tolist() == [1.0, 2.0]


EXTREMES = [0.0, 1.0, -3e38, 3.3e38, np.inf, -np.inf, np.nan]
SHAPES = hnp.array_shapes(min_dims=0, max_dims=2, max_side=5)


@settings(max_examples=80, deadline=None)
@given(st.one_of(hnp.arrays(np.float32, SHAPES, elements=st.sampled_from(EXTREMES)),
                 hnp.arrays(np.float64, SHAPES, elements=st.sampled_from([*EXTREMES, 1e308, -1e308]))))
def test_nonfinite_index_is_the_first_nonfinite_element(array):
    oracle = np.argwhere(~np.isfinite(array))
    expected = tuple(int(i) for i in oracle[0]) if len(oracle) else None
    assert v.nonfinite_index(array) == expected


def test_nonfinite_index_does_not_overflow_on_large_float32_values():
    assert v.nonfinite_index(np.array([3e38, 3.1e38, 3.2e38], dtype=np.float32)) is None  # float32 sum: inf


def test_an_empty_x_says_so_and_ends_with_the_shape_received():
    """It said "x is empty (shape (0, 1)); at least one sample is needed.", off the repo's "Received:" style."""
    with pytest.raises(ValueError) as error:
        linnet.ols(np.empty((0, 1)), np.empty(0))
    assert str(error.value) == "x is empty; at least one sample is needed. Received: x.shape=(0, 1)"


def test_an_x_without_columns_says_so_and_ends_with_the_shape_received():
    with pytest.raises(ValueError) as error:
        v.features(np.empty((3, 0)), "x")
    assert str(error.value) == "x has no feature columns; at least one is needed. Received: x.shape=(3, 0)"


def test_a_nan_is_named_at_its_index_and_the_message_ends_with_what_was_received():
    """It ended "...; remove or impute them." with no "Received:"; the first bad value and its index stay where
    the patterns of many tests find them, and the shape and the count of bad values are what was received."""
    x = np.array([[1.0, np.nan], [2.0, 3.0], [np.inf, 4.0]])
    with pytest.raises(ValueError) as error:
        linnet.ols(x, [1.0, 2.0, 3.0])
    assert str(error.value) == ("x contains NaN or infinite values (first at index (0, 1): nan); remove or impute "
                                "them. Received: x.shape=(3, 2), 2 of its 6 values NaN or infinite")
    with pytest.raises(ValueError) as error:
        v.require_finite(np.array([1.0, -np.inf]), "y of partition 4")
    assert str(error.value) == ("y of partition 4 contains NaN or infinite values (first at index (1,): -inf); "
                                "remove or impute them. Received: y of partition 4, of shape (2,), 1 of its 2 values "
                                "NaN or infinite")


def test_sample_weights():
    assert v.sample_weights([[1], [0], [2]], 3).tolist() == [1.0, 0.0, 2.0]
    with pytest.raises(ValueError, match="sample_weight sums to zero, so no weighted mean exists"):
        v.sample_weights([0.0, 0.0], 2)
    with pytest.raises(ValueError, match=r"sample_weight must be non-negative\. "
                                         r"Received: -1 at index \(1,\) of sample_weight"):
        v.sample_weights([1.0, -1.0], 2)
    with pytest.raises(ValueError, match=r"one weight per sample, shape \(3,\)\. "
                                         r"Received: sample_weight\.shape=\(2,\)"):
        v.sample_weights([1.0, 1.0], 3)
    with pytest.raises(ValueError, match="sample_weight contains NaN"):
        v.sample_weights([1.0, np.nan], 2)


@pytest.mark.parametrize("value, error, message", [
    (np.inf, ValueError, "w contains NaN or infinite"), (np.nan, ValueError, "w contains NaN or infinite"),
    (1 + 1j, ValueError, "Complex data not supported"), ("1.0", TypeError, "w must be numeric array-like"),
    (1e39, ValueError, r"w at index \(\) is 1e\+39, which float32 .* cannot hold"),
])
def test_float32_values_refusals(value, error, message):
    with pytest.raises(error, match=message):
        v.float32_values(value, "w")


def test_float32_values_keeps_shape_and_range_edges():
    assert v.float32_values([[3.4e38, -1e-45]], "w").dtype == np.float32  # largest finite, a subnormal: kept
    with pytest.raises(ValueError, match=r"at index \(0, 1\) is 1e-45"):
        v.float32_values([[1.0, 1e-45]], "w", tiny=True)
    with pytest.raises(ValueError, match=r"w must be non-negative\. Received: -2 at index \(1,\) of w"):
        v.float32_values([1.0, -2.0], "w", non_negative=True)


def test_column_statistics_are_float64_and_match_numpy():
    x = np.array([[1.0, 1e15], [2.0, 3e15], [4.0, -2e15]], dtype=np.float32)
    mean, variance = v.column_statistics(x, "x")
    x64 = x.astype(np.float64)
    np.testing.assert_array_equal(mean, x64.mean(axis=0))
    np.testing.assert_allclose(variance, x64.var(axis=0), rtol=1e-15)


@pytest.mark.parametrize("std, word", [(1e20, "1e\\+40"), (1e-25, "1e-50"), (1e300, "inf")])
def test_column_statistics_refuse_what_float32_cannot_hold(std, word):
    with pytest.raises(ValueError, match=rf"variance of column 0 of x is {word}, which float32"):
        v.column_statistics(np.array([[-std], [std]]), "x")


def test_finite_results():
    assert v.finite_results({"loss": 1.0}, "evaluate") == {"loss": 1.0}
    with pytest.raises(ValueError, match=r"evaluate: loss = inf\. The predictions or their errors overflow float32"):
        v.finite_results({"loss": math.inf, "mae": 1.0}, "evaluate")


@pytest.mark.parametrize("make", [
    lambda: linnet.optimizers.SGD(learning_rate=10**400),
    lambda: linnet.exact.ols(np.arange(10.0), np.arange(10.0) ** 1.5).conf_int(alpha=10**400),
    lambda: linnet.optimizers.Adam(learning_rate=10**5000),
])
def test_an_integer_beyond_the_float_range_is_a_named_value_error(make):
    """float(10**400) raises OverflowError, which reached the user unnamed."""
    with pytest.raises(ValueError, match=r"(learning_rate|alpha) must be a finite number in .*\. "
                                         r"Received: \1, an integer "
                                         r"of about \d+ digits"):
        make()


@pytest.mark.parametrize(("text", "taken"), [
    ("tcp://10.0.0.5:8786", True), ("10.0.0.5:8786", True), ("tls://[::1]:8786", True),
    ("inproc://10.0.0.5/4242/1", True), ("threads", False), ("http://h:8786", False), ("tcp://h:0", False),
    ("tcp://h:65536", False), ("tcp://h", False), (8786, False)])
def test_one_rule_says_what_a_scheduler_address_is_for_the_api_and_the_command_line(text, taken):
    """linnet.dask's scheduler= and linnet's --scheduler had two patterns of their own; they now share this one."""
    from linnet._validation import is_scheduler_address
    assert is_scheduler_address(text) is taken


def _compiled() -> linnet.Sequential:
    model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


@pytest.mark.parametrize("call, name", [
    (lambda y: _compiled().fit(np.ones((3, 1)), y, verbose=0), "y"),
    (lambda y: linnet.losses.MeanSquaredError()(y, np.ones(3)), "y_true"),
    (lambda y: linnet.losses.MeanSquaredError()(np.ones(3), y), "y_pred"),
    (lambda y: linnet.metrics.MeanAbsoluteError().update_state(np.ones(3), np.ones(3), y), "sample_weight"),
])
def test_one_shape_rule_for_every_one_output_array(call, name):
    with pytest.raises(ValueError, match=rf"^{name} must hold one value per sample, shape \(n,\) or \(n, 1\), for a "
                                         rf"one-output regression\. Received: {name}\.shape=\(3, 2\)$"):
        call(np.ones((3, 2)))


def test_one_of_takes_a_choice_and_refuses_the_rest_without_comparing_arrays():
    assert v.one_of("min", "mode", ("auto", "min", "max")) == "min"
    assert v.one_of(None, "activation", (None, "linear")) is None
    with pytest.raises(ValueError, match=r"^Unknown mode 'mni'\. Did you mean 'min'\? Known mode names: auto, max, "
                                         r"min\.$"):
        v.one_of("mni", "mode", ("auto", "min", "max"))
    with pytest.raises(ValueError, match="^every must be 'epoch' or 'batch'$"):
        v.one_of(np.array(["epoch", "batch"]), "every", ("epoch", "batch"), "every must be 'epoch' or 'batch'")


@pytest.mark.parametrize("value, choices", [(True, (-1, 1)), (np.True_, (-1, 1)), (1, (True, False, "batch")),
                                           (0, (True, False)), (np.int64(1), (True,)), (1.0, (True,))])
def test_a_bool_is_no_number_and_a_number_no_bool_among_choices(value, choices):
    """``True == 1`` in Python, and ``value in choices`` compared with ``==``: Normalization(axis=True) was axis 1,
    fit(shuffle=1) was shuffle=True."""
    assert not v.among(value, choices)


@pytest.mark.parametrize("value, choices", [(np.int64(-1), (-1, 1)), (np.True_, (True, False)), (False, (None, False)),
                                           ("batch", (True, False, "batch"))])
def test_among_still_matches_numpy_scalars_of_the_same_kind(value, choices):
    assert v.among(value, choices)


class Ambiguous:
    """Compares as ``pandas.NA`` does: its truth is ambiguous."""

    __hash__ = object.__hash__

    def __eq__(self, other):
        raise TypeError("boolean value of NA is ambiguous")


@pytest.mark.parametrize("value, choices", [(Ambiguous(), ("auto", "min", "max")), ((["sgd"],), {"sgd": 1})])
def test_one_of_refuses_values_whose_comparison_or_hash_fails(value, choices):
    """EarlyStopping(mode=pandas.NA) stopped on "boolean value of NA is ambiguous", and the playground's
    Settings(optimizer=(['sgd'],)) on "unhashable type: 'list'" (a tuple is Hashable by its type only)."""
    assert not v.among(value, choices)
    with pytest.raises(ValueError, match=r"^Unknown mode "):
        v.one_of(value, "mode", choices)


@pytest.mark.parametrize("call, value, message", [
    (lambda value: callbacks.EarlyStopping(mode=value), np.array(["min", "max"]), r"^Unknown mode array\("),
    (lambda value: Dense(1, activation=value), np.array(["linear", "linear"]),
     r"activation must be None or 'linear'.* Received: activation=array\("),
    (lambda value: _compiled().fit(np.ones((3, 1)), np.ones(3), shuffle=value, verbose=0), np.array([True, False]),
     r"^shuffle must be True, False or 'batch'\. Received: shuffle=array\("),
])
def test_a_choice_argument_refuses_an_array_with_its_own_message(call, value, message):
    with pytest.raises(ValueError, match=message):
        call(value)


@pytest.mark.parametrize("call, message", [
    (lambda value: linnet.callbacks.ParameterHistory(every=value), r"^every must be 'epoch' or 'batch'\. Received: "),
    (lambda value: linnet.layers.Normalization(axis=value), r"so axis must be -1\. Received: axis=array\("),
])
def test_choice_arguments_that_had_no_guard_refuse_an_array_by_name(call, message):
    """They compared the array element-wise, and NumPy's "truth value of an array ... is ambiguous" came out."""
    with pytest.raises(ValueError, match=message):
        call(np.array([1, -1]))


def test_the_notebook_playground_names_an_optimizer_that_is_a_list():
    from linnet.notebook.playground import Settings  # `["sgd"] in OPTIMIZERS` was "unhashable type: 'list'"
    with pytest.raises(ValueError, match=r"optimizer must be one of .* Received: optimizer=\['sgd'\]"):
        Settings(optimizer=["sgd"]).checked()

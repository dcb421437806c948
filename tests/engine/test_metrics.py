import numpy as np
import pytest

from linnet.engine import metrics
from linnet.engine.layers import Dense, Input
from linnet.engine.sequential import Sequential


def _feed(metric, batches):
    metric.reset_state()
    for y, p in batches:
        metric.update_state(np.array(y, np.float32).reshape(-1, 1), np.array(p, np.float32).reshape(-1, 1))
    return metric.result()


BATCHES = [([1, 2], [1, 4]), ([3], [0])]  # errors 0, 2, -3 over 3 samples; y mean 2


def test_streaming_values_are_over_all_samples():
    assert _feed(metrics.get("mse"), BATCHES) == pytest.approx(13 / 3)
    assert _feed(metrics.get("mae"), BATCHES) == pytest.approx(5 / 3)
    assert _feed(metrics.get("rmse"), BATCHES) == pytest.approx(np.sqrt(13 / 3))
    assert _feed(metrics.R2Score(), BATCHES) == pytest.approx(1 - 13 / 2)


def test_r2_agrees_with_scikit_learn():
    from sklearn.metrics import r2_score
    rng = np.random.default_rng(3)
    y, p = rng.normal(size=50), rng.normal(size=50)
    assert _feed(metrics.get("r2"), [(y[:20], p[:20]), (y[20:], p[20:])]) == pytest.approx(r2_score(y, p), rel=1e-5)


def test_names_follow_what_the_user_asked_for():
    assert metrics.get("mae").name == "mae"
    assert metrics.get("mean_absolute_error").name == "mean_absolute_error"
    assert metrics.RootMeanSquaredError().name == "root_mean_squared_error"
    assert metrics.get(metrics.R2Score).name == "r2_score"
    with pytest.raises(ValueError, match="Did you mean 'rmse'"):
        metrics.get("rmsee")


# Recorded from Keras 3.15.1 (metrics built with defaults, one update_state, result): y = [1, 2, 3],
# p = [1, 2, 4]; with weights [1, 2, 3]. Keras gives the same value for lists, (3,) against (3, 1) and (3, 1)
# against (3, 1) (its R2Score refuses two 1-D inputs, "expects 2D inputs"; linnet pairs them as the others do).
KERAS_DIRECT = {"mse": (0.3333333432674408, 0.5), "mae": (0.3333333432674408, 0.5),
                "rmse": (0.5773502588272095, 0.7071067690849304), "r2": (0.5, 0.10000067949295044)}
SHAPES = {"lists": lambda v: list(v), "(n,)": np.array, "(n, 1)": lambda v: np.array(v).reshape(-1, 1)}


@pytest.mark.parametrize("name", KERAS_DIRECT)
@pytest.mark.parametrize("true_shape", SHAPES)
@pytest.mark.parametrize("pred_shape", SHAPES)
def test_update_state_called_directly_takes_what_keras_takes(name, true_shape, pred_shape):
    """Lists raised a raw TypeError, and R2Score on y_true (n,) against y_pred (n, 1) NumPy's matmul error (its
    error broadcast to (n, n)), where Keras gives 0.5."""
    y, p, w = [1.0, 2.0, 3.0], [1.0, 2.0, 4.0], [1.0, 2.0, 3.0]
    plain, weighted = KERAS_DIRECT[name]
    metric = metrics.get(name)
    metric.update_state(SHAPES[true_shape](y), SHAPES[pred_shape](p))
    assert metric.result() == pytest.approx(plain, rel=1e-6)
    metric.reset_state()
    metric.update_state(SHAPES[true_shape](y), SHAPES[pred_shape](p), SHAPES[true_shape](w))
    assert metric.result() == pytest.approx(weighted, rel=1e-5)


@pytest.mark.parametrize("name", KERAS_DIRECT)
@pytest.mark.parametrize("y_true, y_pred, weight, error, message", [
    (np.ones((3, 2)), np.ones((3, 1)), None, ValueError, r"y_true must hold one value per sample, shape \(n,\) "
     r"or \(n, 1\), for a one-output regression. Received: y_true.shape=\(3, 2\)"),
    ([1.0, 2.0], [[[1.0], [2.0]]], None, ValueError, r"y_pred must hold one value per sample.*Received: "
     r"y_pred.shape=\(1, 2, 1\)"),
    ([1.0, 2.0], [1.0, 2.0, 3.0], None, ValueError, "y_true and y_pred must have the same length, at least 1. "
     "Received: lengths 2 and 3"),
    ([], [], None, ValueError, "Received: lengths 0 and 0"),
    ([1.0, np.nan], [1.0, 2.0], None, ValueError, r"y_true contains NaN or infinite values \(first at index \(1,\): "
     r"nan\); remove or impute them\."),
    ([1.0, 2.0], [np.inf, 2.0], None, ValueError, r"y_pred contains NaN or infinite values \(first at index \(0,\): "
     r"inf\); remove or impute them\."),
    (["a", "b"], [1.0, 2.0], None, TypeError, "y_true must hold numbers. Received: y_true.dtype=<U1"),
    ([1.0, 2.0], [1.0, 2.0], [1.0, 1.0, 1.0], ValueError, r"sample_weight must be a number or hold one weight per "
     r"sample \(2\). Received: 3 weights"),
    ([1.0, 2.0], [1.0, 2.0], [1.0, np.nan], ValueError, r"sample_weight contains NaN or infinite values \(first at "
     r"index \(1,\): nan\)"),
    ([1.0, 2.0], [1.0, 2.0], [1.0, -1.0], ValueError, "sample_weight must be non-negative. Received: -1 at index"),
])
def test_update_state_refuses_other_input_by_name(name, y_true, y_pred, weight, error, message):
    metric = metrics.get(name)
    with pytest.raises(error, match=message):
        metric.update_state(y_true, y_pred, weight)
    assert metric.result() == 0.0  # nothing was added


@pytest.mark.parametrize("bad", [[1.0, np.nan, np.inf], [[1.0], [np.nan], [np.inf]]], ids=["(B,)", "(B,1)"])
def test_a_non_finite_target_is_refused_with_the_message_fit_gives(bad):
    """A metric said "y_true must hold finite numbers. Received: nan at index 1 of y_true." where fit says
    (require_finite) that the value is the first bad one, where it is and what to do."""
    model = Sequential([Input((1,)), Dense(1)])
    model.compile(loss="mse")
    with pytest.raises(ValueError) as in_fit:
        model.fit([1.0, 2.0, 3.0], bad, verbose=0)
    with pytest.raises(ValueError) as in_metric:
        metrics.get("mse").update_state(bad, [1.0, 2.0, 3.0])
    assert str(in_fit.value) == ("y contains NaN or infinite values (first at index (1,): nan); remove or impute them. "
                                 "Received: y.shape=(3,), 2 of its 3 values NaN or infinite")
    assert str(in_metric.value) == str(in_fit.value).replace("y", "y_true", 1).replace("y.shape", "y_true.shape")


def test_a_number_is_one_sample_and_a_number_weight_weights_every_sample():
    """Keras' RootMeanSquaredError takes two numbers (1 and 2 give 1.0, recorded from Keras 3.15.1)."""
    rmse = metrics.RootMeanSquaredError()
    rmse.update_state(1.0, 2.0)
    assert rmse.result() == 1.0
    mse = metrics.get("mse")
    mse.update_state([1.0, 2.0, 3.0], [1.0, 2.0, 4.0], sample_weight=2.0)
    assert mse.result() == pytest.approx(1 / 3)


def test_a_metric_written_as_for_keras_with_update_state_only_works_in_fit():
    """Keras' protocol for a custom metric: ``update_state``, ``result``, ``reset_state``. Here the largest absolute
    error, over x = [0, 1, 2, 3], y = 2x + 1 and the weights kernel 0, bias 0 (predictions 0): 7."""
    import linnet

    class LargestError(metrics.Metric):
        def reset_state(self):
            self.largest = 0.0

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.largest = max(self.largest, float(np.max(np.abs(np.asarray(y_true) - np.asarray(y_pred)))))

        def result(self):
            return self.largest

    model = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer="sgd", loss="mse", metrics=[LargestError(name="largest")])
    x = np.arange(4.0)
    assert model.evaluate(x, 2 * x + 1, return_dict=True, verbose=0)["largest"] == 7.0
    history = model.fit(x, 2 * x + 1, batch_size=4, epochs=1, verbose=0)
    assert history.history["largest"] == [7.0]  # logged with the weights before the step, as Keras does
    with pytest.raises(NotImplementedError, match="Incomplete must define update_state"):
        type("Incomplete", (metrics.Metric,), {"reset_state": lambda self: None})(name="i").accumulate(None, None, None)


@pytest.mark.parametrize("name", ["mse", "mae", "root_mean_squared_error", "r2_score"])
def test_update_state_with_an_error_beyond_float32_gives_no_numpy_warning(name):
    """y_true 3e38 and y_pred -3e38 (each float32) differ by more than float32 holds: Keras 3.15.1's MSE, MAE and
    RMSE give inf; a RuntimeWarning from NumPy's overflow would be noise from inside linnet."""
    import warnings

    metric = metrics.get(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        metric.update_state([3e38, 1.0], [-3e38, 2.0])
        result = metric.result()
    # R² is formed in float64, so the true value holds: 1 - (6e38² + 1) / (2·1.5e38²) = -7 (Keras gives nan; linnet
    # gave -inf, from the difference taken in float32)
    assert result == (pytest.approx(-7.0) if name == "r2_score" else np.inf)


KERAS_RESULT_NAMES = [  # (metrics, weighted_metrics) -> sorted evaluate(return_dict=True) keys, Keras 3.15.1
    (["mae", "mae"], None, ["loss", "mae", "mae_1"]),
    (["mae", "mean_absolute_error"], None, ["loss", "mae", "mean_absolute_error"]),
    (["mae"], ["mae", "mae"], ["loss", "mae", "weighted_mae", "weighted_mae_1"]),
    (None, ["mae", "mae"], ["loss", "mae", "weighted_mae"]),
    (["mae", "mae", "mae"], ["mae"], ["loss", "mae", "mae_1", "mae_2", "weighted_mae"]),
    (["mae", "mse"], ["mse", "mae", "mse"], ["loss", "mae", "mse", "weighted_mae", "weighted_mse", "weighted_mse_1"]),
]


@pytest.mark.parametrize("metrics_, weighted, names", KERAS_RESULT_NAMES)
def test_metrics_of_the_same_name_are_named_apart_as_keras_names_them(metrics_, weighted, names, tmp_path):
    """Two metrics named alike (["mae", "mae"], or weighted_metrics=["mae", "mae"]) logged one value under one name:
    the other was silently lost. Keras 3.15.1 names them apart (recorded); so does linnet, and its files keep it."""
    import linnet
    model = Sequential([Input((1,)), Dense(1)])
    model.compile("sgd", "mse", metrics=metrics_, weighted_metrics=weighted)
    x, y = np.array([[1.0], [2.0], [3.0]]), np.array([1.0, 0.0, 5.0])
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert sorted(logs) == names
    model.save(tmp_path / "m.linnet")
    assert linnet.load_model(tmp_path / "m.linnet").evaluate(x, y, verbose=0, return_dict=True) == logs


def test_compile_names_metrics_apart_without_renaming_the_objects_given():
    """compile renamed the metric objects it was given (one instance twice logged one key, and a metric shared
    with another model changed that model's logged name); Keras 3.15.1 keeps the object's name and logs
    ``mean_absolute_error`` and ``mean_absolute_error_1`` (recorded)."""
    x, y = np.array([[1.0], [2.0], [3.0]]), np.array([1.0, 0.0, 5.0])
    shared = metrics.MeanAbsoluteError()
    model = Sequential([Input((1,)), Dense(1)])
    model.compile("sgd", "mse", metrics=[shared, shared])
    assert sorted(model.evaluate(x, y, verbose=0, return_dict=True)) == \
        ["loss", "mean_absolute_error", "mean_absolute_error_1"]
    model.compile("sgd", "mse", metrics=[shared], weighted_metrics=[shared])
    assert sorted(model.evaluate(x, y, verbose=0, return_dict=True)) == \
        ["loss", "mean_absolute_error", "weighted_mean_absolute_error"]
    assert shared.name == "mean_absolute_error"


def test_a_generated_name_is_never_one_given_and_stays_after_a_round_trip(tmp_path):
    """[MeanAbsoluteError(name="mae_1"), "mae", "mae"] logged 2 keys for 3 metrics (Keras 3.15.1 too), and 3 after a
    save and load: the third is now mae_2."""
    import linnet
    x, y = np.array([[1.0], [2.0], [3.0]]), np.array([1.0, 0.0, 5.0])
    model = Sequential([Input((1,)), Dense(1)])
    model.compile("sgd", "mse", metrics=[metrics.MeanAbsoluteError(name="mae_1"), "mae", "mae"])
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert sorted(logs) == ["loss", "mae", "mae_1", "mae_2"]
    model.save(tmp_path / "m.linnet")
    assert linnet.load_model(tmp_path / "m.linnet").evaluate(x, y, verbose=0, return_dict=True) == logs


def test_a_metric_named_loss_is_refused():
    """It replaced the loss in the logs and the History (Keras 3.15.1 does the same, silently)."""
    model = Sequential([Input((1,)), Dense(1)])
    with pytest.raises(ValueError, match=r"would hide the loss .* Received: name='loss'"):
        model.compile("sgd", "mse", metrics=[metrics.MeanAbsoluteError(name="loss")])


def test_a_mistyped_keyword_gets_a_hint_naming_the_metric():
    """MeanSquaredError(nmae="m") said "_keras_mean_of.<locals>.__init__() got an unexpected keyword argument
    'nmae'", naming the function that builds the class, and R2Score's Python's message gave no hint."""
    with pytest.raises(TypeError, match=r"^MeanSquaredError got unexpected keyword argument\(s\): 'nmae' \(did you "
                                        r"mean 'name'\?\)\.$"):
        metrics.MeanSquaredError(nmae="m")
    with pytest.raises(TypeError, match=r"^R2Score got unexpected keyword argument\(s\): 'num_regresors' \(did you "
                                        r"mean 'num_regressors'\?\)\.$"):
        metrics.R2Score(num_regresors=0)


def test_keras_metric_arguments_are_taken_at_what_linnet_computes_and_refused_otherwise():
    """Keras 3's MeanSquaredError(dtype="float32") and R2Score(num_regressors=0) failed with Python's "unexpected
    keyword argument", though a config holding them was read; now the constructor takes them as from_config does."""
    assert metrics.MeanSquaredError(dtype="float32").name == "mean_squared_error"
    assert metrics.RootMeanSquaredError(dtype=None).name == "root_mean_squared_error"
    assert metrics.R2Score(class_aggregation="uniform_average", num_regressors=0).name == "r2_score"
    with pytest.raises(ValueError, match=r"^linnet's R2Score does not support Keras' num_regressors: it must be 0\. "
                                         r"Received: num_regressors=2\.$"):
        metrics.R2Score(num_regressors=2)
    with pytest.raises(ValueError, match="dtype"):
        metrics.MeanSquaredError(dtype="float64")

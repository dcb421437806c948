import copy
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import DataConversionWarning, NotFittedError  # noqa: E402
from sklearn.metrics import r2_score  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import check_estimator  # noqa: E402

from linnet.data.synthetic import line  # noqa: E402
from linnet.sklearn import NeuronRegressor  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Estimator NeuronRegressor does not inherit from")


def least_squares(X, y):
    """Closed-form coefficients and intercept, the oracle every fit is held to."""
    solution = np.linalg.lstsq(np.c_[X, np.ones(len(X))], y, rcond=None)[0]
    return solution[:-1], solution[-1]


def plane(n=200, noise=1.0, seed=0):
    """``y = 2 x0 - 3 x1 + 30`` plus Gaussian noise, ``x`` uniform on [0, 10]."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 10, size=(n, 2))
    return X, X @ [2.0, -3.0] + 30.0 + noise * rng.normal(size=n)


def assert_close_to_least_squares(reg, X, y, rtol=1e-2):
    coef, intercept = least_squares(X, y)
    np.testing.assert_allclose(reg.coef_, coef, rtol=rtol)
    np.testing.assert_allclose(reg.intercept_, intercept, rtol=rtol)


# ----- scikit-learn's conventions -----------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
@pytest.mark.parametrize("params", [{}, {"normalize": False, "epochs": 20, "optimizer": "rmsprop"}])
def test_check_estimator_passes(params):
    results = check_estimator(NeuronRegressor(**params), on_fail=None)
    failed = {r["check_name"]: r["exception"] for r in results if r["status"] == "failed"}
    assert not failed
    assert len(results) > 40


def test_get_params_set_params_round_trip_and_clone():
    reg = NeuronRegressor(optimizer="sgd", learning_rate=0.05, epochs=7, random_state=3)
    params = reg.get_params()
    assert params == {"optimizer": "sgd", "learning_rate": 0.05, "epochs": 7, "batch_size": 32, "loss": "mse",
                      "normalize": True, "random_state": 3}
    assert NeuronRegressor().set_params(**params).get_params() == params
    twin = clone(reg.fit([[0.0], [1.0]], [1.0, 3.0]))
    assert twin.get_params() == params and not hasattr(twin, "model_")
    assert repr(reg) == "NeuronRegressor(epochs=7, learning_rate=0.05, optimizer='sgd', random_state=3)"
    assert repr(NeuronRegressor()) == "NeuronRegressor()"


def test_set_params_refuses_unknown_names_with_a_hint():
    with pytest.raises(ValueError, match="Unknown NeuronRegressor parameter 'learning_rat'. Did you mean "
                                         "'learning_rate'"):
        NeuronRegressor().set_params(learning_rat=0.1)


@pytest.mark.parametrize("params, error, message", [
    ({"epochs": -1}, ValueError, "epochs must be a positive integer. Received: epochs=-1"),
    ({"epochs": 2.5}, TypeError, "epochs must be a positive integer. Received: epochs=2.5"),
    ({"batch_size": 0}, ValueError, "batch_size must be a positive integer. Received: batch_size=0"),
    ({"learning_rate": -1}, ValueError,
     r"learning_rate must be a finite number in \(0.0, inf\)\. Received: learning_rate=-1.0"),
    ({"optimizer": "adan"}, ValueError, "Unknown optimizer 'adan'. Did you mean 'adam'?"),
    ({"optimizer": None}, TypeError, "optimizer must be the name of a linnet optimizer"),
    ({"loss": "mes"}, ValueError, "Unknown loss 'mes'. Did you mean 'mse'?"),
    ({"normalize": "yes"}, TypeError, "normalize must be True or False. Received: normalize='yes'"),
    ({"random_state": -2}, TypeError, "random_state must be None, a non-negative integer"),
])
def test_bad_hyper_parameters_are_named_at_fit_not_at_init(params, error, message):
    reg = NeuronRegressor(**params)  # sklearn's contract: __init__ and set_params only store
    NeuronRegressor().set_params(**params)
    with pytest.raises(error, match=message):
        reg.fit([[0.0], [1.0]], [0.0, 1.0])
    assert not hasattr(reg, "model_")


def test_input_errors_speak_sklearn():
    reg = NeuronRegressor(epochs=2)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        reg.predict([[1.0]])
    with pytest.raises(ValueError, match=r"X contains NaN .* index \(1, 0\)"):
        reg.fit([[0.0], [np.nan]], [0.0, 1.0])
    with pytest.raises(ValueError, match="y contains NaN or infinite"):
        reg.fit([[0.0], [1.0]], [0.0, np.inf])
    with pytest.raises(ValueError, match="requires y to be passed"):
        reg.fit([[0.0], [1.0]], None)
    with pytest.raises(ValueError, match="Reshape your data"):
        reg.fit([0.0, 1.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="X has 2, y has 3"):
        reg.fit([[0.0], [1.0]], [0.0, 1.0, 2.0])
    reg.fit([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="X has 1 features, but NeuronRegressor is expecting 2 features"):
        reg.predict([[1.0]])
    with pytest.warns(DataConversionWarning, match="A column-vector y was passed"):
        reg.fit([[0.0, 1.0], [1.0, 0.0]], [[1.0], [2.0]])


def test_one_sample_fits_the_constant_model():
    reg = NeuronRegressor(epochs=5).fit([[3.0, -1.0]], [7.0])
    np.testing.assert_array_equal(reg.coef_, [0.0, 0.0])
    assert reg.intercept_ == pytest.approx(7.0)


# ----- the fit is the least-squares fit ---------------------------------------------------------------------------
def test_defaults_fit_the_tutorial_line_y_2x_plus_30():
    x, y = line()  # the six points [-10, 0, 2, 6, 12, 15] of the crash-course tutorial
    reg = NeuronRegressor(random_state=0).fit(x[:, None], y)
    assert_close_to_least_squares(reg, x[:, None], y)
    assert reg.score(x[:, None], y) > 0.99


@pytest.mark.parametrize("normalize", [True, False])
def test_defaults_fit_a_noisy_plane_like_least_squares(normalize):
    X, y = plane()
    reg = NeuronRegressor(random_state=0, normalize=normalize, epochs=300 if normalize else 2000).fit(X, y)
    assert_close_to_least_squares(reg, X, y)
    assert reg.score(X, y) > 0.99
    assert reg.n_features_in_ == 2 and len(reg.history_["loss"]) == reg.epochs
    assert reg.history_["loss"][-1] < reg.history_["loss"][0]


def test_hand_checkable_two_points():
    reg = NeuronRegressor(random_state=0, epochs=1000).fit([[1.0], [2.0]], [1.0, 2.0])
    assert reg.coef_ == pytest.approx([1.0], abs=1e-4) and reg.intercept_ == pytest.approx(0.0, abs=1e-4)


def test_coef_and_intercept_are_the_model_in_original_units():
    X, y = plane(n=50)
    reg = NeuronRegressor(random_state=1, epochs=30).fit(X, y)
    prediction = reg.predict(X[:5])
    assert prediction.shape == (5,) and prediction.dtype == np.float64
    np.testing.assert_allclose(prediction, X[:5] @ reg.coef_ + reg.intercept_, rtol=1e-12)
    np.testing.assert_allclose(prediction, reg.model_.predict(X[:5])[:, 0], rtol=1e-5)
    assert isinstance(reg.intercept_, float) and reg.coef_.shape == (2,)


def test_constant_feature_gets_zero_weight_and_no_blow_up():
    X, y = plane(n=100, noise=0.0)
    X = np.c_[X, np.full(100, 5.0)]
    reg = NeuronRegressor(random_state=0).fit(X, y)
    assert reg.model_.layers[-1].kernel[2, 0] == 0.0  # its normalized column is 0: no gradient ever
    assert abs(reg.coef_[2]) < 1e-12
    np.testing.assert_allclose(reg.coef_[:2], [2.0, -3.0], rtol=1e-3)


def test_random_state_fixes_the_shuffles():
    X, y = plane(n=100)
    first, again, other = (NeuronRegressor(epochs=5, random_state=seed).fit(X, y) for seed in (4, 4, 5))
    np.testing.assert_array_equal(first.coef_, again.coef_)
    assert not np.array_equal(first.coef_, other.coef_)
    legacy = NeuronRegressor(epochs=5, random_state=np.random.RandomState(0)).fit(X, y)
    assert np.isfinite(legacy.coef_).all()


def test_score_is_r2_with_and_without_weights():
    X, y = plane(n=40)
    reg = NeuronRegressor(epochs=3, random_state=0).fit(X, y)
    weights = np.linspace(0.5, 2.0, 40)
    assert reg.score(X, y) == pytest.approx(r2_score(y, reg.predict(X)), rel=1e-12)
    assert reg.score(X, y, weights) == pytest.approx(r2_score(y, reg.predict(X), sample_weight=weights), rel=1e-12)
    constant = NeuronRegressor(epochs=1).fit([[0.0], [1.0]], [2.0, 2.0])
    assert constant.score([[0.0], [1.0]], [2.0, 2.0]) == 1.0


# ----- partial_fit --------------------------------------------------------------------------------------------
def test_partial_fit_is_one_epoch_that_keeps_optimizer_state():
    X, y = plane(n=64)
    reg = NeuronRegressor(batch_size=16, random_state=0)
    for calls in range(1, 4):
        reg.partial_fit(X, y)
        assert reg.model_.optimizer.iterations == 4 * calls and len(reg.history_["loss"]) == calls
    model = reg.model_
    for _ in range(197):
        reg.partial_fit(X, y)
    assert reg.model_ is model
    assert_close_to_least_squares(reg, X, y)
    with pytest.raises(ValueError, match="X has 1 features, but NeuronRegressor is expecting 2"):
        reg.partial_fit(X[:, :1], y)


def test_partial_fit_after_fit_continues():
    X, y = plane(n=64)
    reg = NeuronRegressor(epochs=3, random_state=0).fit(X, y)
    iterations = reg.model_.optimizer.iterations
    reg.partial_fit(X, y)
    assert reg.model_.optimizer.iterations == iterations + 2 and len(reg.history_["loss"]) == 4


def test_partial_fit_after_pickle_matches_the_original():
    X, y = plane(n=64)
    reg = NeuronRegressor(epochs=3, random_state=0).fit(X, y)
    revived, copied = pickle.loads(pickle.dumps(reg)), copy.deepcopy(reg)
    for estimator in (reg, revived, copied):
        estimator.partial_fit(X, y)
    np.testing.assert_array_equal(revived.coef_, reg.coef_)
    np.testing.assert_array_equal(copied.coef_, reg.coef_)


# ----- Pipeline, GridSearchCV, DataFrames -------------------------------------------------------------------------
def test_pipeline_with_standard_scaler():
    X, y = plane()
    pipe = Pipeline([("scale", StandardScaler()), ("neuron", NeuronRegressor(random_state=0))]).fit(X, y)
    scaled = StandardScaler().fit_transform(X)
    assert_close_to_least_squares(pipe.named_steps["neuron"], scaled, y)
    assert pipe.score(X, y) > 0.99


def test_grid_search_prefers_a_learning_rate_that_converges():
    X, y = plane(n=120)
    search = GridSearchCV(NeuronRegressor(epochs=100, random_state=0), {"learning_rate": [1e-4, 1e-2]}, cv=3)
    search.fit(X, y)
    assert search.best_params_ == {"learning_rate": 1e-2}
    scores = search.cv_results_["mean_test_score"]
    assert scores[1] > 0.99 > scores[0]
    assert search.best_estimator_.score(X, y) > 0.99


def test_dataframe_feature_names_are_kept_and_checked():
    pd = pytest.importorskip("pandas")
    X, y = plane(n=30)
    frame = pd.DataFrame(X, columns=["rooms", "age"])
    reg = NeuronRegressor(epochs=2, random_state=0).fit(frame, y)
    assert reg.feature_names_in_.tolist() == ["rooms", "age"]
    with pytest.raises(ValueError, match="Feature names must be in the same order"):
        reg.predict(frame[["age", "rooms"]])
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        reg.predict(X)
    assert not hasattr(reg.fit(X, y), "feature_names_in_")


NAMES_ENTRY_POINTS = {  # X without the names the estimator was fitted with, y a column vector
    "predict": lambda reg, X, y: reg.predict(X),
    "score": lambda reg, X, y: reg.score(X, y),
    "partial_fit": lambda reg, X, y: reg.partial_fit(X, y),
}


@pytest.mark.parametrize("entry", NAMES_ENTRY_POINTS)
def test_the_estimators_warnings_point_at_the_users_line(entry):
    """``score`` (through ``predict``) named a line inside linnet for the feature-names warning, and a line beyond
    the caller's for the column-vector one (hand-counted stack levels); both name the caller's line."""
    import warnings
    pd = pytest.importorskip("pandas")
    X, y = plane(n=30)
    reg = NeuronRegressor(epochs=2, random_state=0).fit(pd.DataFrame(X, columns=["rooms", "age"]), y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        NAMES_ENTRY_POINTS[entry](reg, X, y[:, None])
    line = NAMES_ENTRY_POINTS[entry].__code__.co_firstlineno
    messages = [str(w.message) for w in caught]
    assert len(messages) == (1 if entry == "predict" else 2)
    assert messages[0].startswith("X does not have valid feature names")
    assert messages[-1].startswith("A column-vector y was passed" if entry != "predict" else "X does not")
    assert {(w.filename, w.lineno) for w in caught} == {(__file__, line)}


# ----- scikit-learn stays optional ------------------------------------------------------------------------------
def test_module_works_without_scikit_learn():
    script = textwrap.dedent("""
        import sys
        class NoSklearn:
            def find_spec(self, name, path=None, target=None):
                if name == "sklearn" or name.startswith("sklearn."):
                    raise ImportError("scikit-learn is not installed")
        sys.meta_path.insert(0, NoSklearn())
        from linnet.sklearn import NeuronRegressor
        reg = NeuronRegressor(epochs=1000, random_state=0)
        try:
            reg.predict([[1.0]])
        except ValueError as error:
            print(type(error).__name__, isinstance(error, AttributeError))
        reg.fit([[1.0], [2.0]], [1.0, 2.0])
        print(round(float(reg.coef_[0]), 3))
        print("sklearn" in sys.modules)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["_NotFittedError", "True", "1.0", "False"]


def test_a_mistyped_keyword_is_refused_naming_the_estimator():
    with pytest.raises(TypeError, match=r"^NeuronRegressor got unexpected keyword argument\(s\): 'epoch' "
                                        r"\(did you mean 'epochs'\?\)"):
        NeuronRegressor(epoch=3)

import numpy as np
import pytest

from linnet.engine import metrics


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

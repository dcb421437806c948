"""Real Keras 3 run in a subprocess (``KERAS_BACKEND=jax``) for the tests of Keras' model-file API; the tests
that need it skip, saying so, without keras, jax or h5py."""

import importlib.util
import os
import subprocess
import sys

import pytest


@pytest.fixture
def keras_script(tmp_path):
    """``run(code)``: run ``code`` with real Keras 3 (``sys.argv[1]`` is ``tmp_path``); its last stdout line."""
    missing = [name for name in ("keras", "jax", "h5py") if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(f"real Keras round trips need {', '.join(missing)}: pip install -e '.[keras-compat]'")
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu", "TF_CPP_MIN_LOG_LEVEL": "3"}

    def run(code: str) -> str:
        done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], env=env, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""

    return run

"""Packaging promises: light import, reproducible runs across processes, README set-up commands."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def python(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout


def test_import_linnet_does_not_import_heavy_libraries():
    loaded = python("import sys, linnet, linnet.keras; print(sorted(m for m in ('matplotlib', 'pandas', 'scipy', "
                    "'sklearn', 'tensorflow', 'torch', 'pyarrow') if m in sys.modules))")
    assert loaded.strip() == "[]"


def test_a_fit_on_arrays_does_not_import_the_file_sources():
    loaded = python("import sys, numpy as np, linnet\n"
                    "m = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1)])\n"
                    "m.compile(optimizer='sgd', loss='mse')\n"
                    "m.fit(np.arange(8.0), np.arange(8.0), validation_data=(np.ones(2), np.ones(2)), verbose=0)\n"
                    "print('linnet.data.sources' in sys.modules)")
    assert loaded.strip() == "False"


def test_set_random_seed_makes_a_run_identical_across_processes():
    program = ("import linnet, numpy as np\n"
               "linnet.utils.set_random_seed(42)\n"
               "(x, y), _ = linnet.data.boston_housing.load_data()\n"
               "m = linnet.Sequential([linnet.Input((1,)), linnet.Dense(1)])\n"
               "m.compile(optimizer=linnet.engine.optimizers.RMSprop(0.005), loss='mse')\n"
               "h = m.fit(x[:, 5], y, batch_size=16, epochs=3, validation_split=0.3, verbose=0)\n"
               "print(repr(h.history), [w.tobytes().hex() for w in m.get_weights()])\n")
    first, second = python(program), python(program)
    assert first == second and "loss" in first


def test_readme_starts_with_the_two_setup_commands():
    blocks = re.findall(r"```(?:bash|sh)?\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert "pip install" in blocks[0] and "linnet demo boston" in blocks[0]
    install = "pip install -e '.[test,keras-compat,playground-test]'"
    assert install in blocks[1] and blocks[1].strip().endswith("pytest")
    assert f"python -m {install}".replace("pip install", "pip install --quiet") in (ROOT / ".ci" / "run").read_text()
    assert "pytest" in (ROOT / ".ci" / "run").read_text()


def test_readme_quickstart_runs(tmp_path):
    code = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)[0]
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                            env={**os.environ, "MPLBACKEND": "Agg"})
    assert result.returncode == 0, result.stderr
    assert "price = " in result.stdout and "least squares" in result.stdout

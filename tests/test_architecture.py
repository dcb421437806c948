"""The package's shape: the layer contract, no import cycles, and every public module importable on its own."""

from __future__ import annotations

import concurrent.futures
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import linnet

ROOT = Path(__file__).resolve().parents[1]
grimp = pytest.importorskip("grimp", reason="grimp comes with import-linter (pip install -e '.[test]')")


def _public_modules() -> list[str]:
    names = ["linnet"]
    for info in pkgutil.walk_packages(linnet.__path__, "linnet."):
        if not any(part.startswith("_") for part in info.name.split(".")[1:]):
            names.append(info.name)
    return names


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), i.e. the import cycles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = stack[stack.index(module):]
            del stack[stack.index(module):]
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return cycles


def test_the_layer_contract_holds():
    """engine and exact import nothing above them; diagnostics only those two (pyproject's [tool.importlinter])."""
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    if command is None:
        pytest.skip("lint-imports (import-linter) is not installed: pip install -e '.[test]'")
    finished = subprocess.run([command, "--config", str(ROOT / "pyproject.toml")], capture_output=True, text=True,
                              cwd=ROOT)
    assert finished.returncode == 0, finished.stdout + finished.stderr


def test_no_module_imports_itself_through_a_cycle():
    graph = grimp.build_graph("linnet", exclude_type_checking_imports=True)
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for module in ("a", "b", "c"):
        graph.add_module(module)
    graph.add_import(importer="a", imported="b")
    graph.add_import(importer="b", imported="c")
    assert _cycles(graph) == []
    graph.add_import(importer="c", imported="a")
    assert _cycles(graph) == [["a", "b", "c"]]


def _import_alone(module: str) -> tuple[str, str]:
    finished = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True)
    return module, finished.stderr.strip().splitlines()[-1] if finished.returncode else ""


def test_every_public_module_imports_on_its_own_in_a_fresh_process():
    modules = _public_modules()
    assert {"linnet.engine.sequential", "linnet.exact.results", "linnet.plot.exact"} <= set(modules)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        failures = {module: error for module, error in pool.map(_import_alone, modules) if error}
    assert failures == {}


OLD_PATHS = ["linnet.layers", "linnet.network", "linnet.losses", "linnet.metrics", "linnet.initializers",
             "linnet.schedules", "linnet.optimizers", "linnet.optimizers.sgd", "linnet.callbacks",
             "linnet.monitor_callbacks", "linnet.training", "linnet.models", "linnet.progress", "linnet.summary",
             "linnet.stats", "linnet.equation", "linnet.datasets", "linnet.datasets.boston_housing",
             "linnet.datasets.synthetic", "linnet.datasets.readers", "linnet.plot_exact", "linnet.workflow"]


def test_the_0_1_import_paths_give_the_moved_modules_themselves():
    program = ("import importlib, sys\n"
               f"for name in {OLD_PATHS!r}:\n"
               "    module = importlib.import_module(name)\n"
               "    assert sys.modules[module.__name__] is module, name\n"
               "    assert module.__name__ != name, name\n"
               "from linnet.stats import Moments, OLSResult, ols\n"
               "from linnet.layers import Dense\n"
               "from linnet.plot_exact import landscape\n"
               "import linnet.engine.layers as new\n"
               "assert Dense is new.Dense\n"
               "from importlib import resources\n"
               "import linnet.data\n"
               "assert linnet.data.__spec__.name == 'linnet.data'\n"
               "assert (resources.files('linnet.data') / 'bundled' / 'boston_housing_full.csv').is_file()\n")
    finished = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr


MODULE_LINES = 300
FUNCTION_LINES = 50


def test_every_module_and_function_fits_the_line_budget():
    """One concept per module, readable in one sitting (docs/architecture.md): ≤ 300 lines, functions ≤ 50."""
    import ast
    too_long = []
    for path in sorted((ROOT / "src" / "linnet").rglob("*.py")):
        text = path.read_text()
        name = path.relative_to(ROOT / "src").as_posix()
        if len(text.splitlines()) > MODULE_LINES:
            too_long.append(f"{name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > FUNCTION_LINES:
                    too_long.append(f"{name}: {node.name} has {length} lines")
    assert too_long == []

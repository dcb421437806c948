"""Compile linnet's modules to bytecode before timing, as ``pip install`` does.

Where Python writes no bytecode (``PYTHONDONTWRITEBYTECODE=1``, as on the development machine) a module changed
since its last compile is compiled again at every import. A benchmark whose clock covers a first use of linnet
would then time that compile: a first ``fit`` at batch 1024 imports the exact layer for its stability advice,
and spent ~7 ms compiling 11 modules edited that day. Users run installed, compiled code; so do the benchmarks.
"""

from __future__ import annotations

import os
import subprocess

COMPILE = "import compileall, os, linnet; compileall.compile_dir(os.path.dirname(linnet.__file__), quiet=1)"


def compile_linnet(python: str, env: dict | None = None) -> None:
    """Compile the ``linnet`` that ``python`` imports (with ``env``) to bytecode, in a process of its own."""
    subprocess.run([python, "-c", COMPILE], check=True, env=env or dict(os.environ))

"""The ``linnet`` command: a thin argparse shell (``main``) over the tasks it runs (``tasks``)."""

from .main import build_parser, main

__all__ = ["build_parser", "main"]

"""The ``linnet`` command: a thin argparse shell (``main``) over the tasks it runs (``tasks``: data, model,
training) and their report (``report``: printed results, ``metrics.json``, model file, figures)."""

from .main import main
from .parser import build_parser

__all__ = ["build_parser", "main"]

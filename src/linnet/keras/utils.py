"""``keras.utils``: ``set_random_seed`` and ``PyDataset`` (loaded on first use: it brings the data sources)."""

from ..utils import set_random_seed

__all__ = ["PyDataset", "set_random_seed"]  # noqa: F822 (PyDataset comes from __getattr__)


def __getattr__(name: str):
    """``PyDataset`` from ``linnet.data.sources`` on first access (PEP 562), so ``import linnet`` stays light."""
    if name == "PyDataset":
        from ..data.sources.pydataset import PyDataset
        return PyDataset
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

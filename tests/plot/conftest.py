"""Shared set-up of the plot tests: the Agg backend, plt.show() forbidden, figures closed, a fresh ax."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib.pyplot as plt
import pytest


@pytest.fixture(autouse=True)
def no_show_and_close(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("linnet.plot must never call plt.show()")
    monkeypatch.setattr(plt, "show", refuse)
    yield
    plt.close("all")


@pytest.fixture
def ax():
    return plt.subplots()[1]

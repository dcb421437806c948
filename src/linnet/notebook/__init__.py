"""linnet in a notebook: rich display of its objects, and ``explore``, the learning-rate playground.

``display`` lays out the HTML every linnet object shows in a notebook (the model and its equation, ``ols`` and its
summary, ``compare_to_ols``, the convergence verdict, ``History``, the figures); the objects reach it through
``linnet._html``. ``explore`` (``linnet.explore``) needs ``ipywidgets``: ``pip install 'linnet[notebook]'``; its
logic, ``playground``, runs headless. ``linnet.callbacks.LiveLossPlot`` draws the loss while ``fit`` runs.
"""

from ..engine.callbacks import LiveLossPlot
from .explore import Explorer, explore
from .playground import Playground, Run, Settings

__all__ = ["Explorer", "LiveLossPlot", "Playground", "Run", "Settings", "explore"]

"""The tutorials' figures (``figures``) and the exact answer's (``exact``): each takes an optional ``ax=``,
returns what it drew as ``Drawn`` and never calls ``plt.show()``; matplotlib is imported on first use."""

from .exact import gap, landscape
from .figures import Drawn, data, fit, loss, partial_fits, predictions, residuals

__all__ = ["Drawn", "data", "fit", "gap", "landscape", "loss", "partial_fits", "predictions", "residuals"]

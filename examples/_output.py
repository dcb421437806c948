"""Where the example scripts write their figures: the folder given as the first argument, else linnet-out/examples.

Also selects matplotlib's non-interactive Agg backend so that the examples run headless.
"""

import os
import sys
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "linnet-out/examples")
OUT.mkdir(parents=True, exist_ok=True)


def save(name: str) -> None:
    """Save the current matplotlib figure as ``OUT/name`` (the tutorials call ``plt.show()`` here)."""
    import matplotlib.pyplot as plt
    plt.savefig(OUT / name, dpi=80, bbox_inches="tight")
    plt.close()
    print(f"[figure written: {OUT / name}]")

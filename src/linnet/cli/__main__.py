"""``python -m linnet.cli``: the same as the ``linnet`` command."""

import sys

from .main import main

sys.exit(main())

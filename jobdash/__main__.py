"""``python -m jobdash`` is the ``jobdash`` command."""

import sys

from .cli import main

sys.exit(main())

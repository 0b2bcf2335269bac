"""``python3 -m kiln``: the command line (see ``kiln.cli``)."""

import sys

from kiln.cli import main

sys.exit(main())

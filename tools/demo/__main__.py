"""`python -m tools.demo` (see tools/demo/__init__.py)."""

import sys

from tools.demo.command import main

sys.exit(main())

"""``python -m triage`` runs the command-line interface."""

import sys

from triage.cli import main

sys.exit(main())

"""`python -m drafter.cli ...`."""

import sys

from drafter.cli.app import main

sys.exit(main())

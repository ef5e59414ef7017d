"""The `drafter` command: the service's second face.

Exit codes: 0 success; 1 verification failed or unexpected error; 2 usage error; 3 refused or invalid input
(nothing was changed); 4 the backend failed (the draft is kept and can be retried with `drafter generate`).

Importing this package is cheap: each command's module is imported only when that command runs, and heavy
libraries only inside the handler that needs them (see tests/cli/test_light_start.py).
"""

from drafter.cli.app import main

__all__ = ["main"]

"""Start the browser UI warmed up: `python -m drafter.ui.serve streamlit_app.py [streamlit options]`.

`streamlit run` imports nothing of the app until the first browser session runs the script, so the first person
after a start waited for every import and for the service (store, migrations, catalog) to be built: seconds on a
loaded machine. This launcher does that first, in the server's own process, then hands over to `streamlit run`
with the same arguments. It also warms the service up (the backends' clients, the guard's recognisers, the
readability measures, the export writer: `drafter.ui.warm`) before the server listens, so the server reports
itself healthy only once it is ready for a person. `make run` uses it; plain `streamlit run streamlit_app.py`
still works, only colder.
"""

from __future__ import annotations

import importlib
import logging
import sys

# The app's modules, imported before the server starts (each page module is re-run by st.navigation, but the
# modules they import stay imported).
MODULES = (
    "drafter.ui.app",
    "drafter.ui.draft_page",
    "drafter.ui.simplify_page",
    "drafter.ui.review_page",
    "drafter.ui.history_page",
    "drafter.ui.stats_page",
    "drafter.ui.settings_page",
    "drafter.ui.signin_page",
)


def prepare() -> None:
    """Import the app, build its one service and warm it up; a broken configuration is left for the first page
    to explain in a sentence, as it does without this launcher."""
    for name in MODULES:
        importlib.import_module(name)
    from drafter.errors import DrafterError
    from drafter.ui.common import shared_service
    from drafter.ui.warm import warm_now

    # Streamlit logs that no script is running when its cache is filled outside a session: expected here
    quiet = [logging.getLogger(n) for n in ("streamlit.runtime.scriptrunner_utils.script_run_context",
                                           "streamlit.runtime.caching.cache_data_api")]
    levels = [q.level for q in quiet]
    for q in quiet:
        q.setLevel(logging.ERROR)
    try:
        warm_now(shared_service())
    except DrafterError:
        pass
    finally:
        for q, level in zip(quiet, levels, strict=True):
            q.setLevel(level)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    prepare()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", *args]
    cli.main()


if __name__ == "__main__":
    main()

"""Start the browser UI warmed up: `python -m drafter.ui.serve streamlit_app.py [streamlit options]`.

`streamlit run` imports nothing of the app until the first browser session runs the script, so the first person
after a start waited for every import and for the service (store, migrations, catalog) to be built: seconds on a
loaded machine. This launcher does that first, in the server's own process, then hands over to `streamlit run`
with the same arguments. It also warms the service up (the backends' clients, the guard's recognisers, the
readability measures, the export writer: `drafter.ui.warm`) before the server listens, so the server reports
itself healthy only once it is ready for a person. `make run` uses it; plain `streamlit run streamlit_app.py`
still works, only colder.

Two more things are done for Streamlit itself, found by profiling the first script run after a start:
- what Streamlit loads lazily on the first page (the emoji catalog behind the page icon, 0.6 s; the Material icon
  names, 0.1 s; the walk of every imported module's file that its first element makes through `inspect.stack()`,
  0.55 s with the 3,000 modules Drafter imports) is done here, so the first person does not wait for it;
- the objects that live as long as the server (modules, the service, its recognisers: ~280,000) are moved out of
  the garbage collector's reach (`gc.freeze`) once the start-up's own garbage is collected. Streamlit runs a full
  collection after every script run (`runner.postScriptGC`), holding the interpreter lock while it walks the whole
  heap: ~150 ms of every click. Objects made after the start (each run's garbage) are still collected as before.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import inspect
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
# Streamlit's own modules that its first page imports on first use: the emoji catalog checks the page icon, the
# Material icon names check the pages' icons. (The page icon stays an emoji: the browser draws it itself, where a
# Material page icon would be fetched from Google's font server.)
STREAMLIT_LAZY = ("streamlit.emojis", "streamlit.material_icon_names")


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
    warm_streamlit()


def warm_streamlit() -> None:
    """Do now what Streamlit does on the first page a server shows (see the module docstring)."""
    for name in STREAMLIT_LAZY:
        with contextlib.suppress(ImportError):  # another Streamlit version: only a head start is lost
            importlib.import_module(name)
    # Streamlit's first element asks whether it runs in a REPL by `inspect.stack()`, which maps every imported
    # module to its file (a realpath of each) and keeps the map: fill it now, after the last import.
    inspect.stack()


def freeze_heap() -> None:
    """Collect the start-up's garbage, then leave every object alive now out of later collections (for the
    server's process only: objects made from now on are collected as before)."""
    gc.collect()
    gc.freeze()


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    prepare()
    from streamlit.web import cli

    freeze_heap()  # last: after the final import
    sys.argv = ["streamlit", "run", *args]
    cli.main()


if __name__ == "__main__":
    main()

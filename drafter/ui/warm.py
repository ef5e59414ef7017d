"""Warming up the app's one service in the background, so that nobody's first click pays for it.

Building the backends imports their clients (openai, langchain), the guard compiles its recognisers on first
use, and the readability measures and the export writer are imported on first use: several seconds on a loaded
two-core machine. `warm_in_background` does all of that once per service, in a daemon thread started by the
first page a server shows; `drafter.ui.serve` does it before the server takes its first request (`warm_now`), so
that the first page does not share the processor with it.
"""

from __future__ import annotations

import logging
import threading
import weakref

from drafter.service import DrafterService

log = logging.getLogger("drafter.ui")
_started: weakref.WeakSet[DrafterService] = weakref.WeakSet()
_lock = threading.Lock()


def warm_in_background(service: DrafterService) -> threading.Thread | None:
    """Start warming `service` up in a daemon thread; None when it was already started for this service."""
    with _lock:
        if service in _started:
            return None
        _started.add(service)
    thread = threading.Thread(target=_warm, args=(service,), name="drafter-warm-up", daemon=True)
    thread.start()
    return thread


def warm_now(service: DrafterService) -> None:
    """Warm `service` up in this thread (the launcher, before the server takes requests)."""
    with _lock:
        _started.add(service)
    _warm(service)


def _warm(service: DrafterService) -> None:
    try:
        service.warm_up()
    except Exception:  # only a head start: the first use builds it again and reports any problem in the page
        log.warning("warm-up failed", exc_info=True)

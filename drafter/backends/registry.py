"""The one list of backends. Adding a backend is one module plus one entry here.

Each entry is a factory that builds the backend from settings, or returns None when it is not configured.
Modules are imported only when their factory runs, so listing templates never loads an LLM client.
"""

from __future__ import annotations

from collections.abc import Callable

from drafter.backends.base import Backend
from drafter.settings import Settings

Factory = Callable[[Settings], "Backend | None"]


def _offline(settings: Settings) -> Backend:
    from drafter.backends.offline import OfflineBackend

    backend = OfflineBackend()
    backend.default_clearance = settings.offline_clearance
    return backend


def _openai_compatible(settings: Settings) -> Backend | None:
    if not (settings.azure_openai_endpoint or settings.openai_api_key or settings.openai_base_url):
        return None  # nothing configured: the client library (seconds to import) is not loaded for nothing
    from drafter.backends.openai_compat import OpenAICompatBackend

    return OpenAICompatBackend.from_settings(settings)


REGISTRY: dict[str, Factory] = {
    "offline": _offline,
    "openai": _openai_compatible,
}


def configured_backends(settings: Settings) -> dict[str, Backend]:
    """Every registered backend the settings configure, by the name it registers under."""
    out: dict[str, Backend] = {}
    for factory in REGISTRY.values():
        backend = factory(settings)
        if backend is not None:
            out[backend.name] = backend
    return out

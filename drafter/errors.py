"""Errors the service raises; each carries one clear sentence for the user."""


class DrafterError(Exception):
    """Base class. `exit_code` is what the CLI exits with."""

    exit_code = 1


class InputError(DrafterError):
    """Bad input from the user: a file, a field, an id. Nothing was changed."""

    exit_code = 3


class NotFoundError(InputError):
    """An id that names nothing."""


class RefusedError(DrafterError):
    """A rule refused the action (review gate, four-eyes, policy)."""

    exit_code = 3


class ConflictError(RefusedError):
    """Someone else changed the draft first; reload and re-apply."""


class CatalogError(DrafterError):
    """A template or style guide file is malformed."""

    exit_code = 3


class BackendError(DrafterError):
    """A backend failed after its retries; the draft is kept and can be retried."""

    exit_code = 4


class VerificationError(DrafterError):
    """A document or the audit chain failed verification."""

    exit_code = 1

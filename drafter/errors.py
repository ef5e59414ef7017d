"""Errors the service raises; each carries one clear sentence for the user.

The sentence is a message id (English, with `{named}` placeholders) and its parameters, so it is shown in the
reader's language (`str(exc)`) while logs and JSON output can keep the language-neutral id and values:

    raise NotFoundError("No draft {draft_id}.", draft_id=draft_id)

Babel extracts the first argument of these classes (drafter.i18n.EXTRACT_KEYWORDS), so write it as a literal,
not an f-string (tests/test_i18n_catalogs.py fails on anything else).
"""

from __future__ import annotations

from drafter.i18n import Lazy, english, gettext


class DrafterError(Exception):
    """Base class. `exit_code` is what the CLI exits with."""

    exit_code = 1

    @property
    def code(self) -> str:
        """A stable name for the kind of error (for JSON output and scripts): the class name."""
        return type(self).__name__

    def __init__(self, message: str = "", /, **params: object) -> None:
        super().__init__(message)
        self.message_id = message
        self.params = params

    def __str__(self) -> str:
        return gettext(self.message_id, **self.params) if self.message_id else ""

    @property
    def english(self) -> str:
        """The sentence in the source language, whatever the current one: for logs and stored records."""
        return english(self.message_id, self.params)


def shown(exc: BaseException) -> str:
    """An error's sentence as text that is English when stored or dumped as JSON and in the reader's language
    when printed (a lazy message); other exceptions as they are."""
    if isinstance(exc, DrafterError) and exc.message_id:
        return Lazy(exc.message_id, exc.params)
    return str(exc)


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


class ConversionError(DrafterError):
    """A format conversion (LibreOffice to PDF) is unavailable, failed or took too long; what was written before
    it (the .docx) stays."""

    exit_code = 3

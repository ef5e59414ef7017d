"""One sentence for a fault the service did not turn into a DrafterError: a busy or full database, a full disk,
a file that cannot be written. Never a traceback, never a library's URL (set DRAFTER_DEBUG=1 for those)."""

from __future__ import annotations

import errno
import re

from drafter.i18n import _

_URL = re.compile(r"\s*\(Background on this error at: [^)]*\)|\s*https?://\S+")


def _library_error(exc: BaseException, name: str) -> bool:
    """Whether `exc` is (a subclass of) the class `name` of a database library, without importing it here."""
    return any(c.__name__ == name and c.__module__.split(".")[0] in ("sqlalchemy", "sqlite3", "psycopg")
               for c in type(exc).__mro__)


def _os_sentence(exc: OSError) -> str:
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return _("the disk is full{where}; free some space and try again. What was saved before is kept.", where=where)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return _("permission denied{where}; check the data folder and output path can be written.", where=where)
    return _("a file could not be read or written{where}: {reason}.", where=where, reason=exc.strerror or exc)


def fault_sentence(exc: BaseException) -> str:
    """The one sentence printed for an unexpected `exc`."""
    if isinstance(exc, OSError):
        return _os_sentence(exc)
    first = _URL.sub("", str(exc)).strip().splitlines()[0] if str(exc).strip() else ""
    lowered = first.lower()
    if _library_error(exc, "OperationalError") or _library_error(exc, "DatabaseError"):
        if "locked" in lowered or "busy" in lowered or "could not obtain lock" in lowered:
            return _("the database is busy: another process is writing to it; nothing was changed, "
                     "try again in a moment.")
        if "disk is full" in lowered or "no space" in lowered:
            return _("the disk holding the database is full; nothing was changed, free some space and try again.")
        return _("the database could not be used; nothing was changed (set DRAFTER_DEBUG=1 for details).")
    what = f": {first}" if first else ""
    return _("unexpected error: {kind}{what} (set DRAFTER_DEBUG=1 for details).", kind=type(exc).__name__, what=what)

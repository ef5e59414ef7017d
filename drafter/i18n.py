"""Translation: standard gettext catalogs, one language per user or process.

Catalogs live in `drafter/locale/<lang>/LC_MESSAGES/<domain>.po` (Babel extracts, updates and compiles them;
see the Makefile's `i18n-*` targets). Two domains keep the parts apart: `core` for what the service, checks,
guard and CLI say, `ui` for the browser pages. A compiled `.mo` is used when it is current; otherwise the `.po`
is read directly, so a checkout works before `make i18n-compile`.

Messages are English source strings with named `{placeholders}`:

    _("Draft {draft_id} not found.", draft_id=draft_id)

`N_` only marks a string for extraction (module-level constants, error classes); translate it where it is
shown with `_()`. `lazy()` makes a message that translates itself whenever it is shown (a fragment passed as a
parameter to an error); `english()` renders a message id and its parameters in English for records. The current language is a context variable: a web session or a CLI run sets it once with
`use()` / `set_language()`. English is the default where nothing else is set; a new language needs only a new
catalog folder.
"""

from __future__ import annotations

import gettext as _gettext
import io
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
PROJECT_DIR = Path(__file__).parent.parent
# Calls whose first argument is a message id, besides gettext's own (_, N_, gettext, ngettext): lazy messages
# and every error class (tests/test_i18n_catalogs.py checks each DrafterError subclass is listed here).
EXTRACT_KEYWORDS = (
    "lazy", "lazy_plural:1,2", "DrafterError", "InputError", "NotFoundError", "RefusedError", "ConflictError", "CatalogError",
    "BackendError", "VerificationError", "DatabaseBusyError", "StreamInterrupted", "ConversionError",
)
# The Babel mapping file per domain (which sources each catalog's messages are extracted from).
EXTRACT_CONFIG = {"core": "babel-core.cfg", "ui": "babel.cfg"}
DOMAINS = ("core", "ui")
SOURCE_LANGUAGE = "en"

_current: ContextVar[str | None] = ContextVar("drafter_language", default=None)


def available_languages() -> list[str]:
    """English (the source language) and every language with a catalog folder, in a stable order."""
    found = sorted(
        p.name for p in LOCALE_DIR.iterdir() if p.is_dir() and any((p / "LC_MESSAGES").glob("*.po"))
    ) if LOCALE_DIR.is_dir() else []
    return [SOURCE_LANGUAGE, *[lang for lang in found if lang != SOURCE_LANGUAGE]]


def normalise(tag: str | None) -> str | None:
    """A language tag from anywhere (`zh-CN`, `zh_CN.UTF-8`, `zh-Hans-CN`, `en-GB`, `C`) as a catalog name,
    or None when no catalog serves it."""
    if not tag:
        return None
    base = tag.split(".", 1)[0].split("@", 1)[0].replace("-", "_").strip()
    if not base or base in ("C", "POSIX"):
        return None
    parts = base.split("_")
    lang = parts[0].lower()
    languages = available_languages()
    if lang == "zh":
        # Simplified Chinese serves zh, zh-CN, zh-SG and zh-Hans; Traditional (zh-TW, zh-HK, zh-Hant) has no
        # catalog yet and falls back rather than getting the wrong script.
        rest = {p.lower() for p in parts[1:]}
        if rest & {"tw", "hk", "mo", "hant"}:
            return "zh_TW" if "zh_TW" in languages else None
        return "zh_CN" if "zh_CN" in languages else None
    for candidate in languages:
        if candidate.split("_")[0].lower() == lang:
            return candidate
    return None


def deployment_default() -> str:
    """`DRAFTER_LANGUAGE`, else English."""
    return normalise(os.environ.get("DRAFTER_LANGUAGE")) or SOURCE_LANGUAGE


def process_default() -> str:
    """For a command line: `DRAFTER_LANGUAGE`, then the POSIX locale (LC_ALL, LC_MESSAGES, LANG), then English."""
    if os.environ.get("DRAFTER_LANGUAGE"):
        return deployment_default()
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return normalise(value) or SOURCE_LANGUAGE
    return SOURCE_LANGUAGE


def current() -> str:
    return _current.get() or deployment_default()


def set_language(lang: str | None) -> str:
    """Set the language for the rest of this context (a CLI run, a web session's script run)."""
    chosen = normalise(lang) or deployment_default()
    _current.set(chosen)
    return chosen


@contextmanager
def use(lang: str | None) -> Iterator[str]:
    token = _current.set(normalise(lang) or deployment_default())
    try:
        yield current()
    finally:
        _current.reset(token)


def _load(lang: str, domain: str) -> _gettext.NullTranslations:
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    po, mo = folder / f"{domain}.po", folder / f"{domain}.mo"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fp:
            return _gettext.GNUTranslations(fp)
    if not po.is_file():
        return _gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as fp:
        catalog = read_po(fp, locale=lang, domain=domain)
    buf = io.BytesIO()
    write_mo(buf, catalog)  # fuzzy entries are left out, as msgfmt does
    buf.seek(0)
    return _gettext.GNUTranslations(buf)


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """Every domain's catalog for `lang`, chained: the first that knows a message answers."""
    if lang == SOURCE_LANGUAGE:
        return _gettext.NullTranslations()
    chain: _gettext.NullTranslations | None = None
    for domain in DOMAINS:
        t = _load(lang, domain)
        if chain is None:
            chain = t
        else:
            chain.add_fallback(t)
    return chain or _gettext.NullTranslations()


def format_message(text: str, params: dict[str, object]) -> str:
    if not params:
        return text
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


def gettext(message: str, /, **params: object) -> str:
    """`message` in the current language, with `{name}` placeholders filled from `params`."""
    translated = translations(current()).gettext(message) if message else message
    if not params:
        return translated
    try:
        return translated.format(**params)
    except (KeyError, IndexError, ValueError):
        # A translation with a broken placeholder must not hide the message: say it in English instead.
        return format_message(message, params)


def ngettext(singular: str, plural: str, n: int, /, **params: object) -> str:
    """The singular or plural form for `n` (`{n}` is available as a placeholder)."""
    translated = translations(current()).ngettext(singular, plural, n)
    return format_message(translated, {"n": n, **params})


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Marks `message` for extraction without translating it now."""
    return message


class Lazy(str):
    """A message translated when it is shown, not when it is made. As a string it *is* the English sentence
    (compare it, search it, store it, dump it as JSON: all English); `str()`, `print` and f-strings give it in
    the current language. Pass one as a parameter to an error or a finding (`where=lazy("the prompt")`) and
    the whole sentence is said in the reader's language."""

    message_id: str
    params: dict[str, object]

    def __new__(cls, message_id: str, params: dict[str, object]) -> Lazy:
        self = super().__new__(cls, english(message_id, params))
        self.message_id = message_id
        self.params = params
        return self

    def __str__(self) -> str:
        return gettext(self.message_id, **self.params)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __repr__(self) -> str:
        return f"lazy({self.message_id!r})"

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.message_id, self.params))


def lazy(message: str, /, **params: object) -> Lazy:
    """`message` (marked for extraction), translated each time it is shown."""
    return Lazy(message, params)


class LazyPlural(Lazy):
    """The singular or plural form for `n`, chosen and translated when shown."""

    plural: str
    n: int

    def __new__(cls, singular: str, plural: str, n: int, params: dict[str, object]) -> LazyPlural:
        token = _current.set(SOURCE_LANGUAGE)
        try:
            text = ngettext(singular, plural, n, **params)
        finally:
            _current.reset(token)
        self = str.__new__(cls, text)
        self.message_id, self.plural, self.n, self.params = singular, plural, n, params
        return self

    def __str__(self) -> str:
        return ngettext(self.message_id, self.plural, self.n, **self.params)

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.message_id, self.plural, self.n, self.params))


class LazyJoin(Lazy):
    """Several messages as one list, joined when shown ("a; b" in English, "a；b" in Chinese)."""

    items: tuple[object, ...]

    def __new__(cls, items: list[object]) -> LazyJoin:
        self = str.__new__(cls, "; ".join(english_text(i) for i in items))
        self.message_id, self.params, self.items = "", {}, tuple(items)
        return self

    def __str__(self) -> str:
        return gettext("; ").join(str(i) for i in self.items)

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (list(self.items),))


def lazy_join(items: list[object]) -> LazyJoin:
    """A list of messages (`lazy` or plain text) as one, each said in the reader's language when shown."""
    return LazyJoin(items)


def lazy_plural(singular: str, plural: str, n: int, /, **params: object) -> LazyPlural:
    """`lazy` with a plural form: `lazy_plural("after {n} attempt", "after {n} attempts", 3)`."""
    return LazyPlural(singular, plural, n, params)


def english(message: str, params: dict[str, object] | None = None) -> str:
    """The message in the source language, nested lazy parameters and errors included: for logs and records."""
    token = _current.set(SOURCE_LANGUAGE)
    try:
        return format_message(message, params or {})
    finally:
        _current.reset(token)


def english_text(text: object) -> str:
    """Any text (a plain string, a lazy message) in English."""
    if isinstance(text, Lazy):
        return str.__str__(text)  # its English content
    return "" if text is None else str(text)


def message_id(text: object) -> str | None:
    """The gettext id of a lazy message (None for plain text, which is shown as it is)."""
    return text.message_id if isinstance(text, Lazy) and text.message_id and type(text) is Lazy else None


def to_data(value: object) -> object:
    """A parameter as JSON data: nested lazy messages keep their id (`{"$message": id, "params": {...}}`),
    anything that is not a number, text, truth value or None becomes its English text."""
    if isinstance(value, Lazy) and type(value) is not Lazy:
        return english_text(value)  # plural and list forms are stored as their English text
    if isinstance(value, Lazy):
        return {"$message": value.message_id, "params": message_params(value)}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return english_text(value)


def message_params(text: object) -> dict[str, object]:
    """The parameters of a lazy message as JSON data (empty for plain text)."""
    if type(text) is not Lazy:
        return {}
    return {name: to_data(value) for name, value in text.params.items()}


def from_data(params: dict[str, object]) -> dict[str, object]:
    """Stored parameters back as values to format, nested messages as lazy ones again."""
    def value(v: object) -> object:
        if isinstance(v, dict) and isinstance(v.get("$message"), str):
            nested = v.get("params")
            return Lazy(v["$message"], from_data(nested) if isinstance(nested, dict) else {})
        return v

    return {name: value(v) for name, v in params.items()}


def stored_text(message_id: str | None, params: dict[str, object], fallback: str) -> str:
    """A stored message (id and JSON parameters) in the current language; `fallback` when it has no id."""
    return gettext(message_id, **from_data(params)) if message_id else fallback


def placeholders(message: str) -> set[str]:
    """The `{names}` a message fills (conversions and format specs left out)."""
    import string

    try:
        return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(message) if name}
    except ValueError:
        return set()


_ = gettext


def date_text(value: object, lang: str | None = None) -> str:
    """A date the way the language writes it: 3 March 2026, 2026年3月3日."""
    import datetime as _dt

    from babel.dates import format_date

    if not isinstance(value, _dt.date):
        return str(value)
    lang = lang or current()
    return format_date(value, format="long", locale="zh_CN" if lang.startswith("zh") else "en_GB")


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def size_text(text: str) -> str:
    """How long a text is, the way its language counts: Chinese in characters (汉字, not words), other text in
    words. "142 words", "1,234 characters" / "1,234 字". Chinese counts Han characters only (not punctuation,
    digits or Latin words), so a mostly Chinese text is measured the way its reader would."""
    han = len(_CJK.findall(text))
    words = len([w for w in _WORD.findall(_CJK.sub(" ", text))])
    if han and han >= words:
        return ngettext("{n} character", "{n} characters", han, n=format(han, ","))
    return ngettext("{n} word", "{n} words", words, n=format(words, ","))


def coverage() -> dict[str, dict[str, tuple[int, list[str]]]]:
    """Per language and domain: (message ids in the .pot template, those without a usable translation)."""
    from babel.messages.pofile import read_po

    result: dict[str, dict[str, tuple[int, list[str]]]] = {}
    for lang in available_languages()[1:]:
        result[lang] = {}
        for domain in DOMAINS:
            pot = LOCALE_DIR / f"{domain}.pot"
            po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"
            with pot.open("rb") as fp:
                wanted = [m for m in read_po(fp) if m.id]
            translated: dict[object, object] = {}
            if po.is_file():
                with po.open("rb") as fp:
                    translated = {
                        m.id: m.string for m in read_po(fp, locale=lang) if m.id and not m.fuzzy
                        and (all(m.string) if isinstance(m.string, tuple) else m.string)
                    }
            missing = [m.id if isinstance(m.id, str) else m.id[0] for m in wanted if m.id not in translated]
            result[lang][domain] = (len(wanted), missing)
    return result


def extract(domain: str, output: Path, source_dir: Path = PROJECT_DIR) -> None:
    """Write the `.pot` template of `domain` from the sources, as `make i18n-extract` does (pybabel extract)."""
    from babel.messages.frontend import CommandLineInterface

    keywords = [arg for k in EXTRACT_KEYWORDS for arg in ("-k", k)]
    CommandLineInterface().run([
        "pybabel", "--quiet", "extract", "-F", str(source_dir / EXTRACT_CONFIG[domain]), *keywords,
        "--no-location", "--sort-output", "--omit-header", "-o", str(output), str(source_dir),
    ])


def main(argv: list[str] | None = None) -> int:
    """`python -m drafter.i18n --coverage`: how much of each catalog is translated (exit 1 if any is missing).
    `--extract`: rewrite drafter/locale/<domain>.pot from the sources."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if args == ["--extract"]:
        for domain in DOMAINS:
            extract(domain, LOCALE_DIR / f"{domain}.pot")
        return 0
    if args != ["--coverage"]:
        print("usage: python -m drafter.i18n --coverage | --extract", file=sys.stderr)
        return 2
    incomplete = False
    for lang, domains in coverage().items():
        for domain, (total, missing) in domains.items():
            done = total - len(missing)
            share = 100.0 * done / total if total else 100.0
            print(f"{lang} {domain}: {done}/{total} messages translated ({share:.0f}%)")
            for msgid in missing[:10]:
                print(f"  missing: {msgid}")
            incomplete = incomplete or bool(missing)
    return 1 if incomplete else 0


if __name__ == "__main__":
    raise SystemExit(main())

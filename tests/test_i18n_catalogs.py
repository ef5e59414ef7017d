"""The catalogs are complete and current: every message the code can say is in the .pot template (extracted
afresh with Babel), every template id has a Chinese translation, and each translation fills the same
placeholders. Errors are raised with a literal message id, so extraction can never miss one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from drafter import i18n

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = [lang for lang in i18n.available_languages() if lang != i18n.SOURCE_LANGUAGE]


def _sources() -> dict[Path, ast.Module]:
    files = [*sorted((ROOT / "drafter").rglob("*.py")), ROOT / "streamlit_app.py"]
    return {p: ast.parse(p.read_text(encoding="utf-8"), str(p)) for p in files if p.is_file()}


def _error_classes(trees: dict[Path, ast.Module], seed: frozenset[str] = frozenset({"DrafterError"})) -> set[str]:
    """DrafterError and every class that derives from it, anywhere in the package (found by name)."""
    names = set(seed)
    grew = True
    while grew:
        grew = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names:
                    bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", None) for b in node.bases}
                    if bases & names:
                        names.add(node.name)
                        grew = True
    return names


def _called_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _non_literal_messages(trees: dict[Path, ast.Module], names: set[str]) -> list[str]:
    bad = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _called_name(node) not in names:
                continue
            if not node.args and not node.keywords:
                continue  # an error with no message at all
            first = node.args[0] if node.args else None
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                shown = ast.unparse(first) if first is not None else "(no positional message)"
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno}: {_called_name(node)}({shown[:80]}…)")
    return bad


def test_errors_are_raised_with_a_literal_message_id() -> None:
    trees = _sources()
    names = _error_classes(trees)
    assert {"InputError", "RefusedError", "DatabaseBusyError", "StreamInterrupted"} <= names
    assert _non_literal_messages(trees, names) == []


def test_every_error_class_and_lazy_are_extraction_keywords() -> None:
    assert _error_classes(_sources()) - set(i18n.EXTRACT_KEYWORDS) == set()
    assert "lazy" in i18n.EXTRACT_KEYWORDS


def test_the_literal_check_catches_each_way_of_building_a_message() -> None:
    """The check above must fail on an f-string, a concatenation, a variable and a call."""
    code = '''
class LocalError(InputError):
    pass
raise InputError(f"Draft {draft_id} is gone.")
raise RefusedError("Draft " + draft_id)
raise NotFoundError(message)
raise LocalError(describe(x))
raise InputError("Fine {x}.", x=1)
'''
    trees = {ROOT / "drafter" / "example.py": ast.parse(code)}
    bad = _non_literal_messages(trees, _error_classes(trees, frozenset({"InputError", "RefusedError", "NotFoundError"})))
    assert [line.split(":")[1] for line in bad] == ["4", "5", "6", "7"]


def _read(path: Path, locale: str | None = None) -> dict[object, Message]:
    with path.open("rb") as fp:
        return {m.id: m for m in read_po(fp, locale=locale) if m.id}


def _text(msgid: object) -> str:
    return msgid if isinstance(msgid, str) else str(msgid[0])  # type: ignore[index]


@pytest.mark.parametrize("domain", i18n.DOMAINS)
def test_pot_template_is_current_with_the_code(domain: str, tmp_path: Path) -> None:
    fresh = tmp_path / f"{domain}.pot"
    i18n.extract(domain, fresh)
    extracted = set(_read(fresh)) if fresh.stat().st_size else set()
    committed_path = i18n.LOCALE_DIR / f"{domain}.pot"
    committed = set(_read(committed_path)) if committed_path.stat().st_size else set()
    missing = sorted(_text(m) for m in extracted - committed)
    stale = sorted(_text(m) for m in committed - extracted)
    assert missing == [], f"run `make i18n-update`: {len(missing)} message(s) missing from {domain}.pot"
    assert stale == [], f"run `make i18n-update`: {len(stale)} message(s) in {domain}.pot no longer in the code"


@pytest.mark.parametrize("lang", TRANSLATED)
@pytest.mark.parametrize("domain", i18n.DOMAINS)
def test_every_message_has_a_translation(lang: str, domain: str) -> None:
    total, missing = i18n.coverage()[lang][domain]
    assert missing == [], f"{lang} {domain}: {len(missing)} of {total} message(s) untranslated or fuzzy"


@pytest.mark.parametrize("lang", TRANSLATED)
@pytest.mark.parametrize("domain", i18n.DOMAINS)
def test_translations_keep_the_placeholders_of_their_id(lang: str, domain: str) -> None:
    po = i18n.LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"
    if not po.is_file():
        pytest.skip(f"no {domain} catalog for {lang}")
    wrong = []
    for message in _read(po, lang).values():
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set().union(*(i18n.placeholders(str(i)) for i in ids))
        for string in strings:
            if string and i18n.placeholders(str(string)) != wanted:
                wrong.append(f"{_text(message.id)!r} -> {string!r}")
    assert wrong == []


def test_placeholders_are_read_with_their_conversions_and_specs() -> None:
    assert i18n.placeholders("Source {name!r} is {size_mb:.1f} MB; {{literal}}") == {"name", "size_mb"}
    assert i18n.placeholders("不匹配 {oops") == set()


def test_coverage_report_runs_and_names_each_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    code = i18n.main(["--coverage"])
    out = capsys.readouterr().out
    for lang in TRANSLATED:
        for domain in i18n.DOMAINS:
            assert f"{lang} {domain}: " in out
    assert code == (0 if all(not m for d in i18n.coverage().values() for _, m in d.values()) else 1)

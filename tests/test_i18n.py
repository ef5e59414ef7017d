"""The translation core: language tags, fallbacks, placeholders and errors shown in the reader's language."""

from __future__ import annotations

import gettext as std_gettext

import pytest

from drafter import i18n
from drafter.errors import NotFoundError


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("zh-CN", "zh_CN"),
        ("zh_CN.UTF-8", "zh_CN"),
        ("zh-Hans-CN", "zh_CN"),
        ("zh", "zh_CN"),
        ("zh-TW", None),  # Traditional Chinese has no catalog: never shown Simplified by accident
        ("en-GB", "en"),
        ("en_US.UTF-8", "en"),
        ("C", None),
        ("", None),
        ("fr-FR", None),
    ],
)
def test_language_tags_map_to_catalogs(tag: str, expected: str | None) -> None:
    assert i18n.normalise(tag) == expected


def test_process_default_follows_drafter_language_then_posix_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("DRAFTER_LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    assert i18n.process_default() == "en"
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.process_default() == "zh_CN"
    monkeypatch.setenv("DRAFTER_LANGUAGE", "en")
    assert i18n.process_default() == "en"


def _catalog(mapping: dict[str, str]) -> std_gettext.NullTranslations:
    class Fixed(std_gettext.NullTranslations):
        def gettext(self, message: str) -> str:
            return mapping.get(message, message)

    return Fixed()


def test_placeholders_are_filled_and_a_broken_translation_falls_back_to_english(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = _catalog({"No draft {draft_id}.": "没有草稿 {draft_id}。", "Broken {x}.": "坏了 {y}。"})
    monkeypatch.setattr(i18n, "translations", lambda lang: fake if lang == "zh_CN" else _catalog({}))
    with i18n.use("zh_CN"):
        assert i18n.gettext("No draft {draft_id}.", draft_id="d1") == "没有草稿 d1。"
        assert i18n.gettext("Broken {x}.", x=1) == "Broken 1."
        error = NotFoundError("No draft {draft_id}.", draft_id="d1")
        assert str(error) == "没有草稿 d1。"
        assert error.english == "No draft d1."
    assert str(error) == "No draft d1."


def test_user_text_with_braces_is_not_formatted_without_parameters() -> None:
    assert str(NotFoundError("Field {name} is {odd")) == "Field {name} is {odd"


def test_dates_are_written_per_language() -> None:
    import datetime as dt

    assert i18n.date_text(dt.date(2026, 3, 3), "zh_CN") == "2026年3月3日"
    assert i18n.date_text(dt.date(2026, 3, 3), "en") == "3 March 2026"

"""The catalogues: every message the code marks has its Chinese translation, compiled."""

from __future__ import annotations

import pytest

from lifecycle.i18n import _, format_message, language, translations, use_language
from lifecycle.i18n.catalogue import problems


def test_every_marked_message_has_a_chinese_translation_and_every_mo_file_is_compiled_from_its_po() -> None:
    missing = list(problems())
    assert not missing, "run `python -m lifecycle.i18n.catalogue` and translate:\n" + "\n".join(missing)


def test_a_message_reads_in_chinese_when_lifecycle_lang_is_zh_and_in_english_otherwise(monkeypatch) -> None:
    message = "--set {item}: write it as KEY=VALUE, e.g. --set grade=pass"
    monkeypatch.setenv("LIFECYCLE_LANG", "zh")
    assert language() == "zh"
    assert "请写成" in format_message(message, {"item": "'x'"})
    monkeypatch.setenv("LIFECYCLE_LANG", "en")
    assert _(message) == message


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LIFECYCLE_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_the_language_comes_from_lifecycle_lang_else_the_locale_else_english(
    monkeypatch, environment, expected
) -> None:
    for name in ("LIFECYCLE_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert language() == expected


def test_a_language_chosen_on_the_command_line_wins_until_it_is_cleared(monkeypatch) -> None:
    monkeypatch.setenv("LIFECYCLE_LANG", "en")
    use_language("zh")
    try:
        assert language() == "zh"
    finally:
        use_language(None)
    assert language() == "en"
    with pytest.raises(ValueError, match="use zh or en"):
        use_language("fr")


def test_the_chinese_catalogue_is_found_in_the_installed_package() -> None:
    # a .mo file missing from the package data would silently give English
    assert translations("zh").gettext("--set {item}: write it as KEY=VALUE, e.g. --set grade=pass") != (
        "--set {item}: write it as KEY=VALUE, e.g. --set grade=pass"
    )

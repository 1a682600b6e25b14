"""The language the terminal UI speaks to this user (lifecycle.i18n decides it for the whole
product: LIFECYCLE_LANG, else the locale, else English)."""

from __future__ import annotations

from lifecycle.i18n import LANGUAGES, language


def current_language() -> str:
    return language()


__all__ = ["LANGUAGES", "current_language"]

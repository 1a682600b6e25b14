"""The language of what the product writes for people (reports, calendars): Chinese or English,
as lifecycle.i18n decides it for the whole product (LIFECYCLE_LANG, else the locale, else
English). JSON keys and codes never depend on it."""

from __future__ import annotations

from lifecycle.i18n import LANGUAGES, chinese, language

__all__ = ["LANGUAGES", "chinese", "language"]

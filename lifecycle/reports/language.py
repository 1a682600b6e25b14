"""The language of what the product writes for people (reports, calendars): Chinese or English,
as lifecycle.i18n decides it for the whole product (LIFECYCLE_LANG, else the locale, else
English), or as a report's `--lang` says. JSON keys and codes never depend on it.

A report's words are in the gettext catalogue `reports`
(lifecycle/i18n/locale/zh/LC_MESSAGES/reports.po). `_` here reads that catalogue first, so that a
heading means what the report means by it even where the CLI's or the TUI's catalogue
translates the same English words otherwise ("Decisions": 决定与状态变化 in a case history).
"""

from __future__ import annotations

from lifecycle.i18n import LANGUAGES, N_, chinese, language, part

__all__ = ["LANGUAGES", "N_", "_", "chinese", "language"]

#: `message` in `lang` (default: the product's language), from the reports' catalogue first.
_ = part("reports")

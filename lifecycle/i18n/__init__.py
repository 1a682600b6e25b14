"""Messages in the office's language: Simplified Chinese or English, from gettext catalogues.

The English text is the message id, written in the code as `_("…")` (translated where it is
shown) or `N_("…")` (marked where it is defined, translated later: the domain's refusal reasons
are built without I/O and shown by the CLI and the TUI). The catalogues are
`lifecycle/i18n/locale/zh/LC_MESSAGES/<domain>.po`, one per part of the product (see
`lifecycle.i18n.catalogue.DOMAINS`), compiled to `.mo` files that ship with the package and are
read with the standard library's `gettext`. `python -m lifecycle.i18n.catalogue` (Babel)
extracts the messages, updates the `.po` files and compiles them; a test fails when a message
has no Chinese translation or a `.mo` file is stale.

The language: `LIFECYCLE_LANG` (`zh` or `en`), else the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`:
`zh_*` is Chinese), else English. JSON keys and codes never depend on it.

Messages with values use named fields, `_("case {case} is {state}").format(case=…, state=…)`,
so a translation may put them in its own order.
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("zh", "en")
LOCALE_DIR = Path(__file__).parent / "locale"
#: The gettext domains, one catalogue each; kept here (not in catalogue.py, which needs Babel)
#: because the runtime loads them all into one chain.
DOMAIN_NAMES = ("domain", "cli", "tui", "reports")

_chosen: list[str] = []


def language() -> str:
    """`zh` or `en`: the language set by `use_language`, else LIFECYCLE_LANG, else the locale."""
    if _chosen:
        return _chosen[-1]
    chosen = os.environ.get("LIFECYCLE_LANG", "").strip().lower()
    if chosen.startswith("zh"):
        return "zh"
    if chosen.startswith("en"):
        return "en"
    # POSIX precedence: LC_ALL overrides LC_MESSAGES, which overrides LANG.
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "").strip()
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def use_language(lang: str | None) -> None:
    """Speak `lang` from now on in this process (a `--lang` option); None goes back to the
    environment's choice."""
    _chosen.clear()
    if lang is not None:
        if lang not in LANGUAGES:
            raise ValueError(f"language {lang!r}: use zh or en")
        _chosen.append(lang)


def chinese() -> bool:
    return language() == "zh"


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """Every domain's catalogue of `lang`, chained; English is the message ids themselves."""
    chain: _gettext.NullTranslations = _gettext.NullTranslations()
    if lang == "en":
        return chain
    first: _gettext.NullTranslations | None = None
    for domain in DOMAIN_NAMES:
        found = _gettext.translation(domain, LOCALE_DIR, languages=[lang], fallback=True)
        if isinstance(found, _gettext.GNUTranslations):
            if first is None:
                first = found
            else:
                first.add_fallback(found)
    return first or chain


@cache
def _part_translations(lang: str, part: str) -> _gettext.NullTranslations:
    """`part`'s catalogue first, then the others: a word the TUI or a report translates its own
    way (a column heading, say) is not overridden by the CLI's translation of the same word."""
    if lang == "en":
        return _gettext.NullTranslations()
    first = _gettext.translation(part, LOCALE_DIR, languages=[lang], fallback=True)
    first.add_fallback(translations(lang))
    return first


def part(name: str) -> Callable[..., str]:
    """The `_` of one part of the product (`tui`, `reports`): its own catalogue first."""

    def translate(message: str, lang: str | None = None) -> str:
        return _part_translations(lang or language(), name).gettext(message) if message else message

    return translate


def _(message: str, lang: str | None = None) -> str:
    """`message` in the current language (or `lang`). An empty message stays empty (gettext
    would answer the catalogue's header)."""
    if not message:
        return message
    return translations(lang or language()).gettext(message)


def ngettext(singular: str, plural: str, count: int, lang: str | None = None) -> str:
    return translations(lang or language()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks `message` for the catalogue without translating it now."""
    return message


def format_message(template: str, params: dict[str, Any] | None = None, lang: str | None = None) -> str:
    """A message defined with `N_` and named fields, translated and filled in."""
    text = _(template, lang)
    return text.format(**params) if params else text


def reason_text(reason: Any, lang: str | None = None) -> str:
    """A refusal reason (`lifecycle.domain.reasons.Reason`) with its clause, in the current
    language: its message id translated, the definition's names by their labels."""
    chosen = lang or language()
    return str(reason.text(chosen, lambda message: _(message, chosen)))


def reason_message(reason: Any, lang: str | None = None) -> str:
    """A refusal reason's message alone (without its clause), in the current language."""
    chosen = lang or language()
    return str(reason.message_in(chosen, lambda message: _(message, chosen)))


def error_text(error: BaseException, lang: str | None = None) -> str:
    """An error's message in the current language: a `LifecycleError` built from a message id
    and values is translated; any other error is shown as it reads."""
    chosen = lang or language()
    text = getattr(error, "text", None)
    if callable(text):
        return str(text(chosen, lambda message: _(message, chosen)))
    return str(error)


def action_text(error: Any, lang: str | None = None) -> str:
    """What a `Refused` error refused, in the current language."""
    chosen = lang or language()
    return str(error.action_text(chosen, lambda message: _(message, chosen)))

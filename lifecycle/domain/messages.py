"""Marking the domain's messages for translation without translating them here.

The domain does no I/O, so it cannot read the catalogues (lifecycle.i18n does): a refusal
reason is built from an English message id marked with `N_` and its named values, and the CLI
and the TUI translate it when they show it (`Reason.text(lang, translate)`, or
`lifecycle.i18n.reason_text`).

A value in a message that the definition names in both languages (a state, a field, a trigger,
a ground, a criterion) is a `Term`: English where the message is English, its `zh` label where
it is Chinese. A list of them is a `Terms` ("a or b" / "甲或乙").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any


def N_(message: str) -> str:
    """Marks `message` for the catalogue (Babel extracts `N_("…")`); returns it unchanged."""
    return message


@dataclass(frozen=True)
class Term:
    """A name the definition gives in English (as the English message shows it) and in Chinese."""

    en: str
    zh: str | None = None

    def text(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" and self.zh else self.en

    def __str__(self) -> str:
        return self.en


#: How a list reads: English separator, Chinese separator.
JOINERS = {"or": (" or ", "或"), "and": (", ", "、"), "comma": (", ", "、")}


@dataclass(frozen=True)
class Terms:
    """Several names, joined as the language joins them."""

    items: tuple[Any, ...]
    joiner: str = "or"

    def text(self, lang: str = "en", translate: Callable[[str], str] | None = None) -> str:
        en, zh = JOINERS[self.joiner]
        return (zh if lang == "zh" else en).join(shown(item, lang, translate) for item in self.items)

    def __str__(self) -> str:
        return self.text("en")


def terms(items: Iterable[Any], joiner: str = "or") -> Terms:
    return Terms(tuple(items), joiner)


@dataclass(frozen=True)
class Message:
    """A message inside a message (a value's problem inside a refusal): its id and values."""

    template: str
    params: tuple[tuple[str, Any], ...] = ()

    def text(self, lang: str = "en", translate: Callable[[str], str] | None = None) -> str:
        return render(self.template, dict(self.params), lang, translate if lang != "en" else None)

    def __str__(self) -> str:
        return self.text("en")


def message(template: str, params: Mapping[str, Any] | None = None) -> Message:
    return Message(template, tuple((params or {}).items()))


def shown(value: Any, lang: str = "en", translate: Callable[[str], str] | None = None) -> str:
    """A message's value as the language shows it."""
    if isinstance(value, Message):
        return value.text(lang, translate)
    if isinstance(value, Term | Terms):
        return value.text(lang, translate) if isinstance(value, Terms) else value.text(lang)
    return str(value)


def render(
    template: str,
    params: Mapping[str, Any] | None = None,
    lang: str = "en",
    translate: Callable[[str], str] | None = None,
) -> str:
    """`template` translated (when `translate` is given) and filled in with `params`."""
    text = translate(template) if translate else template
    if not params:
        return text
    return text.format(**{name: shown(value, lang, translate) for name, value in params.items()})


def field_label(zh: str) -> str:
    """A field's `zh` label without the choices some labels list in brackets:
    `场景(智慧农场/智能港口/…)` → `场景`."""
    for bracket in ("(", "（"):
        head, found, _rest = zh.partition(bracket)
        if found and head.strip():
            zh = head
    return zh.strip()


def day_term(day: Any) -> Term | str:
    """A date in a message: ISO in English, 2024年10月1日 in Chinese; None reads as itself."""
    if day is None or not hasattr(day, "isoformat"):
        return str(day)
    return Term(day.isoformat(), f"{day.year}年{day.month}月{day.day}日")

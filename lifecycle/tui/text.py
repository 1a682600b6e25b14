"""Text for the screens. Whatever users typed (names, reasons, fields) is shown literally:
it goes into `Text` objects, never into markup, so `[red]x[/red]` in a name stays as typed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text

from lifecycle.domain.characters import printable
from lifecycle.domain.reasons import Reason
from lifecycle.i18n import chinese


def literal(value: Any, style: str = "") -> Text:
    """Stored text as it reads, with any control or format character escaped (`\x1b`): an
    ESC sequence in a name stored before such names were refused must not reach the terminal."""
    return Text("" if value is None else printable(str(value)), style=style)


def joined(*parts: str | Text | tuple[str, str]) -> Text:
    """`Text.assemble`, where plain strings are literal text too (never markup), escaped."""
    return Text.assemble(
        *(
            printable(part, keep_newlines=True)
            if isinstance(part, str)
            else (printable(part[0], keep_newlines=True), part[1])
            if isinstance(part, tuple)
            else part
            for part in parts
        )
    )


def reasons_text(reasons: Iterable[Reason | dict[str, Any]], bullet: str = "  • ") -> Text:
    """Every reason with its clause, one a line, as the CLI prints them."""
    out = Text()
    for reason in reasons:
        line = reason.text() if isinstance(reason, Reason) else _reason_line(reason)
        if out:
            out.append("\n")
        out.append(bullet)
        out.append(printable(line, keep_newlines=True))
    return out


def _reason_line(data: dict[str, Any]) -> str:
    return Reason(data["code"], data["message"], data.get("clause"), bool(data.get("default"))).text()


def named(zh: str | None, en: str | None) -> str:
    """A state, trigger or field as the definition names it: in Chinese mode its Chinese label,
    otherwise both names (国家认定 designated)."""
    if chinese() and zh:
        return zh
    return " ".join(part for part in (zh, en) if part)


def named_text(zh: str | None, en: str | None, style: str = "bold") -> Text:
    """`named`, the Chinese label in `style` and the English one plain."""
    if chinese() and zh:
        return Text(printable(zh), style=style)
    return joined((zh or "", style), " " if zh and en else "", en or "")


def state_label(zh: str, en: str, code: str) -> Text:
    return joined((zh, "bold"), " ", en, (f" ({code})", "dim") if en != code else "")

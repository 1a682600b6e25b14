"""Text for the screens. Whatever users typed (names, reasons, fields) is shown literally:
it goes into `Text` objects, never into markup, so `[red]x[/red]` in a name stays as typed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text

from lifecycle.domain.characters import printable
from lifecycle.domain.reasons import Reason


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


def state_label(zh: str, en: str, code: str) -> Text:
    return joined((zh, "bold"), " ", en, (f" ({code})", "dim") if en != code else "")

"""What every command shares: the database option, parsing `--set` and dates, output.

Kept free of heavy imports: `lifecycle --help` must start in well under 150 ms,
so services, SQLAlchemy and rich tables are imported inside the commands.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lifecycle.domain.messages import N_

if TYPE_CHECKING:
    from lifecycle.services.app import Lifecycle

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL or SQLite path (default: LIFECYCLE_DB, else sqlite:///lifecycle.db).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON only, on stdout.")]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set", help="A field or parameter, KEY=VALUE (repeatable): grade=pass, rd_ratio_3y=12%.", show_default=False
    ),
]
OfficeOption = Annotated[
    str | None, typer.Option("--office", help="Office code (see `lifecycle offices list`).", show_default=False)
]
OnOption = Annotated[
    str | None,
    typer.Option("--on", help="Effective date YYYY-MM-DD (default: today in China Standard Time).", show_default=False),
]

#: The largest id or count a database column holds (a signed 64-bit integer): beyond it a
#: number on the command line is a usage error naming it, not an OverflowError.
MAX_ID = 2**63 - 1


def whole_number(what: str, lowest: int = 1, highest: int = MAX_ID) -> Any:
    """A parser for an id or count on the command line: a usage error naming the value when it
    is not a whole number from `lowest` to `highest`."""

    def parse(text: str | int) -> int:
        written = str(text).strip()
        if not written.isascii() or not written.lstrip("+-").isdigit():
            raise typer.BadParameter(f"{what} {written!r} is not a whole number")
        value = int(written)
        if not lowest <= value <= highest:
            raise typer.BadParameter(f"{what} {written} is out of range: from {lowest} to {highest}")
        return value

    return parse


CaseId = Annotated[int, typer.Argument(help="Case id.", parser=whole_number("case id"), show_default=False)]

STATE: dict[str, Any] = {}


def application(db: str | None) -> Lifecycle:
    from lifecycle.services.app import Lifecycle

    STATE["db_used"] = db or STATE.get("db")
    return Lifecycle(db or STATE.get("db"), STATE.get("programmes"), viewer=STATE.get("as"))


def acting(explicit: str | None = None) -> str:
    from lifecycle.services.users import acting_user

    return acting_user(explicit or STATE.get("as"))


def parse_day(text: str | None, option: str = "--on") -> date:
    from lifecycle.domain.dates import parse_date
    from lifecycle.errors import UsageError
    from lifecycle.services.clock import today

    if text is None:
        return today()
    try:
        return parse_date(text)
    except ValueError as error:
        term = getattr(error, "term", None)
        raise UsageError(N_("{option}: {error}"), {"option": option, "error": term() if term else error}) from None


def parse_sets(items: list[str] | None) -> dict[str, str]:
    from lifecycle.errors import UsageError
    from lifecycle.i18n import _

    values: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(_("--set {item}: write it as KEY=VALUE, e.g. --set grade=pass").format(item=repr(item)))
        values[key.strip()] = value
    return values


#: A JSON document being streamed on stdout (`lifecycle comply --json`): an error printed while
#: it is open is written into it, as its last keys, so stdout stays one JSON document.
OPEN_JSON_DOCUMENT: list[Any] = []


def print_json(data: Any) -> None:
    """JSON on stdout; a service's typed result (or a list of them) as its `to_json()`; the hidden
    characters JSON leaves raw (C1, bidi, zero-width) escaped."""
    from lifecycle.domain.characters import json_safe

    if OPEN_JSON_DOCUMENT and isinstance(data, dict):
        OPEN_JSON_DOCUMENT.pop().close(data)
        return
    if isinstance(data, list):
        data = [item.to_json() if hasattr(item, "to_json") else item for item in data]
    elif hasattr(data, "to_json"):
        data = data.to_json()
    sys.stdout.write(json_safe(json.dumps(data, ensure_ascii=False, indent=2, default=str)) + "\n")


def console() -> Any:
    return _safe_console()(highlight=False)


def error_console() -> Any:
    return _safe_console()(stderr=True, highlight=False, soft_wrap=True)


_CONSOLE: list[Any] = []


def _safe_console() -> Any:
    """rich's Console, but any control or format character inside printed text (ESC, C1,
    CR, bidi overrides, zero-width characters: from names and reasons stored before they were
    refused, or from a driver's message) comes out escaped as `\x1b`, `\u202e` — only the
    console's own styling reaches the terminal as escape sequences."""
    if not _CONSOLE:
        from rich.console import Console
        from rich.segment import Segment

        from lifecycle.domain.characters import printable

        class SafeConsole(Console):
            def _render_buffer(self, buffer: Any) -> str:
                return super()._render_buffer(
                    segment
                    if segment.control
                    else Segment(printable(segment.text, keep_newlines=True), segment.style, segment.control)
                    for segment in buffer
                )

        _CONSOLE.append(SafeConsole)
    return _CONSOLE[0]


class Labels:
    """How a text view names a programme's states, triggers and fields: by their `zh` labels
    from the definition in Chinese, by their codes in English (JSON always uses the codes)."""

    def __init__(self, definition: Any, chinese: bool) -> None:
        self.definition = definition
        self.chinese = chinese and definition is not None

    def state(self, name: str | None) -> str:
        if not name or not self.chinese:
            return name or ""
        found = self.definition.states.get(name)
        return found.zh if found is not None else name

    def trigger(self, name: str) -> str:
        if not self.chinese:
            return name
        found = self.definition.triggers.get(name)
        return found.zh if found is not None and found.zh else name

    def field(self, name: str) -> str:
        if not self.chinese:
            return name
        from lifecycle.domain.messages import field_label

        found = self.definition.fields.get(name)
        return field_label(found.zh) if found is not None and found.zh else name


def labels(app: Lifecycle | None, code: str | None) -> Labels:
    """The labels of programme `code` in the current language (codes in English)."""
    from lifecycle.i18n import chinese

    if not chinese() or app is None or not code:
        return Labels(None, False)
    try:
        return Labels(app.catalogue.current(code).definition, True)
    except Exception:  # an unknown or broken definition: show the codes
        return Labels(None, False)


def show_day(text: str | None) -> str:
    """A date as a text view shows it: 2024年10月1日 in Chinese, ISO in English."""
    from lifecycle.i18n import chinese

    if not text or not chinese():
        return text or ""
    try:
        parsed = date.fromisoformat(str(text)[:10])
    except ValueError:
        return str(text)
    return f"{parsed.year}年{parsed.month}月{parsed.day}日" + str(text)[10:]


def yes_no(value: Any) -> str:
    from lifecycle.i18n import _

    return _("true") if value else _("false")


def clause_text(clause: str | None, default: bool = False, empty: str | None = None) -> str:
    """A clause as a text view shows it, `[default]` (`[默认]`) marking a rule the policy leaves open."""
    from lifecycle.i18n import _

    text = _(clause) if clause else (_("no clause") if empty is None else empty)
    marker = _("[default]")
    return f"{text} {marker}" if default else text


#: Words the text views show from the data (a status, a decision's state, a role): marked here so
#: that the catalogue holds them; `_(word)` translates them where they are shown.
WORDS = (
    N_("open"),
    N_("overdue"),
    N_("fulfilled"),
    N_("reminded"),
    N_("confirmed"),
    N_("dismissed"),
    N_("pending"),
    N_("retry"),
    N_("sending"),
    N_("sent"),
    N_("gave_up"),
    N_("no recipient"),
    N_("met"),
    N_("missed"),
    N_("unknown"),
    N_("admin"),
    N_("auditor"),
    N_("system"),
    N_("added"),
    N_("changed"),
    N_("unchanged"),
    N_("true"),
    N_("false"),
)

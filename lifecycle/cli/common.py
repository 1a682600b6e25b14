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

if TYPE_CHECKING:
    from lifecycle.services.app import Lifecycle

DbOption = Annotated[str | None, typer.Option(
    "--db", help="Database URL or SQLite path (default: LIFECYCLE_DB, else sqlite:///lifecycle.db).",
    show_default=False)]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON only, on stdout.")]
SetOption = Annotated[list[str] | None, typer.Option(
    "--set", help="A field or parameter, KEY=VALUE (repeatable): grade=pass, rd_ratio_3y=12%.",
    show_default=False)]
OfficeOption = Annotated[str | None, typer.Option(
    "--office", help="Office code (see `lifecycle offices list`).", show_default=False)]
OnOption = Annotated[str | None, typer.Option(
    "--on", help="Effective date YYYY-MM-DD (default: today in China Standard Time).",
    show_default=False)]

STATE: dict[str, Any] = {}


def application(db: str | None) -> Lifecycle:
    from lifecycle.services.app import Lifecycle

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
        raise UsageError(f"{option}: {error}") from None


def parse_sets(items: list[str] | None) -> dict[str, str]:
    from lifecycle.errors import UsageError

    values: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set {item!r}: write it as KEY=VALUE, e.g. --set grade=pass")
        values[key.strip()] = value
    return values


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def console() -> Any:
    from rich.console import Console

    return Console(highlight=False)


def error_console() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)

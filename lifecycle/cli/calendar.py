"""`lifecycle calendar`: what falls due, when, for which case, under which clause."""

from typing import Annotated

import typer

from lifecycle.cli.common import DbOption, JsonOption, application, console, parse_day, print_json
from lifecycle.domain.messages import N_

FORMATS = ("table", "json", "csv", "xlsx", "ics")


def calendar_command(
    days: Annotated[int, typer.Option("--days", help="How many days ahead to look.")] = 90,
    programme: Annotated[
        str | None, typer.Option("--programme", help="Only this programme's cases.", show_default=False)
    ] = None,
    format_: Annotated[
        str, typer.Option("--format", help="table, json, csv (UTF-8 with BOM), xlsx or ics (iCalendar).")
    ] = "table",
    output: Annotated[
        str | None,
        typer.Option("--output", help="Write csv, xlsx or ics to this file (default: stdout).", show_default=False),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Look ahead from this day, YYYY-MM-DD (default today).", show_default=False),
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Every upcoming deadline: reports due, evaluations and other dated rules opening, reminder
    reply windows closing, rectification deadlines; each with its case and clause."""
    import sys
    from pathlib import Path

    from lifecycle.errors import UsageError
    from lifecycle.reports.language import chinese
    from lifecycle.services.read_models.calendar import COLUMNS, as_ics, upcoming

    fmt = "json" if json else format_
    if fmt not in FORMATS:
        raise UsageError(
            N_("--format {format}: one of {formats}"), {"format": repr(format_), "formats": ", ".join(FORMATS)}
        )
    app_ = application(db)
    app_.require_schema()
    day = parse_day(as_of, "--as-of")
    rows = upcoming(app_, day, days, programme)
    target = Path(output) if output else None
    if fmt == "json":
        print_json(rows)
    elif fmt in ("csv", "xlsx"):
        from lifecycle.reports.export import export_table

        export_table(COLUMNS, ([r[c] for c in COLUMNS] for r in rows), fmt, output=target, title="calendar")
    elif fmt == "ics":
        data = as_ics(rows, chinese=chinese())
        if target is None:
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
        else:
            from lifecycle.reports.export import check_output

            check_output(target)
            target.write_bytes(data)
    else:
        _table(rows, day, days)


def _table(rows: list[dict[str, object]], day: object, days: int) -> None:
    from rich.table import Table
    from rich.text import Text

    from lifecycle.cli.common import show_day
    from lifecycle.i18n import _
    from lifecycle.reports.language import chinese

    zh = chinese()
    table = Table(
        _("due on"),
        _("case"),
        _("programme"),
        _("name"),
        _("what is due"),
        _("clause"),
        title=_("Deadlines from {day}, {days} days ahead: {count}").format(
            day=show_day(str(day)), days=days, count=len(rows)
        ),
    )
    for r in rows:
        what = str((r["what_zh"] or r["what"]) if zh else r["what"])
        marker = _(", default") if r["default"] else ""
        clause = f"{_(str(r['clause']))}{marker}" if r["clause"] else ""
        table.add_row(
            show_day(str(r["due_on"])),
            str(r["case_id"]),
            Text(str(r["programme"])),
            Text(str(r["name"])),
            Text(what),
            Text(clause),
        )
    console().print(table)

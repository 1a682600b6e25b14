"""`lifecycle audit log|verify|checkpoint|report`: the auditor's commands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from datetime import datetime

from lifecycle.cli.common import (
    DbOption,
    JsonOption,
    application,
    console,
    parse_day,
    print_json,
    whole_number,
)
from lifecycle.domain.messages import N_

app = typer.Typer(help="The append-only, hash-chained transition log.", no_args_is_help=True)
FORMATS = ("table", "json", "jsonl", "csv", "xlsx")


def _opt(name: str, text: str) -> object:
    return typer.Option(name, help=text, show_default=False)


@app.command("log")
def log(
    case: Annotated[
        int | None, typer.Option("--case", help="Only this case.", parser=whole_number("--case"), show_default=False)
    ] = None,
    programme: Annotated[str | None, _opt("--programme", "Only this programme.")] = None,
    actor: Annotated[str | None, _opt("--actor", "Only entries by this actor.")] = None,
    role: Annotated[str | None, _opt("--role", "Only entries by this role.")] = None,
    trigger: Annotated[str | None, _opt("--trigger", "Only this trigger.")] = None,
    clause: Annotated[str | None, _opt("--clause", "Clause containing this text.")] = None,
    since: Annotated[str | None, _opt("--since", "Effective on or after YYYY-MM-DD.")] = None,
    until: Annotated[str | None, _opt("--until", "Effective on or before YYYY-MM-DD.")] = None,
    recorded_since: Annotated[
        str | None, _opt("--recorded-since", "Recorded at or after this UTC date or time (YYYY-MM-DD[THH:MM[:SS]]).")
    ] = None,
    recorded_until: Annotated[
        str | None, _opt("--recorded-until", "Recorded at or before this UTC date (the whole day) or time.")
    ] = None,
    format_: Annotated[
        str, typer.Option("--format", help="table, json, jsonl (byte-exact, to re-hash), csv (UTF-8 with BOM) or xlsx.")
    ] = "table",
    output: Annotated[str | None, _opt("--output", "Write csv, xlsx or jsonl to this file (default: stdout).")] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """The log, oldest first, filtered; json is an array of entries; csv and xlsx have a header
    row and open in Excel/WPS without mojibake or live formulas; jsonl is what to re-hash."""
    import sys
    from pathlib import Path

    from rich.table import Table
    from rich.text import Text

    from lifecycle.errors import UsageError
    from lifecycle.services.audit import audit_entries
    from lifecycle.services.audit_export import EXPORT_FORMATS, export_audit
    from lifecycle.services.filters import AuditFilter

    fmt = "json" if json else format_
    if fmt not in FORMATS:
        raise UsageError(
            N_("--format {format}: one of {formats}"), {"format": repr(format_), "formats": ", ".join(FORMATS)}
        )
    where = AuditFilter(
        case_id=case,
        programme=programme,
        actor=actor,
        role=role,
        trigger=trigger,
        clause=clause,
        since=parse_day(since, "--since") if since else None,
        until=parse_day(until, "--until") if until else None,
        recorded_since=parse_moment(recorded_since, "--recorded-since", end=False),
        recorded_until=parse_moment(recorded_until, "--recorded-until", end=True),
    )
    app_ = application(db)
    app_.require_schema()
    if fmt in EXPORT_FORMATS:
        export_audit(app_, where, fmt, Path(output) if output else None, on_terminal=sys.stdout.isatty())
        return
    entries = (e.to_dict() for e in audit_entries(app_, where))
    if fmt == "json":
        print_json(list(entries))
    else:
        from lifecycle.cli.common import labels, show_day
        from lifecycle.i18n import _

        table = Table(
            _("seq"),
            _("case"),
            _("programme"),
            _("trigger"),
            _("from → to"),
            _("effective"),
            _("actor"),
            _("clause"),
            _("reason"),
        )
        for e in entries:
            names = labels(app_, e["programme"])
            table.add_row(
                str(e["seq"]),
                str(e["case_id"] or ""),
                Text(e["programme"] or ""),
                Text(names.trigger(e["trigger"])),
                Text(f"{names.state(e['from_state']) or '∅'} → {names.state(e['to_state'])}"),
                show_day(e["effective_on"]),
                Text(e["actor"]),
                Text(e["clause"] or ""),
                Text(e["reason"] or ""),
            )
        console().print(table)


def parse_moment(text: str | None, option: str, *, end: bool) -> datetime | None:
    """A UTC date or date and time; a bare date means its first (or, with `end`, last) moment."""
    from datetime import datetime, time

    from lifecycle.errors import UsageError

    if text is None:
        return None
    try:
        if len(text) == 10:
            day = datetime.strptime(text, "%Y-%m-%d")
            return datetime.combine(day.date(), time.max if end else time.min)
        moment = datetime.fromisoformat(text.removesuffix("Z"))
    except ValueError:
        raise UsageError(
            N_(
                "{option}: {text} is not a date or time; write it as YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] (UTC), e.g. "
                "2026-11-23T09:30"
            ),
            {"option": option, "text": repr(text)},
        ) from None
    if moment.tzinfo is not None:
        from datetime import UTC

        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


@app.command("verify")
def verify(
    against: Annotated[
        str | None,
        _opt(
            "--against", "A checkpoint the log must still extend: a file from `audit checkpoint --json`, or SEQ:HASH."
        ),
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Check the hash chain end to end, and replay each case's state from its entries; exit 5
    naming the first bad entry, or the cases whose stored row disagrees with their history."""
    from lifecycle.services.audit import read_checkpoint, verify_log

    checkpoint = read_checkpoint(against) if against else None
    app_ = application(db)
    app_.require_schema()
    result = verify_log(app_, checkpoint)
    if json:
        print_json(result.to_dict())
    elif result.ok:
        from lifecycle.i18n import _

        extends = (
            ""
            if checkpoint is None
            else _("; it extends checkpoint #{seq} {hash}…").format(seq=checkpoint.seq, hash=checkpoint.hash[:16])
        )
        hidden = (
            ""
            if not result.not_readable
            else _(" ({count} of other offices checked by their links only)").format(count=result.not_readable)
        )
        console().print(
            _(
                "The audit log verifies: {entries} entries{hidden}, head #{seq} {hash}…{extends}; every case's "
                "stored state is where its history leads"
            ).format(
                entries=result.entries, hidden=hidden, seq=result.head_seq, hash=result.head_hash[:16], extends=extends
            ),
            markup=False,
            style="green",
        )
    elif result.first_bad is not None:
        from lifecycle.i18n import _

        console().print(
            _("The audit log is BROKEN at entry {seq}: {problem}").format(seq=result.first_bad, problem=result.problem),
            markup=False,
            style="bold red",
        )
    else:
        out = console()
        from lifecycle.i18n import _

        out.print(
            _(
                "The audit log's chain verifies, but {count} case(s) disagree with their history (changed without "
                "an audit entry):"
            ).format(count=len(result.cases)),
            markup=False,
            style="bold red",
        )
        for case in result.cases:
            out.print(
                "  " + _("case {case}: {problem}").format(case=case["case_id"], problem=case["problem"]),
                markup=False,
                style="red",
            )
    if not result.ok:
        raise typer.Exit(5)


@app.command("checkpoint")
def checkpoint(db: DbOption = None, json: JsonOption = False) -> None:
    """Print the verified head of the chain (seq and hash) to keep outside the database."""
    from lifecycle.services.audit import take_checkpoint

    app_ = application(db)
    app_.require_schema()
    result = take_checkpoint(app_)
    if json:
        print_json(result)
        return
    from lifecycle.cli.common import error_console

    console().print(f"{result.seq}:{result.hash}", markup=False)
    from lifecycle.i18n import _

    error_console().print(
        _(
            "Head of {entries} verified entries at {taken_at}. Keep this line (or `--json` output) outside the "
            "database; later, `lifecycle audit verify --against SEQ:HASH` proves the log still extends it."
        ).format(entries=result.entries, taken_at=result.taken_at),
        markup=False,
        style="dim",
    )


@app.command("report")
def report(
    case: Annotated[int, typer.Option("--case", help="The case to report on.", parser=whole_number("--case"))],
    format_: Annotated[str, typer.Option("--format", help="md, html, pdf (Chinese text embedded) or xlsx.")] = "md",
    output: Annotated[str | None, _opt("--output", "Write to this file (default: stdout).")] = None,
    lang: Annotated[str | None, _opt("--lang", "zh or en (default: LIFECYCLE_LANG, else the locale).")] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """The complete history of one case, each decision with its clause and source document."""
    from lifecycle.cli.common import acting, error_console
    from lifecycle.errors import UsageError
    from lifecycle.reports.case_history import FORMATS as REPORT_FORMATS
    from lifecycle.reports.case_history import render
    from lifecycle.services.read_models.case_report import case_report

    if format_ not in REPORT_FORMATS:
        raise UsageError(
            N_("--format {format}: one of {report_formats}"),
            {"format": repr(format_), "report_formats": ", ".join(REPORT_FORMATS)},
        )
    language = report_language(lang)
    app_ = application(db)
    app_.require_schema()
    data = case_report(app_, case, acting())
    if json:
        print_json(data)
        return
    if write_document(render(data, format_, language), output):
        from lifecycle.i18n import _

        message = (
            _("Wrote {output}: case {case}, {decisions} decisions; the audit chain verifies.")
            if data["chain"]["ok"]
            else _("Wrote {output}: case {case}, {decisions} decisions; the audit chain is BROKEN.")
        )
        error_console().print(message.format(output=output, case=case, decisions=len(data["decisions"])), markup=False)


def report_language(lang: str | None) -> str:
    """--lang if given (zh or en), else LIFECYCLE_LANG, else the locale."""
    from lifecycle.errors import UsageError
    from lifecycle.reports.language import LANGUAGES, language

    if lang is None:
        return language()
    if lang not in LANGUAGES:
        raise UsageError(
            N_("--lang {lang}: one of {languages}"), {"lang": repr(lang), "languages": ", ".join(LANGUAGES)}
        )
    return lang


def write_document(document: str | bytes, output: str | None) -> bool:
    """The document to `output`, else to stdout (a binary one only when stdout is not a
    terminal); whether it went to a file."""
    import sys
    from pathlib import Path

    from lifecycle.errors import UsageError

    if output is None:
        if isinstance(document, str):
            from lifecycle.domain.characters import printable

            # Onto a terminal, a name's control characters escaped; into a pipe or file, as stored.
            sys.stdout.write(printable(document, keep_newlines=True) if sys.stdout.isatty() else document)
            return False
        if sys.stdout.isatty():
            raise UsageError(
                N_("a PDF or workbook is not for the terminal: give --output FILE, or redirect it: > FILE")
            )
        sys.stdout.flush()
        sys.stdout.buffer.write(document)
        sys.stdout.buffer.flush()
        return False
    try:
        if isinstance(document, str):
            Path(output).write_text(document, encoding="utf-8")
        else:
            Path(output).write_bytes(document)
    except OSError as error:
        raise UsageError(
            N_("--output {output}: cannot write it ({strerror})"), {"output": repr(output), "strerror": error.strerror}
        ) from None
    return True

"""`lifecycle cases add|list|show|import`, `lifecycle advance`, `lifecycle demo`."""

from typing import Annotated, Any

import typer

from lifecycle.cli.common import (
    CaseId,
    DbOption,
    JsonOption,
    OnOption,
    SetOption,
    acting,
    application,
    console,
    parse_day,
    parse_sets,
    print_json,
    whole_number,
)

app = typer.Typer(help="Cases: one designation in one programme.", no_args_is_help=True)
LIST_FORMATS = ("table", "json", "csv", "xlsx")
ReasonOption = Annotated[str | None, typer.Option("--reason", help="Why, for the audit log.", show_default=False)]


@app.command("add")
def add(
    code: Annotated[str, typer.Argument(help="Programme code, e.g. bj-tic.")],
    name: Annotated[str, typer.Option("--name", help="The centre's or base's name.")],
    sets: SetOption = None,
    on: OnOption = None,
    reason: ReasonOption = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Open a case in the programme's initial state, entered on --on."""
    from lifecycle.services.cases import add_case

    app_ = application(db)
    app_.require_schema()
    outcome = add_case(app_, acting(), code, name, parse_day(on), parse_sets(sets), reason)
    case = outcome.case
    result = {
        "id": case.id,
        "programme": case.programme,
        "name": case.name,
        "state": case.state,
        "state_since": case.state_since.isoformat(),
        "fields": case.fields,
        "version": case.version,
        "seq": outcome.entry.seq,
    }
    if json:
        print_json(result)
    else:
        console().print(
            f"Case {case.id} opened in {case.programme}: {case.name} — {case.state} since {case.state_since}",
            markup=False,
        )


@app.command("list")
def list_(
    programme: Annotated[
        str | None, typer.Option("--programme", help="Only this programme.", show_default=False)
    ] = None,
    state: Annotated[str | None, typer.Option("--state", help="Only this state.", show_default=False)] = None,
    search: Annotated[
        str | None, typer.Option("--search", help="Names containing this text.", show_default=False)
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", help="At most this many.", parser=whole_number("--limit", 0), show_default=False),
    ] = None,
    format_: Annotated[
        str, typer.Option("--format", help="table, json, csv (UTF-8 with BOM, for Excel/WPS) or xlsx.")
    ] = "table",
    output: Annotated[
        str | None,
        typer.Option("--output", help="Write csv or xlsx to this file (default: stdout).", show_default=False),
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """List cases, oldest first, with the next day a dated rule requires something of each."""
    from pathlib import Path

    from lifecycle.errors import UsageError
    from lifecycle.services.case_list import list_cases

    fmt = "json" if json else format_
    if fmt not in LIST_FORMATS:
        raise UsageError(f"--format {format_!r}: one of {', '.join(LIST_FORMATS)}")
    app_ = application(db)
    app_.require_schema()
    rows = [row.to_json() for row in list_cases(app_, programme, state, search, limit)]
    if fmt == "json":
        print_json(rows)
        return
    labels = [
        app_.catalogue.current(row["programme"]).label(row["state"])
        if row["programme"] in app_.catalogue.codes()
        else row["state"]
        for row in rows
    ]
    if fmt in ("csv", "xlsx"):
        from lifecycle.reports.export import export_table

        columns = [
            "id",
            "programme",
            "name",
            "state",
            "state_label",
            "state_since",
            "approved_on",
            "valid_until",
            "next_due_on",
            "version",
        ]
        export_table(
            columns,
            (
                [*(row[c] for c in columns[:4]), label, *(row[c] for c in columns[5:])]
                for row, label in zip(rows, labels, strict=True)
            ),
            fmt,
            output=Path(output) if output else None,
            title="cases",
        )
        return
    from rich.table import Table
    from rich.text import Text

    table = Table("id", "programme", "name", "state", "since", "approved", "valid until", "next due")
    for row, label in zip(rows, labels, strict=True):
        table.add_row(
            str(row["id"]),
            Text(row["programme"]),
            Text(row["name"]),
            Text(label),
            row["state_since"],
            row["approved_on"] or "",
            row["valid_until"] or "",
            row["next_due_on"] or "",
        )
    console().print(table)


@app.command("show")
def show(
    case_id: CaseId,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Evaluate on this date (default today).", show_default=False)
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Show a case: fields, history, the actions allowed now and why the others are not."""
    from lifecycle.services.cases import show_case

    app_ = application(db)
    app_.require_schema()
    view = show_case(app_, case_id, parse_day(as_of, "--as-of"))
    if json:
        print_json(view)
    else:
        render_case(view)


@app.command("import")
def import_(
    file: Annotated[
        str,
        typer.Argument(
            help="A .csv file (UTF-8, GBK or GB18030; header row), an "
            ".xlsx workbook (first sheet) or a .jsonl file, one case a "
            "row; headers by field code or Chinese label; see docs/import.md."
        ),
    ],
    programme: Annotated[
        str | None,
        typer.Option(
            "--programme",
            help="The programme of rows without a programme column; a row naming another is refused.",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row and report what would be imported; write nothing.")
    ] = False,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Import existing designations and their history: all rows or none, audited as imported."""
    from lifecycle.services.imports import import_cases

    app_ = application(db)
    app_.require_schema()
    result = import_cases(app_, acting(), file, programme=programme, dry_run=dry_run)
    if json:
        print_json(result)
        return
    from rich.table import Table

    out = console()
    out.print(f"Read {result['file']} as {_file_kind(result)}.", markup=False)
    if dry_run:
        out.print(
            f"Dry run: {result['cases']} cases from {result['file']} would be imported, with "
            f"{result['entries']} audit entries. Nothing was written.",
            markup=False,
        )
    else:
        out.print(
            f"Imported {result['cases']} cases from {result['file']} (sha256 "
            f"{result['sha256'][:16]}…): audit entries #{result['first_seq']}–"
            f"#{result['last_seq']}, trigger import.",
            markup=False,
        )
    table = Table("programme", "state", "cases", title="Cases by programme and state")
    for row in result["by_state"]:
        table.add_row(row["programme"], row["state"], str(row["cases"]))
    out.print(table)


def _file_kind(result: dict[str, Any]) -> str:
    if result["format"] == "xlsx":
        return "an Excel workbook (.xlsx)"
    kind = "CSV" if result["format"] == "csv" else "JSON Lines"
    return f"{kind} in {result['encoding']}"


@app.command("grades")
def grades(
    file: Annotated[
        str,
        typer.Argument(
            help="A .csv (header row) or .jsonl file: case_id, grade, and "
            "optionally on, decision_no, reason; see docs/import.md."
        ),
    ],
    on: OnOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row; record nothing.")] = False,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Record one evaluation round's results: every grade of the file or none, one audit entry per case."""
    from lifecycle.cli.future import confirm_future
    from lifecycle.services.evaluation_round import record_round

    app_ = application(db)
    app_.require_schema()
    day = parse_day(on)
    if not dry_run:
        confirm_future(day, "--on", json)
    result = record_round(app_, acting(), file, day, dry_run=dry_run)
    if json:
        print_json(result)
        return
    out = console()
    verb = "would record" if dry_run else "recorded"
    out.print(
        f"{result['file']}: {verb} {result['recorded']} result(s)"
        + (" (dry run: nothing written)." if dry_run else "."),
        markup=False,
    )
    for r in result["results"]:
        clause = (r["clause"] or "no clause") + (" [default]" if r["default"] else "")
        out.print(
            f"  line {r['line']}: case {r['case_id']} {r['grade']}: {r['from_state']} → {r['to_state']} "
            f"on {r['effective_on']} ({clause})" + (f"; audit #{r['seq']}" if r["seq"] else ""),
            markup=False,
        )


def render_case(view: dict[str, Any]) -> None:
    from rich.table import Table
    from rich.text import Text

    out = console()
    out.print(Text(f"Case {view['id']} · {view['programme']} · {view['name']}", style="bold"))
    out.print(
        Text(
            f"{view['state_zh']} {view['state']} ({view['state_en']}) since "
            f"{view['state_since']} · cycle {view['cycle']} · version {view['version']}"
        )
    )
    dates = [
        f"{k.replace('_', ' ')} {view[k]}"
        for k in ("approved_on", "valid_until", "cycle_end", "deadline_on")
        if view.get(k)
    ]
    if dates:
        out.print(Text(" · ".join(dates)))
    if view["fields"]:
        fields = Table("field", "value", title="Fields")
        for key, value in view["fields"].items():
            shown = ("true" if value else "false") if isinstance(value, bool) else str(value)
            fields.add_row(Text(key), Text(shown))
        out.print(fields)
    if view.get("obligations"):
        obligations = Table("obligation", "period", "due on", "status", title="Obligations")
        for row in view["obligations"]:
            obligations.add_row(Text(row["kind"]), row["period"], row["due_on"], row["status"])
        out.print(obligations)
    if view.get("decisions"):
        decisions = Table(
            "id",
            "proposed",
            "ground",
            "clause",
            "due on",
            "state",
            "decision",
            title="Decisions due (lifecycle decisions confirm|dismiss)",
        )
        for d in view["decisions"]:
            proposed = d["decision"] or f"{d['trigger']} → {d['to_state']}"
            clause = (d["clause"] or "") + (" [default]" if d["default"] else "")
            decided = " ".join(str(x) for x in (d["decision_no"], d["decided_on"], d["decided_by"]) if x)
            decisions.add_row(
                str(d["id"]),
                Text(proposed),
                Text(d["ground"] or ""),
                Text(clause),
                d["due_on"],
                d["state"],
                Text(decided),
            )
        out.print(decisions)
    voided = {e["payload"].get("voids"): e["seq"] for e in view["history"] if e["trigger"] == "correct"}
    history = Table("seq", "effective", "trigger", "from → to", "actor", "clause", "reason", title="History")
    for e in view["history"]:
        clause = (e["clause"] or "") + (" [default]" if e["payload"].get("default") else "")
        if e["payload"].get("decision_no"):
            clause += f" · {e['payload']['decision_no']}"
        trigger = e["trigger"] + (f" (voided by #{voided[e['seq']]})" if e["seq"] in voided else "")
        reason = e["reason"] or ""
        if "notified" in e:  # a 催告 or a decision due: whom it went to, and whether it arrived
            reason += "; notified: " + (
                ", ".join(
                    f"{n['to']} {n['status']}" + (f" {n['sent_at'][:16]}" if n["sent_at"] else "")
                    for n in e["notified"]
                )
                or "nobody (no contact)"
            )
        history.add_row(
            str(e["seq"]),
            e["effective_on"],
            Text(trigger),
            Text(f"{e['from_state'] or '∅'} → {e['to_state']}"),
            Text(e["actor"]),
            Text(clause),
            Text(reason),
        )
    out.print(history)
    contact = view.get("contact")
    if contact is not None:
        webhook = f" · {contact['webhook_kind']} robot" if contact.get("webhook_url") else ""
        out.print(
            Text(
                "Contact: "
                + " · ".join(str(contact[k]) for k in ("name", "email", "phone") if contact.get(k))
                + webhook
            )
        )
    else:
        out.print(Text("Contact: none (`lifecycle contacts set` adds one; until then nobody is notified)", style="dim"))
    if view.get("notifications"):
        sent = Table("notice", "kind", "period", "to", "status", "sent (UTC)", title="Notifications")
        for n in view["notifications"]:
            for d in n["deliveries"] or [{"to": "nobody", "status": "no recipient", "sent_at": None}]:
                sent.add_row(
                    str(n["notification_id"]),
                    n["kind"],
                    Text(f"{n['rule']} {n['period']}"),
                    Text(d["to"]),
                    d["status"],
                    (d["sent_at"] or "")[:19],
                )
        out.print(sent)
    out.print(Text(f"Allowed on {view['as_of']}: " + (", ".join(view["allowed"]) or "nothing"), style="green"))
    blocked = Table("action", "why not", title="Blocked")
    for name, why in view["blocked"].items():
        blocked.add_row(Text(name), Text(why))
    out.print(blocked)


def advance_command(
    case_id: CaseId,
    trigger: Annotated[str, typer.Argument(help="The action: submit, approve, assess, revoke...")],
    on: OnOption = None,
    sets: SetOption = None,
    reason: ReasonOption = None,
    if_version: Annotated[
        int | None,
        typer.Option(
            "--if-version",
            help="Refuse (exit 4) unless the case is still at this version.",
            parser=whole_number("--if-version"),
            show_default=False,
        ),
    ] = None,
    decision_no: Annotated[
        str | None,
        typer.Option(
            "--decision-no",
            help="The number (文号) of the authority's decision this action records "
            "(approve, reject, revoke, a failed evaluation...).",
            show_default=False,
        ),
    ] = None,
    exceed_quota: Annotated[
        bool,
        typer.Option(
            "--exceed-quota",
            help="Exceed a quota the office may exceed at its discretion (原则上…酌情, "
            "ecommerce-base 一); needs --reason, recorded in the audit log.",
        ),
    ] = False,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Fire a trigger on a case, effective --on; refusals list every reason with its clause."""
    from lifecycle.cli.future import confirm_future
    from lifecycle.services.cases import advance

    app_ = application(db)
    app_.require_schema()
    day = parse_day(on)
    confirm_future(day, "--on", json)
    outcome = advance(
        app_,
        acting(),
        case_id,
        trigger,
        day,
        parse_sets(sets),
        reason,
        expected_version=if_version,
        decision_no=decision_no,
        exceed_quota=exceed_quota,
    )
    entry = outcome.entry
    result = {
        "id": outcome.case.id,
        "trigger": trigger,
        "from_state": entry.from_state,
        "to_state": entry.to_state,
        "effective_on": entry.effective_on.isoformat(),
        "clause": entry.clause,
        "version": outcome.case.version,
        "seq": entry.seq,
        "payload": entry.payload,
    }
    if json:
        print_json(result)
    else:
        moved = "stays in" if entry.from_state == entry.to_state else "moved"
        path = entry.to_state if moved == "stays in" else f"{entry.from_state} → {entry.to_state}"
        clause = (entry.clause or "no clause") + (" [default]" if entry.payload.get("default") else "")
        number = f", decision {entry.payload['decision_no']}" if entry.payload.get("decision_no") else ""
        console().print(
            f"Case {outcome.case.id}: {trigger} {moved} {path} on "
            f"{entry.effective_on} ({clause}{number}); audit #{entry.seq}",
            markup=False,
        )


def demo_command(
    cases_: Annotated[
        int | None,
        typer.Option(
            "--cases",
            help="Instead of the small demo, add this many cases across every programme, in bulk "
            "(e.g. 1000000), about one in ten with compliance work due.",
            parser=whole_number("--cases", 1, 10**9),
            show_default=False,
        ),
    ] = None,
    seed: Annotated[
        int,
        typer.Option(
            "--seed", help="Random seed of --cases (same seed, same portfolio).", parser=whole_number("--seed", 0)
        ),
    ] = 0,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="With --cases: the day the portfolio is as of (default today).", show_default=False
        ),
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Create (or reuse) the database and fill it with a realistic portfolio. Idempotent.
    With --cases N: N more cases across all programmes, written in bulk."""
    if cases_ is not None:
        _bulk_demo(db, cases_, seed, as_of, json)
        return
    from lifecycle.demo.showcase import build_demo

    result = build_demo(application(db), acting())
    if json:
        print_json(result)
        return
    from rich.table import Table

    out = console()
    out.print(
        f"Demo portfolio in {result.database}: {result.created} cases created, {result.existing} already there.",
        markup=False,
    )
    table = Table("programme", "state", "cases", title="Cases by programme and state")
    for row in result.by_state:
        table.add_row(row["programme"], row["state"], str(row["cases"]))
    out.print(table)
    out.print("Next: `lifecycle cases list`, `lifecycle cases show 1`, `lifecycle audit verify`.", markup=False)


def _bulk_demo(db: str | None, total: int, seed: int, as_of: str | None, json: bool) -> None:
    import sys

    from lifecycle.demo.portfolio import build_portfolio
    from lifecycle.errors import UsageError

    if total < 1:
        raise UsageError(f"--cases {total}: give a number of cases of at least 1")
    day = parse_day(as_of, "--as-of")
    if json or not sys.stdout.isatty():
        result = build_portfolio(application(db), acting(), total, seed, day)
    else:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(
            TextColumn("cases"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console(),
            transient=True,
        ) as bar:
            task = bar.add_task("demo", total=total)
            result = build_portfolio(
                application(db),
                acting(),
                total,
                seed,
                day,
                progress=lambda done, _total: bar.update(task, completed=done),
            )
    if json:
        print_json(result)
        return
    console().print(
        f"Demo portfolio in {result.database}: {result.created:,} cases added as of "
        f"{result.as_of} (seed {result.seed}); {result.due_on_as_of:,} have compliance "
        "work due that day. Try `lifecycle comply --dry-run`.",
        markup=False,
    )

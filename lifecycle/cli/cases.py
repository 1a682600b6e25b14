"""`lifecycle cases add|list|show|import`, `lifecycle advance`, `lifecycle demo`."""

from typing import Annotated, Any

import typer

from lifecycle.cli.common import (
    CaseId,
    DbOption,
    JsonOption,
    Labels,
    OfficeOption,
    OnOption,
    SetOption,
    acting,
    application,
    clause_text,
    console,
    labels,
    parse_day,
    parse_sets,
    print_json,
    show_day,
    whole_number,
)
from lifecycle.domain.messages import N_

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
    office: OfficeOption = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Open a case in the programme's initial state, entered on --on, in --office (default: yours)."""
    from lifecycle.services.cases import add_case

    app_ = application(db)
    app_.require_schema()
    outcome = add_case(app_, acting(), code, name, parse_day(on), parse_sets(sets), reason, office=office)
    case = outcome.case
    result = {
        "id": case.id,
        "programme": case.programme,
        "name": case.name,
        "office": case.office,
        "state": case.state,
        "state_since": case.state_since.isoformat(),
        "fields": case.fields,
        "version": case.version,
        "seq": outcome.entry.seq,
    }
    if json:
        print_json(result)
    else:
        from lifecycle.i18n import _

        names = labels(app_, case.programme)
        console().print(
            _("Case {id} opened in {programme} for office {office}: {name} — {state} since {since}").format(
                id=case.id,
                programme=case.programme,
                office=case.office,
                name=case.name,
                state=names.state(case.state),
                since=show_day(case.state_since.isoformat()),
            ),
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
    office: Annotated[
        str | None,
        typer.Option(
            "--office", help="Only this office's cases and those of the offices below it.", show_default=False
        ),
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
    """List the cases you see (your office's and those below it), oldest first, with the next day
    a dated rule requires something of each."""
    from pathlib import Path

    from lifecycle.errors import UsageError
    from lifecycle.services.cases import list_cases

    fmt = "json" if json else format_
    if fmt not in LIST_FORMATS:
        raise UsageError(
            N_("--format {format}: one of {list_formats}"),
            {"format": repr(format_), "list_formats": ", ".join(LIST_FORMATS)},
        )
    app_ = application(db)
    app_.require_schema()
    rows = [row.to_json() for row in list_cases(app_, programme, state, search, limit, office)]
    if fmt == "json":
        print_json(rows)
        return
    state_labels = [
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
            "office",
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
                [*(row[c] for c in columns[:5]), label, *(row[c] for c in columns[6:])]
                for row, label in zip(rows, state_labels, strict=True)
            ),
            fmt,
            output=Path(output) if output else None,
            title="cases",
        )
        return
    from rich.table import Table
    from rich.text import Text

    from lifecycle.i18n import _, chinese

    table = Table(
        _("id"),
        _("programme"),
        _("office"),
        _("name"),
        _("state"),
        _("since"),
        _("approved"),
        _("valid until"),
        _("next due"),
    )
    for row, label in zip(rows, state_labels, strict=True):
        table.add_row(
            str(row["id"]),
            Text(row["programme"]),
            Text(row["office"]),
            Text(row["name"]),
            Text(labels(app_, row["programme"]).state(row["state"]) if chinese() else label),
            show_day(row["state_since"]),
            show_day(row["approved_on"]),
            show_day(row["valid_until"]),
            show_day(row["next_due_on"]),
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
        from lifecycle.i18n import language
        from lifecycle.services.read_models.field_values import shown_fields

        render_case(view, labels(app_, view["programme"]), shown_fields(app_, view, language()))


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

    from lifecycle.i18n import _

    out = console()
    out.print(_("Read {file} as {kind}.").format(file=result["file"], kind=_file_kind(result)), markup=False)
    if dry_run:
        out.print(
            _(
                "Dry run: {cases} cases from {file} would be imported, with {entries} audit entries. "
                "Nothing was written."
            ).format(cases=result["cases"], file=result["file"], entries=result["entries"]),
            markup=False,
        )
    else:
        out.print(
            _(
                "Imported {cases} cases from {file} (sha256 {sha256}…): audit entries #{first}–#{last}, trigger import."
            ).format(
                cases=result["cases"],
                file=result["file"],
                sha256=result["sha256"][:16],
                first=result["first_seq"],
                last=result["last_seq"],
            ),
            markup=False,
        )
    out.print(_by_state_table(app_, result["by_state"]))


def _by_state_table(app_: Any, rows: list[dict[str, Any]]) -> Any:
    """Cases by programme and state, states by their labels in Chinese."""
    from rich.table import Table

    from lifecycle.i18n import _

    table = Table(_("programme"), _("state"), _("cases"), title=_("Cases by programme and state"))
    for row in rows:
        table.add_row(row["programme"], labels(app_, row["programme"]).state(row["state"]), str(row["cases"]))
    return table


def _file_kind(result: dict[str, Any]) -> str:
    from lifecycle.i18n import _

    if result["format"] == "xlsx":
        return _("an Excel workbook (.xlsx)")
    kind = "CSV" if result["format"] == "csv" else "JSON Lines"
    return _("{kind} in {encoding}").format(kind=kind, encoding=result["encoding"])


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
    from lifecycle.i18n import _

    out = console()
    summary = (
        _("{file}: would record {count} result(s) (dry run: nothing written).")
        if dry_run
        else _("{file}: recorded {count} result(s).")
    )
    out.print(summary.format(file=result["file"], count=result["recorded"]), markup=False)
    for r in result["results"]:
        clause = clause_text(r["clause"], r["default"])
        line = _("  line {line}: case {case} {grade}: {from_state} → {to_state} on {on} ({clause})").format(
            line=r["line"],
            case=r["case_id"],
            grade=r["grade"],
            from_state=r["from_state"],
            to_state=r["to_state"],
            on=show_day(r["effective_on"]),
            clause=clause,
        )
        if r["seq"]:
            line += _("; audit #{seq}").format(seq=r["seq"])
        out.print(line, markup=False)


def render_case(view: dict[str, Any], names: Labels | None = None, shown: list[tuple[str, str]] | None = None) -> None:
    """The case view as text; `shown`: its fields as (label, value) in the reader's language."""
    from rich.table import Table
    from rich.text import Text

    from lifecycle.i18n import _, chinese, reason_text

    names = names or Labels(None, False)
    out = console()
    out.print(
        Text(
            _("Case {id} · {programme} · {name} · office {office}").format(
                id=view["id"], programme=view["programme"], name=view["name"], office=view["office"]
            ),
            style="bold",
        )
    )
    state = f"{view['state_zh']}" if chinese() else f"{view['state_zh']} {view['state']} ({view['state_en']})"
    out.print(
        Text(
            _("{state} since {since} · cycle {cycle} · version {version}").format(
                state=state, since=show_day(view["state_since"]), cycle=view["cycle"], version=view["version"]
            )
        )
    )
    date_names = {
        "approved_on": _("approved on"),
        "valid_until": _("valid until"),
        "cycle_end": _("cycle end"),
        "deadline_on": _("deadline on"),
    }
    dates = [f"{date_names[k]} {show_day(view[k])}" for k in date_names if view.get(k)]
    if dates:
        out.print(Text(" · ".join(dates)))
    if view["fields"]:
        from lifecycle.domain.values import display

        fields = Table(_("field"), _("value"), title=_("Fields"))
        rows = shown if shown is not None else [(names.field(k), display(None, v)) for k, v in view["fields"].items()]
        for key, value in rows:
            fields.add_row(Text(key), Text(value))
        out.print(fields)
    if view.get("obligations"):
        obligations = Table(_("obligation"), _("period"), _("due on"), _("status"), title=_("Obligations"))
        for row in view["obligations"]:
            obligations.add_row(Text(row["kind"]), row["period"], show_day(row["due_on"]), _(row["status"]))
        out.print(obligations)
    if view.get("decisions"):
        decisions = Table(
            _("id"),
            _("proposed"),
            _("ground"),
            _("clause"),
            _("due on"),
            _("state"),
            _("decision"),
            title=_("Decisions due (lifecycle decisions confirm|dismiss)"),
        )
        for d in view["decisions"]:
            proposed = d["decision"] or f"{names.trigger(d['trigger'])} → {names.state(d['to_state'])}"
            decided = " ".join(str(x) for x in (d["decision_no"], show_day(d["decided_on"]), d["decided_by"]) if x)
            decisions.add_row(
                str(d["id"]),
                Text(proposed),
                Text(d["ground"] or ""),
                Text(clause_text(d["clause"], d["default"], "")),
                show_day(d["due_on"]),
                _(d["state"]),
                Text(decided),
            )
        out.print(decisions)
    voided = {e["payload"].get("voids"): e["seq"] for e in view["history"] if e["trigger"] == "correct"}
    history = Table(
        _("seq"), _("effective"), _("trigger"), _("from → to"), _("actor"), _("clause"), _("reason"), title=_("History")
    )
    for e in view["history"]:
        clause = clause_text(e["clause"], bool(e["payload"].get("default")), "")
        if e["payload"].get("decision_no"):
            clause += f" · {e['payload']['decision_no']}"
        trigger = names.trigger(e["trigger"])
        if e["seq"] in voided:
            trigger += _(" (voided by #{seq})").format(seq=voided[e["seq"]])
        reason = e["reason"] or ""
        if "notified" in e:  # a 催告 or a decision due: whom it went to, and whether it arrived
            reason += _("; notified: ") + (
                ", ".join(
                    f"{n['to']} {_(n['status'])}" + (f" {n['sent_at'][:16]}" if n["sent_at"] else "")
                    for n in e["notified"]
                )
                or _("nobody (no contact)")
            )
        history.add_row(
            str(e["seq"]),
            show_day(e["effective_on"]),
            Text(trigger),
            Text(f"{names.state(e['from_state']) or '∅'} → {names.state(e['to_state'])}"),
            Text(e["actor"]),
            Text(clause),
            Text(reason),
        )
    out.print(history)
    contact = view.get("contact")
    if contact is not None:
        webhook = _(" · {kind} robot").format(kind=contact["webhook_kind"]) if contact.get("webhook_url") else ""
        out.print(
            Text(
                _("Contact: ")
                + " · ".join(str(contact[k]) for k in ("name", "email", "phone") if contact.get(k))
                + webhook
            )
        )
    else:
        out.print(
            Text(_("Contact: none (`lifecycle contacts set` adds one; until then nobody is notified)"), style="dim")
        )
    if view.get("notifications"):
        sent = Table(
            _("notice"), _("kind"), _("period"), _("to"), _("status"), _("sent (UTC)"), title=_("Notifications")
        )
        for n in view["notifications"]:
            for d in n["deliveries"] or [{"to": _("nobody"), "status": "no recipient", "sent_at": None}]:
                sent.add_row(
                    str(n["notification_id"]),
                    n["kind"],
                    Text(f"{n['rule']} {n['period']}"),
                    Text(d["to"]),
                    _(d["status"]),
                    (d["sent_at"] or "")[:19],
                )
        out.print(sent)
    allowed = ", ".join(names.trigger(t) for t in view["allowed"]) or _("nothing")
    out.print(
        Text(_("Allowed on {day}: {allowed}").format(day=show_day(view["as_of"]), allowed=allowed), style="green")
    )
    blocked = Table(_("action"), _("why not"), title=_("Blocked"))
    structured = view.get("blocked_reasons") or {}
    for name, why in view["blocked"].items():
        found = [getattr(r, "reason", None) for r in structured.get(name, [])]
        if chinese() and found and all(found):
            why = "；".join(reason_text(r) for r in found)
        blocked.add_row(Text(names.trigger(name)), Text(why))
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
        from lifecycle.i18n import _

        names = labels(app_, outcome.case.programme)
        clause = clause_text(entry.clause, bool(entry.payload.get("default")))
        if entry.payload.get("decision_no"):
            clause += _(", decision {number}").format(number=entry.payload["decision_no"])
        values = {
            "case": outcome.case.id,
            "trigger": names.trigger(trigger),
            "state": names.state(entry.to_state),
            "from_state": names.state(entry.from_state),
            "on": show_day(entry.effective_on.isoformat()),
            "clause": clause,
            "seq": entry.seq,
        }
        message = (
            _("Case {case}: {trigger} stays in {state} on {on} ({clause}); audit #{seq}")
            if entry.from_state == entry.to_state
            else _("Case {case}: {trigger} moved {from_state} → {state} on {on} ({clause}); audit #{seq}")
        )
        console().print(message.format(**values), markup=False)


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
    from lifecycle.i18n import _

    out = console()
    out.print(
        _("Demo portfolio in {database}: {created} cases created, {existing} already there.").format(
            database=result.database, created=result.created, existing=result.existing
        ),
        markup=False,
    )
    out.print(_by_state_table(application(db), result.by_state))
    out.print(_("Next: `lifecycle cases list`, `lifecycle cases show 1`, `lifecycle audit verify`."), markup=False)


def _bulk_demo(db: str | None, total: int, seed: int, as_of: str | None, json: bool) -> None:
    import sys

    from lifecycle.demo.portfolio import build_portfolio
    from lifecycle.errors import UsageError

    if total < 1:
        raise UsageError(N_("--cases {total}: give a number of cases of at least 1"), {"total": total})
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
    from lifecycle.i18n import _

    console().print(
        _(
            "Demo portfolio in {database}: {created} cases added as of {as_of} (seed {seed}); {due} have "
            "compliance work due that day. Try `lifecycle comply --dry-run`."
        ).format(
            database=result.database,
            created=f"{result.created:,}",
            as_of=show_day(str(result.as_of)),
            seed=result.seed,
            due=f"{result.due_on_as_of:,}",
        ),
        markup=False,
    )

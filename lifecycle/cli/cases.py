"""`lifecycle cases add|list|show|import`, `lifecycle advance`, `lifecycle demo`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from lifecycle.cli.common import (
    DbOption,
    JsonOption,
    OfficeOption,
    OnOption,
    SetOption,
    acting,
    application,
    console,
    parse_day,
    parse_sets,
    print_json,
)

app = typer.Typer(help="Cases: one designation in one programme.", no_args_is_help=True)
ReasonOption = Annotated[str | None, typer.Option("--reason", help="Why, for the audit log.",
                                                  show_default=False)]


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
    result = {"id": case.id, "programme": case.programme, "name": case.name, "office": case.office,
              "state": case.state,
              "state_since": case.state_since.isoformat(), "fields": case.fields,
              "version": case.version, "seq": outcome.entry.seq}
    if json:
        print_json(result)
    else:
        console().print(f"Case {case.id} opened in {case.programme} for office {case.office}: "
                        f"{case.name} — {case.state} since {case.state_since}", markup=False)


@app.command("list")
def list_(
    programme: Annotated[str | None, typer.Option("--programme", help="Only this programme.",
                                                  show_default=False)] = None,
    state: Annotated[str | None, typer.Option("--state", help="Only this state.",
                                              show_default=False)] = None,
    search: Annotated[str | None, typer.Option("--search", help="Names containing this text.",
                                               show_default=False)] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many.",
                                              show_default=False)] = None,
    office: Annotated[str | None, typer.Option(
        "--office", help="Only this office's cases and those of the offices below it.",
        show_default=False)] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """List the cases you see (your office's and those below it), oldest first."""
    from rich.table import Table
    from rich.text import Text

    from lifecycle.services.cases import list_cases

    app_ = application(db)
    app_.require_schema()
    rows = list_cases(app_, programme, state, search, limit, office)
    if json:
        print_json(rows)
        return
    table = Table("id", "programme", "office", "name", "state", "since", "approved", "valid until")
    for row in rows:
        label = app_.catalogue.current(row["programme"]).label(row["state"]) \
            if row["programme"] in app_.catalogue.codes() else row["state"]
        table.add_row(str(row["id"]), Text(row["programme"]), Text(row["office"]), Text(row["name"]), Text(label),
                      row["state_since"], row["approved_on"] or "", row["valid_until"] or "")
    console().print(table)


@app.command("show")
def show(
    case_id: Annotated[int, typer.Argument(help="Case id.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Evaluate on this date "
                                              "(default today).", show_default=False)] = None,
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
    file: Annotated[str, typer.Argument(help="A .csv file (header row) or .jsonl file, one case "
                                        "a row; see docs/import.md.")],
    programme: Annotated[str | None, typer.Option(
        "--programme", help="The programme of rows without a programme column; a row naming "
        "another is refused.", show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Check every row and report what would be imported; write nothing.")] = False,
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
    if dry_run:
        out.print(f"Dry run: {result['cases']} cases from {result['file']} would be imported, with "
                  f"{result['entries']} audit entries. Nothing was written.", markup=False)
    else:
        out.print(f"Imported {result['cases']} cases from {result['file']} (sha256 "
                  f"{result['sha256'][:16]}…): audit entries #{result['first_seq']}–"
                  f"#{result['last_seq']}, trigger import.", markup=False)
    table = Table("programme", "state", "cases", title="Cases by programme and state")
    for row in result["by_state"]:
        table.add_row(row["programme"], row["state"], str(row["cases"]))
    out.print(table)


def render_case(view: dict[str, Any]) -> None:
    from rich.table import Table
    from rich.text import Text

    out = console()
    out.print(Text(f"Case {view['id']} · {view['programme']} · {view['name']} · office {view['office']}",
                   style="bold"))
    out.print(Text(f"{view['state_zh']} {view['state']} ({view['state_en']}) since "
                   f"{view['state_since']} · cycle {view['cycle']} · version {view['version']}"))
    dates = [f"{k.replace('_', ' ')} {view[k]}" for k in
             ("approved_on", "valid_until", "cycle_end", "deadline_on") if view.get(k)]
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
    history = Table("seq", "effective", "trigger", "from → to", "actor", "clause", "reason",
                    title="History")
    for e in view["history"]:
        history.add_row(str(e["seq"]), e["effective_on"], Text(e["trigger"]),
                        Text(f"{e['from_state'] or '∅'} → {e['to_state']}"), Text(e["actor"]),
                        Text(e["clause"] or ""), Text(e["reason"] or ""))
    out.print(history)
    out.print(Text(f"Allowed on {view['as_of']}: " + (", ".join(view["allowed"]) or "nothing"),
                   style="green"))
    blocked = Table("action", "why not", title="Blocked")
    for name, why in view["blocked"].items():
        blocked.add_row(Text(name), Text(why))
    out.print(blocked)


def advance_command(
    case_id: Annotated[int, typer.Argument(help="Case id.")],
    trigger: Annotated[str, typer.Argument(help="The action: submit, approve, assess, revoke...")],
    on: OnOption = None,
    sets: SetOption = None,
    reason: ReasonOption = None,
    if_version: Annotated[int | None, typer.Option(
        "--if-version", help="Refuse (exit 4) unless the case is still at this version.",
        show_default=False)] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Fire a trigger on a case, effective --on; refusals list every reason with its clause."""
    from lifecycle.services.cases import advance

    app_ = application(db)
    app_.require_schema()
    outcome = advance(app_, acting(), case_id, trigger, parse_day(on), parse_sets(sets), reason,
                      expected_version=if_version)
    entry = outcome.entry
    result = {"id": outcome.case.id, "trigger": trigger, "from_state": entry.from_state,
              "to_state": entry.to_state, "effective_on": entry.effective_on.isoformat(),
              "clause": entry.clause, "version": outcome.case.version, "seq": entry.seq,
              "payload": entry.payload}
    if json:
        print_json(result)
    else:
        moved = "stays in" if entry.from_state == entry.to_state else "moved"
        path = entry.to_state if moved == "stays in" else f"{entry.from_state} → {entry.to_state}"
        console().print(f"Case {outcome.case.id}: {trigger} {moved} {path} on "
                        f"{entry.effective_on} ({entry.clause or 'no clause'}); audit #{entry.seq}",
                        markup=False)


def demo_command(
    cases_: Annotated[int | None, typer.Option(
        "--cases", help="Instead of the small demo, add this many cases across every programme, in bulk "
        "(e.g. 1000000), about one in ten with compliance work due.", show_default=False)] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of --cases (same seed, same portfolio).")] = 0,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="With --cases: the day the portfolio is as of (default today).",
        show_default=False)] = None,
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
    out.print(f"Demo portfolio in {result['database']}: {result['created']} cases created, "
              f"{result['existing']} already there.", markup=False)
    table = Table("programme", "state", "cases", title="Cases by programme and state")
    for row in result["by_state"]:
        table.add_row(row["programme"], row["state"], str(row["cases"]))
    out.print(table)
    out.print("Next: `lifecycle cases list`, `lifecycle cases show 1`, `lifecycle audit verify`.",
              markup=False)


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

        with Progress(TextColumn("cases"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console(), transient=True) as bar:
            task = bar.add_task("demo", total=total)
            result = build_portfolio(application(db), acting(), total, seed, day,
                                     progress=lambda done, _total: bar.update(task, completed=done))
    if json:
        print_json(result)
        return
    console().print(f"Demo portfolio in {result['database']}: {result['created']:,} cases added as of "
                    f"{result['as_of']} (seed {result['seed']}); {result['due_on_as_of']:,} have compliance "
                    "work due that day. Try `lifecycle comply --dry-run`.", markup=False)

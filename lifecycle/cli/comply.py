"""`lifecycle comply`: the compliance run, by hand or from cron."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lifecycle.cli.common import (
    DbOption,
    JsonOption,
    acting,
    application,
    clause_text,
    console,
    parse_day,
    print_json,
    show_day,
)
from lifecycle.domain.messages import N_

if TYPE_CHECKING:
    from jobs.compliance_run import ComplianceReport

AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Apply what is due by this date, YYYY-MM-DD (default: today in China Standard Time).",
        show_default=False,
    ),
]


def comply_command(
    as_of: AsOfOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Write nothing; report exactly what a real run for that date would do.")
    ] = False,
    programme: Annotated[
        str | None, typer.Option("--programme", help="Only this programme's cases.", show_default=False)
    ] = None,
    format_: Annotated[
        str, typer.Option("--format", help="text, json, or the actions as csv (UTF-8 with BOM) or xlsx.")
    ] = "text",
    output: Annotated[
        str | None,
        typer.Option("--output", help="Write csv or xlsx to this file (default: stdout).", show_default=False),
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Apply every dated rule due by --as-of (reviews, expiry, reminders), as actor system, each
    action once, with one audit entry naming its rule and clause; revocations are only proposed,
    as decisions due for an administrator (`lifecycle decisions list`). Needs an admin."""
    from jobs.compliance_run import run_compliance
    from lifecycle.errors import UsageError

    fmt = "json" if json else format_
    if fmt not in FORMATS:
        raise UsageError(
            N_("--format {format}: one of {formats}"), {"format": repr(format_), "formats": ", ".join(FORMATS)}
        )
    json = fmt == "json"
    app_ = application(db)
    day = parse_day(as_of, "--as-of")
    if not dry_run:  # a dry run writes nothing: any date is a fair what-if
        from lifecycle.cli.future import confirm_future

        confirm_future(day, "--as-of", json)
    interactive = fmt == "text" and sys.stdout.isatty()
    if interactive:
        report = _with_progress_bar(
            lambda progress: run_compliance(
                app_, acting(), day, dry_run=dry_run, programme=programme, progress=progress
            )
        )
    else:
        report = run_compliance(app_, acting(), day, dry_run=dry_run, programme=programme)
    if json:
        print_json(report.to_json())
    elif fmt in ("csv", "xlsx"):
        _export(report, fmt, output)
    elif interactive:
        _summary_table(report)
    else:
        _plain_lines(report)


FORMATS = ("text", "json", "csv", "xlsx")
#: The columns of the run's actions as a table: those applied (or, in a dry run, that would be)
#: and those the rules refused, left for a person.
ACTION_COLUMNS = (
    "status",
    "case_id",
    "programme",
    "rule",
    "trigger",
    "from_state",
    "to_state",
    "effective_on",
    "clause",
    "reasons",
)


def _export(report: ComplianceReport, fmt: str, output: str | None) -> None:
    from pathlib import Path

    from lifecycle.reports.export import export_table

    done = "would apply" if report.dry_run else "applied"
    rows: list[list[Any]] = [[done, *(a[c] for c in ACTION_COLUMNS[1:-1]), ""] for a in report.actions]
    for r in report.refused:
        reasons = "; ".join(f"{x['message']} ({x['clause']})" if x["clause"] else x["message"] for x in r["reasons"])
        rows.append(
            [
                "refused",
                r["case_id"],
                r["programme"],
                r["rule"],
                r["trigger"],
                None,
                None,
                r["effective_on"],
                None,
                reasons,
            ]
        )
    export_table(ACTION_COLUMNS, rows, fmt, output=Path(output) if output else None, title=f"compliance {report.as_of}")
    if report.declined:
        sys.stderr.write(report.decline_message() + "\n")


def _with_progress_bar(run: Any) -> ComplianceReport:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("cases due"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console(),
        transient=True,
    ) as bar:
        task = bar.add_task("comply", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report: ComplianceReport = run(advance)
    return report


def _headline(report: ComplianceReport) -> str:
    from lifecycle.i18n import _

    if report.declined:
        which = _(" (run {run})").format(run=report.declined_because) if report.declined_because else ""
        return _(
            "another compliance run is in progress on this database{which}; this one did nothing. It will have "
            "applied everything due, or the next run will."
        ).format(which=which)
    headline = (
        _(
            "Compliance run as of {as_of}{scope} (dry run: nothing written): would apply {actions} action(s) to "
            "{cases} case(s), would raise {decisions} decision(s) due for an administrator; {examined} case(s) "
            "looked at in {seconds} s."
        )
        if report.dry_run
        else _(
            "Compliance run as of {as_of}{scope}: applied {actions} action(s) to {cases} case(s), raised "
            "{decisions} decision(s) due for an administrator; {examined} case(s) looked at in {seconds} s."
        )
    )
    return headline.format(
        as_of=show_day(report.as_of.isoformat()),
        scope=_(" in {programme}").format(programme=report.programme) if report.programme else "",
        actions=sum(report.counts.values()),
        cases=report.cases_changed,
        decisions=sum(report.proposal_counts.values()),
        examined=report.cases_examined,
        seconds=f"{report.seconds:.2f}",
    )


def proposal_line(p: dict[str, Any]) -> str:
    """One decision due, as the text output shows it."""
    from lifecycle.i18n import _

    what = p.get("name") or (
        f"{p['trigger']} {p['from_state']} -> {p['to_state']}"
        + (_(" (ground {ground})").format(ground=p["ground"]) if p.get("ground") else "")
    )
    number = _("decision {id}: ").format(id=p["decision_id"]) if p.get("decision_id") else ""
    how = (
        _("record it: `lifecycle advance {case} {trigger} --set …`").format(case=p["case_id"], trigger=p["trigger"])
        if p.get("name")
        else _("decide with `lifecycle decisions confirm|dismiss`")
    )
    return number + _("case {case} {programme} {rule}: {what}, due {due_on} ({clause}); {how}").format(
        case=p["case_id"],
        programme=p["programme"],
        rule=p["rule"],
        what=what,
        due_on=show_day(str(p["due_on"])),
        clause=clause_text(p["clause"], p["default"]),
        how=how,
    )


def _summary_table(report: ComplianceReport) -> None:
    from rich.table import Table
    from rich.text import Text

    from lifecycle.i18n import _

    out = console()
    out.print(Text(_headline(report)))
    if report.counts:
        table = Table(_("programme"), _("rule"), _("actions"), title=_("Actions by programme and rule"))
        for (programme, rule), n in sorted(report.counts.items()):
            table.add_row(Text(programme), Text(rule), str(n))
        out.print(table)
    if report.proposals:
        out.print(Text(_("Decisions due (proposed, not applied):"), style="bold"))
        for p in report.proposals:
            out.print(Text("  " + proposal_line(p)))
    _print_refused(report)


def _plain_lines(report: ComplianceReport) -> None:
    from lifecycle.i18n import _

    out = sys.stdout
    for a in report.actions:
        move = a["to_state"] if a["from_state"] == a["to_state"] else f"{a['from_state']} -> {a['to_state']}"
        out.write(
            _("case {case} {programme} {rule}: {trigger} {move} effective {on} ({clause})").format(
                case=a["case_id"],
                programme=a["programme"],
                rule=a["rule"],
                trigger=a["trigger"],
                move=move,
                on=show_day(str(a["effective_on"])),
                clause=clause_text(a["clause"], a.get("default", False)),
            )
            + "\n"
        )
    for p in report.proposals:
        out.write(_("proposed: ") + proposal_line(p) + "\n")
    out.write(_headline(report) + "\n")
    for (programme, rule), n in sorted(report.counts.items()):
        out.write(f"  {programme} {rule}: {n}\n")
    _print_refused(report)


def _reason_line(x: dict[str, Any]) -> str:
    """A refusal reason of the run in the current language (when the run kept its structure)."""
    from lifecycle.i18n import chinese, reason_text

    reason = getattr(x, "reason", None)
    if reason is not None and chinese():
        return reason_text(reason)
    return f"{x['message']} ({clause_text(x['clause'], x.get('default', False))})" if x["clause"] else x["message"]


def _print_refused(report: ComplianceReport) -> None:
    from lifecycle.i18n import _

    if not report.refused:
        return
    err = sys.stderr
    err.write(
        _("{count} due action(s) refused by the rules, left for a person:").format(count=len(report.refused)) + "\n"
    )
    for r in report.refused:
        reasons = "; ".join(_reason_line(x) for x in r["reasons"])
        err.write(
            _("  case {case} {programme} {rule} ({trigger} {on}): {reasons}").format(
                case=r["case_id"],
                programme=r["programme"],
                rule=r["rule"],
                trigger=r["trigger"],
                on=show_day(str(r["effective_on"])),
                reasons=reasons,
            )
            + "\n"
        )


def print_report(report: ComplianceReport, json: bool) -> None:
    """For `scheduler run --once`: the same output as `comply`."""
    if json:
        print_json(report.to_json())
    else:
        _plain_lines(report)

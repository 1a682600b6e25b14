"""`lifecycle comply`: the compliance run, by hand or from cron."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lifecycle.cli.common import DbOption, JsonOption, acting, application, console, parse_day, print_json

if TYPE_CHECKING:
    from jobs.compliance_run import ComplianceReport

AsOfOption = Annotated[str | None, typer.Option(
    "--as-of", help="Apply what is due by this date, YYYY-MM-DD (default: today in China Standard "
    "Time).", show_default=False)]


def comply_command(
    as_of: AsOfOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Write nothing; report exactly what a "
                                          "real run for that date would do.")] = False,
    programme: Annotated[str | None, typer.Option("--programme", help="Only this programme's cases.",
                                                  show_default=False)] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Apply every dated rule due by --as-of (reviews, expiry, reminders, revocations), as actor
    system, each action once, with one audit entry naming its rule and clause. Needs an admin."""
    from jobs.compliance_run import run_compliance

    app_ = application(db)
    day = parse_day(as_of, "--as-of")
    interactive = not json and sys.stdout.isatty()
    if interactive:
        report = _with_progress_bar(lambda progress: run_compliance(
            app_, acting(), day, dry_run=dry_run, programme=programme, progress=progress))
    else:
        report = run_compliance(app_, acting(), day, dry_run=dry_run, programme=programme)
    if json:
        print_json(report.to_json())
    elif interactive:
        _summary_table(report)
    else:
        _plain_lines(report)


def _with_progress_bar(run: Any) -> ComplianceReport:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("cases due"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console(), transient=True) as bar:
        task = bar.add_task("comply", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report: ComplianceReport = run(advance)
    return report


def _headline(report: ComplianceReport) -> str:
    if report.declined:
        return report.decline_message()
    verb = "would apply" if report.dry_run else "applied"
    scope = f" in {report.programme}" if report.programme else ""
    return (f"Compliance run as of {report.as_of}{scope}{' (dry run: nothing written)' if report.dry_run else ''}: "
            f"{verb} {sum(report.counts.values())} action(s) to {report.cases_changed} case(s); "
            f"{report.cases_examined} case(s) looked at in {report.seconds:.2f} s.")


def _summary_table(report: ComplianceReport) -> None:
    from rich.table import Table
    from rich.text import Text

    out = console()
    out.print(Text(_headline(report)))
    if report.counts:
        table = Table("programme", "rule", "actions", title="Actions by programme and rule")
        for (programme, rule), n in sorted(report.counts.items()):
            table.add_row(Text(programme), Text(rule), str(n))
        out.print(table)
    _print_refused(report)


def _plain_lines(report: ComplianceReport) -> None:
    out = sys.stdout
    for a in report.actions:
        move = a["to_state"] if a["from_state"] == a["to_state"] else f"{a['from_state']} -> {a['to_state']}"
        out.write(f"case {a['case_id']} {a['programme']} {a['rule']}: {a['trigger']} {move} "
                  f"effective {a['effective_on']} ({a['clause']})\n")
    out.write(_headline(report) + "\n")
    for (programme, rule), n in sorted(report.counts.items()):
        out.write(f"  {programme} {rule}: {n}\n")
    _print_refused(report)


def _print_refused(report: ComplianceReport) -> None:
    if not report.refused:
        return
    err = sys.stderr
    err.write(f"{len(report.refused)} due action(s) refused by the rules, left for a person:\n")
    for r in report.refused:
        reasons = "; ".join(f"{x['message']} ({x['clause']})" if x["clause"] else x["message"]
                            for x in r["reasons"])
        err.write(f"  case {r['case_id']} {r['programme']} {r['rule']} ({r['trigger']} "
                  f"{r['effective_on']}): {reasons}\n")


def print_report(report: ComplianceReport, json: bool) -> None:
    """For `scheduler run --once`: the same output as `comply`."""
    if json:
        print_json(report.to_json())
    else:
        _plain_lines(report)

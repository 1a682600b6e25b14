"""`lifecycle comply`: the compliance run, by hand or from cron."""

from __future__ import annotations

import sys
from abc import ABC, abstractmethod
from datetime import date
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
        str,
        typer.Option(
            "--format",
            help="text, json, jsonl (one JSON object a line: each action, decision due and refusal, then a "
            "summary), or the actions as csv (UTF-8 with BOM) or xlsx.",
        ),
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
    json = fmt in ("json", "jsonl")
    app_ = application(db)
    day = parse_day(as_of, "--as-of")
    if not dry_run:  # a dry run writes nothing: any date is a fair what-if
        from lifecycle.cli.future import confirm_future

        confirm_future(day, "--as-of", json)
    interactive = fmt == "text" and sys.stdout.isatty()
    if interactive:
        # The summary counts the actions; listing them is for the other formats.
        report = _with_progress_bar(
            lambda progress: run_compliance(
                app_,
                acting(),
                day,
                dry_run=dry_run,
                programme=programme,
                progress=progress,
                on_action=_discard,
            )
        )
        _summary_table(report)
        return
    if fmt in ("csv", "xlsx"):
        report = run_compliance(app_, acting(), day, dry_run=dry_run, programme=programme)
        _export(report, fmt, output)
        return
    # json, jsonl and text are written as the run goes, batch by batch: however many actions
    # the run applies, none of them is kept in memory.
    kinds: dict[str, type[_Stream]] = {"json": JsonDocument, "jsonl": JsonLines, "text": PlainLines}
    stream = kinds[fmt](day, dry_run)
    from lifecycle.cli import common

    common.OPEN_JSON_DOCUMENT.append(stream)
    try:
        report = run_compliance(app_, acting(), day, dry_run=dry_run, programme=programme, on_action=stream.action)
    finally:
        if stream in common.OPEN_JSON_DOCUMENT:
            common.OPEN_JSON_DOCUMENT.remove(stream)
    stream.finish(report)


def _discard(action: dict[str, Any]) -> None:
    """The interactive summary counts the actions and lists none."""


def _dumps(value: Any) -> str:
    """One value as compact JSON (the C encoder), the hidden characters escaped as `print_json`
    does."""
    import json

    from lifecycle.domain.characters import json_safe

    return json_safe(json.dumps(value, ensure_ascii=False, default=str))


class _Stream(ABC):
    """The run's output, written as its actions come: `action` for each, `finish` at the end.
    `started` says whether anything is on stdout yet; `close` ends the output early with an
    error (the CLI's error JSON, written inside the document once it has begun)."""

    def __init__(self, as_of: date, dry_run: bool) -> None:
        self.as_of, self.dry_run = as_of, dry_run
        self.out = sys.stdout
        self.started = False

    @abstractmethod
    def action(self, action: dict[str, Any]) -> None:
        """Written by each kind of output."""

    @abstractmethod
    def finish(self, report: ComplianceReport) -> None:
        """Written by each kind of output."""

    @abstractmethod
    def close(self, error: dict[str, Any]) -> None:
        """Written by each kind of output."""


class JsonDocument(_Stream):
    """`--json`: the shape of `ComplianceReport.to_json()` (as_of, dry_run, actions, proposals,
    then refused, declined and message when there are), one action a line, written as the
    batches are committed."""

    def __init__(self, as_of: date, dry_run: bool) -> None:
        super().__init__(as_of, dry_run)
        self.count = 0

    def _begin(self) -> None:
        if not self.started:
            self.started = True
            head = f'  "as_of": {_dumps(self.as_of.isoformat())},\n  "dry_run": {_dumps(self.dry_run)}'
            self.out.write("{\n" + head + ',\n  "actions": [')

    def action(self, action: dict[str, Any]) -> None:
        self._begin()
        self.out.write(("\n    " if self.count == 0 else ",\n    ") + _dumps(action))
        self.count += 1

    def _end(self, tail: dict[str, Any]) -> None:
        self._begin()
        self.out.write("\n  ]" if self.count else "]")
        for key, value in tail.items():
            if isinstance(value, list) and value:
                text = "[" + ",".join("\n    " + _dumps(item) for item in value) + "\n  ]"
            else:
                text = _dumps(value)
            self.out.write(f",\n  {_dumps(key)}: {text}")
        self.out.write("\n}\n")
        self.out.flush()

    def finish(self, report: ComplianceReport) -> None:
        tail = report.to_json()
        for key in ("as_of", "dry_run", "actions"):
            tail.pop(key)
        self._end(tail)

    def close(self, error: dict[str, Any]) -> None:
        if not self.started:  # nothing written yet: the error alone, as every command prints it
            print_json(error)
        else:
            self._end(error)


class JsonLines(_Stream):
    """`--format jsonl`: one JSON object a line, each with its `kind`: every action
    (`"action"`, the keys of `--json`'s actions), then every decision due raised
    (`"proposal"`) and every action the rules refused (`"refused"`), and last one `"summary"`
    (as_of, dry_run, the counts, and declined with its message when another run was in
    progress)."""

    def action(self, action: dict[str, Any]) -> None:
        self.started = True
        self.out.write(_dumps({"kind": "action", **action}) + "\n")

    def finish(self, report: ComplianceReport) -> None:
        for proposal in report.proposals:
            self.out.write(_dumps({"kind": "proposal", **proposal}) + "\n")
        for refused in report.refused:
            self.out.write(_dumps({"kind": "refused", **refused}) + "\n")
        summary: dict[str, Any] = {
            "kind": "summary",
            "as_of": report.as_of.isoformat(),
            "dry_run": report.dry_run,
            "actions": sum(report.counts.values()),
            "proposals": sum(report.proposal_counts.values()),
            "refused": len(report.refused),
            "cases_examined": report.cases_examined,
            "cases_changed": report.cases_changed,
            "by_rule": report.counts_by_rule(),
        }
        if report.declined:
            summary.update(declined=True, message=report.decline_message())
        self.out.write(_dumps(summary) + "\n")
        self.out.flush()

    def close(self, error: dict[str, Any]) -> None:
        print_json(error)


class PlainLines(_Stream):
    """Text when stdout is not a terminal: one line an action as the run goes, then the decisions
    due, the headline and the counts by rule (refused actions on stderr)."""

    def action(self, action: dict[str, Any]) -> None:
        self.started = True
        self.out.write(action_line(action))

    def finish(self, report: ComplianceReport) -> None:
        _plain_tail(report)

    def close(self, error: dict[str, Any]) -> None:
        print_json(error)


FORMATS = ("text", "json", "jsonl", "csv", "xlsx")
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


def action_line(a: dict[str, Any]) -> str:
    """One action, as the text output shows it, in the current language."""
    from lifecycle.i18n import _

    move = a["to_state"] if a["from_state"] == a["to_state"] else f"{a['from_state']} -> {a['to_state']}"
    return (
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


def _plain_lines(report: ComplianceReport) -> None:
    for a in report.actions:
        sys.stdout.write(action_line(a))
    _plain_tail(report)


def _plain_tail(report: ComplianceReport) -> None:
    from lifecycle.i18n import _

    out = sys.stdout
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

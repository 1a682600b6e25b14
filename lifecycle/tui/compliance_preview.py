"""What a compliance run would do today or on a chosen date: the dry run, case by case,
before anyone runs it. Nothing is written, so every user may look (auditors too). The work
shows its progress and can be cancelled; the highlighted action is shown in full below the
list (from → to, the effective date, the clause), whatever the width."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Header, Input, ProgressBar, Select, Static
from textual.worker import Worker, get_current_worker

from lifecycle.tui.fitting import Column, FittedTable
from lifecycle.tui.footer import Footer
from lifecycle.tui.loading import SlowLoading
from lifecycle.tui.text import joined, literal, reasons_text
from lifecycle.tui.words import N_, _

#: Actions listed one per row; a catch-up run of more shows the first ones and the counts.
SHOWN = 1000
COLUMNS = [
    Column("case", N_("case"), 0),
    Column("name", N_("name 名称"), 1),
    Column("programme", N_("programme"), 6),
    Column("rule", N_("rule"), 5),
    Column("trigger", N_("trigger"), 2),
    Column("move", N_("from → to"), 4),
    Column("effective", N_("effective"), 3),
    Column("clause", N_("clause"), 7),
]


class PreviewCancelled(Exception):
    """The person cancelled the preview: the run stops after the batch at hand."""


class CompliancePreviewScreen(Screen[None]):
    HELP = "compliance-preview"
    #: The list, not the date box: keys (`?`, enter) act on the screen; tab reaches the date.
    AUTO_FOCUS = "#actions"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "preview", N_("Preview")),
        Binding("escape", "back", N_("Back / cancel")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.slow = SlowLoading()
        self.report: Any = None
        self.running: Worker[None] | None = None
        self.actions: dict[str, dict[str, Any]] = {}
        self.names: dict[int, str] = {}

    def compose(self) -> ComposeResult:
        app: Any = self.app
        yield Header()
        yield Static(_("Compliance preview — a dry run: nothing is written"), id="heading", classes="title")
        with Horizontal(classes="filters"):
            yield Input(app.today.isoformat(), placeholder=_("as of YYYY-MM-DD"), id="on", compact=True)
            yield Select(
                [(c, c) for c in app.lifecycle.catalogue.codes()],
                prompt=_("all programmes"),
                id="programme",
                compact=True,
            )
            yield Button(_("Preview"), id="run", compact=True, variant="primary")
            yield Button(_("Cancel"), id="stop", compact=True, variant="warning")
        yield ProgressBar(id="progress", show_eta=False)
        yield Static(id="summary", classes="block")
        yield DataTable(id="actions", cursor_type="row", zebra_stripes=True)
        yield VerticalScroll(Static(id="action-detail", classes="block"), id="action-box", classes="detail-box")
        with VerticalScroll(id="refused-box"):
            yield Static(id="refused", classes="block")
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Compliance preview")
        self.fitted = FittedTable(self.query_one("#actions", DataTable), COLUMNS)
        self._working(False)
        self.action_preview()

    def on_resize(self, event: Any) -> None:
        self.call_after_refresh(self.fitted.refit)

    def action_back(self) -> None:
        """Esc cancels a preview under way; otherwise it goes back."""
        if self.running is not None and self.running.is_running:
            self.action_cancel()
            return
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()

    def action_cancel(self) -> None:
        if self.running is not None and self.running.is_running:
            self.running.cancel()
            self.query_one("#summary", Static).update(Text(_("Cancelling after the batch at hand…"), style="yellow"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_preview()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "stop":
            self.action_cancel()
        else:
            self.action_preview()

    def _working(self, running: bool) -> None:
        self.query_one("#progress", ProgressBar).display = running
        self.query_one("#stop", Button).display = running
        self.query_one("#run", Button).display = not running

    def action_preview(self) -> None:
        from lifecycle.domain.dates import parse_date

        text = self.query_one("#on", Input).value.strip()
        try:
            on = parse_date(text)
        except ValueError as error:
            self.query_one("#summary", Static).update(literal(_("as of: {error}").format(error=error), "bold red"))
            self.query_one("#on", Input).focus()
            return
        value = self.query_one("#programme", Select).value
        programme = None if value is Select.NULL else str(value)
        scope = _("as of {day} · {programme}").format(day=on, programme=programme or _("all programmes"))
        self.query_one("#heading", Static).update(
            joined(
                (_("Compliance preview · "), "bold"),
                (scope, "bold yellow"),
                _(" — a dry run: nothing is written"),
            )
        )
        self.sub_title = scope
        self.query_one("#summary", Static).update(
            Text(_("Working out what is due by {day}… esc cancels").format(day=on), style="dim")
        )
        self.query_one("#progress", ProgressBar).update(total=None, progress=0)
        self._working(True)
        self.slow.start(self.query_one("#actions", DataTable))
        self.running = self.run_preview(on, programme)

    @work(thread=True, exclusive=True, group="compliance-preview")
    def run_preview(self, on: date, programme: str | None) -> None:
        from jobs.compliance_run import run_compliance
        from lifecycle.services.read_models.worklist import case_names

        app: Any = self.app
        worker = get_current_worker()

        def progress(done: int, total: int) -> None:
            if worker.is_cancelled:
                raise PreviewCancelled
            app.call_from_thread(self.progress, done, total)

        try:
            report = run_compliance(
                app.lifecycle, app.user, on, dry_run=True, programme=programme, source="tui", progress=progress
            )
            ids = (
                [a["case_id"] for a in report.actions[:SHOWN]]
                + [r["case_id"] for r in report.refused]
                + [p["case_id"] for p in report.proposals[:SHOWN]]
            )
            names = case_names(app.lifecycle, ids)
        except PreviewCancelled:
            app.call_from_thread(self.cancelled, on)
            return
        except Exception as error:
            app.call_from_thread(self.failed, error)
            return
        app.call_from_thread(self.show, report, names)

    def progress(self, done: int, total: int) -> None:
        self.query_one("#progress", ProgressBar).update(total=max(total, 1), progress=done)
        self.query_one("#summary", Static).update(
            Text(
                _("Cases due: {done} of {total} examined… esc cancels").format(done=f"{done:,}", total=f"{total:,}"),
                style="dim",
            )
        )

    def cancelled(self, on: date) -> None:
        self._working(False)
        self.slow.stop(self.query_one("#actions", DataTable))
        self.query_one("#summary", Static).update(
            Text(
                _(
                    "Cancelled: the preview as of {day} was stopped before the end, so it lists nothing. Nothing "
                    "was written. ctrl+r starts it again."
                ).format(day=on),
                style="yellow",
            )
        )
        self.fitted.show([])
        self.query_one("#action-detail", Static).update("")
        self.query_one("#refused", Static).update("")

    def failed(self, error: Exception) -> None:
        from lifecycle.errors import Refused

        self._working(False)
        self.slow.stop(self.query_one("#actions", DataTable))
        if isinstance(error, Refused):
            text = joined((_("Refused: "), "bold"), literal(error.action), "\n")
            text.append_text(reasons_text(error.reasons))
        else:
            text = joined((f"{type(error).__name__}: ", "bold"), literal(str(error)))
        self.query_one("#summary", Static).update(text)

    def show(self, report: Any, names: dict[int, str]) -> None:
        self._working(False)
        self.report = report
        self.names = names
        table = self.query_one("#actions", DataTable)
        # What the run would apply, then what it would only propose (a decision due, never applied).
        shown = report.actions[:SHOWN] + [
            {
                **p,
                "trigger": _("proposes {trigger}").format(trigger=p["trigger"]),
                "effective_on": p["due_on"],
                "proposed": True,
                "move": p.get("name")
                or _("{from_state} → {to_state} (decision due)").format(
                    from_state=p["from_state"], to_state=p["to_state"]
                ),
            }
            for p in report.proposals[:SHOWN]
        ]
        self.actions = {str(n): action for n, action in enumerate(shown)}
        self.fitted.show(
            [
                (
                    str(n),
                    {
                        "case": action["case_id"],
                        "name": literal(names.get(action["case_id"], "")),
                        "programme": literal(action["programme"]),
                        "rule": literal(action["rule"]),
                        "trigger": literal(action["trigger"]),
                        "move": literal(
                            action.get("move") or f"{action['from_state'] or '∅'} → {action['to_state'] or '∅'}"
                        ),
                        "effective": action["effective_on"],
                        "clause": literal((action["clause"] or "") + (" [default]" if action.get("default") else "")),
                    },
                )
                for n, action in enumerate(shown)
            ]
        )
        if not shown:
            self.query_one("#action-detail", Static).update(Text(_("Nothing is due."), style="dim"))
        self.slow.stop(table)
        total = len(report.actions)
        summary = joined(
            (_("As of {day}: ").format(day=report.as_of), "bold"),
            _(
                "a compliance run would take {actions} action(s) on {cases} case(s) ({examined} examined) and "
                "raise {proposals} decision(s) due for an administrator (never applied). Nothing was written."
            ).format(
                actions=f"{total:,}",
                cases=f"{report.cases_changed:,}",
                examined=f"{report.cases_examined:,}",
                proposals=f"{len(report.proposals):,}",
            ),
        )
        if total > SHOWN:
            summary.append("\n" + _("The first {shown} are listed; by rule: ").format(shown=f"{SHOWN:,}"), "dim")
        elif total:
            summary.append("\n" + _("By rule: "), "dim")
        if total:
            summary.append(", ".join(f"{rule} {n:,}" for rule, n in report.counts_by_rule().items()), "dim")
        self.query_one("#summary", Static).update(summary)
        refused = Text()
        if report.refused:
            refused.append(
                _("{count} due action(s) the rules refuse, left for a person:").format(count=len(report.refused))
                + "\n",
                "bold",
            )
        for item in report.refused:
            refused.append(_("case {case}").format(case=item["case_id"]) + " ")
            refused.append(names.get(item["case_id"], ""))
            refused.append(
                " · "
                + _("{programme} · {rule} → {trigger} on {day}").format(
                    programme=item["programme"], rule=item["rule"], trigger=item["trigger"], day=item["effective_on"]
                )
                + "\n"
            )
            refused.append_text(reasons_text(item["reasons"]))
            refused.append("\n")
        self.query_one("#refused", Static).update(refused)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        action = self.actions.get(str(event.row_key.value))
        if action is not None:
            self.query_one("#action-detail", Static).update(action_text(action, self.names))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        action = self.actions.get(str(event.row_key.value))
        if action is not None:
            app: Any = self.app
            app.open_case(int(action["case_id"]))


def action_text(action: dict[str, Any], names: dict[int, str]) -> Text:
    """One action of the preview in full: nothing of from → to, the date or the clause is cut."""
    text = joined(
        (_("case {case}").format(case=action["case_id"]) + " ", "bold"),
        literal(names.get(action["case_id"], ""), "bold"),
        " · ",
        literal(action["programme"]),
        ("  " + _("rule") + " ", "dim"),
        literal(action["rule"]),
        "\n",
        literal(action["trigger"], "bold"),
        "  ",
        literal(action.get("move") or f"{action['from_state'] or '∅'} → {action['to_state'] or '∅'}"),
        ("  " + (_("due") if action.get("proposed") else _("effective")) + " ", "dim"),
        str(action["effective_on"]),
        ("\n" + _("clause") + " ", "dim"),
        literal(action["clause"] or _("none")),
    )
    if action.get("default"):
        text.append(" (default)", "dim")
    return text

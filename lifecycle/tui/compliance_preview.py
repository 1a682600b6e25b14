"""What a compliance run would do today or on a chosen date: the dry run, case by case,
before anyone runs it. Nothing is written."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Header, Input, Select, Static

from lifecycle.tui.loading import SlowLoading
from lifecycle.tui.text import joined, literal, reasons_text

#: Actions listed one per row; a catch-up run of more shows the first ones and the counts.
SHOWN = 1000


class CompliancePreviewScreen(Screen[None]):
    AUTO_FOCUS = "#on"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "preview", "Preview"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.slow = SlowLoading()
        self.report: Any = None

    def compose(self) -> ComposeResult:
        app: Any = self.app
        yield Header()
        yield Static("Compliance preview — a dry run: nothing is written", classes="title")
        with Horizontal(classes="filters"):
            yield Input(app.today.isoformat(), placeholder="as of YYYY-MM-DD", id="on", compact=True)
            yield Select([(c, c) for c in app.lifecycle.catalogue.codes()], prompt="all programmes",
                         id="programme", compact=True)
            yield Button("Preview", id="run", compact=True, variant="primary")
        yield Static(id="summary", classes="block")
        yield DataTable(id="actions", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="refused-box"):
            yield Static(id="refused", classes="block")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Compliance preview"
        self.query_one("#actions", DataTable).add_columns(
            "case", "name 名称", "programme", "rule", "trigger", "from → to", "effective", "clause")
        self.action_preview()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_preview()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_preview()

    def action_preview(self) -> None:
        from lifecycle.domain.dates import parse_date

        text = self.query_one("#on", Input).value.strip()
        try:
            on = parse_date(text)
        except ValueError as error:
            self.query_one("#summary", Static).update(literal(f"as of: {error}", "bold red"))
            return
        value = self.query_one("#programme", Select).value
        programme = None if value is Select.NULL else str(value)
        self.query_one("#summary", Static).update(Text(f"Working out what is due by {on}…", style="dim"))
        self.slow.start(self.query_one("#actions", DataTable))
        self.run_preview(on, programme)

    @work(thread=True, exclusive=True, group="compliance-preview")
    def run_preview(self, on: date, programme: str | None) -> None:
        from jobs.compliance_run import run_compliance
        from lifecycle.services.read_models.worklist import case_names

        app: Any = self.app

        def progress(done: int, total: int) -> None:
            app.call_from_thread(self.progress, done, total)

        try:
            report = run_compliance(app.lifecycle, app.user, on, dry_run=True, programme=programme,
                                    source="tui", progress=progress)
            ids = [a["case_id"] for a in report.actions[:SHOWN]] + [r["case_id"] for r in report.refused]
            names = case_names(app.lifecycle, ids)
        except Exception as error:
            app.call_from_thread(self.failed, error)
            return
        app.call_from_thread(self.show, report, names)

    def progress(self, done: int, total: int) -> None:
        self.query_one("#summary", Static).update(Text(f"Cases due: {done:,} of {total:,} examined…",
                                                       style="dim"))

    def failed(self, error: Exception) -> None:
        from lifecycle.errors import Refused

        self.slow.stop(self.query_one("#actions", DataTable))
        if isinstance(error, Refused):
            text = joined(("Refused: ", "bold"), literal(error.action), "\n")
            text.append_text(reasons_text(error.reasons))
        else:
            text = joined((f"{type(error).__name__}: ", "bold"), literal(str(error)))
        self.query_one("#summary", Static).update(text)

    def show(self, report: Any, names: dict[int, str]) -> None:
        self.report = report
        table = self.query_one("#actions", DataTable)
        table.clear()
        for action in report.actions[:SHOWN]:
            table.add_row(action["case_id"], literal(names.get(action["case_id"], "")),
                          literal(action["programme"]), literal(action["rule"]), literal(action["trigger"]),
                          literal(f"{action['from_state'] or '∅'} → {action['to_state'] or '∅'}"),
                          action["effective_on"], literal(action["clause"] or ""))
        self.slow.stop(table)
        total = len(report.actions)
        summary = joined((f"As of {report.as_of}: ", "bold"),
                         f"a compliance run would take {total:,} action(s) on {report.cases_changed:,} "
                         f"case(s) ({report.cases_examined:,} examined). Nothing was written.")
        if total > SHOWN:
            summary.append(f"\nThe first {SHOWN:,} are listed; by rule: ", "dim")
        elif total:
            summary.append("\nBy rule: ", "dim")
        if total:
            summary.append(", ".join(f"{rule} {n:,}" for rule, n in report.counts_by_rule().items()), "dim")
        self.query_one("#summary", Static).update(summary)
        refused = Text()
        if report.refused:
            refused.append(f"{len(report.refused)} due action(s) the rules refuse, left for a person:\n", "bold")
        for item in report.refused:
            refused.append(f"case {item['case_id']} ")
            refused.append(names.get(item["case_id"], ""))
            refused.append(f" · {item['programme']} · {item['rule']} → {item['trigger']} on {item['effective_on']}\n")
            refused.append_text(reasons_text(item["reasons"]))
            refused.append("\n")
        self.query_one("#refused", Static).update(refused)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        app: Any = self.app
        row = event.data_table.get_row(event.row_key)
        app.open_case(int(row[0]))

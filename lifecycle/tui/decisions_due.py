"""Decisions due: what the compliance run proposes (revocations, a missing result) and leaves to
an administrator. Enter opens the case; the decision is taken with `lifecycle decisions confirm`
(with the decision's number) or `dismiss` (with a reason). Everyone may read this screen."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from lifecycle.tui.loading import SlowLoading
from lifecycle.tui.text import joined, literal


class DecisionsDueScreen(Screen[None]):
    AUTO_FOCUS = "#decisions"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reload", "Reload"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.slow = SlowLoading()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Decisions due — proposed by the compliance run, decided by an administrator", classes="title")
        yield Static(id="summary", classes="note")
        yield DataTable(id="decisions", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Decisions due"
        self.query_one("#decisions", DataTable).add_columns(
            "id", "case", "name 名称", "programme", "proposed", "ground", "clause", "since"
        )

    def on_screen_resume(self) -> None:
        self.action_reload()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()

    def action_reload(self) -> None:
        self.slow.start(self.query_one("#decisions", DataTable))
        self.load()

    @work(thread=True, exclusive=True, group="decisions-due")
    def load(self) -> None:
        from lifecycle.services.decisions_due import list_decisions

        app: Any = self.app
        try:
            rows = list_decisions(app.lifecycle)
        except Exception as error:
            app.call_from_thread(self.failed, error)
            return
        app.call_from_thread(self.show, rows)

    def failed(self, error: Exception) -> None:
        self.slow.stop(self.query_one("#decisions", DataTable))
        self.query_one("#summary", Static).update(literal(f"Could not load: {error}", "bold red"))

    def show(self, rows: list[dict[str, Any]]) -> None:
        app: Any = self.app
        table = self.query_one("#decisions", DataTable)
        table.clear()
        for d in rows:
            proposed = d["decision"] or f"{d['trigger']} → {d['to_state']}"
            clause = (d["clause"] or "") + (" [default]" if d["default"] else "")
            table.add_row(
                d["id"],
                d["case_id"],
                literal(d["name"]),
                literal(d["programme"]),
                literal(proposed),
                literal(d["ground"] or ""),
                literal(clause),
                d["due_on"],
                key=str(d["case_id"]),
            )
        self.slow.stop(table)
        how = (
            "Enter opens the case. Decide with `lifecycle decisions confirm ID --decision-no 文号` or "
            "`lifecycle decisions dismiss ID --reason …`."
        )
        if app.read_only_reason():
            how = "Enter opens the case. Deciding needs an admin."
        self.query_one("#summary", Static).update(joined(f"{len(rows):,} open. ", (how, "dim")))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        app: Any = self.app
        if event.row_key.value is not None:
            app.open_case(int(event.row_key.value))

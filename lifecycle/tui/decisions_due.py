"""Decisions due: what the compliance run proposes (revocations, a missing result) and leaves to
an administrator. Enter on a proposal moves to what can be done with it: open its case (first,
the default), dismiss it with a reason, or confirm it with the decision's number (文号) — both
decisions marked, listed after opening the case, and asked once more by name. Everyone may read
this screen; only an administrator is offered the decisions."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Header, OptionList, Static
from textual.widgets.option_list import Option

from lifecycle.tui.decide import CONFIRM, DISMISS, DecideScreen, decision_options, option_label, proposal_text
from lifecycle.tui.footer import Footer
from lifecycle.tui.loading import SlowLoading
from lifecycle.tui.text import joined, literal
from lifecycle.tui.words import N_, _

OPEN_CASE = "open-case"


class DecisionsDueScreen(Screen[None]):
    HELP = "decisions-due"
    AUTO_FOCUS = "#decisions"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reload", N_("Reload")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.slow = SlowLoading()
        self.rows: dict[str, dict[str, Any]] = {}
        #: The proposal and the choice the clerk came from: esc from a form comes back to it.
        self.came_from: tuple[str, str] | None = None
        #: The proposal whose choices are listed.
        self.offered: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Decisions due — proposed by the compliance run, decided by an administrator"), classes="title")
        yield Static(id="summary", classes="note")
        yield DataTable(id="decisions", cursor_type="row", zebra_stripes=True)
        yield Static(_("What to do with the highlighted proposal — enter"), id="choices-title", classes="section")
        yield OptionList(id="choices")
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Decisions due")
        self.query_one("#decisions", DataTable).add_columns(
            _("id"), _("case"), _("name 名称"), _("programme"), _("proposed"), _("ground"), _("clause"), _("since")
        )

    def on_screen_resume(self) -> None:
        self.action_reload()  # back from a case or a form: the list as it is now

    def action_back(self) -> None:
        if self.focused is self.query_one("#choices", OptionList):
            self.query_one("#decisions", DataTable).focus()
            return
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
        self.query_one("#summary", Static).update(literal(_("Could not load: {error}").format(error=error), "bold red"))

    def show(self, rows: list[dict[str, Any]]) -> None:
        app: Any = self.app
        table = self.query_one("#decisions", DataTable)
        if [str(d) for d in rows] == [str(d) for d in self.rows.values()] and table.row_count == len(rows):
            self.slow.stop(table)  # unchanged (a form cancelled): the cursor and the choice stay
            return
        before = self.highlighted()
        table.clear()
        self.rows = {str(d["id"]): d for d in rows}
        for d in rows:
            clause = (d["clause"] or "") + (" [default]" if d["default"] else "")
            table.add_row(
                d["id"],
                d["case_id"],
                literal(d["name"]),
                literal(d["programme"]),
                literal(proposal_text(d)),
                literal(d["ground"] or ""),
                literal(clause),
                d["due_on"],
                key=str(d["id"]),
            )
        self.slow.stop(table)
        how = _(
            "Enter on a proposal: open its case, dismiss it with a reason, or confirm it with the decision's number."
        )
        if app.read_only_reason():
            how = _("Enter opens the case. Deciding needs an admin.")
        self.query_one("#summary", Static).update(
            joined(_("{count} open. ").format(count=f"{len(rows):,}"), (how, "dim"))
        )
        if before is not None and str(before["id"]) in self.rows:
            table.move_cursor(row=table.get_row_index(str(before["id"])))
        self.offer(self.highlighted())

    def highlighted(self) -> dict[str, Any] | None:
        table = self.query_one("#decisions", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(str(key))

    def offer(self, decision: dict[str, Any] | None) -> None:
        """The choices for `decision`: open its case first (the default), the decisions after."""
        app: Any = self.app
        choices = self.query_one("#choices", OptionList)
        choices.clear_options()
        self.offered = None if decision is None else str(decision["id"])
        if decision is None:
            choices.add_option(Option(Text(_("No proposal is open."), style="dim"), disabled=True))
            return
        case = int(decision["case_id"])
        choices.add_option(
            Option(
                joined((_("open case {case}").format(case=case), "bold"), "  ", literal(decision["name"])),
                OPEN_CASE,
            )
        )
        read_only = app.read_only_reason()
        for mode in decision_options(decision):
            choices.add_option(Option(option_label(decision, mode, case), mode, disabled=read_only is not None))
        if decision.get("decision"):
            choices.add_option(
                Option(
                    Text(
                        _("Confirming is not offered: it is settled by recording {trigger} on the case.").format(
                            trigger=decision["trigger"]
                        ),
                        style="dim",
                    ),
                    disabled=True,
                )
            )
        if read_only:
            choices.add_option(Option(Text(_("Deciding needs an admin."), style="dim"), disabled=True))
        choices.highlighted = 0

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if str(event.row_key.value) != self.offered:  # the same proposal keeps its highlighted choice
            self.offer(self.rows.get(str(event.row_key.value)))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.offer(self.rows.get(str(event.row_key.value)))
        choices = self.query_one("#choices", OptionList)
        choices.highlighted = 0  # opening the case, never a decision
        choices.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        app: Any = self.app
        decision = self.highlighted()
        if decision is None or event.option.id is None:
            return
        if event.option.id == OPEN_CASE:
            app.open_case(int(decision["case_id"]))
            return
        if event.option.id not in (CONFIRM, DISMISS) or app.read_only_reason():
            return
        self.came_from = (str(decision["id"]), event.option.id)
        app.push_screen(
            DecideScreen(
                decision,
                event.option.id,
                case_id=int(decision["case_id"]),
                case_name=decision["name"],
                programme=decision["programme"],
            ),
            self._decided,
        )

    def _decided(self, outcome: str | None) -> None:
        from lifecycle.tui.action_form import CANCELLED

        choices = self.query_one("#choices", OptionList)
        came_from = self.came_from
        self.came_from = None
        if outcome == CANCELLED and came_from is not None and came_from[0] == self.offered:
            # Nothing changed: back on the choice the clerk came from, not on the first one.
            ids = [o.id for o in choices.options]
            if came_from[1] in ids:
                choices.highlighted = ids.index(came_from[1])
            choices.focus()
            return
        self.query_one("#decisions", DataTable).focus()
        self.action_reload()

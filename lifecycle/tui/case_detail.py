"""One case: its fields, the actions allowed now, the blocked ones with every reason, its
obligations and the timeline of its audit entries."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from lifecycle.services.read_models.case_file import CaseFile
from lifecycle.tui.loading import SlowLoading
from lifecycle.tui.text import joined, literal, reasons_text


class CaseDetailScreen(Screen[None]):
    AUTO_FOCUS = "#actions"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reload", "Reload"),
        Binding("h", "history", "Case in audit log"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, case_id: int) -> None:
        super().__init__()
        self.slow = SlowLoading()
        self.case_id = case_id
        self.file: CaseFile | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"Case {self.case_id}", id="heading", classes="title")
        with VerticalScroll(id="body"):
            yield Static(id="summary", classes="block")
            yield Static("", id="role-note", classes="note")
            yield Static("Actions allowed now — enter to act", id="actions-title", classes="section")
            yield OptionList(id="actions")
            yield Static("Obligations", classes="section")
            yield Static(id="obligations", classes="block")
            yield Static("Fields", classes="section")
            yield Static(id="fields", classes="block")
            yield Static("Timeline", classes="section")
            yield DataTable(id="timeline", cursor_type="row", zebra_stripes=True)
            yield Static("Blocked", classes="section")
            yield Static(id="blocked", classes="block")
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"Case {self.case_id}"
        self.query_one("#timeline", DataTable).add_columns(
            "effective", "trigger", "from → to", "actor", "clause", "reason")
        self.action_reload()

    def action_reload(self) -> None:
        self.slow.start(self.query_one("#body"))
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_history(self) -> None:
        from lifecycle.tui.audit_viewer import AuditScreen

        self.app.push_screen(AuditScreen(case_id=self.case_id))  # esc comes back here

    @work(thread=True, exclusive=True, group="case")
    def load(self) -> None:
        from lifecycle.services.read_models.case_file import case_file

        app: Any = self.app
        try:
            found = case_file(app.lifecycle, self.case_id, app.today)
        except Exception as error:
            app.call_from_thread(self.failed, error)
            return
        app.call_from_thread(self.show, found)

    def failed(self, error: Exception) -> None:
        self.slow.stop(self.query_one("#body"))
        self.query_one("#summary", Static).update(literal(str(error), "bold red"))

    def show(self, found: CaseFile) -> None:
        app: Any = self.app
        self.file = found
        view = found.view
        self.query_one("#heading", Static).update(joined(
            f"Case {view['id']} · ", literal(view["name"]), f" · {view['programme']}"))
        self.query_one("#summary", Static).update(self._summary(found))
        read_only = app.read_only_reason()
        self.query_one("#role-note", Static).update(literal(read_only or ""))
        self.query_one("#actions-title", Static).update(
            "Actions an admin could take now (read only for you)" if read_only
            else "Actions allowed now — enter to act")
        actions = self.query_one("#actions", OptionList)
        actions.clear_options()
        for name in view["allowed"]:
            zh, en = found.triggers.get(name, (name, name))
            actions.add_option(Option(joined((name, "bold"), "  ", zh, " ", (en, "dim")), id=name,
                                      disabled=read_only is not None))
        if not view["allowed"]:
            actions.add_option(Option(Text("No action is allowed on this date.", style="dim"),
                                      disabled=True))
        blocked = Text()
        for name, reasons in view["blocked_reasons"].items():
            if blocked:
                blocked.append("\n")
            blocked.append(name, "bold")
            blocked.append("\n")
            blocked.append_text(reasons_text(reasons))
        self.query_one("#blocked", Static).update(blocked or Text("Nothing is blocked.", style="dim"))
        self.query_one("#obligations", Static).update(self._obligations(found))
        fields = Text()
        for key, value in sorted(view["fields"].items()):
            if fields:
                fields.append("\n")
            fields.append(f"{key}: ", "dim")
            fields.append(shown(value))
        self.query_one("#fields", Static).update(fields or Text("No fields recorded.", style="dim"))
        timeline = self.query_one("#timeline", DataTable)
        timeline.clear()
        for entry in reversed(view["history"]):
            timeline.add_row(entry["effective_on"], literal(entry["trigger"]),
                             literal(f"{entry['from_state'] or '∅'} → {entry['to_state'] or '∅'}"),
                             literal(f"{entry['actor']} ({entry['role']})"), literal(entry["clause"] or ""),
                             literal(entry["reason"] or ""), key=str(entry["seq"]))
        self.slow.stop(self.query_one("#body"))
        if view["allowed"] and read_only is None:
            actions.highlighted = 0

    def _summary(self, found: CaseFile) -> Text:
        view = found.view
        summary = joined(("state  ", "dim"), (view["state_zh"], "bold"), " ", view["state_en"],
                         (f" ({view['state']}, {view['state_kind']})", "dim"),
                         ("  since ", "dim"), view["state_since"])
        dated = [("approved", view["approved_on"]), ("valid until", view["valid_until"]),
                 ("cycle", f"{view['cycle']} from {view['cycle_start']}" if view["cycle_start"] else None),
                 ("cycle ends", view["cycle_end"]), ("deadline", view["deadline_on"])]
        line = Text()
        for label, value in dated:
            if value:
                line.append(f"{label} ", "dim")
                line.append(f"{value}   ")
        if line:
            summary.append("\n")
            summary.append_text(line)
        if found.next_due is not None:
            late = found.next_due.on < view_as_of(view)
            summary.append("\nnext due ", "dim")
            summary.append(found.next_due.on.isoformat(), "bold red" if late else "bold")
            summary.append(f"  {found.next_due.trigger}: {found.next_due.rule}")
            if late:
                summary.append("  (overdue)", "red")
        if view["pending_change"]:
            summary.append("\npending change ", "dim")
            summary.append(str(view["pending_change"]))
        summary.append(f"\nversion {view['version']} · definition {view['definition_version'][:12]}"
                       f" · as of {view['as_of']}", "dim")
        return summary

    def _obligations(self, found: CaseFile) -> Text:
        out = Text()
        styles = {"fulfilled": "green", "overdue": "bold red", "reminded": "bold red", "open": "yellow"}
        for item in found.obligations[-12:]:  # the latest periods; the log has them all
            if out:
                out.append("\n")
            out.append(f"{item.obligation} {item.period}: ")
            out.append(item.status, styles.get(item.status, ""))
            reminded = f"; reminded {item.reminded_on}" if item.reminded_on else ""
            marker = ", default" if item.default else ""
            clause = f"; {item.clause}{marker}" if item.clause else ""
            out.append(f" (due {item.due_on}{reminded}{clause})", "dim")
        return out or Text("None yet (obligations start with the designation).", style="dim")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        from lifecycle.tui.action_form import ActionFormScreen

        app: Any = self.app
        if self.file is None or event.option.id is None or app.read_only_reason():
            return
        view = self.file.view
        app.push_screen(ActionFormScreen(view["id"], event.option.id, view["version"]), self._acted)

    def _acted(self, changed: bool | None) -> None:
        self.action_reload()


def shown(value: Any) -> str:
    """A field as the CLI prints it: booleans as true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def view_as_of(view: dict[str, Any]) -> Any:
    from datetime import date

    return date.fromisoformat(view["as_of"])

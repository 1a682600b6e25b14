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
from textual.widgets import DataTable, Header, OptionList, Static
from textual.widgets.option_list import Option

from lifecycle.domain.characters import printable
from lifecycle.domain.severity import RANK
from lifecycle.services.read_models.case_file import CaseFile
from lifecycle.tui.decide import DecideScreen, decision_options, option_label
from lifecycle.tui.fitting import Column, FittedTable
from lifecycle.tui.footer import Footer
from lifecycle.tui.loading import SlowLoading
from lifecycle.tui.text import joined, literal, reasons_text
from lifecycle.tui.words import N_, _, chinese

#: Codes the services give, shown in the user's language: a state's kind, an obligation's
#: status, a notification's delivery status.
CODES = (
    N_("pre"),
    N_("active"),
    N_("terminal"),
    N_("fulfilled"),
    N_("overdue"),
    N_("reminded"),
    N_("open"),
    N_("sent"),
    N_("gave_up"),
    N_("retry"),
    N_("pending"),
    N_("sending"),
)

#: The id prefix of a decision's line in the actions list: "decision:confirm:12".
DECISION = "decision:"

TIMELINE = [
    Column("effective", N_("effective"), 0),
    Column("trigger", N_("trigger"), 1),
    Column("move", N_("from → to"), 2),
    Column("actor", N_("actor"), 4),
    Column("clause", N_("clause"), 3),
    Column("reason", N_("reason"), 5),
]


class CaseDetailScreen(Screen[None]):
    HELP = "case"
    AUTO_FOCUS = "#actions"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reload", N_("Reload")),
        Binding("h", "history", N_("Case in audit log")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self, case_id: int) -> None:
        super().__init__()
        self.slow = SlowLoading()
        self.case_id = case_id
        self.file: CaseFile | None = None
        #: The action whose form the clerk opened: esc from the form comes back to it.
        self.came_from: str | None = None
        #: The timeline's entries by audit sequence number, for the detail of the highlighted one.
        self.entries: dict[str, dict[str, Any]] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Case {case}").format(case=self.case_id), id="heading", classes="title")
        with VerticalScroll(id="body"):
            yield Static(id="summary", classes="block")
            yield Static("", id="role-note", classes="note")
            yield Static(_("Actions allowed now — enter to act"), id="actions-title", classes="section")
            yield OptionList(id="actions")
            yield Static(_("Obligations"), classes="section")
            yield Static(id="obligations", classes="block")
            yield Static(_("Fields"), classes="section")
            yield Static(id="fields", classes="block")
            yield Static(_("Timeline"), classes="section")
            yield DataTable(id="timeline", cursor_type="row", zebra_stripes=True)
            yield Static("", id="timeline-detail", classes="detail")
            yield Static(_("Blocked"), classes="section")
            yield Static(id="blocked", classes="block")
            yield Static(_("Contact and notifications"), classes="section")
            yield Static(id="notifications", classes="block")
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Case {case}").format(case=self.case_id)
        # The clause and the reason can be long: the highlighted entry is shown in full below.
        self.timeline = FittedTable(self.query_one("#timeline", DataTable), TIMELINE)
        self.action_reload()

    def on_resize(self, event: Any) -> None:
        self.call_after_refresh(self.timeline.refit)

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
        self.query_one("#heading", Static).update(
            joined(_("Case {case}").format(case=view["id"]) + " · ", literal(view["name"]), f" · {view['programme']}")
        )
        self.query_one("#summary", Static).update(self._summary(found))
        read_only = app.read_only_reason()
        self.query_one("#role-note", Static).update(literal(read_only or ""))
        self.query_one("#actions-title", Static).update(
            _("Actions an admin could take now (read only for you)")
            if read_only
            else _("Actions allowed now — enter to act")
        )
        actions = self.query_one("#actions", OptionList)
        actions.clear_options()
        # Ordinary steps first, what ends the case last: enter on the first line never revokes.
        allowed = sorted(view["allowed"], key=lambda name: RANK[found.severity.get(name)])  # type: ignore[index]
        for name in allowed:
            actions.add_option(Option(action_label(found, name), id=name, disabled=read_only is not None))
        # The proposals of the compliance run still open on this case: deciding comes last of all.
        for decision in view.get("decisions", []):
            if decision["state"] != "open":
                continue
            for mode in decision_options(decision):
                actions.add_option(
                    Option(
                        option_label(decision, mode, view["id"]),
                        id=f"{DECISION}{mode}:{decision['id']}",
                        disabled=read_only is not None,
                    )
                )
        if not actions.option_count:
            actions.add_option(Option(Text(_("No action is allowed on this date."), style="dim"), disabled=True))
        blocked = Text()
        for name, reasons in view["blocked_reasons"].items():
            if blocked:
                blocked.append("\n")
            blocked.append(self._trigger(found, name), "bold")
            blocked.append("\n")
            blocked.append_text(reasons_text(reasons))
        self.query_one("#blocked", Static).update(blocked or Text(_("Nothing is blocked."), style="dim"))
        self.query_one("#obligations", Static).update(self._obligations(found))
        self.query_one("#notifications", Static).update(self._notifications(found))
        fields = Text()
        for key, value in sorted(view["fields"].items()):
            if fields:
                fields.append("\n")
            zh = found.fields.get(key, (None, None))[0]
            fields.append(f"{zh if chinese() and zh else key}: ", "dim")
            fields.append(printable(shown(value)))
        self.query_one("#fields", Static).update(fields or Text(_("No fields recorded."), style="dim"))
        self.entries = {str(entry["seq"]): entry for entry in view["history"]}
        self.timeline.show(
            [
                (
                    str(entry["seq"]),
                    {
                        "effective": entry["effective_on"],
                        "trigger": literal(self._trigger(found, entry["trigger"])),
                        "move": literal(move_words(found, entry)),
                        "actor": literal(f"{entry['actor']} ({entry['role']})"),
                        "clause": literal(
                            (entry["clause"] or "") + (" [default]" if entry["payload"].get("default") else "")
                        ),
                        "reason": literal(entry["reason"] or ""),
                    },
                )
                for entry in reversed(view["history"])
            ]
        )
        self.slow.stop(self.query_one("#body"))
        if read_only is None:
            self.highlight(actions, [name for name in allowed if name not in found.severity])
        # The case opens at its top, its state in view: the focused action list (and the longer
        # page the contact and notifications make) would otherwise scroll the summary away.
        body = self.query_one("#body", VerticalScroll)
        self.call_after_refresh(body.scroll_home, animate=False)

    def highlight(self, actions: OptionList, ordinary: list[str]) -> None:
        """The action the clerk came from (after esc from its form), else the first ordinary
        one; never a grave one by default: with only grave actions, none is highlighted."""
        came_from = self.came_from
        if came_from is not None and came_from in [o.id for o in actions.options]:
            actions.highlighted = actions.get_option_index(came_from)
        elif ordinary:
            actions.highlighted = actions.get_option_index(ordinary[0])
        else:
            actions.highlighted = None

    @staticmethod
    def _trigger(found: CaseFile, name: str) -> str:
        """A trigger by its Chinese label in Chinese mode, by its code otherwise."""
        zh = found.triggers.get(name, (None, None))[0]
        return zh if chinese() and zh else name

    def _summary(self, found: CaseFile) -> Text:
        view = found.view
        summary = joined(
            (_("state") + "  ", "dim"),
            (view["state_zh"], "bold"),
            "" if chinese() else " " + view["state_en"],
            (f" ({view['state']}, {_(view['state_kind'])})", "dim"),
            ("  " + _("since") + " ", "dim"),
            view["state_since"],
        )
        cycle = (
            _("{cycle} from {day}").format(cycle=view["cycle"], day=view["cycle_start"])
            if view["cycle_start"]
            else None
        )
        dated = [
            (_("approved"), view["approved_on"]),
            (_("valid until"), view["valid_until"]),
            (_("cycle"), cycle),
            (_("cycle ends"), view["cycle_end"]),
            (_("deadline"), view["deadline_on"]),
        ]
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
            summary.append("\n" + _("next due") + " ", "dim")
            summary.append(found.next_due.on.isoformat(), "bold red" if late else "bold")
            summary.append(f"  {self._trigger(found, found.next_due.trigger)}: {found.next_due.rule}")
            if late:
                summary.append("  (" + _("overdue") + ")", "red")
        for d in view.get("decisions", []):
            if d["state"] != "open":
                continue
            summary.append("\n" + _("decision due") + " ", "dim")
            summary.append(f"#{d['id']} ", "bold yellow")
            summary.append(d["decision"] or f"{d['trigger']} → {d['to_state']} ({d['ground']})")
            summary.append(
                "  "
                + _("since {day}").format(day=d["due_on"])
                + f" · {d['clause'] or _('no clause')}"
                + (" [default]" if d["default"] else ""),
                "dim",
            )
        if view["pending_change"]:
            summary.append("\n" + _("pending change") + " ", "dim")
            summary.append(printable(str(view["pending_change"])))
        summary.append(
            "\n"
            + _("version {version} · definition {definition} · as of {day}").format(
                version=view["version"], definition=view["definition_version"][:12], day=view["as_of"]
            ),
            "dim",
        )
        return summary

    def _obligations(self, found: CaseFile) -> Text:
        out = Text()
        styles = {"fulfilled": "green", "overdue": "bold red", "reminded": "bold red", "open": "yellow"}
        for item in found.obligations[-12:]:  # the latest periods; the log has them all
            if out:
                out.append("\n")
            out.append(f"{item.obligation} {item.period}: ")
            out.append(_(item.status), styles.get(item.status, ""))
            reminded = "; " + _("reminded {day}").format(day=item.reminded_on) if item.reminded_on else ""
            marker = " [default]" if item.default else ""
            clause = f"; {item.clause}{marker}" if item.clause else ""
            out.append(" (" + _("due {day}").format(day=item.due_on) + f"{reminded}{clause})", "dim")
        return out or Text(_("None yet (obligations start with the designation)."), style="dim")

    def _notifications(self, found: CaseFile) -> Text:
        """Who is told, and what was sent to whom and when (the latest ten notices)."""
        contact = found.contact
        out = Text()
        if contact is None:
            out.append(_("No contact: nobody is notified (`lifecycle contacts set`)."), "dim")
        else:
            out.append(_("contact") + " ", "dim")
            out.append(" · ".join(str(contact[k]) for k in ("name", "email", "phone") if contact.get(k)))
            if contact.get("webhook_url"):
                out.append(" · " + _("{kind} robot").format(kind=contact["webhook_kind"]))
        styles = {"sent": "green", "gave_up": "bold red", "retry": "yellow", "pending": "yellow", "sending": "yellow"}
        for notice in found.notifications:
            nobody = {"to": _("nobody"), "status": N_("no recipient"), "sent_at": None}
            for delivery in notice["deliveries"] or [nobody]:
                out.append("\n")
                out.append(f"{notice['kind']} {notice['rule']} {notice['period']} → ")
                out.append(literal(delivery["to"]))
                out.append(" ")
                out.append(_(delivery["status"]), styles.get(delivery["status"], ""))
                if delivery["sent_at"]:
                    out.append(f" {delivery['sent_at'][:16]} UTC", "dim")
        return out

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        from lifecycle.tui.action_form import ActionFormScreen

        app: Any = self.app
        if self.file is None or event.option.id is None or app.read_only_reason():
            return
        view = self.file.view
        self.came_from = event.option.id
        if event.option.id.startswith(DECISION):
            mode, _sep, number = event.option.id.removeprefix(DECISION).partition(":")
            decision = next(d for d in view["decisions"] if str(d["id"]) == number)
            app.push_screen(
                DecideScreen(decision, mode, case_id=view["id"], case_name=view["name"], programme=view["programme"]),
                self._acted,
            )
            return
        app.push_screen(
            ActionFormScreen(
                view["id"],
                event.option.id,
                view["version"],
                case_name=view["name"],
                severity=self.file.severity.get(event.option.id),
                terminal=self.file.terminal,
            ),
            self._acted,
        )

    def _acted(self, outcome: str | None) -> None:
        from lifecycle.tui.action_form import CANCELLED

        actions = self.query_one("#actions", OptionList)
        if outcome == CANCELLED and self.came_from in [o.id for o in actions.options]:
            # Nothing changed: back on the action the clerk came from, not on the first one.
            actions.highlighted = actions.get_option_index(str(self.came_from))
            actions.focus()
            return
        if outcome != CANCELLED:
            self.came_from = None  # the case changed: its actions are offered afresh
        actions.focus()
        self.action_reload()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        entry = self.entries.get(str(event.row_key.value))
        if entry is not None:
            self.query_one("#timeline-detail", Static).update(entry_detail(entry))


def action_label(found: CaseFile, name: str) -> Text:
    """An action as the list offers it; a grave one marked in red with what it does."""
    from lifecycle.tui.action_form import MARKS

    zh, en = found.triggers.get(name, (name, name))
    grave = found.severity.get(name)
    english = "" if chinese() else en
    if grave is None:
        return joined((name, "bold"), "  ", zh, " ", (english, "dim"))
    return joined(
        ("⚠ ", "bold red"),
        (name, "bold red"),
        "  ",
        zh,
        " ",
        (english, "dim"),
        ("  — " + _("{mark}, asks to confirm").format(mark=_(MARKS[grave])), "red"),
    )


def entry_detail(entry: dict[str, Any]) -> Text:
    """One timeline entry in full: nothing of the clause or the reason is cut."""
    text = joined(
        ("#", "dim"),
        str(entry["seq"]),
        ("  " + _("effective") + " ", "dim"),
        entry["effective_on"],
        "  ",
        literal(entry["trigger"], "bold"),
        "  ",
        literal(f"{entry['from_state'] or '∅'} → {entry['to_state'] or '∅'}"),
        ("  " + _("by") + " ", "dim"),
        literal(f"{entry['actor']} ({entry['role']})"),
    )
    text.append("\n" + _("clause") + " ", "dim")
    text.append(entry["clause"] or _("none"))
    if entry.get("reason"):
        text.append("\n" + _("reason") + " ", "dim")
        text.append(entry["reason"])
    return text


def move_words(found: CaseFile, entry: dict[str, Any]) -> str:
    """from → to of a timeline entry: by the states' Chinese labels in Chinese mode, codes otherwise."""

    def state(code: str | None) -> str:
        if not code:
            return "∅"
        zh = found.states.get(code, (None, None))[0]
        return zh if chinese() and zh else code

    return f"{state(entry['from_state'])} → {state(entry['to_state'])}"


def shown(value: Any) -> str:
    """A field as the CLI prints it: booleans as true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def view_as_of(view: dict[str, Any]) -> Any:
    from datetime import date

    return date.fromisoformat(view["as_of"])

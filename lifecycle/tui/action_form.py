"""Acting on a case: exactly the trigger's parameters, the effective date and a reason; a
review that shows from → to and the clause; refusals and conflicts explained in place, in
the form's words, with the focus on the field to correct. A grave action (one that ends the
case or records a decision) is marked and asks once more, naming the case and the consequence."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from lifecycle.domain.reasons import Reason
from lifecycle.services.decisions import ParamField, Proposed, TriggerForm
from lifecycle.tui.text import joined, literal, reasons_text
from lifecycle.tui.words import N_, _, chinese

#: How the form dismisses: the action was recorded, the case must be read again, or nothing.
RECORDED, RELOAD, CANCELLED = "recorded", "reload", "cancelled"
#: What a text box expects, by the parameter's type.
HINTS = {
    "int": N_("a whole number, e.g. 2025"),
    "date": "YYYY-MM-DD",
    "ratio": N_("0.12 or 12%"),
    "number": N_("e.g. 3e9"),
}
#: The words a grave action is marked with, in the form's title and the case's action list.
MARKS = {"final": N_("ends the case"), "may_end": N_("may end the case"), "decision": N_("records a decision")}
#: Reasons about the effective date: the clerk corrects the date box.
DATE_REASONS = {"not_in_force", "before_state_entry", "validity_ended", "not_due", "deadline_passed"}


class ActionFormScreen(ModalScreen[str]):
    """Dismissed with RECORDED, RELOAD (after a conflict) or CANCELLED (nothing written)."""

    HELP = "action-form"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel")),
        Binding("ctrl+r", "review", N_("Review")),
        # A form is modal: the app's keys do not reach it; f1 works in a text box too.
        Binding("f1,question_mark", "app.help", N_("Help"), key_display="f1"),
    ]

    def __init__(
        self,
        case_id: int,
        trigger: str,
        version: int,
        *,
        case_name: str = "",
        severity: str | None = None,
        terminal: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__()
        self.case_id = case_id
        self.trigger = trigger
        self.version = version
        self.case_name = case_name
        #: final, may_end, decision (lifecycle.domain.severity) or None for an ordinary step
        self.severity = severity
        self.terminal = terminal
        self.form: TriggerForm | None = None
        self.proposed: Proposed | None = None

    def compose(self) -> ComposeResult:
        app: Any = self.app
        with Vertical(id="form", classes="-grave" if self.severity else ""):
            yield Static(
                _("{trigger} on case {case}").format(trigger=self.trigger, case=self.case_id),
                id="form-title",
                classes="title",
            )
            with VerticalScroll(id="inputs"):
                yield Vertical(id="params")
                yield Label(_("Effective date (YYYY-MM-DD, China Standard Time)"))
                yield Input(app.today.isoformat(), id="on", compact=True)
                yield Label(_("Reason (recorded in the audit log)"))
                yield Input(placeholder=_("why, for the record"), id="reason", compact=True)
            with VerticalScroll(id="outcome-box"):
                yield Static("", id="outcome", classes="block")
            with Horizontal(classes="buttons"):
                yield Button(_("Review"), id="review", variant="primary")
                yield Button(_("Confirm"), id="confirm", variant="success", disabled=True)
                yield Button(_("Reload case"), id="reload", variant="warning")
                yield Button(_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#reload", Button).display = False
        self.on_resize()
        self.load_form()

    def on_resize(self, event: Any = None) -> None:
        # In a short terminal the buttons lose their frame, so the review's outcome fits.
        for button in self.query(Button):
            button.compact = self.app.size.height < 30

    @work(thread=True, group="form")
    def load_form(self) -> None:
        from lifecycle.services.decisions import trigger_form

        app: Any = self.app
        try:
            form = trigger_form(app.lifecycle, self.case_id, self.trigger)
        except Exception as error:
            app.call_from_thread(self.problem, Text(str(error)))
            return
        app.call_from_thread(self.show_form, form)

    def show_form(self, form: TriggerForm) -> None:
        self.form = form
        title = joined(
            (form.trigger, "bold"),
            f" {form.zh}" + ("" if chinese() else f" · {form.en}") + " · " + _("case {case}").format(case=self.case_id),
            (f"  ({form.clause})" if form.clause else "", "dim"),
        )
        if self.severity:
            title.append(
                "\n⚠ " + _("{mark}: you will be asked to confirm it by name").format(mark=_(MARKS[self.severity])),
                "bold red",
            )
        self.query_one("#form-title", Static).update(title)
        box = self.query_one("#params", Vertical)
        widgets: list[Any] = []
        for param in form.params:
            widgets.append(
                Label(
                    joined(
                        (param.zh or "", "bold"),
                        " " if param.zh else "",
                        "" if chinese() and param.zh else param.label,
                        (f"  {param.name}", "dim"),
                        (f" ({param.clause})" if param.clause else "", "dim"),
                    )
                )
            )
            if param.choices:
                widgets.append(
                    Select(
                        [(choice_label(param, choice), choice) for choice in param.choices],
                        id=f"param-{param.name}",
                        prompt=_("choose: {label}").format(label=describe(param)),
                        value=param.default if param.default in param.choices else Select.NULL,
                        compact=True,
                    )
                )
            else:
                widgets.append(
                    Input(
                        param.default or "",
                        placeholder=_(HINTS.get(param.type, param.type)),
                        id=f"param-{param.name}",
                        compact=True,
                    )
                )
        box.mount_all(widgets)
        (widgets[1] if widgets else self.query_one("#on", Input)).focus()

    # -- values ---------------------------------------------------------------------
    def values(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for param in self.form.params if self.form else []:
            widget = self.query_one(f"#param-{param.name}")
            if isinstance(widget, Select):
                if widget.value is not Select.NULL:
                    found[param.name] = str(widget.value)
            elif isinstance(widget, Input) and widget.value.strip():
                found[param.name] = widget.value.strip()
        return found

    def effective_on(self) -> date:
        from lifecycle.domain.dates import parse_date
        from lifecycle.errors import UsageError

        text = self.query_one("#on", Input).value.strip()
        try:
            return parse_date(text)
        except ValueError as error:
            raise UsageError(str(error)) from None

    def on_input_changed(self, event: Input.Changed) -> None:
        self._invalidate()

    def on_select_changed(self, event: Select.Changed) -> None:
        self._invalidate()

    def _invalidate(self) -> None:
        """A reviewed action is confirmed only with the values it was reviewed with."""
        if self.proposed is not None:
            self.proposed = None
            self.query_one("#confirm", Button).disabled = True
            self.query_one("#outcome", Static).update("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_review()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "review":
            self.action_review()
        elif event.button.id == "confirm":
            self.action_confirm()
        elif event.button.id == "reload":
            self.dismiss(RELOAD)
        elif event.button.id == "cancel":
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(CANCELLED)

    # -- review and confirm -----------------------------------------------------------
    def action_review(self) -> None:
        if self.form is None:
            return
        try:
            on = self.effective_on()
        except Exception as error:
            self.problem(joined((_("Effective date: "), "bold"), literal(str(error))), focus="#on")
            return
        self.query_one("#outcome", Static).update(Text(_("Checking…"), style="dim"))
        self.review(on, self.values())

    @work(thread=True, exclusive=True, group="act")
    def review(self, on: date, values: dict[str, str]) -> None:
        from lifecycle.services.decisions import propose

        app: Any = self.app
        try:
            proposed = propose(app.lifecycle, app.user, self.case_id, self.trigger, on, values)
        except Exception as error:
            app.call_from_thread(self.refused, error)
            return
        app.call_from_thread(self.show_proposed, proposed)

    def show_proposed(self, proposed: Proposed) -> None:
        self.proposed = proposed
        clause = f"{proposed.clause}{' [default]' if proposed.default else ''}" if proposed.clause else _("no clause")
        move = (
            _("stays {state} (recorded, no change of state)").format(state=self._label(proposed.from_label))
            if proposed.internal
            else f"{self._label(proposed.from_label)} → {self._label(proposed.to_label)}"
        )
        outcome = joined(
            (_("Confirm: "), "bold"),
            move,
            "\n" + _("on {day} under {clause}").format(day=proposed.effective_on, clause=clause),
        )
        payload = {
            k: v for k, v in proposed.payload.items() if v is not None and not k.endswith(("_clause", "_default"))
        }
        if payload:
            outcome.append("\n" + _("records") + " " + ", ".join(f"{k}={v}" for k, v in payload.items()), "dim")
        app: Any = self.app
        if proposed.effective_on > app.today:  # usually a typo, and the log keeps it for good
            outcome.append(
                "\n"
                + _(
                    "Warning: {day} is after today ({today}, China Standard Time); what is recorded stays in "
                    "the audit log."
                ).format(day=proposed.effective_on, today=app.today),
                "bold yellow",
            )
        grave = self.is_grave(proposed)
        if grave:
            outcome.append(f"\n⚠ {self.consequence(proposed)}", "bold red")
            outcome.append("\n" + _("Confirm asks once more, naming the case; change a value to review again."), "dim")
        else:
            outcome.append("\n" + _("Press Confirm (or enter) to record it; change a value to review again."), "dim")
        out = self.query_one("#outcome", Static)
        out.set_classes("block grave" if grave else "block ok")
        out.update(outcome)
        confirm = self.query_one("#confirm", Button)
        confirm.label = _("Confirm…") if grave else _("Confirm")
        confirm.disabled = False
        confirm.focus()

    @staticmethod
    def _label(label: str) -> str:
        """A state as `Programme.label` gives it ("绩效评估 final_assessment"): in Chinese mode
        its Chinese name only."""
        zh, _sep, code = label.partition(" ")
        return zh if chinese() and code else label

    def is_grave(self, proposed: Proposed) -> bool:
        """Ends the case (whatever the list said: an evaluation graded fail) or decides."""
        return proposed.to_state in self.terminal or self.severity in ("final", "decision")

    def consequence(self, proposed: Proposed) -> str:
        if proposed.to_state in self.terminal:
            return _(
                "This ends case {case}: it will be {state}, a final state that accepts no further action. The "
                "audit log keeps the entry for good."
            ).format(case=self.case_id, state=self._label(proposed.to_label))
        return _(
            "This records a decision on case {case}; it cannot be taken back, only followed by another entry."
        ).format(case=self.case_id)

    def action_confirm(self) -> None:
        proposed = self.proposed
        if proposed is None:
            return
        if self.is_grave(proposed):
            from lifecycle.tui.confirm import ConfirmGraveScreen

            move = (
                _("stays {state}").format(state=self._label(proposed.from_label))
                if proposed.internal
                else f"{self._label(proposed.from_label)} → {self._label(proposed.to_label)}"
            )
            title = joined(
                (_("{trigger} case {case} · ").format(trigger=self.trigger, case=self.case_id), "bold"),
                literal(self.case_name),
            )
            consequence = joined(
                (_("Case {case}").format(case=self.case_id) + " ", "bold"),
                literal(self.case_name, "bold"),
                "\n" + _("{move}, effective {day}").format(move=move, day=proposed.effective_on),
                " " + _("under {clause}").format(clause=proposed.clause) if proposed.clause else "",
                (f"\n{self.consequence(proposed)}", "bold red"),
            )
            trigger = self.form.zh if chinese() and self.form else self.trigger.replace("_", " ").capitalize()
            button = _("{trigger} case {case}").format(trigger=trigger, case=self.case_id)  # Revoke case 15
            self.app.push_screen(ConfirmGraveScreen(title, consequence, button), self._confirmed_grave)
            return
        self._record(proposed)

    def _confirmed_grave(self, sure: bool | None) -> None:
        if sure and self.proposed is not None:
            self._record(self.proposed)
        else:
            self.query_one("#confirm", Button).focus()

    def _record(self, proposed: Proposed) -> None:
        reason = self.query_one("#reason", Input).value.strip() or None
        self.query_one("#confirm", Button).disabled = True
        self.confirm(proposed.effective_on, self.values(), reason)

    @work(thread=True, exclusive=True, group="act")
    def confirm(self, on: date, values: dict[str, str], reason: str | None) -> None:
        from lifecycle.services.cases import advance

        app: Any = self.app
        try:
            outcome = advance(
                app.lifecycle, app.user, self.case_id, self.trigger, on, values, reason, expected_version=self.version
            )
        except Exception as error:
            app.call_from_thread(self.refused, error)
            return
        finally:
            app.lifecycle.end_thread()  # this worker thread ends here: do not leave its writer open
        entry = outcome.entry
        app.call_from_thread(
            self.recorded,
            _("case {case}: {trigger} recorded ({from_state} → {to_state}), audit entry #{seq}").format(
                case=self.case_id,
                trigger=self.trigger,
                from_state=entry.from_state,
                to_state=entry.to_state,
                seq=entry.seq,
            ),
        )

    def recorded(self, message: str) -> None:
        self.app.notify(message, title=_("Recorded"))
        self.dismiss(RECORDED)

    def refused(self, error: Exception) -> None:
        from lifecycle.errors import Conflict, Refused

        if isinstance(error, Refused):
            text = joined((_("Refused: "), "bold"), literal(error.action), "\n")
            lines, focus = self.in_form_words(error.reasons)
            text.append_text(reasons_text(lines))
            text.append(
                "\n"
                + _("Nothing was written.")
                + (" " + _("Correct the value marked above and review again.") if focus else ""),
                "dim",
            )
            self.problem(text, focus=focus)
        elif isinstance(error, Conflict):
            text = joined(
                (_("Conflict: "), "bold"),
                literal(str(error)),
                "\n"
                + _(
                    "Someone changed this case after you opened it. Reload it to see the change, then act again "
                    "if it still applies."
                ),
            )
            self.problem(text)
            reload = self.query_one("#reload", Button)
            reload.display = True
            reload.focus()
        else:
            self.problem(joined((f"{type(error).__name__}: ", "bold"), literal(str(error))))

    def problem(self, text: Text, *, focus: str | None = None) -> None:
        self.proposed = None
        out = self.query_one("#outcome", Static)
        out.set_classes("block problem")
        out.update(text)
        confirm = self.query_one("#confirm", Button)
        confirm.label = _("Confirm")
        confirm.disabled = True
        # Typing goes on where it has to: the field named, else where the clerk was (a
        # disabled Confirm would otherwise have taken the focus away from every box).
        target = self.query(focus).first() if focus and self.query(focus) else None
        if target is None and (self.focused is None or self.focused is confirm):
            target = self._first_box()
        if target is not None:
            target.focus()
        for widget in self.query("#params Select, #params Input, #on"):
            widget.set_class(widget is target and focus is not None, "-to-correct")

    def _first_box(self) -> Any:
        boxes = self.query("#params Select, #params Input")
        return boxes.first() if boxes else self.query_one("#on", Input)

    # -- refusals in the form's words -------------------------------------------------
    def in_form_words(self, reasons: list[Reason]) -> tuple[list[Reason], str | None]:
        """The reasons as the form's clerk acts on them (the field to choose or fill, never the
        CLI's `--set name=…`), and the box to correct first."""
        params = {p.name: p for p in (self.form.params if self.form else [])}
        lines, focus = [], None
        for reason in reasons:
            field = reason.details.get("field")
            param = params.get(str(field)) if field else None
            own = reason.code in ("missing_field", "no_route")  # worded here: the clause is added after
            if reason.code == "missing_field" and param is not None:
                message = self._missing(param)
            elif reason.code == "invalid_field" and param is not None:
                message = f"{describe(param)}: {reason.text().removeprefix(f'{param.name}: ')}"
            elif reason.code == "no_route" and params:
                param = next(iter(params.values()))
                message = f"{describe(param)}: {_('in this state the rules accept')} " + ", ".join(
                    choice_label(param, str(v).split("=", 1)[-1]).plain for v in reason.details.get("accepted", [])
                )
            elif reason.code in DATE_REASONS:
                message = _("Effective date: ") + reason.text()
                focus = focus or "#on"
            else:
                message, own = reason.text(), False
            if param is not None:
                focus = focus or f"#param-{param.name}"
            # Reason.text() gives the domain's words (translated there) with the clause; a line
            # worded here takes the clause from the reason.
            clause, default = (reason.clause, reason.default) if own else (None, False)
            lines.append(Reason(reason.code, message, clause, default, reason.details))
        return lines, focus

    @staticmethod
    def _missing(param: ParamField) -> str:
        if param.choices:
            return _("Choose {field} in the list above: ").format(field=describe(param)) + ", ".join(
                choice_label(param, c).plain for c in param.choices
            )
        return _("Fill in {field} above ({hint})").format(
            field=describe(param), hint=_(HINTS.get(param.type, param.type))
        )


def describe(param: ParamField) -> str:
    """A parameter as the form labels it: 评估等级 grade."""
    if chinese() and param.zh:
        return param.zh
    return f"{param.zh} {param.label}" if param.zh else param.label


def choice_label(param: ParamField, choice: str) -> Text:
    """A choice as the definition words it: 较差 poor (poor); the code alone where it has no words."""
    words = param.choice_labels.get(choice)
    if words is None:
        return Text(choice)
    zh, en = words
    if chinese():
        return joined(zh, (f" ({choice})", "dim"))
    return joined(zh, " ", en, (f" ({choice})", "dim") if en != choice else "")

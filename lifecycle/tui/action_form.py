"""Acting on a case: exactly the trigger's parameters, the effective date and a reason; a
review that shows from → to and the clause; refusals and conflicts explained in place."""

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

from lifecycle.services.decisions import Proposed, TriggerForm
from lifecycle.tui.text import joined, literal, reasons_text


class ActionFormScreen(ModalScreen[bool]):
    """Dismissed with True when the action was recorded, False when the case must be reloaded."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+r", "review", "Review"),
    ]

    def __init__(self, case_id: int, trigger: str, version: int) -> None:
        super().__init__()
        self.case_id = case_id
        self.trigger = trigger
        self.version = version
        self.form: TriggerForm | None = None
        self.proposed: Proposed | None = None

    def compose(self) -> ComposeResult:
        app: Any = self.app
        with Vertical(id="form"):
            yield Static(f"{self.trigger} on case {self.case_id}", id="form-title", classes="title")
            with VerticalScroll(id="inputs"):
                yield Vertical(id="params")
                yield Label("Effective date (YYYY-MM-DD, China Standard Time)")
                yield Input(app.today.isoformat(), id="on", compact=True)
                yield Label("Reason (recorded in the audit log)")
                yield Input(placeholder="why, for the record", id="reason", compact=True)
            with VerticalScroll(id="outcome-box"):
                yield Static("", id="outcome", classes="block")
            with Horizontal(classes="buttons"):
                yield Button("Review", id="review", variant="primary")
                yield Button("Confirm", id="confirm", variant="success", disabled=True)
                yield Button("Reload case", id="reload", variant="warning")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#reload", Button).display = False
        self.load_form()

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
        self.query_one("#form-title", Static).update(joined(
            (form.trigger, "bold"), f" {form.zh} · {form.en} · case {self.case_id}",
            (f"  ({form.clause})" if form.clause else "", "dim")))
        box = self.query_one("#params", Vertical)
        widgets: list[Any] = []
        for param in form.params:
            widgets.append(Label(joined((param.name, "bold"), f" — {param.label}",
                                        (f" ({param.clause})" if param.clause else "", "dim"))))
            if param.choices:
                widgets.append(Select([(choice, choice) for choice in param.choices], id=f"param-{param.name}",
                                      prompt=f"choose {param.name}",
                                      value=param.default if param.default in param.choices else Select.NULL,
                                      compact=True))
            else:
                hint = {"int": "a whole number, e.g. 2025", "date": "YYYY-MM-DD",
                        "ratio": "0.12 or 12%", "number": "e.g. 3e9"}.get(param.type, param.type)
                widgets.append(Input(param.default or "", placeholder=hint, id=f"param-{param.name}", compact=True))
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
            raise UsageError(f"effective date: {error}") from None

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
            self.dismiss(False)
        elif event.button.id == "cancel":
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(False)

    # -- review and confirm -----------------------------------------------------------
    def action_review(self) -> None:
        if self.form is None:
            return
        try:
            on = self.effective_on()
        except Exception as error:
            self.problem(Text(str(error)))
            return
        self.query_one("#outcome", Static).update(Text("Checking…", style="dim"))
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
        clause = f"{proposed.clause}{', default' if proposed.default else ''}" if proposed.clause else "no clause"
        move = (f"stays {proposed.from_label} (recorded, no change of state)" if proposed.internal
                else f"{proposed.from_label} → {proposed.to_label}")
        outcome = joined(("Confirm: ", "bold"), move, f"\non {proposed.effective_on} under {clause}")
        payload = {k: v for k, v in proposed.payload.items()
                   if v is not None and not k.endswith(("_clause", "_default"))}
        if payload:
            outcome.append("\nrecords " + ", ".join(f"{k}={v}" for k, v in payload.items()), "dim")
        outcome.append("\nPress Confirm (or enter) to record it; change a value to review again.", "dim")
        out = self.query_one("#outcome", Static)
        out.set_classes("block ok")
        out.update(outcome)
        confirm = self.query_one("#confirm", Button)
        confirm.disabled = False
        confirm.focus()

    def action_confirm(self) -> None:
        if self.proposed is None:
            return
        reason = self.query_one("#reason", Input).value.strip() or None
        self.query_one("#confirm", Button).disabled = True
        self.confirm(self.proposed.effective_on, self.values(), reason)

    @work(thread=True, exclusive=True, group="act")
    def confirm(self, on: date, values: dict[str, str], reason: str | None) -> None:
        from lifecycle.persistence.unit_of_work import release_connections
        from lifecycle.services.cases import advance

        app: Any = self.app
        try:
            outcome = advance(app.lifecycle, app.user, self.case_id, self.trigger, on, values, reason,
                              expected_version=self.version)
        except Exception as error:
            app.call_from_thread(self.refused, error)
            return
        finally:
            release_connections()  # this worker thread ends here: do not leave its writer open
        entry = outcome.entry
        app.call_from_thread(self.recorded, f"case {self.case_id}: {self.trigger} recorded "
                             f"({entry.from_state} → {entry.to_state}), audit entry #{entry.seq}")

    def recorded(self, message: str) -> None:
        self.app.notify(message, title="Recorded")
        self.dismiss(True)

    def refused(self, error: Exception) -> None:
        from lifecycle.errors import Conflict, Refused

        if isinstance(error, Refused):
            text = joined(("Refused: ", "bold"), literal(error.action), "\n")
            text.append_text(reasons_text(error.reasons))
            text.append("\nNothing was written.", "dim")
            self.problem(text)
        elif isinstance(error, Conflict):
            text = joined(("Conflict: ", "bold"), literal(str(error)),
                          "\nSomeone changed this case after you opened it. Reload it to see the "
                          "change, then act again if it still applies.")
            self.problem(text)
            reload = self.query_one("#reload", Button)
            reload.display = True
            reload.focus()
        else:
            self.problem(joined((f"{type(error).__name__}: ", "bold"), literal(str(error))))

    def problem(self, text: Text) -> None:
        self.proposed = None
        out = self.query_one("#outcome", Static)
        out.set_classes("block problem")
        out.update(text)
        self.query_one("#confirm", Button).disabled = True

"""Deciding a proposal of the compliance run: confirm it with the decision's number (文号), which
applies the proposed transition effective on the decision's date, or dismiss it with a reason.

Both are the authority's decision, so both are grave: the form is marked, asks once more naming
the case and what will happen to it, and writes through the same services as `lifecycle
decisions confirm|dismiss` (exactly one audit entry each; a refusal writes nothing and is shown
in the form's words, with the focus on the field to correct)."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from lifecycle.domain.reasons import Reason
from lifecycle.tui.action_form import CANCELLED, RECORDED
from lifecycle.tui.text import joined, literal, reasons_text
from lifecycle.tui.words import N_, _, chinese

CONFIRM, DISMISS = "confirm", "dismiss"
#: Refusals about the decision's date: the clerk corrects the date box.
DATE_REASONS = {"before_due", "ground_no_longer_holds", "not_in_force"}


def decision_options(decision: dict[str, Any]) -> list[str]:
    """What a clerk may do with an open decision: dismiss it, and confirm it where confirming
    is the decision itself (a proposal named after an action is settled by recording it)."""
    return [DISMISS] if decision.get("decision") else [DISMISS, CONFIRM]


def proposal_text(decision: dict[str, Any], to_label: str | None = None) -> str:
    """What the run proposes, in words: "revoke → 已撤销 revoked (rectification_failed)"."""
    if decision.get("decision"):
        return str(decision["decision"])
    target = to_label or decision.get("to_state") or "∅"
    ground = f" ({decision['ground']})" if decision.get("ground") else ""
    return f"{decision['trigger']} → {target}{ground}"


def option_label(decision: dict[str, Any], mode: str, case_id: int) -> Text:
    """A decision's action as a list offers it, marked: never the first line of a list."""
    if mode == CONFIRM:
        words = _("confirm proposal #{id}: {proposal} on case {case}").format(
            id=decision["id"], proposal=proposal_text(decision), case=case_id
        )
        return joined(("⚠ ", "bold red"), (words, "bold red"), ("  — " + _("decides, asks to confirm"), "red"))
    words = _("dismiss proposal #{id} on case {case}").format(id=decision["id"], case=case_id)
    return joined(("⚠ ", "bold red"), (words, "bold"), ("  — " + _("decides, with a reason"), "red"))


def without_cli_hint(text: str) -> str:
    """A refusal's text without the command-line advice a form cannot use (`lifecycle …`)."""
    for separator in ("; ", "；"):
        head, found, tail = text.partition(separator)
        if found and "`lifecycle " in tail:
            rest = tail[tail.rfind("`") + 1 :]
            return head + rest
    return text


class DecideScreen(ModalScreen[str]):
    """Dismissed with RECORDED (the decision was written) or CANCELLED (nothing written)."""

    HELP = "decide"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel")),
        Binding("f1,question_mark", "app.help", N_("Help"), key_display="f1"),
    ]

    def __init__(self, decision: dict[str, Any], mode: str, *, case_id: int, case_name: str, programme: str) -> None:
        super().__init__()
        self.decision = decision
        self.mode = mode
        self.case_id = case_id
        self.case_name = case_name
        self.programme = programme

    # -- what it is about -----------------------------------------------------------------
    def to_label(self) -> str | None:
        app: Any = self.app
        to_state = self.decision.get("to_state")
        if not to_state:
            return None
        try:
            label = str(app.lifecycle.catalogue.current(self.programme).label(to_state))  # 已撤销 revoked
            return label.partition(" ")[0] if chinese() else label
        except Exception:
            return str(to_state)

    def compose(self) -> ComposeResult:
        app: Any = self.app
        d = self.decision
        with Vertical(id="form", classes="-grave"):
            yield Static(self.heading(), id="form-title", classes="title")
            with VerticalScroll(id="inputs"):
                if self.mode == CONFIRM:
                    yield Label(_("Decision number 文号 (required), e.g. 国科发区〔2026〕12号"))
                    yield Input(placeholder=_("the number of the authority's decision"), id="decision-no", compact=True)
                yield Label(_("Date of the decision (YYYY-MM-DD), not before {due}").format(due=d["due_on"]))
                yield Input(app.today.isoformat(), id="on", compact=True)
                yield Label(
                    _("Reason (recorded in the audit log; optional)")
                    if self.mode == CONFIRM
                    else _("Reason (required: why the proposal is dismissed, for the audit log)")
                )
                yield Input(placeholder=_("why, for the record"), id="reason", compact=True)
            with VerticalScroll(id="outcome-box"):
                yield Static(self.what_happens(), id="outcome", classes="block grave")
            with Horizontal(classes="buttons"):
                yield Button(_("Confirm…") if self.mode == CONFIRM else _("Dismiss…"), id="decide", variant="error")
                yield Button(_("Cancel"), id="cancel")

    def heading(self) -> Text:
        d = self.decision
        verb = _("Confirm proposal #{id}") if self.mode == CONFIRM else _("Dismiss proposal #{id}")
        title = joined(
            (verb.format(id=d["id"]), "bold"),
            " · ",
            _("case {case}").format(case=self.case_id),
            " ",
            literal(self.case_name),
        )
        warning = _("records the authority's decision: you will be asked to confirm it by name")
        title.append("\n⚠ " + warning, "bold red")
        return title

    def what_happens(self) -> Text:
        d = self.decision
        clause = (d.get("clause") or _("no clause")) + (" [default]" if d.get("default") else "")
        return joined(
            (_("Proposed: "), "bold"),
            literal(proposal_text(d, self.to_label())),
            "\n",
            (
                _("rule {rule}, period {period}, due since {due} · {clause}").format(
                    rule=d.get("rule") or "", period=d.get("period") or "", due=d["due_on"], clause=clause
                ),
                "dim",
            ),
        )

    def on_mount(self) -> None:
        for button in self.query(Button):
            button.compact = self.app.size.height < 30
        self.query_one("#decision-no" if self.mode == CONFIRM else "#reason", Input).focus()

    # -- values ---------------------------------------------------------------------------
    def value(self, box: str) -> str:
        return self.query_one(box, Input).value.strip()

    def decided_on(self) -> date:
        from lifecycle.domain.dates import parse_date

        return parse_date(self.value("#on"))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.input.remove_class("-to-correct")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_decide()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "decide":
            self.action_decide()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(CANCELLED)

    def action_decide(self) -> None:
        """Check what the form can check itself, then ask once more, naming the case."""
        if self.mode == CONFIRM and not self.value("#decision-no"):
            self.problem(
                joined((_("Decision number 文号: "), "bold"), _("fill in the number of the authority's decision.")),
                "#decision-no",
            )
            return
        if self.mode == DISMISS and not self.value("#reason"):
            self.problem(
                joined((_("Reason: "), "bold"), _("say why the proposal is dismissed; it goes into the audit log.")),
                "#reason",
            )
            return
        try:
            on = self.decided_on()
        except ValueError as error:
            self.problem(joined((_("Date of the decision: "), "bold"), literal(str(error))), "#on")
            return
        from lifecycle.tui.confirm import ConfirmGraveScreen

        d = self.decision
        name = joined((_("Case {case} ").format(case=self.case_id), "bold"), literal(self.case_name, "bold"))
        if self.mode == CONFIRM:
            to_label = self.to_label()
            title = joined(
                (_("Confirm proposal #{id}: case {case} · ").format(id=d["id"], case=self.case_id), "bold"),
                literal(self.case_name),
            )
            if to_label:
                what = _("becomes {state} on {day}, by decision {number}").format(
                    state=to_label, day=on.isoformat(), number=self.value("#decision-no")
                )
            else:
                what = _("{proposal} is recorded as decided on {day}, by decision {number}").format(
                    proposal=proposal_text(d), day=on.isoformat(), number=self.value("#decision-no")
                )
            consequence = joined(
                name,
                "\n",
                literal(what),
                (f" ({d['clause']})" if d.get("clause") else "", "dim"),
                (
                    "\n"
                    + _(
                        "This records the authority's decision in the audit log for good; it cannot be taken "
                        "back, only followed by another entry."
                    ),
                    "bold red",
                ),
            )
            button = _("Confirm: case {case} {trigger}").format(case=self.case_id, trigger=d["trigger"])
        else:
            title = joined(
                (_("Dismiss proposal #{id}: case {case} · ").format(id=d["id"], case=self.case_id), "bold"),
                literal(self.case_name),
            )
            consequence = joined(
                name,
                "\n",
                _("stays where it is; {proposal} is not proposed again for {period}.").format(
                    proposal=proposal_text(d, self.to_label()), period=d.get("period") or ""
                ),
                "\n",
                (_("Reason: "), "dim"),
                literal(self.value("#reason")),
                ("\n" + _("The dismissal is recorded in the audit log for good."), "bold red"),
            )
            button = _("Dismiss proposal #{id}").format(id=d["id"])
        self.app.push_screen(ConfirmGraveScreen(title, consequence, button), self._sure)

    def _sure(self, sure: bool | None) -> None:
        if not sure:
            self.query_one("#decide", Button).focus()
            return
        self.query_one("#decide", Button).disabled = True
        self.query_one("#outcome", Static).update(Text(_("Recording…"), style="dim"))
        no = self.value("#decision-no") if self.mode == CONFIRM else ""
        self.record(self.decided_on(), no, self.value("#reason") or None)

    @work(thread=True, exclusive=True, group="decide")
    def record(self, on: date, number: str, reason: str | None) -> None:
        from lifecycle.services.decisions_due import confirm, dismiss

        app: Any = self.app
        try:
            if self.mode == CONFIRM:
                done = confirm(app.lifecycle, app.user, self.decision["id"], number, on, reason)
            else:
                done = dismiss(app.lifecycle, app.user, self.decision["id"], reason or "", on)
        except Exception as error:
            app.call_from_thread(self.refused, error)
            return
        finally:
            app.lifecycle.end_thread()  # this worker thread ends here: do not leave its writer open
        seq = done.entry.seq if done.entry else None
        if not done.written:
            message = _("proposal #{id} was already decided; nothing written").format(id=self.decision["id"])
        elif self.mode == CONFIRM:
            message = _("proposal #{id} confirmed ({number}) on case {case}, audit entry #{seq}").format(
                id=self.decision["id"], number=number, case=self.case_id, seq=seq
            )
        else:
            message = _("proposal #{id} dismissed on case {case}, audit entry #{seq}").format(
                id=self.decision["id"], case=self.case_id, seq=seq
            )
        app.call_from_thread(self.recorded, message)

    def recorded(self, message: str) -> None:
        self.app.notify(message, title=_("Recorded"))
        self.dismiss(RECORDED)

    def refused(self, error: Exception) -> None:
        from lifecycle.errors import Conflict, Refused, UsageError

        self.query_one("#decide", Button).disabled = False
        if isinstance(error, Refused):
            focus = None
            lines = []
            for reason in error.reasons:
                if reason.code in DATE_REASONS:
                    focus = focus or "#on"
                lines.append(
                    Reason(reason.code, without_cli_hint(reason.text()), None, False, reason.details)
                    if "`lifecycle " in reason.text()
                    else reason
                )
            text = joined((_("Refused: "), "bold"), literal(error.action), "\n")
            text.append_text(reasons_text(lines))
            if any(r.code == "ground_no_longer_holds" for r in error.reasons):
                text.append("\n" + _("If the proposal no longer applies, go back (Esc) and dismiss it with a reason."))
            text.append(
                "\n"
                + _("Nothing was written.")
                + (" " + _("Correct the value marked above and try again.") if focus else ""),
                "dim",
            )
            self.problem(text, focus)
        elif isinstance(error, UsageError):
            box = "#decision-no" if "decision-no" in str(error) else "#reason" if "reason" in str(error) else "#on"
            self.problem(joined((_("Not recorded: "), "bold"), literal(str(error))), box)
        elif isinstance(error, Conflict):
            self.problem(
                joined(
                    (_("Conflict: "), "bold"),
                    literal(str(error)),
                    "\n" + _("Someone decided it meanwhile. Esc goes back to the list, which shows it afresh."),
                ),
                None,
            )
        else:
            self.problem(joined((f"{type(error).__name__}: ", "bold"), literal(str(error))), None)

    def problem(self, text: Text, focus: str | None) -> None:
        out = self.query_one("#outcome", Static)
        out.set_classes("block problem")
        out.update(text)
        for box in self.query(Input):
            box.set_class(focus is not None and f"#{box.id}" == focus, "-to-correct")
        if focus is not None:
            self.query_one(focus, Input).focus()

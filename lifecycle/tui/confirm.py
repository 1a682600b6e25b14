"""The explicit confirmation of a grave action: it names the case and what will happen to it.

Shared by every screen that records something that ends a case or decides for the
authority (revoke, reject, expire, withdraw, a decision): "Go back" has the focus, so a clerk
who presses enter out of habit goes back rather than revoking; the grave button says
what it does and to which case.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from lifecycle.tui.words import N_, _


class ConfirmGraveScreen(ModalScreen[bool]):
    """Dismissed with True only when the grave button is pressed; esc and "Go back" give False."""

    HELP = "confirm"
    AUTO_FOCUS = "#back"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", N_("Go back")),
        Binding("f1,question_mark", "app.help", N_("Help")),
    ]

    def __init__(self, title: Text, consequence: Text, button: str) -> None:
        super().__init__()
        self.heading = title
        self.consequence = consequence
        self.button = button

    def compose(self) -> ComposeResult:
        with Vertical(id="grave"):
            yield Static(self.heading, id="grave-title", classes="title")
            yield Static(self.consequence, id="consequence", classes="block")
            yield Static(
                Text(
                    _("Nothing is recorded until you press the red button. Esc or “Go back” returns to the form."),
                    style="dim",
                ),
                classes="block",
            )
            with Horizontal(classes="buttons"):
                yield Button(_("Go back"), id="back", variant="primary")
                yield Button(self.button, id="do-it", variant="error")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "do-it")

    def action_back(self) -> None:
        self.dismiss(False)

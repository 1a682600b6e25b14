"""`?`: help for the screen at hand, in the user's language, from the texts shipped with the
package (lifecycle/tui/help/<screen>.<language>.md): what the screen is for, its keys, what
each action does."""

from __future__ import annotations

from importlib import resources
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown, Static

from lifecycle.i18n import N_
from lifecycle.tui.language import current_language

CLOSE = {"zh": "Esc、q 或 ? 关闭帮助", "en": "esc, q or ? closes the help"}


def help_text(screen: str, language: str) -> str:
    """The help of `screen` in `language` (English where a text is missing)."""
    folder = resources.files("lifecycle.tui") / "help"
    for name in (f"{screen}.{language}.md", f"{screen}.en.md"):
        text = folder / name
        if text.is_file():
            return text.read_text(encoding="utf-8")
    raise LookupError(f"no help text for the screen {screen!r}")


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "close", N_("Close help")),
    ]

    def __init__(self, screen: str, language: str | None = None) -> None:
        super().__init__()
        self.topic = screen
        self.language = language or current_language()

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            with VerticalScroll(id="help-body"):
                yield Markdown(help_text(self.topic, self.language), id="help-text")
            yield Static(CLOSE[self.language], id="help-close", classes="note")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)

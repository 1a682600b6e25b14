"""The footer of every screen, its keys described in the user's language.

Key bindings are declared once per class with their English description marked `N_`; the
footer translates each description when it draws them, so the language is the one in force when
the screen is shown (LIFECYCLE_LANG), not the one in force when the module was imported."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

from lifecycle.tui.words import _


class Footer(TextualFooter):
    def compose(self) -> Iterator[Any]:
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget.description:
                widget.description = _(widget.description)
            yield widget

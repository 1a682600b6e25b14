"""Marking the domain's messages for translation without translating them here.

The domain does no I/O, so it cannot read the catalogues (lifecycle.i18n does): a refusal
reason is built from an English message id marked with `N_` and its named values, and the CLI
and the TUI translate it when they show it (`Reason.text(lang)`).
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Marks `message` for the catalogue (Babel extracts `N_("…")`); returns it unchanged."""
    return message

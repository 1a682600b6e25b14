"""The TUI's `_`: its own catalogue (tui.po) first, so that a heading it words its own way is
not replaced by the CLI's translation of the same English word."""

from __future__ import annotations

from lifecycle.i18n import N_, chinese, part

_ = part("tui")

__all__ = ["N_", "_", "chinese"]

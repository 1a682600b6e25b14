"""Dates in the future: an action or a real compliance run dated after today (China Standard
Time) is usually a typo (`--as-of 9999-12-31` writes permanent entries). On a terminal it asks
for confirmation; otherwise (scripts, cron) it warns on stderr and goes on."""

from __future__ import annotations

import sys
from datetime import date

import typer


def confirm_future(day: date, option: str, json: bool = False) -> None:
    """Ask (on a terminal) or warn (otherwise) when `day` is after today; Abort if declined."""
    from lifecycle.services.clock import today

    now = today()
    if day <= now:
        return
    message = (
        f"{option} {day} is in the future (today is {now} in China Standard Time): what is "
        "recorded for it stays in the audit log for good"
    )
    if not json and sys.stdin.isatty() and sys.stderr.isatty():
        if not typer.confirm(f"{message}. Record it anyway?", default=False, err=True):
            sys.stderr.write("Nothing was written.\n")
            raise typer.Exit(1)
        return
    sys.stderr.write(f"warning: {message}.\n")

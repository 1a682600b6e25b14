"""Dates in the future: an action or a real compliance run dated after today (China Standard
Time) is usually a typo (`--as-of 9999-12-31` writes permanent entries). On a terminal it asks
for confirmation; otherwise (scripts, cron) it warns on stderr and goes on."""

from __future__ import annotations

import sys
from datetime import date

import typer


def confirm_future(day: date, option: str, json: bool = False) -> None:
    """Ask (on a terminal) or warn (otherwise) when `day` is after today; Abort if declined."""
    from lifecycle.i18n import _
    from lifecycle.services.clock import today

    now = today()
    if day <= now:
        return
    message = _(
        "{option} {day} is in the future (today is {today} in China Standard Time): what is "
        "recorded for it stays in the audit log for good"
    ).format(option=option, day=day, today=now)
    if not json and sys.stdin.isatty() and sys.stderr.isatty():
        if not typer.confirm(_("{message}. Record it anyway?").format(message=message), default=False, err=True):
            sys.stderr.write(_("Nothing was written.") + "\n")
            raise typer.Exit(1)
        return
    sys.stderr.write(_("warning: {message}.").format(message=message) + "\n")

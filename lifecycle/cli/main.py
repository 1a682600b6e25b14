"""`lifecycle`: the entry point. Commands live in one module per group."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from lifecycle.cli import (
    audit,
    calendar,
    cases,
    common,
    comply,
    contacts,
    correct,
    decisions,
    notify,
    offices,
    programmes,
    scheduler,
    tui,
    users,
)
from lifecycle.cli import report as reports
from lifecycle.i18n import N_

app = typer.Typer(
    name="lifecycle",
    help="Designation programmes as state machines, with an audited, tamper-evident log.",
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
)
app.add_typer(users.app, name="users")
app.add_typer(offices.app, name="offices")
app.add_typer(programmes.app, name="programmes")
app.add_typer(cases.app, name="cases")
app.add_typer(audit.app, name="audit")
app.add_typer(scheduler.app, name="scheduler")
app.add_typer(reports.app, name="report")
app.add_typer(decisions.app, name="decisions")
app.add_typer(contacts.app, name="contacts")
app.add_typer(notify.app, name="notify")
app.command("advance")(cases.advance_command)
app.command("init")(users.init_command)
app.command("demo")(cases.demo_command)
app.command("comply")(comply.comply_command)
app.command("correct")(correct.correct_command)
app.command("tui")(tui.tui_command)
app.command("calendar")(calendar.calendar_command)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("lifecycle")
        except PackageNotFoundError:  # run from a checkout that was never installed
            number = "unknown (not installed)"
        sys.stdout.write(f"lifecycle {number}\n")
        raise typer.Exit(0)


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", help="Print the version and exit.", is_eager=True, callback=_version)
    ] = False,
    db: common.DbOption = None,
    programmes_dir: Annotated[
        str | None,
        typer.Option(
            "--programmes",
            help="Directory of programme definitions that add to or override the "
            "built-in ones (default: LIFECYCLE_PROGRAMMES).",
            show_default=False,
        ),
    ] = None,
    as_user: Annotated[
        str | None,
        typer.Option(
            "--as", help="Act as this user (default: LIFECYCLE_USER, else your login name).", show_default=False
        ),
    ] = None,
) -> None:
    common.STATE.update(db=db, programmes=programmes_dir, **{"as": as_user})


#: Ctrl-C: the shell's convention, 128 + SIGINT.
INTERRUPTED = 130


def run() -> None:
    """Run the CLI with the exit codes of the contract: 0, 1, 2, 3, 4, 5 (130 on Ctrl-C).
    No traceback reaches a person: every error ends in a message (and, with --json, a JSON
    error on stdout); LIFECYCLE_DEBUG=1 shows the traceback of an unexpected one."""
    import signal

    command = typer.main.get_command(app)
    interrupts: list[int] = []

    def on_interrupt(signum: int, frame: object) -> None:
        # As Python's own handler does, plus a note: typer turns the KeyboardInterrupt into a
        # silent exit code 130, and the person should still be told what happened.
        interrupts.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_interrupt)
    try:
        code = command.main(args=sys.argv[1:], prog_name="lifecycle", standalone_mode=False)
        if interrupts and code == INTERRUPTED:
            code = interrupted()
    except KeyboardInterrupt:
        sys.exit(interrupted())
    except typer.Abort:  # click turns Ctrl-C at a prompt into Abort
        sys.exit(interrupted())
    except typer.Exit as stop:
        sys.exit(stop.exit_code)
    except Exception as error:
        # Usage errors (click's, vendored by typer) know how to show themselves: exit 2.
        if hasattr(error, "show") and hasattr(error, "exit_code") and hasattr(error, "format_message"):
            error.show()
            if "--json" in sys.argv:
                common.print_json(
                    {"error": "UsageError", "exit_code": error.exit_code, "message": error.format_message()}
                )
            sys.exit(error.exit_code)
        try:
            sys.exit(report(error))
        except KeyboardInterrupt:
            sys.exit(interrupted())
    sys.exit(code if isinstance(code, int) else 0)


def interrupted() -> int:
    """Ctrl-C: an open transaction was rolled back, so nothing half-done was written."""
    from lifecycle.i18n import _

    sys.stderr.write(_("Interrupted: stopped at your request (Ctrl-C); any change in progress was rolled back.") + "\n")
    if "--json" in sys.argv:
        common.print_json(
            {
                "error": "Interrupted",
                "exit_code": INTERRUPTED,
                "message": "interrupted (Ctrl-C); any change in progress was rolled back",
            }
        )
    return INTERRUPTED


#: How the kind of an error is named on stderr (translated; JSON keeps the class name).
KINDS = {
    "Refused": N_("Refused"),
    "UsageError": N_("UsageError"),
    "NotFound": N_("NotFound"),
    "Conflict": N_("Conflict"),
    "Busy": N_("Busy"),
    "DatabaseUnavailable": N_("DatabaseUnavailable"),
    "AuditBroken": N_("AuditBroken"),
    "DefinitionError": N_("DefinitionError"),
    "LifecycleError": N_("LifecycleError"),
    "InternalError": N_("InternalError"),
    "ChannelConfigError": N_("ChannelConfigError"),
    "TemplateProblem": N_("TemplateProblem"),
}


def report(error: Exception) -> int:
    """Print an error for people on stderr (and as JSON on stdout with --json); its exit code."""
    import os

    from rich.markup import escape

    from lifecycle.errors import LifecycleError, Refused
    from lifecycle.i18n import _, action_text, chinese, error_text, reason_text

    if not isinstance(error, LifecycleError):
        error = _known(error)
    if isinstance(error, LifecycleError):
        message, code, shown = str(error), error.exit_code, error_text(error)
    else:
        unexpected = N_(
            "unexpected error ({kind}: {error}); nothing was written. Please report it with the command you "
            "ran (LIFECYCLE_DEBUG=1 shows the details)"
        )
        values = {"kind": type(error).__name__, "error": error}
        message, code, shown = unexpected.format(**values), 1, _(unexpected).format(**values)
        if os.environ.get("LIFECYCLE_DEBUG"):
            import traceback

            traceback.print_exception(error)
    from lifecycle.domain.characters import printable

    err = common.error_console()
    kind = type(error).__name__ if isinstance(error, LifecycleError) else "InternalError"
    sep = "：" if chinese() else ": "  # a full-width colon ends a Chinese heading
    if isinstance(error, Refused):
        err.print(f"[bold red]{escape(_(KINDS['Refused']))}{sep}[/]{escape(printable(action_text(error)))}")
        for reason in error.reasons:
            err.print(f"  • {escape(printable(reason_text(reason)))}")
    else:
        label = _(KINDS[kind]) if kind in KINDS else kind
        err.print(f"[bold red]{escape(label)}{sep}[/]{escape(printable(shown, keep_newlines=True))}")
    if "--json" in sys.argv:
        data: dict[str, object] = {"error": kind, "exit_code": code, "message": message}
        if isinstance(error, Refused):
            data["reasons"] = [r.to_dict() for r in error.reasons]
        common.print_json(data)
    return code


def _known(error: Exception) -> Exception:
    """A driver's or the runtime's error as what it means to the person who ran the command."""
    from lifecycle.errors import LifecycleError, UsageError

    try:
        from sqlalchemy.exc import DBAPIError
    except ImportError:  # pragma: no cover - a dependency
        return error
    import sqlite3

    # A driver's own error (SQLite's BEGIN IMMEDIATE is sent straight to the driver) or
    # SQLAlchemy's wrapping of one.
    if isinstance(error, DBAPIError | sqlite3.Error) or type(error).__module__.startswith("psycopg"):
        from lifecycle.services.app import database_problem

        return database_problem(error, common.STATE.get("db_used") or common.STATE.get("db"))
    if isinstance(error, OverflowError):
        return UsageError(N_("a number is out of range: {error}"), {"error": error})
    if isinstance(error, RecursionError | MemoryError):
        return LifecycleError(
            N_("the input is nested too deeply or is too large to process ({kind}); nothing was written"),
            {"kind": type(error).__name__},
        )
    return error


if __name__ == "__main__":
    run()

"""`lifecycle`: the entry point. Commands live in one module per group."""

from __future__ import annotations

import os
import sys
from importlib import import_module
from typing import Annotated, Any

import typer

from lifecycle.cli import common
from lifecycle.i18n import N_

#: The command groups and the commands, in the order `--help` lists them: name -> (module
#: of lifecycle.cli, attribute). A command line that names one imports only its module and
#: builds only its commands: building all of them (typer reads every parameter's type hints)
#: cost more than the interpreter's own start-up. For the same reason most command modules
#: do without `from __future__ import annotations`: typer would compile and evaluate every
#: annotation string, twice, each time it builds a command (half of `--help`'s build time).
GROUPS = {
    "users": ("users", "app"),
    "offices": ("offices", "app"),
    "programmes": ("programmes", "app"),
    "cases": ("cases", "app"),
    "audit": ("audit", "app"),
    "scheduler": ("scheduler", "app"),
    "report": ("report", "app"),
    "decisions": ("decisions", "app"),
    "contacts": ("contacts", "app"),
    "notify": ("notify", "app"),
}
COMMANDS = {
    "advance": ("cases", "advance_command"),
    "init": ("users", "init_command"),
    "demo": ("cases", "demo_command"),
    "comply": ("comply", "comply_command"),
    "correct": ("correct", "correct_command"),
    "tui": ("tui", "tui_command"),
    "calendar": ("calendar", "calendar_command"),
}
#: Options of `lifecycle` itself that take a value (skipped when looking for the command).
ROOT_VALUES = ("--db", "--programmes", "--as")


def build(names: list[str] | None = None) -> typer.Typer:
    """The `lifecycle` application with these groups and commands (None: all of them)."""
    root = typer.Typer(
        name="lifecycle",
        help="Designation programmes as state machines, with an audited, tamper-evident log.",
        no_args_is_help=True,
        add_completion=True,
        rich_markup_mode=None,
    )
    root.callback()(main)
    for name in [*GROUPS, *COMMANDS] if names is None else names:
        module, attribute = GROUPS.get(name) or COMMANDS[name]
        target = getattr(import_module(f"lifecycle.cli.{module}"), attribute)
        if name in GROUPS:
            root.add_typer(target, name=name)
        else:
            root.command(name)(target)
    return root


_APP: list[typer.Typer] = []


def __getattr__(name: str) -> Any:
    """`lifecycle.cli.main.app`: the whole application (the CLI reference, tests)."""
    if name == "app":
        if not _APP:
            _APP.append(build())
        return _APP[0]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def named_command(args: list[str]) -> str | None:
    """The group or command the arguments name, when the options before it are only those of
    `lifecycle` itself; None (build everything) for anything else: --help, completion, a
    mistyped name, which then get the whole application's answer."""
    if any(key.endswith("_COMPLETE") for key in os.environ):
        return None  # shell completion lists every command
    position = 0
    while position < len(args):
        arg = args[position]
        if arg in ROOT_VALUES:
            position += 2
        elif arg == "--version" or arg.startswith(tuple(f"{option}=" for option in ROOT_VALUES)):
            position += 1
        elif arg in GROUPS or arg in COMMANDS:
            return arg
        else:
            return None
    return None


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("lifecycle")
        except PackageNotFoundError:  # run from a checkout that was never installed
            number = "unknown (not installed)"
        sys.stdout.write(f"lifecycle {number}\n")
        raise typer.Exit(0)


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

    named = named_command(sys.argv[1:])
    from lifecycle.cli.help_text import translated

    command = translated(typer.main.get_command(build([named]) if named else __getattr__("app")))
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
            from lifecycle.cli.help_text import show_usage_error

            show_usage_error(error)
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

"""`lifecycle`: the entry point. Commands live in one module per group."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from lifecycle.cli import audit, cases, common, comply, offices, programmes, scheduler, tui, users

app = typer.Typer(
    name="lifecycle",
    help="Designation programmes as state machines, with an audited, tamper-evident log.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
app.add_typer(users.app, name="users")
app.add_typer(offices.app, name="offices")
app.add_typer(programmes.app, name="programmes")
app.add_typer(cases.app, name="cases")
app.add_typer(audit.app, name="audit")
app.add_typer(scheduler.app, name="scheduler")
app.command("advance")(cases.advance_command)
app.command("init")(users.init_command)
app.command("demo")(cases.demo_command)
app.command("comply")(comply.comply_command)
app.command("tui")(tui.tui_command)


@app.callback()
def main(
    db: common.DbOption = None,
    programmes_dir: Annotated[str | None, typer.Option(
        "--programmes", help="Directory of programme definitions that add to or override the "
        "built-in ones (default: LIFECYCLE_PROGRAMMES).", show_default=False)] = None,
    as_user: Annotated[str | None, typer.Option(
        "--as", help="Act as this user (default: LIFECYCLE_USER, else your login name).",
        show_default=False)] = None,
) -> None:
    common.STATE.update(db=db, programmes=programmes_dir, **{"as": as_user})


def run() -> None:
    """Run the CLI with the exit codes of the contract: 0, 1, 2, 3, 4, 5."""
    command = typer.main.get_command(app)
    try:
        code = command.main(args=sys.argv[1:], prog_name="lifecycle", standalone_mode=False)
    except (typer.Exit, typer.Abort, KeyboardInterrupt) as stop:
        sys.exit(getattr(stop, "exit_code", 1))
    except Exception as error:
        # Usage errors (click's, vendored by typer) know how to show themselves: exit 2.
        if hasattr(error, "show") and hasattr(error, "exit_code"):
            error.show()
            sys.exit(error.exit_code)
        sys.exit(report(error))
    sys.exit(code if isinstance(code, int) else 0)


def report(error: Exception) -> int:
    """Print an error for people on stderr (and as JSON on stdout with --json); its exit code."""
    from rich.markup import escape

    from lifecycle.errors import LifecycleError, Refused

    if not isinstance(error, LifecycleError):
        from sqlalchemy.exc import OperationalError, ProgrammingError

        if isinstance(error, OperationalError | ProgrammingError):
            message = f"database error: {getattr(error, 'orig', error)}"
        else:
            raise error
        code = 1
    else:
        message, code = str(error), error.exit_code
    err = common.error_console()
    kind = type(error).__name__
    if isinstance(error, Refused):
        err.print(f"[bold red]Refused:[/] {escape(error.action)}")
        for reason in error.reasons:
            err.print(f"  • {escape(reason.text())}")
    else:
        err.print(f"[bold red]{kind}:[/] {escape(message)}")
    if "--json" in sys.argv:
        data: dict[str, object] = {"error": kind, "exit_code": code, "message": message}
        if isinstance(error, Refused):
            data["reasons"] = [r.to_dict() for r in error.reasons]
        common.print_json(data)
    return code


if __name__ == "__main__":
    run()

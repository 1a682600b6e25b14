"""`lifecycle tui`: the administrators' terminal UI. Textual is imported only here."""

from typing import Annotated

import typer

from lifecycle.cli.common import DbOption, acting, application, parse_day


def tui_command(
    db: DbOption = None,
    on: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Show the cases as of this day, YYYY-MM-DD (default: today in China "
            "Standard Time); actions still default to that day.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Browse and act on cases in the terminal: dashboard, case list, case detail, audit log."""
    app_ = application(db)
    app_.require_schema()
    user = acting()
    day = parse_day(on, "--as-of") if on else None

    from lifecycle.tui.app import LifecycleTUI

    LifecycleTUI(app_, user, on=day).run()

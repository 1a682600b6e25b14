"""`lifecycle offices add|list`: the ministry's offices, and the ministry view rolled up the tree."""

from __future__ import annotations

from typing import Annotated

import typer

from lifecycle.cli.common import DbOption, JsonOption, acting, application, console, print_json

app = typer.Typer(
    help="Offices: the ministry, its provincial and city offices; who sees which cases.", no_args_is_help=True
)


@app.command("add")
def add(
    code: Annotated[str, typer.Argument(help="The office's code, e.g. BJ.")],
    name: Annotated[str, typer.Option("--name", help="The office's name, e.g. 北京市科学技术委员会.")],
    parent: Annotated[
        str | None,
        typer.Option(
            "--parent", help="The office above it (default: the root office, the ministry's).", show_default=False
        ),
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Add an office below --parent (or rename an existing one). Admins only."""
    from lifecycle.services.offices import add_office

    result = add_office(application(db), acting(), code, name, parent)
    if json:
        print_json(result)
    else:
        under = f" under {result['parent']}" if result["parent"] else " (root office)"
        console().print(f"Office {result['code']} {result['name']}{under}: {result['status']}", markup=False)


@app.command("list")
def list_(db: DbOption = None, json: JsonOption = False) -> None:
    """The offices you see (yours and those below it), with their cases rolled up the tree."""
    from rich.table import Table
    from rich.text import Text

    from lifecycle.services.offices import list_offices

    rows = list_offices(application(db))
    if json:
        print_json(rows)
        return
    table = Table("code", "name", "parent", "cases", "with sub-offices", "by state (with sub-offices)")
    for row in rows:
        states = ", ".join(f"{state} {n}" for state, n in row["by_state_with_sub_offices"].items())
        table.add_row(
            Text("  " * row["level"] + row["code"]),
            Text(row["name"]),
            Text(row["parent"] or ""),
            str(row["cases"]),
            str(row["cases_with_sub_offices"]),
            Text(states),
        )
    console().print(table)

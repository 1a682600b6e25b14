"""`lifecycle init`, `lifecycle users add|list`."""

from typing import Annotated

import typer

from lifecycle.cli.common import DbOption, JsonOption, acting, application, console, print_json

app = typer.Typer(help="Users and their roles: admin acts, auditor reads.", no_args_is_help=True)


def init_command(db: DbOption = None, json: JsonOption = False) -> None:
    """Create or upgrade the schema (idempotent); the first user becomes an admin."""
    from lifecycle.services.setup import init_database

    result = init_database(application(db), acting())
    if json:
        print_json(result)
        return
    out = console()
    verb = "created" if result.created else "is at"
    out.print(f"Database {result.database} {verb} schema revision {result.revision}.", markup=False)
    if result.admin_created:
        out.print(f"{result.admin_created} is its first admin.", markup=False)
    if result.roles:
        created = ", ".join(result.roles["created"]) or "none (they existed)"
        out.print(
            f"PostgreSQL roles lifecycle_admin, lifecycle_auditor, lifecycle_system granted "
            f"their rights on schema {result.roles['schema']}; created now: {created}.",
            markup=False,
        )


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The user's login name.")],
    role: Annotated[str, typer.Option("--role", help="admin or auditor.")],
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Add a user, or change their role (admins only)."""
    from lifecycle.services.users import add_user

    result = add_user(application(db), acting(), name, role)
    if json:
        print_json(result)
    else:
        login = {"created": "; database login role created", "granted": "; database login role granted"}.get(
            result["login_role"] or "", ""
        )
        console().print(f"{result['name']}: {result['role']} ({result['status']}{login})", markup=False)


@app.command("list")
def list_(db: DbOption = None, json: JsonOption = False) -> None:
    """List the users and their roles."""
    from rich.table import Table
    from rich.text import Text

    from lifecycle.services.users import list_users

    rows = list_users(application(db))
    if json:
        print_json(rows)
        return
    table = Table("name", "role", "since")
    for row in rows:
        table.add_row(Text(row["name"]), Text(row["role"]), row["created_at"][:19])
    console().print(table)

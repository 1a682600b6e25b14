"""`lifecycle init`, `lifecycle users add|list`."""

from typing import Annotated

import typer

from lifecycle.cli.common import DbOption, JsonOption, OfficeOption, acting, application, console, print_json

app = typer.Typer(help="Users and their roles: admin acts, auditor reads.", no_args_is_help=True)


def init_command(db: DbOption = None, json: JsonOption = False) -> None:
    """Create or upgrade the schema (idempotent); the first user becomes an admin."""
    from lifecycle.services.setup import init_database

    result = init_database(application(db), acting())
    if json:
        print_json(result)
        return
    from lifecycle.i18n import _

    out = console()
    message = (
        _("Database {database} created schema revision {revision}.")
        if result.created
        else _("Database {database} is at schema revision {revision}.")
    )
    out.print(message.format(database=result.database, revision=result.revision), markup=False)
    if result.admin_created:
        out.print(_("{user} is its first admin.").format(user=result.admin_created), markup=False)
    if result.roles:
        created = ", ".join(result.roles["created"]) or _("none (they existed)")
        groups = ", ".join(result.roles["groups"].values())
        out.print(
            _(
                "PostgreSQL group roles {groups} granted their rights on schema {schema}; created now: {created}."
            ).format(groups=groups, schema=result.roles["schema"], created=created),
            markup=False,
        )


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The user's login name.")],
    role: Annotated[str, typer.Option("--role", help="admin or auditor.")],
    office: OfficeOption = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Add a user to an office (default: yours), or change their role or office (admins only)."""
    from lifecycle.services.users import add_user

    result = add_user(application(db), acting(), name, role, office)
    if json:
        print_json(result)
    else:
        from lifecycle.i18n import _

        login = {
            "created": _("; database login role created"),
            "granted": _("; database login role granted"),
        }.get(result["login_role"] or "", "")
        role, status = (_(str(result[key])) if result[key] else "" for key in ("role", "status"))
        console().print(
            _("{name}: {role} of office {office} ({status}{login})").format(
                name=result["name"], role=role, office=result["office"], status=status, login=login
            ),
            markup=False,
        )


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
    from lifecycle.i18n import _

    table = Table(_("name"), _("role"), _("office"), _("since"))
    for row in rows:
        table.add_row(Text(row["name"]), Text(_(row["role"])), Text(row["office"]), row["created_at"][:19])
    console().print(table)

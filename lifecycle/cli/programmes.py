"""`lifecycle programmes list|show|diagram|check`."""

from typing import Annotated, Any

import typer

from lifecycle.cli.common import STATE, DbOption, JsonOption, console, print_json

app = typer.Typer(help="The programmes and their rules.", no_args_is_help=True)


def _catalogue() -> Any:
    from lifecycle.programmes.catalogue import Catalogue

    return Catalogue.load(STATE.get("programmes"))


@app.command("list")
def list_(json: JsonOption = False) -> None:
    """List the programmes this installation runs."""
    from rich.table import Table
    from rich.text import Text

    from lifecycle.programmes.describe import summary

    catalogue = _catalogue()
    rows = [summary(programme) for programme in catalogue.all()]  # every broken file reported
    if json:
        print_json(rows)
        return
    from lifecycle.i18n import _

    table = Table(_("code"), _("name"), _("source"), _("in force"), _("version"))
    for row in rows:
        table.add_row(
            Text(row["code"]),
            Text(f"{row['name_zh']}\n{row['name_en']}"),
            Text(row["source"]["number"] or row["source"]["title"]),
            row["in_force"],
            row["version"][:12],
        )
    console().print(table)


@app.command("show")
def show(
    code: Annotated[str, typer.Argument(help="Programme code, e.g. bj-tic.")],
    db: DbOption = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The day the plan targets are judged on (default today).", show_default=False),
    ] = None,
    json: JsonOption = False,
) -> None:
    """Show a programme: states, triggers, criteria, timers, grounds, each with its clause, and
    the plan's targets against the designations the database holds now (if there is one)."""
    from lifecycle.cli.common import application, parse_day
    from lifecycle.domain.targets import progress
    from lifecycle.programmes.describe import describe, render
    from lifecycle.services.read_models.plan_targets import designations_now

    day = parse_day(as_of, "--as-of")
    lifecycle = application(db)
    programme = lifecycle.catalogue.current(code)
    designated = designations_now(lifecycle, code) if programme.definition.targets else None
    targets = progress(programme, designated, day)
    if json:
        data = describe(programme)
        data["designated"] = designated
        data["targets"] = [target.as_json() for target in targets]
        print_json(data)
    else:
        render(programme, console(), targets)


@app.command("versions")
def versions(
    code: Annotated[str, typer.Argument(help="Programme code.")], db: DbOption = None, json: JsonOption = False
) -> None:
    """The versions of a programme's definition and how many cases run on each."""
    from rich.table import Table

    from lifecycle.cli.common import application
    from lifecycle.services.programmes import definition_versions

    rows = definition_versions(application(db), code)
    if json:
        print_json(rows)
        return
    from lifecycle.i18n import _

    table = Table(_("version"), _("first used"), _("cases"), _("current"))
    for row in rows:
        table.add_row(
            row.version[:12], (row.recorded_at or _("not yet"))[:19], str(row.cases), _("yes") if row.current else ""
        )
    console().print(table)


@app.command("migrate")
def migrate(
    code: Annotated[str, typer.Argument(help="Programme code.")],
    to: Annotated[
        str | None,
        typer.Option("--to", help="Target version (a prefix will do; default: the current file).", show_default=False),
    ] = None,
    maps: Annotated[
        list[str] | None,
        typer.Option("--map", help="OLD=NEW: the state a case in OLD takes (repeatable).", show_default=False),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Decide and report; write nothing.")] = False,
    on: Annotated[str | None, typer.Option("--on", help="Effective date (default today).", show_default=False)] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why, for the audit log.", show_default=False)] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Move running cases to another definition version; each move is audited. All or nothing."""
    from rich.table import Table

    from lifecycle.cli.common import acting, application, parse_day, parse_sets
    from lifecycle.services.programmes import migrate_programme

    result = migrate_programme(
        application(db), acting(), code, parse_day(on), to=to, mapping=parse_sets(maps), dry_run=dry_run, reason=reason
    )
    if json:
        print_json(result)
        return
    from lifecycle.i18n import _

    message = (
        _("{code}: would move {count} case(s) to version {version}")
        if dry_run
        else _("{code}: moved {count} case(s) to version {version}")
    )
    out = console()
    out.print(message.format(code=code, count=len(result.moves), version=result.to_version[:12]), markup=False)
    table = Table(_("case"), _("state"), _("from version"))
    for move in result.moves:
        state = (
            move["from_state"]
            if move["from_state"] == move["to_state"]
            else f"{move['from_state']} → {move['to_state']}"
        )
        table.add_row(str(move["case_id"]), state, move["from_version"][:12])
    if result.moves:
        out.print(table)


@app.command("diagram")
def diagram(code: Annotated[str, typer.Argument(help="Programme code.")]) -> None:
    """Print the programme's state diagram as Mermaid stateDiagram-v2."""
    from lifecycle.programmes.describe import mermaid

    print(mermaid(_catalogue().current(code)))


@app.command("check")
def check(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="Files or directories to check (default: the built-in and configured ones)."),
    ] = None,
    json: JsonOption = False,
) -> None:
    """Validate definition files; names file, line, key and reason for each problem."""
    from pathlib import Path

    from lifecycle.errors import DefinitionError
    from lifecycle.programmes.catalogue import definition_files
    from lifecycle.programmes.loader import check_file

    files: list[Path] = []
    for item in paths or []:
        path = Path(item)
        files += sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    if not paths:
        extra = STATE.get("programmes")
        files = definition_files(Path(extra) if extra else None)
    results: list[dict[str, Any]] = []
    for path in files:
        try:
            programme, _ = check_file(path)
            results.append(
                {"file": str(path), "ok": True, "code": programme.code, "version": programme.version, "problems": []}
            )
        except (DefinitionError, OSError) as error:
            problems = error.problems if isinstance(error, DefinitionError) else [f"{path}: {error}"]
            results.append({"file": str(path), "ok": False, "problems": problems})
    if json:
        print_json(results)
    else:
        out = console()
        for result in results:
            if result["ok"]:
                out.print(f"ok   {result['file']} ({result['code']} {result['version'][:12]})", markup=False)
            else:
                for problem in result["problems"]:
                    out.print(f"FAIL {problem}", markup=False, style="red")
    if not files:
        raise DefinitionError(["no definition files found in " + ", ".join(paths or [])])
    if not all(r["ok"] for r in results):
        raise typer.Exit(1)

"""`lifecycle programmes list|show|diagram|check`."""

from __future__ import annotations

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
    rows = [summary(catalogue.current(code)) for code in catalogue.codes()]
    if json:
        print_json(rows)
        return
    table = Table("code", "name", "source", "in force", "version")
    for row in rows:
        table.add_row(Text(row["code"]), Text(f"{row['name_zh']}\n{row['name_en']}"),
                      Text(row["source"]["number"] or row["source"]["title"]),
                      row["in_force"], row["version"][:12])
    console().print(table)


@app.command("show")
def show(code: Annotated[str, typer.Argument(help="Programme code, e.g. bj-tic.")],
         json: JsonOption = False) -> None:
    """Show a programme: states, triggers, criteria, timers, grounds, each with its clause."""
    from lifecycle.programmes.describe import describe, render

    programme = _catalogue().current(code)
    if json:
        print_json(describe(programme))
    else:
        render(programme, console())


@app.command("versions")
def versions(code: Annotated[str, typer.Argument(help="Programme code.")],
             db: DbOption = None, json: JsonOption = False) -> None:
    """The versions of a programme's definition and how many cases run on each."""
    from rich.table import Table

    from lifecycle.cli.common import application
    from lifecycle.services.programmes import definition_versions

    rows = definition_versions(application(db), code)
    if json:
        print_json(rows)
        return
    table = Table("version", "first used", "cases", "current")
    for row in rows:
        table.add_row(row["version"][:12], (row["recorded_at"] or "not yet")[:19], str(row["cases"]),
                      "yes" if row["current"] else "")
    console().print(table)


@app.command("diagram")
def diagram(code: Annotated[str, typer.Argument(help="Programme code.")]) -> None:
    """Print the programme's state diagram as Mermaid stateDiagram-v2."""
    from lifecycle.programmes.describe import mermaid

    print(mermaid(_catalogue().current(code)))


@app.command("check")
def check(paths: Annotated[list[str] | None, typer.Argument(
        help="Files or directories to check (default: the built-in and configured ones).")] = None,
        json: JsonOption = False) -> None:
    """Validate definition files; names file, line, key and reason for each problem."""
    from pathlib import Path

    from lifecycle.errors import DefinitionError
    from lifecycle.programmes.catalogue import definition_files
    from lifecycle.programmes.loader import load_file

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
            programme, _ = load_file(path)
            results.append({"file": str(path), "ok": True, "code": programme.code,
                            "version": programme.version, "problems": []})
        except (DefinitionError, OSError) as error:
            problems = error.problems if isinstance(error, DefinitionError) else [f"{path}: {error}"]
            results.append({"file": str(path), "ok": False, "problems": problems})
    if json:
        print_json(results)
    else:
        out = console()
        for result in results:
            if result["ok"]:
                out.print(f"ok   {result['file']} ({result['code']} {result['version'][:12]})",
                          markup=False)
            else:
                for problem in result["problems"]:
                    out.print(f"FAIL {problem}", markup=False, style="red")
    if not files:
        raise DefinitionError(["no definition files found in " + ", ".join(paths or [])])
    if not all(r["ok"] for r in results):
        raise typer.Exit(1)



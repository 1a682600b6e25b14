"""The option reference of docs/cli.md, generated from the commands themselves so it cannot drift.

    python -m lifecycle.cli.reference            # rewrite the generated part of docs/cli.md
    python -m lifecycle.cli.reference --check    # exit 1 if docs/cli.md differs from the commands

Only the part between the two markers is generated; the prose around it (values, exit codes,
JSON shapes, examples) is written by hand. docs/cli.md is in English whatever the language of
the shell; docs/zh/cli-reference.md is the same reference in Chinese (the commands' help as
`LIFECYCLE_LANG=zh lifecycle … --help` shows it).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

BEGIN = "<!-- BEGIN GENERATED: python -m lifecycle.cli.reference -->"
END = "<!-- END GENERATED -->"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
#: The generated references: the file and its language.
PAGES = ((DOCS, "en"), (DOCS.parent / "zh" / "cli-reference.md", "zh"))


def reference(lang: str = "en") -> str:
    """Every command, its arguments and options, with their help, as Markdown in `lang`.
    (The process's language is the environment's again afterwards.)"""
    from lifecycle.i18n import use_language

    use_language(lang)
    try:
        return _reference()
    finally:
        use_language(None)


def _reference() -> str:
    import typer

    from lifecycle.cli.help_text import translated
    from lifecycle.cli.main import app
    from lifecycle.i18n import _

    root = translated(typer.main.get_command(app))
    lines = [
        "## " + _("Every command and option"),
        "",
        _("Generated from the commands (`python -m lifecycle.cli.reference`); a test fails when it drifts."),
        "",
    ]
    lines += _options_table(root, "lifecycle")
    for path, command in _commands(root, ["lifecycle"]):
        lines += ["", f"### `{' '.join(path)}`", ""]
        usage = " ".join([*path, *(_usage(p) for p in command.params if _is_argument(p)), "[OPTIONS]"])
        lines += ["```", usage, "```", ""]
        if command.help:
            lines += [_clean(command.help), ""]
        lines += _options_table(command, path[-1])
    return "\n".join(lines).rstrip() + "\n"


def _commands(group: Any, path: list[str]) -> list[tuple[list[str], Any]]:
    found: list[tuple[list[str], Any]] = []
    for name in sorted(getattr(group, "commands", {})):
        command = group.commands[name]
        if getattr(command, "hidden", False):
            continue
        if hasattr(command, "commands"):
            found += _commands(command, [*path, name])
        else:
            found.append(([*path, name], command))
    return found


def _is_argument(param: Any) -> bool:
    return type(param).__name__.endswith("Argument")


def _usage(param: Any) -> str:
    name = (param.name or "").upper().rstrip("_")
    return name if param.required else f"[{name}]"


def _options_table(command: Any, name: str) -> list[str]:
    """The arguments and options as the command's own --help describes them."""
    context = command.context_class(command, info_name=name)
    rows = []
    for param in command.params:
        record = param.get_help_record(context)
        if record is None or param.name == "help":
            continue
        names, meaning = record
        rows.append((f"`{names}`", _clean(meaning)))
    if not rows:
        return []
    from lifecycle.i18n import _

    heading, meaning_heading = _("argument / option"), _("meaning")
    table = [f"| {heading} | {meaning_heading} |", "|---|---|"]
    table += [f"| {names} | {meaning.replace('|', '&#124;')} |" for names, meaning in rows]
    return table


def _clean(text: str) -> str:
    """Help text on one line (click keeps the docstring's line breaks)."""
    return " ".join(text.split())


def replace_section(document: str, generated: str) -> str:
    start, end = document.find(BEGIN), document.find(END)
    if start < 0 or end < start:
        return document.rstrip() + "\n\n" + BEGIN + "\n" + generated + END + "\n"
    return document[: start + len(BEGIN)] + "\n" + generated + document[end:]


def main(argv: list[str]) -> int:
    drifted = 0
    for page, lang in PAGES:
        current = page.read_text(encoding="utf-8") if page.exists() else ""
        wanted = replace_section(current, reference(lang))
        if "--check" in argv:
            if current != wanted:
                sys.stderr.write(f"{page} differs from the commands: run `python -m lifecycle.cli.reference`\n")
                drifted = 1
        else:
            page.write_text(wanted, encoding="utf-8")
    return drifted


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

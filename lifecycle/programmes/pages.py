"""The Markdown page of each programme (docs/programmes/<code>.md), generated from its definition.

    python -m lifecycle.programmes.pages            # (re)write every page
    python -m lifecycle.programmes.pages --check    # exit 1 and list the pages that are out of date

Run from the repository root (or pass the pages directory). The pages are never
edited by hand: a test fails when one differs from what `render_page` makes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from lifecycle.domain.definition import Rule
from lifecycle.domain.programme import Programme
from lifecycle.programmes.catalogue import Catalogue
from lifecycle.programmes.describe import mermaid, rules

DEFAULT = "[default]"
PAGES = Path("docs") / "programmes"


def cell(text: object) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def clause_cell(clause: str | None, default: bool) -> str:
    return cell(" ".join(part for part in (clause or "—", DEFAULT if default else "") if part))


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _marked(rule: Rule) -> str:
    return clause_cell(rule.clause, rule.default)


def render_page(programme: Programme) -> str:
    """The whole page of one programme, as Markdown."""
    d = programme.definition
    s = d.source
    out = [
        f"# {d.code} — {d.name.zh} ({d.name.en})",
        "",
        f"<!-- Generated from states/{d.code}.yaml by `python -m lifecycle.programmes.pages`; do not edit by hand. -->",
        "",
        f"Rules marked **{DEFAULT}** are values the source document leaves open: the project's "
        "documented, configurable default, not policy.",
        "",
        "## Source document",
        "",
    ]
    source_rows = [
        ("title", s.title),
        ("number", s.number),
        ("issuer", s.issuer),
        ("date", s.date.isoformat() if s.date else None),
        ("file", s.file),
        ("section", s.section),
    ]
    out += _table(("", "source"), [(key, cell(value)) for key, value in source_rows if value])
    applies = "every trigger" if d.in_force.applies_to == "all" else ", ".join(d.in_force.applies_to)
    out += [
        "",
        f"- **In force** from {d.in_force.date.isoformat()} ({_marked(d.in_force)}), "
        f"for {applies}" + (f" — {d.in_force.note}" if d.in_force.note else "") + ".",
    ]
    if d.validity:
        out.append(f"- **Validity** {d.validity.years} years from approval ({_marked(d.validity)}).")
    out += [
        f"- **Cycle** {d.cycle.years} year{'s' if d.cycle.years != 1 else ''} ({_marked(d.cycle)}).",
        f"- **Definition version** (content hash): `{programme.version}`.",
        "",
        "## State diagram",
        "",
        "```mermaid",
        mermaid(programme),
        "```",
        "",
        "## States",
        "",
    ]
    out += _table(
        ("state", "中文", "English", "kind"),
        [(f"`{name}`", cell(st.zh), cell(st.en), st.kind) for name, st in d.states.items()],
    )
    out += ["", "## Fields", "", "Set with `--set KEY=VALUE` on `cases add` and `advance`.", ""]
    field_rows = []
    for name, f in d.fields.items():
        kind = f"{f.type} ({', '.join(f.choices)})" if f.choices else f.type
        meaning = " / ".join(part for part in (f.zh, f.en) if part)
        if f.required_at_create:
            meaning += " — required when the case is created"
        field_rows.append((f"`{name}`", cell(kind), cell(meaning), _marked(f)))
    out += _table(("field", "type", "meaning", "clause"), field_rows)
    out += ["", "## Triggers", ""]
    trigger_rows = []
    for name, t in d.triggers.items():
        params = ", ".join(f"{key} ({p.type})" for key, p in t.params.items()) or "—"
        trigger_rows.append(
            (
                f"`{name}`",
                cell(t.zh),
                cell(t.en) + (" (internal)" if t.internal else ""),
                "/".join(t.by),
                cell(params),
                _marked(t),
            )
        )
    out += _table(("trigger", "中文", "English", "by", "parameters", "clause"), trigger_rows)
    if d.targets:
        out += [
            "",
            "## Plan targets",
            "",
            "The plan's counts for this programme. The dashboard, `lifecycle programmes show "
            f"{d.code}` and its `--json` set them against the designations the register holds "
            "now (cases in an active state).",
            "",
        ]
        out += _table(
            ("kind", "year", "count", "the plan's words", "English", "clause"),
            [
                (
                    t.kind,
                    str(t.year),
                    ("more than " if t.comparison == "more_than" else "") + str(t.count),
                    cell(t.zh),
                    cell(t.en),
                    _marked(t),
                )
                for t in d.targets
            ],
        )
    out += ["", "## Rules and their clauses", ""]
    out += _table(
        ("rule", "clause"), [(cell(r["rule"]), clause_cell(r["clause"], bool(r["default"]))) for r in rules(programme)]
    )
    return "\n".join(out) + "\n"


def out_of_date(catalogue: Catalogue, directory: Path) -> dict[Path, str]:
    """The pages whose file is missing or differs from what `render_page` makes, with their text."""
    stale: dict[Path, str] = {}
    for code in catalogue.codes():
        path = directory / f"{code}.md"
        text = render_page(catalogue.current(code))
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale[path] = text
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lifecycle.programmes.pages", description="Write docs/programmes/<code>.md for every programme."
    )
    parser.add_argument(
        "directory", nargs="?", type=Path, default=PAGES, help="where the pages live (default: docs/programmes)"
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 and list the pages that are out of date"
    )
    args = parser.parse_args(argv)
    directory: Path = args.directory
    if not directory.parent.is_dir():
        parser.error(f"{directory.parent} does not exist: run this from the repository root")
    stale = out_of_date(Catalogue.load(), directory)
    if args.check:
        for path in stale:
            print(f"out of date: {path}")
        if stale:
            print("run `python -m lifecycle.programmes.pages` to regenerate them")
        return 1 if stale else 0
    directory.mkdir(exist_ok=True)
    for path, text in stale.items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

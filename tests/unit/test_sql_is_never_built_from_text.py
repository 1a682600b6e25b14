"""No SQL statement in the product is assembled from Python strings: values travel as parameters,
identifiers through psycopg.sql.Identifier. This reads the source, so a new f-string into SQL
fails here before it can meet a user's text."""

from __future__ import annotations

import ast
from pathlib import Path

import lifecycle

SQL_CALLS = {"text", "execute", "exec_driver_sql", "executescript", "SQL"}
ROOT = Path(lifecycle.__file__).parent
#: PRAGMA takes no parameters; its one value is checked against a fixed list first.
ALLOWED = {("persistence/engine.py", "PRAGMA synchronous"), ("persistence/engine.py", "PRAGMA cache_size")}


def built_sql(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        first = node.args[0]
        assembled = (
            isinstance(first, ast.JoinedStr)
            or (isinstance(first, ast.BinOp) and isinstance(first.op, ast.Mod | ast.Add))
            or (
                isinstance(first, ast.Call)
                and isinstance(first.func, ast.Attribute)
                and first.func.attr == "format"
                and isinstance(first.func.value, ast.Constant)
            )
        )
        if name in SQL_CALLS and assembled:
            source = ast.get_source_segment(path.read_text(encoding="utf-8"), first) or ""
            relative = path.relative_to(root).as_posix()
            if not any(relative == file and marker in source for file, marker in ALLOWED):
                found.append(f"{relative}:{node.lineno}: {source[:80]}")
    return found


def test_no_sql_statement_is_assembled_from_strings():
    problems = [
        problem for path in sorted(ROOT.rglob("*.py")) if "migrations" not in path.parts for problem in built_sql(path)
    ]
    assert problems == []


def test_the_check_finds_an_f_string_handed_to_execute(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f(c, name):\n    c.execute(text(f\"SELECT * FROM cases WHERE name = '{name}'\"))\n"
        "def g(c, name):\n    c.execute(\"DELETE FROM cases WHERE name = '%s'\" % name)\n"
    )
    assert len(built_sql(sample, tmp_path)) == 2

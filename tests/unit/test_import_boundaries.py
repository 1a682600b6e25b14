"""The domain stays pure and the CLI starts fast: checked in fresh interpreters."""

import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    script = f"{code}\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
    return set(out.stdout.split())


def test_the_domain_never_pulls_in_a_database_or_a_user_interface():
    loaded = _modules_after("import lifecycle.domain.decide, lifecycle.domain.audit")
    for heavy in ("sqlalchemy", "sqlmodel", "textual", "rich", "typer", "apscheduler"):
        assert heavy not in loaded, f"the domain imports {heavy}"


def test_loading_the_cli_imports_no_database_code_before_a_command_runs():
    loaded = _modules_after("import lifecycle.cli.main")
    for heavy in ("sqlalchemy", "sqlmodel", "textual", "transitions", "alembic"):
        assert heavy not in loaded, f"`lifecycle --help` would import {heavy}"


def test_the_schema_revision_commands_check_is_alembics_head():
    from lifecycle.persistence.revision import HEAD
    from lifecycle.persistence.schema import head_revision

    assert head_revision() == HEAD

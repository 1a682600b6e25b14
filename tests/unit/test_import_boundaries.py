"""The domain stays pure and the CLI starts fast: checked in fresh interpreters."""

import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    script = f"{code}\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
    return set(out.stdout.split())


def _every_domain_module() -> str:
    import pkgutil

    import lifecycle.domain

    names = [f"lifecycle.domain.{m.name}" for m in pkgutil.iter_modules(lifecycle.domain.__path__)]
    assert len(names) >= 15
    return "import " + ", ".join(names)


def test_the_domain_never_pulls_in_a_database_or_a_user_interface():
    loaded = _modules_after(_every_domain_module())
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


def test_creating_the_schema_does_not_load_the_scheduler_or_the_compliance_run():
    loaded = _modules_after("import lifecycle.services.setup")
    for module in ("jobs.scheduler", "jobs.compliance_run", "apscheduler.schedulers.blocking"):
        assert module not in loaded, f"`lifecycle init` would import {module}"


def test_the_services_never_load_a_job_or_the_demo():
    import pkgutil

    import lifecycle.services
    import lifecycle.services.read_models

    names = [f"lifecycle.services.{m.name}" for m in pkgutil.iter_modules(lifecycle.services.__path__)]
    names += [
        f"lifecycle.services.read_models.{m.name}"
        for m in pkgutil.iter_modules(lifecycle.services.read_models.__path__)
    ]
    loaded = _modules_after("import " + ", ".join(names))
    assert not {m for m in loaded if m == "jobs" or m.startswith(("jobs.", "lifecycle.demo"))}

"""`init` is idempotent and makes the first user admin; cases keep the rules they were opened
under; the migration builds exactly the schema the code declares."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from lifecycle.persistence.schema import include_object
from lifecycle.persistence.tables import metadata
from lifecycle.services.app import Lifecycle
from lifecycle.services.audit import verify_log
from lifecycle.services.cases import add_case, advance, show_case
from lifecycle.services.setup import init_database
from lifecycle.services.users import list_users

D = date.fromisoformat


def test_init_makes_the_first_user_admin_with_an_audit_entry(db_url):
    app = Lifecycle(db_url)
    result = init_database(app, "alice")
    assert (result.created, result.revision_before, result.admin_created) == (True, None, "alice")
    assert [(u["name"], u["role"]) for u in list_users(app)] == [("alice", "admin")]
    verification = verify_log(app)
    assert (verification.ok, verification.entries) == (True, 1)


def test_init_again_changes_nothing_and_makes_no_one_else_admin(app, draft_case, snapshot):
    before = snapshot(draft_case)
    again = init_database(Lifecycle(app.url), "carol")
    assert (again.created, again.admin_created) == (False, None)
    assert again.revision_before == again.revision
    assert [(u["name"], u["role"]) for u in list_users(app)] == [("alice", "admin")]
    assert snapshot(draft_case) == before


def test_a_case_stores_its_definition_version_and_the_definition_text(app, raw_sql):
    first = add_case(app, "alice", "bj-tic", "北京市集成电路技术创新中心", D("2024-10-01")).case
    add_case(app, "alice", "bj-tic", "北京市人工智能技术创新中心", D("2024-10-02"))
    current = app.catalogue.current("bj-tic")

    assert first.definition_version == current.version
    stored = raw_sql("SELECT code, content FROM programme_definitions WHERE version = :v", v=current.version)
    assert stored == [("bj-tic", app.catalogue.text("bj-tic"))]
    assert show_case(app, first.id, D("2024-10-01"))["definition_version"] == current.version


def test_a_case_keeps_the_rules_it_was_opened_under_after_the_definition_changes(
    db_url, tmp_path, eligible, monkeypatch
):
    monkeypatch.setenv("LIFECYCLE_USER", "alice")
    builtin = (Path(__file__).parents[2] / "states" / "bj-tic.yaml").read_text(encoding="utf-8")
    assert "validity: {years: 5" in builtin
    old_rules = tmp_path / "old"
    old_rules.mkdir()
    (old_rules / "bj-tic.yaml").write_text(
        builtin.replace("validity: {years: 5", "validity: {years: 3"), encoding="utf-8"
    )

    then = Lifecycle(db_url, programmes=old_rules)
    init_database(then, "alice")
    case = add_case(then, "alice", "bj-tic", "北京市集成电路技术创新中心", D("2024-10-01")).case

    now = Lifecycle(db_url)  # the built-in definition, 5 years of validity
    assert now.catalogue.current("bj-tic").version != case.definition_version
    advance(now, "alice", case.id, "submit", D("2024-10-08"), eligible)
    advance(now, "alice", case.id, "start_review", D("2024-11-05"))
    approved = advance(now, "alice", case.id, "approve", D("2025-01-10")).case
    assert approved.valid_until == D("2028-01-10")
    fresh = add_case(now, "alice", "bj-tic", "北京市人工智能技术创新中心", D("2024-10-01")).case
    assert fresh.definition_version == now.catalogue.current("bj-tic").version


def test_the_migration_builds_the_schema_the_tables_declare(app):
    with app.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": include_object})
        differences = compare_metadata(context, metadata)
        tables = set(connection.dialect.get_table_names(connection))
    assert differences == []
    assert {"users", "cases", "audit_log", "audit_head", "programme_definitions"} <= tables

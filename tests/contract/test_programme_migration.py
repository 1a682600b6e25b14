"""`lifecycle programmes migrate`: running cases move to a new definition version, audited."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lifecycle.errors import Refused
from lifecycle.programmes.catalogue import builtin_directory
from lifecycle.services.app import Lifecycle
from lifecycle.services.audit import verify_log
from lifecycle.services.cases import add_case, advance, show_case
from lifecycle.services.programmes import migrate_programme

ON = date(2024, 10, 1)


def renamed_draft(tmp_path: Path) -> Path:
    """A new version of bj-tic whose first state is called `preparing` instead of `draft`."""
    directory = tmp_path / "programmes"
    directory.mkdir()
    text = (builtin_directory() / "bj-tic.yaml").read_text(encoding="utf-8")
    (directory / "bj-tic.yaml").write_text(text.replace("draft", "preparing"), encoding="utf-8")
    return directory


def two_cases(app: Lifecycle) -> tuple[int, int]:
    drafting = add_case(app, "alice", "bj-tic", "北京市甲技术创新中心", ON).case
    withdrawn = add_case(app, "alice", "bj-tic", "北京市乙技术创新中心", ON).case
    advance(app, "alice", withdrawn.id, "withdraw", ON)
    assert drafting.id is not None and withdrawn.id is not None
    return drafting.id, withdrawn.id


def audit_head(app: Lifecycle) -> tuple[int, str]:
    with app.uow() as uow:
        return uow.audit.head()


def test_a_case_in_a_state_the_new_version_lacks_is_refused_unless_mapped_and_nothing_moves(
    app: Lifecycle, db_url: str, tmp_path: Path
) -> None:
    two_cases(app)
    edited = Lifecycle(db_url, renamed_draft(tmp_path))
    before = audit_head(app)
    with pytest.raises(Refused) as caught:
        migrate_programme(edited, "alice", "bj-tic", ON)
    assert [r.code for r in caught.value.reasons] == ["wrong_state"]
    assert "--map draft=STATE" in caught.value.reasons[0].message
    assert audit_head(app) == before


def test_a_dry_run_reports_the_moves_and_writes_nothing(app: Lifecycle, db_url: str, tmp_path: Path) -> None:
    drafting, _ = two_cases(app)
    edited = Lifecycle(db_url, renamed_draft(tmp_path))
    before = audit_head(app)
    result = migrate_programme(edited, "alice", "bj-tic", ON, mapping={"draft": "preparing"}, dry_run=True)
    assert [(m["case_id"], m["from_state"], m["to_state"]) for m in result.moves] == [(drafting, "draft", "preparing")]
    assert audit_head(app) == before
    assert show_case(app, drafting, ON)["state"] == "draft"


def test_a_migration_moves_running_cases_leaves_closed_ones_and_audits_each_move(
    app: Lifecycle, db_url: str, tmp_path: Path
) -> None:
    drafting, withdrawn = two_cases(app)
    old_version = app.catalogue.current("bj-tic").version
    edited = Lifecycle(db_url, renamed_draft(tmp_path))
    result = migrate_programme(edited, "alice", "bj-tic", ON, mapping={"draft": "preparing"}, reason="guideline final")
    new_version = result.to_version
    moved = show_case(edited, drafting, ON)
    assert (moved["state"], moved["definition_version"]) == ("preparing", new_version)
    assert moved["history"][-1]["trigger"] == "migrate"
    assert moved["history"][-1]["payload"] == {"from_version": old_version, "to_version": new_version}
    assert "submit" in moved["allowed"] or "submit" in moved["blocked"]
    closed = show_case(edited, withdrawn, ON)
    assert closed["definition_version"] == old_version
    assert verify_log(edited).ok
    assert migrate_programme(edited, "alice", "bj-tic", ON).moves == []

"""`lifecycle programmes versions`: which definition versions cases run on."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lifecycle.programmes.catalogue import builtin_directory
from lifecycle.services.app import Lifecycle
from lifecycle.services.cases import add_case, advance
from lifecycle.services.programmes import definition_versions


def test_versions_lists_each_definition_with_its_cases_and_marks_the_current_one(
    app: Lifecycle, db_url: str, tmp_path: Path
) -> None:
    add_case(app, "alice", "bj-tic", "北京市甲技术创新中心", date(2024, 10, 1))
    add_case(app, "alice", "bj-tic", "北京市乙技术创新中心", date(2024, 10, 1))
    first = app.catalogue.current("bj-tic").version
    assert [v.to_json() for v in definition_versions(app, "bj-tic")] == [
        {
            "version": first,
            "recorded_at": definition_versions(app, "bj-tic")[0].recorded_at,
            "cases": 2,
            "current": True,
        }
    ]

    # The office edits the definition: new cases use the new version, running ones keep theirs.
    changed = tmp_path / "programmes"
    changed.mkdir()
    text = (builtin_directory() / "bj-tic.yaml").read_text(encoding="utf-8")
    (changed / "bj-tic.yaml").write_text(text.replace("reply_days: 30", "reply_days: 45"), encoding="utf-8")
    edited = Lifecycle(db_url, changed)
    third = add_case(edited, "alice", "bj-tic", "北京市丙技术创新中心", date(2024, 10, 1)).case
    rows = definition_versions(edited, "bj-tic")
    assert [(r.version == first, r.cases, r.current) for r in rows] == [(True, 2, False), (False, 1, True)]

    # A case on the old version is still served the rules it was opened under.
    assert advance(edited, "alice", 1, "withdraw", date(2024, 10, 2)).case.definition_version == first
    assert third.definition_version == rows[1].version

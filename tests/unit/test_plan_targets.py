"""The plan's counts as programme data: what the 技术要素市场 plan says (一(一)3 at the end of 2020,
二(三)3 by 2025), how designations now are set against them, and bad targets refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lifecycle.domain.targets import designations, progress
from lifecycle.errors import DefinitionError
from lifecycle.programmes.catalogue import Catalogue, builtin_directory
from lifecycle.programmes.loader import load_text

CATALOGUE = Catalogue.load()


def plan(code: str) -> list[tuple[str, int, int, str, str | None]]:
    return [(t.kind, t.year, t.count, t.comparison, t.clause) for t in CATALOGUE.current(code).definition.targets]


def test_the_plan_counts_of_2020_and_its_targets_for_2025_are_the_source_texts() -> None:
    assert plan("tech-transfer") == [
        ("baseline", 2020, 420, "at_least", "一(一)3"),
        ("target", 2025, 500, "at_least", "二(三)3"),
    ]
    assert plan("intl-tech-transfer") == [
        ("baseline", 2020, 45, "at_least", "一(一)3"),
        ("target", 2025, 60, "more_than", "二(三)3"),
    ]
    assert plan("talent-base") == [("baseline", 2020, 36, "at_least", "一(一)3")]  # no 2025 target
    assert plan("transfer-zone") == [
        ("baseline", 2020, 9, "at_least", "一(一)3"),
        ("target", 2025, 20, "at_least", "二(三)3"),
    ]
    words = {t.zh for code in CATALOGUE.codes() for t in CATALOGUE.current(code).definition.targets}
    assert {
        "到2025年,国际技术转移中心超过60家",
        "到2025年,国家技术转移机构达到500家",
        "到2025年,国家科技成果转移转化示范区达到20家",
        "截至2020年底,建成国家技术转移人才培养基地36家",
    } <= words
    others = {"bj-tic", "national-tic", "export-base", "ecommerce-base", "hitech-zone", "ai-scenario"}
    assert all(not CATALOGUE.current(code).definition.targets for code in others)


@pytest.mark.parametrize(("designated", "met", "remaining"), [(499, False, 1), (500, True, 0), (501, True, 0)])
def test_reaching_500_institutions_means_500_designations(designated: int, met: bool, remaining: int) -> None:
    target = progress(CATALOGUE.current("tech-transfer"), designated, date(2025, 6, 1))[1]
    assert (target.met, target.remaining, target.needed) == (met, remaining, 500)


@pytest.mark.parametrize(("designated", "met", "remaining"), [(60, False, 1), (61, True, 0), (62, True, 0)])
def test_more_than_60_international_centres_means_61(designated: int, met: bool, remaining: int) -> None:
    target = progress(CATALOGUE.current("intl-tech-transfer"), designated, date(2025, 6, 1))[1]
    assert (target.met, target.remaining, target.needed) == (met, remaining, 61)


@pytest.mark.parametrize(
    ("as_of", "status"), [(date(2025, 12, 30), "open"), (date(2025, 12, 31), "open"), (date(2026, 1, 1), "missed")]
)
def test_a_target_not_met_is_open_through_the_last_day_of_its_year_and_missed_after(as_of: date, status: str) -> None:
    zones = progress(CATALOGUE.current("transfer-zone"), 12, as_of)
    assert [(t.kind, t.status) for t in zones] == [("baseline", "baseline"), ("target", status)]
    assert zones[1].remaining == 8 and zones[0].designated == 12 and zones[0].met is None


def test_without_a_register_the_count_is_unknown_not_zero() -> None:
    target = progress(CATALOGUE.current("transfer-zone"), None, date(2024, 1, 1))[1]
    assert (target.designated, target.remaining, target.met, target.status) == (None, None, None, "unknown")


def test_only_designations_count_applications_and_closed_cases_do_not() -> None:
    zone = CATALOGUE.current("transfer-zone")
    counts = {
        "submitted": 4,
        "under_review": 1,
        "approved": 5,
        "final_assessment": 2,
        "rectification": 1,
        "renewed": 3,
        "rejected": 7,
        "withdrawn": 2,
        "a_state_since_removed": 9,
    }
    assert designations(zone, counts) == 11


def _with(code: str, old: str, new: str) -> str:
    text = (builtin_directory() / f"{code}.yaml").read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new)


@pytest.mark.parametrize(
    ("old", "new", "key", "message"),
    [
        ("    count: 500\n", "    count: -500\n", "targets.1.count", "greater than or equal to 0"),
        ("    count: 500\n", "    count: lots\n", "targets.1.count", "valid integer"),
        ("    year: 2025\n", "    year: 25\n", "targets.1.year", "greater than or equal to 1949"),
        ("    year: 2025\n", "    year: 2019\n", "targets[1].year", "must come after the baseline's 2020"),
        ("    clause: 二(三)3\n", "", "targets.1", "needs the `clause`"),
        (
            "    year: 2025\n",
            "    year: 2025\n    comparison: about\n",
            "targets.1.comparison",
            "'at_least' or 'more_than'",
        ),
        ("  - kind: target\n", "  - kind: goal\n", "targets.1.kind", "'baseline' or 'target'"),
        ("  - kind: target\n", "  - kind: baseline\n", "targets[1].kind", "at most one baseline"),
        ("    count: 500\n", "    count: 500\n    share: 0.5\n", "targets.1.share", "unknown key"),
    ],
)
def test_a_bad_target_is_refused_with_its_file_line_and_field(old: str, new: str, key: str, message: str) -> None:
    text = _with("tech-transfer", old, new)
    with pytest.raises(DefinitionError) as caught:
        load_text(text, "progs/tech-transfer.yaml")
    problems = caught.value.problems
    assert len(problems) == 1, problems
    where, found_key, reason = problems[0].split(": ", 2)
    assert where.startswith("progs/tech-transfer.yaml:") and int(where.rsplit(":", 1)[1]) > 100
    assert found_key == key and message in reason


def test_two_yearly_duties_filed_by_different_triggers_cannot_share_a_record() -> None:
    text = _with("transfer-zone", "    record: self_evaluations\n", "")
    with pytest.raises(DefinitionError) as caught:
        load_text(text, "transfer-zone.yaml")
    assert "obligations.self_evaluation.record" in caught.value.problems[0]
    reserved = _with("transfer-zone", "    record: self_evaluations\n", "    record: marks\n")
    with pytest.raises(DefinitionError) as caught:
        load_text(reserved, "transfer-zone.yaml")
    assert "used by the rules themselves" in caught.value.problems[0]


def test_the_check_command_refuses_a_directory_with_a_bad_target(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from lifecycle.cli.main import app

    (tmp_path / "tech-transfer.yaml").write_text(
        _with("tech-transfer", "    year: 2025\n", "    year: 2019\n"), encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["programmes", "check", str(tmp_path), "--json"])
    assert result.exit_code == 1
    assert "targets[1].year: the target year 2019 must come after the baseline's 2020" in result.stdout

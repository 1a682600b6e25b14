"""docs/examples/technology-market-plan.jsonl: the designations of the 技术要素市场 plan an office
already manages (9 zones, international centres, talent bases), imported on SQLite and PostgreSQL,
then set against the plan's counts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lifecycle.services.app import Lifecycle
from lifecycle.services.audit import verify_log
from lifecycle.services.cases import list_cases
from lifecycle.services.imports import import_cases
from lifecycle.services.read_models.worklist import overview

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "technology-market-plan.jsonl"


def test_the_plan_example_imports_the_nine_zones_of_2020_and_the_centres_and_bases(app: Lifecycle) -> None:
    result = import_cases(app, "alice", EXAMPLE)
    assert result["by_state"] == [
        {"programme": "intl-tech-transfer", "state": "approved", "cases": 2},
        {"programme": "intl-tech-transfer", "state": "renewed", "cases": 1},
        {"programme": "talent-base", "state": "approved", "cases": 3},
        {"programme": "transfer-zone", "state": "approved", "cases": 9},
    ]
    zones = {c.name: c for c in list_cases(app, "transfer-zone")}
    assert zones["河北·京南国家科技成果转移转化示范区"].approved_on == "2016-10-19"
    assert verify_log(app).ok
    # the nine zones are the plan's count at the end of 2020 (一(一)3); 20 by 2025 (二(三)3)
    targets = {(t.programme, t.kind): t for t in overview(app, date(2025, 6, 30)).targets}
    baseline, target = targets[("transfer-zone", "baseline")], targets[("transfer-zone", "target")]
    assert (baseline.count, baseline.designated) == (9, 9)
    assert (target.count, target.remaining, target.status) == (20, 11, "open")
    assert targets[("intl-tech-transfer", "target")].remaining == 58
    assert ("tech-transfer", "target") not in targets  # no institution in this register

"""One row of an import file, made into a case by the programme's rules (pure domain)."""

from __future__ import annotations

from datetime import date

import pytest

from lifecycle.domain.imported import ImportedCase, ImportRow, approval_needed, import_row
from lifecycle.programmes.catalogue import Catalogue


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load()


def row(**values: object) -> ImportRow:
    fields = {k: v for k, v in values.items() if k in ("kind", "sponsor", "rd_ratio_3y")}
    reserved = {k: v for k, v in values.items() if k not in fields}
    return ImportRow(2, reserved, fields, {k: k for k in values})


def test_only_states_an_approved_case_can_be_in_require_an_approval_date(catalogue: Catalogue) -> None:
    bj = catalogue.current("bj-tic")
    needed = {state: approval_needed(bj, state) for state in bj.definition.states}
    assert needed == {
        "draft": False,
        "submitted": False,
        "under_review": False,
        "approved": True,
        "mid_term_review": True,
        "final_assessment": True,
        "rectification": True,
        "renewed": True,
        "rejected": False,
        "revoked": True,
        "withdrawn": False,
        "expired": True,
    }


def test_cycles_are_counted_in_validity_periods_from_the_approval(catalogue: Catalogue) -> None:
    bj = catalogue.current("bj-tic")  # five-year validity: a renewal starts where validity ends
    outcome = import_row(
        bj, row(name="北京市甲技术创新中心", state="renewed", approved_on="2012-05-04", state_since="2023-01-09")
    )
    assert isinstance(outcome, ImportedCase)
    case = outcome.case
    # Each validity runs through its anniversary; the next cycle starts the day after.
    assert (case.cycle, case.cycle_start, case.valid_until) == (3, date(2022, 5, 5), date(2027, 5, 4))
    assert outcome.history[-1].payload["cycle"] == 3


def test_a_given_cycle_wins_over_the_count_and_sets_the_cycle_start(catalogue: Catalogue) -> None:
    bj = catalogue.current("bj-tic")
    outcome = import_row(
        bj,
        row(
            name="北京市乙技术创新中心", state="renewed", approved_on="2012-05-04", state_since="2023-01-09", cycle="2"
        ),
    )
    assert isinstance(outcome, ImportedCase)
    assert (outcome.case.cycle, outcome.case.cycle_start) == (2, date(2017, 5, 5))


def test_a_mid_term_review_entered_before_the_import_is_not_due_again_in_that_cycle(catalogue: Catalogue) -> None:
    bj = catalogue.current("bj-tic")
    outcome = import_row(
        bj,
        row(name="北京市丙技术创新中心", state="mid_term_review", approved_on="2022-05-04", state_since="2024-11-02"),
    )
    assert isinstance(outcome, ImportedCase)
    assert outcome.case.marks == {"start_mid_term": 1}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"state": "draft", "approved_on": "2022-05-04"}, [("approved_on", "invalid_field")]),
        ({"state": "draft"}, [("state_since", "missing_field")]),
        ({"state": "approved", "approved_on": "2022-05-04", "cycle": "2"}, [("cycle", "invalid_field")]),
        ({"state": "renewed", "approved_on": "2022-05-04", "cycle": "1"}, [("cycle", "invalid_field")]),
        ({"state": "approved", "approved_on": "2022-05-04", "cycle": "zero"}, [("cycle", "invalid_field")]),
        (
            {"state": "approved", "approved_on": "2022-05-04", "deadline_on": "2023-01-01"},
            [("deadline_on", "invalid_field")],
        ),
        (
            {"state": "approved", "approved_on": "2022-05-04", "created_on": "2022-06-01"},
            [("created_on", "invalid_field")],
        ),
        ({"state": "approved", "approved_on": "2022-05-04", "events": "approve"}, [("events", "invalid_field")]),
        ({"state": " ", "approved_on": "2022-05-04"}, [("state", "missing_field")]),
        ({"state": 3, "approved_on": "2022-05-04"}, [("state", "invalid_field")]),
        ({"name": "  ", "state": "approved", "approved_on": "2022-05-04"}, [("name", "missing_field")]),
    ],
)
def test_a_row_whose_dates_contradict_the_programme_is_refused_at_the_column(
    catalogue: Catalogue, values: dict[str, object], expected: list[tuple[str, str]]
) -> None:
    outcome = import_row(catalogue.current("bj-tic"), row(**{"name": "北京市丁技术创新中心", **values}))
    assert isinstance(outcome, list)
    assert [(p.column, p.code) for p in outcome] == expected
    assert all(p.line == 2 for p in outcome)


def test_an_institution_imported_with_an_old_approval_is_first_evaluated_like_one_opened_by_hand(
    catalogue: Catalogue,
) -> None:
    from lifecycle.domain.decide import open_case

    programme = catalogue.current("tech-transfer")
    by_hand = open_case(programme, "清华大学技术转移研究院", date(2009, 12, 1), "admin").case
    outcome = import_row(programme, row(name="清华大学技术转移研究院", state="approved", approved_on="2009-12-01"))
    assert isinstance(outcome, ImportedCase)
    timer = programme.timer("evaluation")
    assert programme.due_date(timer, outcome.case) == programme.due_date(timer, by_hand) == date(2024, 12, 1)

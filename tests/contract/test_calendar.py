"""`lifecycle calendar`: every upcoming deadline of the portfolio, with its case, its day, what is
due and its clause; as an iCalendar file an office imports, parsed back here with icalendar."""

from __future__ import annotations

from datetime import date

import pytest
from icalendar import Calendar

from jobs.compliance_run import run_compliance
from lifecycle.services.app import Lifecycle
from lifecycle.services.cases import add_case, advance
from lifecycle.services.read_models.calendar import as_ics, upcoming

NAME = "北京市集成电路技术创新中心"


@pytest.fixture
def approved(app: Lifecycle, eligible: dict[str, str]) -> int:
    """A bj-tic centre approved on 2025-01-10: valid five years, annual reports due 31 March."""
    case_id = add_case(app, "alice", "bj-tic", NAME, date(2024, 10, 1), eligible).case.id
    assert case_id is not None
    for trigger, day in (
        ("submit", date(2024, 10, 8)),
        ("start_review", date(2024, 11, 5)),
        ("approve", date(2025, 1, 10)),
    ):
        advance(app, "alice", case_id, trigger, day, {})
    return case_id


def test_the_calendar_lists_the_annual_report_and_the_evaluations_to_come_with_their_clauses(
    app: Lifecycle, approved: int
) -> None:
    rows = upcoming(app, date(2025, 1, 11), 365 * 5 + 1)
    assert [(r["due_on"], r["kind"]) for r in rows][:2] == [("2026-03-31", "obligation"), ("2027-03-31", "obligation")]
    report = rows[0]
    assert (report["case_id"], report["name"], report["programme"]) == (approved, NAME, "bj-tic")
    assert report["what"] == "annual report 2025" and report["what_zh"] == "年度报告（2025）"
    assert report["clause"] == "第十五条(四)" and report["default"] is True
    assert report["trigger"] == "file_report"
    timers = {r["what"]: r for r in rows if r["kind"] == "timer"}
    # Valid through 2030-01-10 as the civil code counts five years from 2025-01-10; it expires the day after.
    assert timers["the day after the last day of validity"]["due_on"] == "2030-01-11"
    assert timers["the day after the last day of validity"]["trigger"] == "expire"
    assert any(r["due_on"] == "2028-01-10" and r["clause"] == "第十六条" for r in timers.values())


def test_a_filed_report_leaves_the_calendar_and_a_window_of_days_bounds_it(app: Lifecycle, approved: int) -> None:
    assert [r["due_on"] for r in upcoming(app, date(2026, 3, 1), 31)] == ["2026-03-31"]
    advance(app, "alice", approved, "file_report", date(2026, 3, 20), {"year": "2025"})
    assert upcoming(app, date(2026, 3, 1), 31) == []
    assert upcoming(app, date(2026, 3, 31), 0) == []


def test_a_reminder_opens_a_reply_window_that_the_calendar_shows_closing(app: Lifecycle, approved: int) -> None:
    run_compliance(app, "alice", date(2026, 4, 1))
    rows = upcoming(app, date(2026, 4, 1), 60)
    [window] = [r for r in rows if r["kind"] == "reply_window"]
    assert window["due_on"] == "2026-05-01"  # 30 days to answer (第十八条(一), a default)
    assert window["clause"] == "第十八条(一)" and window["default"] is True
    assert "annual report 2025" in window["what"]


def test_a_closed_case_has_no_deadlines_and_an_unknown_programme_is_an_error(app: Lifecycle, approved: int) -> None:
    advance(app, "alice", approved, "withdraw", date(2025, 6, 1), {}, "the host withdrew")
    assert upcoming(app, date(2025, 6, 1), 3650) == []
    from lifecycle.errors import LifecycleError

    with pytest.raises(LifecycleError):
        upcoming(app, date(2025, 6, 1), 30, "no-such-programme")


def test_the_ics_file_parses_back_with_one_all_day_event_per_deadline(app: Lifecycle, approved: int) -> None:
    rows = upcoming(app, date(2025, 1, 11), 365 * 5)
    parsed = Calendar.from_ical(as_ics(rows, chinese=True))
    events = list(parsed.walk("VEVENT"))
    assert len(events) == len(rows)
    first = events[0]
    assert first.decoded("dtstart") == date(2026, 3, 31)
    assert str(first.get("summary")) == f"{NAME}: 年度报告（2025）"
    assert "第十五条(四)" in str(first.get("description"))
    assert len({str(e.get("uid")) for e in events}) == len(events)

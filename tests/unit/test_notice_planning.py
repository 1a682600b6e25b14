"""Which notices a case's organisation gets, and when: the programme's lead times, one notice per
lead time whatever the days the runs happen on, never a stale one."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifecycle.domain.case import Case
from lifecycle.domain.decide import decide, open_case
from lifecycle.domain.notices import plan_notices
from lifecycle.errors import DefinitionError
from lifecycle.programmes.catalogue import Catalogue
from lifecycle.programmes.loader import load_text

CATALOGUE = Catalogue.load()
BJ = CATALOGUE.current("bj-tic")
ELIGIBLE = {
    "registered_in_beijing": "true",
    "good_credit": "true",
    "integrates_resources": "true",
    "avg_revenue_3y": "3e9",
    "rd_ratio_3y": "12%",
    "domestic_rd_share": "70%",
    "safety_accident_3y": "false",
    "has_core_team": "true",
}
D = date.fromisoformat


def bj_approved(programme=BJ) -> Case:
    case = open_case(programme, "北京市集成电路技术创新中心", D("2024-09-20"), "admin", ELIGIBLE).case
    case.id = 1
    for trigger, on in (("submit", "2024-10-08"), ("start_review", "2024-11-05"), ("approve", "2025-01-10")):
        case = decide(programme, case, trigger, D(on), "admin", {}).case
    return case


def keys_over(case: Case, days: list[date], programme=BJ) -> list[str]:
    """The notices runs on these days would write, each once (the outbox keeps the first)."""
    written: list[str] = []
    for day in days:
        for notice in plan_notices(programme, case, day)[0]:
            if notice.key not in written:
                written.append(notice.key)
    return written


def test_daily_runs_notify_a_report_30_and_7_days_before_on_the_day_and_the_day_after_each_once():
    case = bj_approved()
    start = D("2026-02-01")
    days = [start + timedelta(days=n) for n in range(70)]
    report = [k for k in keys_over(case, days) if "|obligation|annual_report|2025|" in k]
    assert [k.rsplit("|", 1)[1] for k in report] == ["-30", "-7", "+0", "+1"]


def test_the_next_notice_day_is_never_later_than_the_next_notice():
    case = bj_approved()
    notices, next_on = plan_notices(BJ, case, D("2026-02-01"))
    assert notices == [] and next_on == D("2026-03-01")  # 30 days before 2026-03-31
    notices, next_on = plan_notices(BJ, case, D("2026-03-01"))
    assert [n.lead for n in notices] == [-30] and next_on == D("2026-03-24")


def test_a_run_missed_for_a_week_sends_the_current_notice_not_every_one_it_missed():
    case = bj_approved()
    [notice] = [n for n in plan_notices(BJ, case, D("2026-03-31"))[0] if n.kind == "obligation"]
    assert notice.lead == 0
    assert [n for n in plan_notices(BJ, case, D("2026-04-10"))[0] if n.kind == "obligation"] == []


def test_a_filed_report_is_not_announced():
    case = bj_approved()
    case = decide(BJ, case, "file_report", D("2026-02-20"), "admin", {"year": "2025"}).case
    assert [n for n in plan_notices(BJ, case, D("2026-03-24"))[0] if n.period == "2025"] == []


def test_a_review_opening_is_announced_ahead():
    case = bj_approved()
    # mid-term evaluation: 3 years into the cycle that began 2025-01-10 → 2028-01-10
    notices = plan_notices(BJ, case, D("2027-12-11"))[0]
    assert [(n.kind, n.rule, n.lead) for n in notices] == [("evaluation", "mid_term", -30)]
    assert notices[0].context["evaluation_zh"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=120), min_size=1, max_size=40))
def test_whatever_days_the_runs_happen_no_lead_time_is_notified_twice_or_out_of_order(offsets):
    case = bj_approved()
    days = sorted({D("2026-01-01") + timedelta(days=n) for n in offsets})
    leads = [k.rsplit("|", 1)[1] for k in keys_over(case, days) if "|obligation|annual_report|2025|" in k]
    assert len(leads) == len(set(leads))
    assert leads == sorted(leads, key=int)


def test_lead_times_are_programme_data_and_a_day_named_twice_is_refused():
    text = CATALOGUE.text("bj-tic") + "\nnotifications:\n  obligations: {days: [-14, 0], clause: 第十五条(四)}\n"
    programme = load_text(text, "bj-tic with its own lead times")
    assert programme.definition.notifications.obligations.days == [-14, 0]
    assert programme.definition.notifications.evaluations.default is True
    case = bj_approved(programme)
    days = [D("2026-03-01") + timedelta(days=n) for n in range(40)]
    report = [k.rsplit("|", 1)[1] for k in keys_over(case, days, programme) if "|obligation|" in k]
    assert report == ["-14", "+0"]
    with pytest.raises(DefinitionError, match="name a day twice"):
        load_text(CATALOGUE.text("bj-tic") + "\nnotifications:\n  obligations: {days: [-7, -7]}\n", "twice")

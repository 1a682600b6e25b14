"""Finding cases for the administrators' screens: filters, sort, due dates and pages in SQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from tui_helpers import tic_portfolio

from lifecycle.demo.showcase import build_demo
from lifecycle.errors import NotFound, UsageError
from lifecycle.persistence.case_search import CaseFilter
from lifecycle.services.cases import add_case, advance
from lifecycle.services.read_models.worklist import find_cases, next_due, overview

TODAY = date(2026, 11, 23)


def all_lines(app, criteria=CaseFilter(), sort="id"):
    return find_cases(app, criteria, sort=sort, limit=1000).lines


def test_pages_of_cases_cover_every_match_once_with_the_total(app):
    for n in range(55):
        add_case(app, "alice", "bj-tic", f"北京市第{n:02d}技术创新中心", date(2025, 1, 1))
    first = find_cases(app, CaseFilter(programme="bj-tic"), sort="name", limit=50)
    second = find_cases(app, CaseFilter(programme="bj-tic"), sort="name", offset=50, limit=50)
    assert (len(first.lines), first.total, len(second.lines), second.total) == (50, 55, 5, 55)
    names = [line.name for line in first.lines + second.lines]
    assert names == sorted(names) and len(set(names)) == 55
    past_the_end = find_cases(app, CaseFilter(programme="bj-tic"), offset=100, limit=50)
    assert (past_the_end.lines, past_the_end.total) == ([], 55)


def test_the_next_due_date_in_sql_is_the_one_the_domain_computes(app):
    tic_portfolio(app)
    lines = all_lines(app, sort="next_due")
    dated = [line.next_due.on for line in lines if line.next_due]
    assert dated == sorted(dated) and len(dated) >= 10
    assert all(line.next_due is None for line in lines[len(dated):])  # nothing due: last
    for line in lines:
        if line.next_due is None:
            continue
        day = line.next_due.on
        exact = all_lines(app, CaseFilter(due_from=day, due_before=day + timedelta(days=1)))
        assert line.id in [other.id for other in exact], (line.name, day)


def test_overdue_and_due_soon_counts_match_the_cases_they_open(app):
    tic_portfolio(app)
    numbers = overview(app, TODAY)
    overdue = all_lines(app, CaseFilter(programme="national-tic", due_before=TODAY))
    assert numbers.overdue["national-tic"] == len(overdue) == 3
    assert all(line.next_due and line.next_due.on < TODAY for line in overdue)
    assert sum(numbers.by_state["bj-tic"].values()) == 8


def test_a_review_done_in_this_cycle_is_no_longer_due(app):
    """Once-per-cycle timers stop counting once their trigger fired in the cycle."""
    case = add_case(app, "alice", "national-tic", "长江国家技术创新中心", date(2021, 3, 1),
                    {"kind": "comprehensive"}).case
    assert case.id is not None
    advance(app, "alice", case.id, "start_review", date(2021, 4, 1), {"independent_legal_entity": "true"})
    advance(app, "alice", case.id, "approve", date(2021, 6, 30))
    assert [line.id for line in all_lines(app, CaseFilter(due_before=TODAY))] == [case.id]
    advance(app, "alice", case.id, "start_assessment", date(2024, 6, 30))
    advance(app, "alice", case.id, "assess", date(2024, 9, 1), {"grade": "good"})
    (line,) = all_lines(app)
    assert line.state == "renewed" and line.next_due is not None
    assert line.next_due.on == date(2027, 6, 30)  # the next cycle's evaluation, not the done one


def test_filters_by_state_province_and_text_combine(app):
    tic_portfolio(app)
    renewed = all_lines(app, CaseFilter(programme="national-tic", state="renewed"))
    assert {line.state for line in renewed} == {"renewed"} and len(renewed) == 4
    jiangsu = all_lines(app, CaseFilter(province="江苏"))
    assert sorted(line.name for line in jiangsu) == ["国家第三代半导体技术创新中心", "长三角国家技术创新中心"]
    assert [line.name for line in all_lines(app, CaseFilter(province="江苏", text="半导体"))] == [
        "国家第三代半导体技术创新中心"]
    assert all_lines(app, CaseFilter(text="100%_")) == []  # LIKE wildcards are literal


def test_last_change_puts_the_case_just_acted_on_first(app):
    tic_portfolio(app)
    oldest = all_lines(app, sort="id")[0]
    advance(app, "alice", oldest.id, "file_report", TODAY, {"year": "2026"})
    assert all_lines(app, sort="last_change")[0].id == oldest.id


def test_an_unknown_sort_or_programme_is_an_error_naming_the_choices(app):
    with pytest.raises(UsageError, match="sort 'colour': one of next_due, name, last_change, id"):
        find_cases(app, CaseFilter(), sort="colour")
    with pytest.raises(NotFound, match="no programme 'nope'"):
        find_cases(app, CaseFilter(programme="nope"))


def test_the_domain_and_sql_agree_on_cases_with_nothing_due(app):
    tic_portfolio(app)
    lines = all_lines(app, CaseFilter(programme="bj-tic", state="draft"))
    assert lines and all(line.next_due is None for line in lines)
    programme = app.catalogue.current("bj-tic")
    with app.uow() as uow:
        draft = uow.cases.get(lines[0].id)
    assert draft is not None and next_due(programme, draft) is None


def test_sql_and_the_domain_agree_on_every_due_date_of_all_seven_programmes(app):
    """The whole demo: yearly rules (hitech-zone), rules clamped to their document's entry into
    force (tech-transfer), once-per-cycle reviews, deadlines, validity."""
    build_demo(app, "alice")
    lines = all_lines(app, sort="next_due")
    assert len({line.programme for line in lines}) == 7
    dated = [(line.next_due.on, line.id) for line in lines if line.next_due]
    assert [day for day, _ in dated] == sorted(day for day, _ in dated)
    for day, case in dated:
        window = all_lines(app, CaseFilter(due_from=day, due_before=day + timedelta(days=1)))
        assert case in [line.id for line in window], (case, day)
    overdue = [line.id for line in lines if line.next_due and line.next_due.on < TODAY]
    assert sorted(line.id for line in all_lines(app, CaseFilter(due_before=TODAY))) == sorted(overdue)
    assert sum(overview(app, TODAY).overdue.values()) == len(overdue)


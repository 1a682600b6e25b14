"""`lifecycle demo --cases N`: a bulk portfolio across every programme of the catalogue whose
cases the rules can reach, whose audit log verifies, and about a tenth of which has compliance
work due on the as-of day (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

from jobs.compliance_run import run_compliance
from lifecycle.demo.portfolio import build_portfolio
from lifecycle.services.audit import verify_log
from lifecycle.services.cases import add_case, show_case

AS_OF = date(2026, 11, 23)


def test_a_bulk_portfolio_spans_every_programme_and_its_audit_log_verifies(app):
    result = build_portfolio(app, "alice", 1200, seed=3, as_of=AS_OF)
    assert result.created == 1200
    assert {row["programme"] for row in result.by_state} == set(app.catalogue.codes())
    states = {row["state"] for row in result.by_state}
    assert {"approved", "renewed"} & states and "revoked" in states
    verification = verify_log(app)
    assert verification.ok and verification.entries == 1 + 1200
    assert 0.03 * 1200 <= result.due_on_as_of <= 0.25 * 1200


def test_the_compliance_run_finds_exactly_the_cases_the_portfolio_says_are_due(app):
    result = build_portfolio(app, "alice", 800, seed=5, as_of=AS_OF)
    dry = run_compliance(app, "alice", AS_OF, dry_run=True)
    assert dry.cases_examined == result.due_on_as_of
    assert dry.refused == []
    real = run_compliance(app, "alice", AS_OF)
    assert real.actions == dry.actions
    assert run_compliance(app, "alice", AS_OF).actions == []


def test_the_same_seed_gives_the_same_portfolio_and_cases_can_still_be_added(app):
    first = build_portfolio(app, "alice", 300, seed=11, as_of=AS_OF)
    shown = show_case(app, 1, AS_OF)
    again = build_portfolio(app, "alice", 300, seed=11, as_of=AS_OF)
    assert again.due_on_as_of == first.due_on_as_of
    twin = show_case(app, 301, AS_OF)
    assert (twin["name"], twin["state"], twin["state_since"], twin["fields"]) == (
        shown["name"],
        shown["state"],
        shown["state_since"],
        shown["fields"],
    )
    added = add_case(app, "alice", "bj-tic", "北京市集成电路技术创新中心", AS_OF).case
    assert added.id == 601


def test_the_portfolio_is_left_planned_as_the_daily_notice_planner_would_leave_it(app):
    from sqlalchemy import delete, select

    from jobs.notices import plan_notices_due
    from lifecycle.persistence.tables import notice_plans, notifications

    build_portfolio(app, "alice", 600, seed=7, as_of=AS_OF)

    def plans() -> set[tuple[int, int, date]]:
        with app.engine.connect() as connection:
            rows = connection.execute(select(notice_plans.c.case_id, notice_plans.c.version, notice_plans.c.next_on))
            return {(case_id, version, next_on) for case_id, version, next_on in rows}

    def outbox() -> set[tuple[object, ...]]:
        with app.engine.connect() as connection:
            rows = connection.execute(select(notifications.c.case_id, notifications.c.kind, notifications.c.rule))
            return set(rows.all())

    left = plans()
    assert left and len(left) < 600  # cases with a notice current on the day are left to plan
    # The planner, run over the portfolio as built and over every case from scratch, ends equal:
    # the plans the portfolio came with are the planner's own.
    plan_notices_due(app, AS_OF, None)
    as_built, notices = plans(), outbox()
    assert left <= as_built and notices
    with app.engine.begin() as connection:
        connection.execute(delete(notifications))
        connection.execute(delete(notice_plans))
    plan_notices_due(app, AS_OF, None)
    assert plans() == as_built and outbox() == notices

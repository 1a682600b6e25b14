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
    assert result["created"] == 1200
    assert {row["programme"] for row in result["by_state"]} == set(app.catalogue.codes())
    states = {row["state"] for row in result["by_state"]}
    assert {"approved", "renewed"} & states and "revoked" in states
    verification = verify_log(app)
    assert verification.ok and verification.entries == 1 + 1200
    assert 0.03 * 1200 <= result["due_on_as_of"] <= 0.25 * 1200


def test_the_compliance_run_finds_exactly_the_cases_the_portfolio_says_are_due(app):
    result = build_portfolio(app, "alice", 800, seed=5, as_of=AS_OF)
    dry = run_compliance(app, "alice", AS_OF, dry_run=True)
    assert dry.cases_examined == result["due_on_as_of"]
    assert dry.refused == []
    real = run_compliance(app, "alice", AS_OF)
    assert real.actions == dry.actions
    assert run_compliance(app, "alice", AS_OF).actions == []


def test_the_same_seed_gives_the_same_portfolio_and_cases_can_still_be_added(app):
    first = build_portfolio(app, "alice", 300, seed=11, as_of=AS_OF)
    shown = show_case(app, 1, AS_OF)
    again = build_portfolio(app, "alice", 300, seed=11, as_of=AS_OF)
    assert again["due_on_as_of"] == first["due_on_as_of"]
    twin = show_case(app, 301, AS_OF)
    assert (twin["name"], twin["state"], twin["state_since"], twin["fields"]) == (
        shown["name"], shown["state"], shown["state_since"], shown["fields"])
    added = add_case(app, "alice", "bj-tic", "北京市集成电路技术创新中心", AS_OF).case
    assert added.id == 601

"""`lifecycle demo`: a portfolio of all ten programmes built through the real services."""

from __future__ import annotations

from datetime import date

import pytest

from lifecycle.demo.portfolio import build_portfolio
from lifecycle.demo.showcase import build_demo
from lifecycle.errors import Refused
from lifecycle.services.app import Lifecycle
from lifecycle.services.audit import verify_log


def test_the_demo_covers_all_ten_programmes_with_histories_and_a_verifying_log(app: Lifecycle) -> None:
    report = build_demo(app, "alice")
    programmes = {row["programme"] for row in report.by_state}
    assert (
        programmes
        == {
            "bj-tic",
            "national-tic",
            "export-base",
            "ecommerce-base",
            "hitech-zone",
            "tech-transfer",
            "ai-scenario",
            "intl-tech-transfer",
            "talent-base",
            "transfer-zone",
        }
        == set(app.catalogue.codes())
    )
    states = {(row["programme"], row["state"]) for row in report.by_state}
    # Each programme shows more than its first step: outcomes of reviews and terminal states.
    assert {
        ("export-base", "revoked"),
        ("ecommerce-base", "renewed"),
        ("hitech-zone", "rectification"),
        ("tech-transfer", "revoked"),
        ("ai-scenario", "expired"),
        ("intl-tech-transfer", "revoked"),
        ("talent-base", "revoked"),
        ("transfer-zone", "rectification"),
        ("transfer-zone", "rejected"),
        ("transfer-zone", "renewed"),
    } <= states
    assert verify_log(app).ok


def test_running_the_demo_again_creates_nothing(app: Lifecycle) -> None:
    first = build_demo(app, "alice")
    second = build_demo(app, "alice")
    assert second.created == 0 and second.existing == first.created


def _register_with_a_real_case(app: Lifecycle) -> tuple[int, list]:
    from lifecycle.services.cases import add_case
    from lifecycle.services.setup import init_database

    init_database(app, "alice")
    add_case(app, "alice", "bj-tic", "北京市集成电路技术创新中心", date(2024, 9, 20), reason="designation file 2024-17")
    with app.uow() as uow:
        return uow.cases.count(), list(uow.audit.entries())


@pytest.mark.parametrize("build", ["showcase", "bulk"])
def test_the_demo_refuses_a_database_holding_a_real_case_and_writes_nothing(app: Lifecycle, build: str) -> None:
    cases_before, entries_before = _register_with_a_real_case(app)
    with pytest.raises(Refused) as refused:
        if build == "showcase":
            build_demo(app, "alice")
        else:
            build_portfolio(app, "alice", 50, seed=1, as_of=date(2026, 11, 23))
    [reason] = refused.value.reasons
    assert reason.code == "not_demo_database" and "new file" in reason.message
    assert "北京市集成电路技术创新中心" in reason.message
    with app.uow() as uow:
        assert uow.cases.count() == cases_before
        assert list(uow.audit.entries()) == entries_before
    assert verify_log(app).ok


def test_every_entry_the_demo_writes_says_it_is_demo_data(app: Lifecycle) -> None:
    build_demo(app, "alice")
    build_portfolio(app, "alice", 40, seed=2, as_of=date(2026, 11, 23))
    with app.uow() as uow:
        entries = [e for e in uow.audit.entries() if e.case_id is not None]
    assert entries and all((e.reason or "").startswith("demo data") for e in entries)
    assert all(e.payload.get("demo") is True for e in entries if e.trigger == "demo_import")
    assert verify_log(app).ok

"""Offices: a ministry, its provinces and their cities; each user sees and acts on the cases of
their office and the offices below it. Both databases through the services; on SQLite the
service layer enforces it (one file, one trust domain), on PostgreSQL also the database."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from sqlalchemy import text

from lifecycle.errors import Refused
from lifecycle.services.app import Lifecycle
from lifecycle.services.audit import verify_log
from lifecycle.services.cases import add_case, advance, list_cases, show_case
from lifecycle.services.offices import add_office, list_offices
from lifecycle.services.users import add_user, list_users

D = date.fromisoformat


@pytest.fixture
def ministry(app):
    """ROOT (the ministry) → BJ → BJ-HD (Haidian), ROOT → SH; alice is the ministry's admin.
    One bj-tic case in each of BJ, BJ-HD and SH, opened by alice."""
    add_office(app, "alice", "ROOT", "科学技术部", None)
    add_office(app, "alice", "BJ", "北京市科学技术委员会", None)
    add_office(app, "alice", "BJ-HD", "海淀区科学技术委员会", "BJ")
    add_office(app, "alice", "SH", "上海市科学技术委员会", None)
    ids = {
        office: add_case(app, "alice", "bj-tic", f"北京市{office}技术创新中心", D("2024-10-01"), office=office).case.id
        for office in ("BJ", "BJ-HD", "SH")
    }
    return ids


def viewer(app: Lifecycle, name: str) -> Lifecycle:
    return Lifecycle(app.url, viewer=name)


def test_a_new_database_puts_its_first_admin_in_the_root_office_and_offices_form_a_tree(app, ministry):
    offices = {o["code"]: o for o in list_offices(app)}
    assert {code: (o["parent"], o["level"]) for code, o in offices.items()} == {
        "ROOT": (None, 0),
        "BJ": ("ROOT", 1),
        "BJ-HD": ("BJ", 2),
        "SH": ("ROOT", 1),
    }
    assert offices["ROOT"]["name"] == "科学技术部"
    assert (offices["BJ"]["cases"], offices["BJ"]["cases_with_sub_offices"]) == (1, 2)
    assert offices["ROOT"]["cases_with_sub_offices"] == 3
    assert offices["ROOT"]["by_state_with_sub_offices"] == {"draft": 3}
    assert [(u["name"], u["office"]) for u in list_users(app)] == [("alice", "ROOT")]


def test_a_provincial_admin_sees_and_acts_on_their_province_and_its_cities_only(app, ministry, snapshot):
    add_user(app, "alice", "wang", "admin", "BJ")
    wang = viewer(app, "wang")

    assert sorted(c.id for c in list_cases(wang)) == [ministry["BJ"], ministry["BJ-HD"]]
    assert [c.office for c in list_cases(wang, office="BJ-HD")] == ["BJ-HD"]
    assert show_case(wang, ministry["BJ-HD"], D("2024-10-02"))["office"] == "BJ-HD"
    advance(wang, "wang", ministry["BJ-HD"], "withdraw", D("2024-10-02"))

    before = snapshot(ministry["SH"])
    with pytest.raises(Refused, match=r"case .* belongs to office SH"):
        show_case(wang, ministry["SH"], D("2024-10-02"))
    with pytest.raises(Refused, match="belongs to office SH"):
        advance(wang, "wang", ministry["SH"], "withdraw", D("2024-10-02"))
    with pytest.raises(Refused, match="wang acts for office BJ and the offices below it, not for SH"):
        add_case(wang, "wang", "bj-tic", "北京市越权技术创新中心", D("2024-10-01"), office="SH")
    assert snapshot(ministry["SH"]) == before


def test_a_case_opened_without_an_office_goes_to_the_office_of_the_admin_who_opened_it(app, ministry):
    add_user(app, "alice", "li", "admin", "BJ-HD")
    opened = add_case(viewer(app, "li"), "li", "bj-tic", "北京市海淀技术创新中心", D("2024-10-01"))
    assert opened.case.office == "BJ-HD"
    assert opened.entry.actor == "li"


def test_offices_and_users_are_refused_with_the_reason_when_their_office_is_wrong(app, ministry):
    with pytest.raises(Refused, match="parent office 'XX' does not exist"):
        add_office(app, "alice", "GZ", "广州", "XX")
    with pytest.raises(Refused, match="office code 'B J'"):
        add_office(app, "alice", "B J", "北京", None)
    with pytest.raises(Refused, match="office 'NOPE' does not exist"):
        add_user(app, "alice", "zhang", "admin", "NOPE")
    with pytest.raises(Refused, match="exists under ROOT; an office does not move"):
        add_office(app, "alice", "SH", "上海", "BJ")
    add_user(app, "alice", "wang", "admin", "BJ")
    with pytest.raises(Refused, match="wang adds users to office BJ and the offices below it, not to SH"):
        add_user(viewer(app, "wang"), "wang", "zhou", "auditor", "SH")


def test_a_ministry_auditor_reads_every_office_and_the_log_verifies(app, ministry):
    add_user(app, "alice", "zhao", "auditor", "ROOT")
    assert len(list_cases(viewer(app, "zhao"))) == 3
    with pytest.raises(Refused, match="zhao is an auditor"):
        advance(viewer(app, "zhao"), "zhao", ministry["SH"], "withdraw", D("2024-10-02"))
    assert verify_log(viewer(app, "zhao")).ok


def bare_update(app: Lifecycle, case_id: int, state: str) -> None:
    """What an intruder with the database file or the owner's password does: no entry."""
    if app.engine.dialect.name == "sqlite":
        path = app.engine.url.database
        connection = sqlite3.connect(path)
        connection.execute("UPDATE cases SET state = ? WHERE id = ?", (state, case_id))
        connection.commit()
        connection.close()
    else:
        with app.engine.begin() as connection:
            connection.execute(text("UPDATE cases SET state = :s WHERE id = :id"), {"s": state, "id": case_id})


def test_audit_verify_names_a_case_moved_by_a_bare_update_with_no_entry(app, ministry):
    assert verify_log(app).ok
    bare_update(app, ministry["SH"], "revoked")

    result = verify_log(app)

    assert not result.ok
    assert [c["case_id"] for c in result.cases] == [ministry["SH"]]
    assert result.cases[0]["stored_state"] == "revoked"
    assert result.cases[0]["history_state"] == "draft"
    assert f"case {ministry['SH']} is stored in revoked, but its entries lead to draft" in result.problem


def test_audit_verify_names_a_case_changed_behind_the_log_and_then_advanced(app, ministry, eligible):
    bare_update(app, ministry["BJ"], "submitted")
    advance(app, "alice", ministry["BJ"], "start_review", D("2024-11-05"))

    result = verify_log(app)

    assert not result.ok
    assert [c["case_id"] for c in result.cases] == [ministry["BJ"]]
    assert "moves case" in result.cases[0]["problem"] and "from submitted" in result.cases[0]["problem"]


def test_the_dashboard_rolls_the_cases_up_the_office_tree_for_the_ministry_and_a_province(app, ministry):
    from lifecycle.services.read_models.worklist import overview

    add_user(app, "alice", "wang", "admin", "BJ")
    ministry_view = {row["code"]: row for row in overview(app, D("2024-10-02")).by_office}
    province_view = {row["code"]: row for row in overview(viewer(app, "wang"), D("2024-10-02")).by_office}

    assert {code: row["cases_with_sub_offices"] for code, row in ministry_view.items()} == {
        "ROOT": 3,
        "BJ": 2,
        "BJ-HD": 1,
        "SH": 1,
    }
    assert {code: row["cases"] for code, row in province_view.items()} == {"BJ": 1, "BJ-HD": 1}
    assert sum(overview(viewer(app, "wang"), D("2024-10-02")).by_state["bj-tic"].values()) == 2

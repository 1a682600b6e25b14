"""On PostgreSQL the database itself keeps offices apart and history honest: each test logs in
as a person's own login role and tries, with plain SQL, what the services would refuse."""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from lifecycle.domain.audit import CANONICAL
from lifecycle.errors import NotFound, Refused
from lifecycle.services.audit import verify_log
from lifecycle.services.cases import add_case, advance, list_cases, show_case
from lifecycle.services.offices import add_office

D = date.fromisoformat


@pytest.fixture
def provinces(postgres_app):
    """ROOT → BJ, ROOT → SH, one bj-tic case (draft) in each, opened by alice (the ministry)."""
    add_office(postgres_app, "alice", "BJ", "北京市科学技术委员会", None)
    add_office(postgres_app, "alice", "SH", "上海市科学技术委员会", None)
    return {
        office: add_case(
            postgres_app, "alice", "bj-tic", f"北京市{office}技术创新中心", D("2024-10-01"), office=office
        ).case.id
        for office in ("BJ", "SH")
    }


def sql(app, statement: str, given: dict | None = None, **params):
    with app.engine.begin() as connection:
        result = connection.execute(text(statement), {**(given or {}), **params})
        return result.all() if result.returns_rows else result.rowcount


def write_call(
    case_id: int, version: int, trigger: str, from_state: str, to_state: str, actor: str, role: str = "admin"
) -> tuple[str, dict]:
    """A hand-made call of the write function, as a forger would make it with psql."""
    row = {
        "programme": "bj-tic",
        "name": "x",
        "state": to_state,
        "state_since": "2024-10-02",
        "fields": {},
        "approved_on": None,
        "valid_until": None,
        "cycle": 0,
        "cycle_start": None,
        "deadline_on": None,
        "progress": {},
        "definition_version": None,
        "created_on": "2024-10-01",
        "next_due_on": None,
        "office": "BJ",
    }
    cases = [{"id": case_id, "expected_version": version, "row": row}]
    entries = [
        {
            "case": 0,
            "trigger": trigger,
            "from_state": from_state,
            "to_state": to_state,
            "effective_on": "2024-10-02",
            "actor": actor,
            "role": role,
            "reason": "forged",
            "clause": None,
            "programme": "bj-tic",
            "payload_text": CANONICAL.encode({}),
        }
    ]
    return (
        "SELECT lifecycle_write(CAST(:cases AS jsonb), CAST(:entries AS jsonb))",
        {"cases": json.dumps(cases), "entries": json.dumps(entries)},
    )


def with_version(app, case_id: int, call: tuple[str, dict]) -> tuple[str, dict]:
    version = sql(app, "SELECT definition_version FROM cases WHERE id = :id", id=case_id)[0][0]
    statement, params = call
    cases = json.loads(params["cases"])
    cases[0]["row"]["definition_version"] = version
    return statement, {**params, "cases": json.dumps(cases)}


def test_a_provincial_admin_cannot_read_or_act_on_another_provinces_case(postgres_app, provinces, login_as, snapshot):
    name, bj = login_as("admin", office="BJ")
    before = snapshot(provinces["SH"])

    assert [c.id for c in list_cases(bj)] == [provinces["BJ"]]
    assert sql(bj, "SELECT id FROM cases ORDER BY id") == [(provinces["BJ"],)]
    assert {row[0] for row in sql(bj, "SELECT DISTINCT office FROM audit_log")} == {"BJ"}
    with pytest.raises(Refused, match="belongs to office SH"):
        show_case(bj, provinces["SH"], D("2024-10-02"))
    with pytest.raises(Refused, match="belongs to office SH"):
        advance(bj, name, provinces["SH"], "withdraw", D("2024-10-02"))
    with pytest.raises(DBAPIError, match="outside the offices of database user"):
        sql(
            bj,
            *with_version(
                postgres_app, provinces["SH"], write_call(provinces["SH"], 1, "withdraw", "draft", "withdrawn", name)
            ),
        )
    with pytest.raises(Refused, match="acts for office BJ and the offices below it, not for SH"):
        add_case(bj, name, "bj-tic", "北京市越权技术创新中心", D("2024-10-01"), office="SH")
    statement, params = with_version(
        postgres_app, provinces["SH"], write_call(provinces["SH"], 1, "create", None, "draft", name)
    )
    new_case = json.loads(params["cases"])
    new_case[0]["id"], new_case[0]["row"]["office"] = None, "SH"
    with pytest.raises(DBAPIError, match="may not open a case in office SH"):
        sql(bj, statement, {**params, "cases": json.dumps(new_case)})

    assert snapshot(provinces["SH"]) == before
    advance(bj, name, provinces["BJ"], "withdraw", D("2024-10-02"))
    assert verify_log(postgres_app).ok


@pytest.mark.parametrize("claimed", ["system", "alice"])
def test_an_entry_in_the_name_of_the_system_or_another_admin_is_refused_by_the_database(
    postgres_app, provinces, login_as, snapshot, claimed
):
    name, bj = login_as("admin", office="BJ")
    before = snapshot(provinces["BJ"])
    role = "system" if claimed == "system" else "admin"

    with pytest.raises(DBAPIError, match=f"its audit entries name {name}, not {claimed}"):
        sql(
            bj,
            *with_version(
                postgres_app,
                provinces["BJ"],
                write_call(provinces["BJ"], 1, "withdraw", "draft", "withdrawn", claimed, role),
            ),
        )
    with pytest.raises(DBAPIError, match="permission denied for table audit_log"):
        sql(
            bj,
            "INSERT INTO audit_log (seq, trigger, effective_on, recorded_at, actor, role, payload, "
            "prev_hash, hash) VALUES (999, 'x', '2024-10-02', now(), :a, 'system', '{}', 'x', 'x')",
            a=claimed,
        )
    with pytest.raises(DBAPIError, match="permission denied for table audit_head"):
        sql(bj, "UPDATE audit_head SET seq = seq + 1")
    assert snapshot(provinces["BJ"]) == before


def test_a_bare_update_and_an_illegal_move_through_the_function_are_refused(
    postgres_app, provinces, login_as, snapshot
):
    name, bj = login_as("admin", office="BJ")
    before = snapshot(provinces["BJ"])

    with pytest.raises(DBAPIError, match="permission denied for table cases"):
        sql(bj, "UPDATE cases SET state = 'revoked' WHERE id = :id", id=provinces["BJ"])
    with pytest.raises(DBAPIError, match="revoke from draft to revoked by admin is not a move"):
        sql(
            bj,
            *with_version(
                postgres_app, provinces["BJ"], write_call(provinces["BJ"], 1, "revoke", "draft", "revoked", name)
            ),
        )
    with pytest.raises(DBAPIError, match="does not follow its recorded state draft"):
        sql(
            bj,
            *with_version(
                postgres_app, provinces["BJ"], write_call(provinces["BJ"], 1, "revoke", "approved", "revoked", name)
            ),
        )
    with pytest.raises(DBAPIError, match="permission denied for table cases"):
        sql(
            bj,
            "INSERT INTO cases (programme, name, state, state_since, fields, cycle, progress, "
            "definition_version, version, created_on, updated_at) VALUES ('bj-tic', 'forged', "
            "'approved', '2024-10-01', '{}', 0, '{}', 'x', 1, '2024-10-01', now())",
        )
    assert snapshot(provinces["BJ"]) == before
    assert verify_log(postgres_app).ok


def test_a_ministry_auditor_reads_everything_and_writes_nothing(postgres_app, provinces, login_as, snapshot):
    name, auditor = login_as("auditor", office="ROOT")
    before = snapshot(provinces["SH"])

    assert sorted(c.id for c in list_cases(auditor)) == sorted(provinces.values())
    assert sql(auditor, "SELECT count(*) FROM audit_log") == sql(postgres_app, "SELECT count(*) FROM audit_log")
    result = verify_log(auditor)
    assert (result.ok, result.not_readable) == (True, 0)
    with pytest.raises(DBAPIError, match="may only read"):
        sql(
            auditor,
            *with_version(
                postgres_app, provinces["SH"], write_call(provinces["SH"], 1, "withdraw", "draft", "withdrawn", name)
            ),
        )
    with pytest.raises(DBAPIError, match="permission denied"):
        sql(auditor, "UPDATE cases SET state = 'withdrawn'")
    with pytest.raises(Refused, match="an auditor may only read"):
        advance(auditor, name, provinces["SH"], "withdraw", D("2024-10-02"))
    assert snapshot(provinces["SH"]) == before


def test_a_provincial_auditor_verifies_the_chain_with_other_offices_entries_as_links(postgres_app, provinces, login_as):
    _, auditor = login_as("auditor", office="SH")
    result = verify_log(auditor)
    total = sql(postgres_app, "SELECT count(*) FROM audit_log")[0][0]
    readable = sql(auditor, "SELECT count(*) FROM audit_log")[0][0]
    assert result.ok, result.problem
    assert (result.entries, result.not_readable) == (total, total - readable)
    assert 0 < readable < total


def test_a_login_made_for_one_deployment_cannot_act_in_another_on_the_same_server(
    postgres_app, provinces, login_as, db_url
):
    """Two deployments as two schemas of one database: a login of the first has no right in the
    second, not even to see its tables (its groups are the first's)."""
    from lifecycle.persistence.engine import engine_for
    from lifecycle.persistence.roles import drop_schema_and_roles
    from lifecycle.persistence.unit_of_work import release_connections
    from lifecycle.services.app import Lifecycle
    from lifecycle.services.setup import init_database

    name, _ = login_as("admin")
    other = f"t_{uuid.uuid4().hex}"
    sql(postgres_app, f'CREATE SCHEMA "{other}"')
    base = make_url(db_url)
    other_url = base.set(query={"options": f"-csearch_path={other}"}).render_as_string(hide_password=False)
    intruder_url = base.set(username=name, query={"options": f"-csearch_path={other}"}).render_as_string(
        hide_password=False
    )
    try:
        second = Lifecycle(other_url)
        init_database(second, "alice")
        case_id = add_case(second, "alice", "bj-tic", "北京市另一部署技术创新中心", D("2024-10-01")).case.id
        intruder = Lifecycle(intruder_url)
        with pytest.raises(DBAPIError, match="permission denied for schema"):
            sql(intruder, f'SELECT count(*) FROM "{other}".cases')
        statement, params = with_version(
            second, case_id, write_call(case_id, 1, "withdraw", "draft", "withdrawn", name)
        )
        with pytest.raises(DBAPIError, match="permission denied for schema"):
            sql(intruder, statement.replace("lifecycle_write", f'"{other}".lifecycle_write'), params)
        with pytest.raises(Exception, match=r"none of the lifecycle roles|no lifecycle schema"):
            advance(intruder, name, case_id, "withdraw", D("2024-10-02"))
        assert sql(second, "SELECT state FROM cases WHERE id = :id", id=case_id) == [("draft",)]
    finally:
        release_connections()
        for url in (other_url, intruder_url):
            engine_for(Lifecycle(url).url).dispose()
        drop_schema_and_roles(postgres_app.engine, other)


ELIGIBLE = {
    "registered_in_beijing": "true",
    "good_credit": "true",
    "integrates_resources": "true",
    "avg_revenue_3y": "3.2e9",
    "rd_ratio_3y": "11%",
    "rd_growth_last_year": "6%",
    "domestic_rd_share": "82%",
    "safety_accident_3y": "false",
    "has_core_team": "true",
}


@pytest.fixture
def proposals(postgres_app, provinces, login_as):
    """Both provinces' cases designated, with a contact, and left without annual reports: the
    scheduler's login runs the compliance rules, which remind, notify and then raise a decision
    due (a proposed revocation, 第十八条(一)) on each case."""
    from jobs.compliance_run import run_compliance
    from lifecycle.services.contacts import set_contact

    for case_id in provinces.values():
        advance(postgres_app, "alice", case_id, "submit", D("2024-10-08"), ELIGIBLE)
        advance(postgres_app, "alice", case_id, "start_review", D("2024-11-05"))
        advance(postgres_app, "alice", case_id, "approve", D("2025-01-10"))
        set_contact(postgres_app, "alice", case_id, email=f"centre{case_id}@example.org")
    system_name, system = login_as("system")
    for day in ("2026-04-01", "2027-04-01", "2027-05-02"):
        run_compliance(system, system_name, D(day))
    rows = sql(postgres_app, "SELECT c.office, d.id FROM decisions d JOIN cases c ON c.id = d.case_id")
    return {office: decision_id for office, decision_id in rows}


def test_a_provincial_admin_reads_and_decides_only_their_provinces_decisions_contacts_and_notices(
    postgres_app, provinces, proposals, login_as, snapshot
):
    from lifecycle.services.contacts import set_contact
    from lifecycle.services.corrections import correct
    from lifecycle.services.decisions_due import confirm, dismiss, list_decisions

    assert set(proposals) == {"BJ", "SH"}
    name, bj = login_as("admin", office="BJ")
    sh_case, bj_case = provinces["SH"], provinces["BJ"]
    before = snapshot(sh_case)
    sh_rows = {
        table: sql(postgres_app, f"SELECT count(*) FROM {table} WHERE case_id = :id", id=sh_case)[0][0]
        for table in ("decisions", "notifications", "case_contacts", "automatic_actions")
    }
    assert all(sh_rows.values()), sh_rows  # the installer sees the other province's rows ...

    # ... the province's login sees none of them, through the services or with plain SQL.
    assert [d["case_id"] for d in list_decisions(bj, state="all")] == [bj_case]
    for table in sh_rows:
        assert sql(bj, f"SELECT count(*) FROM {table} WHERE case_id = :id", id=sh_case) == [(0,)], table
        assert sql(bj, f"SELECT count(*) FROM {table} WHERE case_id = :id", id=bj_case)[0][0] > 0, table
    assert sql(
        bj,
        "SELECT count(*) FROM notification_deliveries d JOIN notifications n "
        "ON n.id = d.notification_id WHERE n.case_id = :id",
        id=sh_case,
    ) == [(0,)]
    assert (
        sql(bj, "SELECT count(*) FROM notification_deliveries")[0][0]
        < sql(postgres_app, "SELECT count(*) FROM notification_deliveries")[0][0]
    )

    # Acting on them is refused: by lifecycle, and by the database for plain SQL.
    with pytest.raises(NotFound, match=f"no decision {proposals['SH']}"):  # row-level security hides it
        dismiss(bj, name, proposals["SH"], "not ours", D("2027-05-20"))
    with pytest.raises(Refused, match="belongs to office SH"):
        set_contact(bj, name, sh_case, email="eve@example.org")
    assert sql(bj, "UPDATE decisions SET state = 'dismissed' WHERE case_id = :id", id=sh_case) == 0
    assert sql(bj, "UPDATE case_contacts SET email = 'eve@example.org' WHERE case_id = :id", id=sh_case) == 0
    with pytest.raises(DBAPIError, match="row-level security"):
        sql(
            bj,
            "INSERT INTO decisions (case_id, programme, rule, period, trigger, from_state, state, "
            "is_default, due_on, raised_on, raised_seq) SELECT :id, 'bj-tic', 'forged', 'x', 'revoke', "
            "'approved', 'open', false, '2027-05-01', '2027-05-01', 1",
            id=sh_case,
        )
    with pytest.raises(DBAPIError, match="permission denied for table audit_log"):
        sql(
            bj,
            "INSERT INTO audit_log (seq, case_id, trigger, effective_on, recorded_at, actor, role, payload, "
            "prev_hash, hash) VALUES (999, :id, 'dismiss_decision', '2027-05-20', now(), :a, 'admin', '{}', "
            "'x', 'x')",
            id=sh_case,
            a=name,
        )
    assert snapshot(sh_case) == before

    # Its own: confirmed (the revocation the run proposed), corrected, dismissed, a contact set —
    # each through the database's write function, each entry in the login's name.
    confirmed = confirm(bj, name, proposals["BJ"], "京科创发〔2027〕88号", D("2027-06-15"), "not answered")
    assert confirmed.entry is not None and confirmed.entry.to_state == "revoked"
    corrected = correct(bj, name, confirmed.entry.seq, "the number was another case's")
    assert corrected.case.state == "approved"
    dismissed = dismiss(bj, name, proposals["BJ"], "reports received by post", D("2027-05-20"))
    assert dismissed.entry is not None
    set_contact(bj, name, bj_case, email="zhang@example.org")
    mine = sql(
        postgres_app,
        "SELECT trigger, actor, role, office FROM audit_log WHERE case_id = :id AND seq > :seq ORDER BY seq",
        id=bj_case,
        seq=confirmed.entry.seq - 1,
    )
    assert mine == [
        ("revoke", name, "admin", "BJ"),
        ("correct", name, "admin", "BJ"),
        ("dismiss_decision", name, "admin", "BJ"),
        ("set_contact", name, "admin", "BJ"),
    ]
    assert verify_log(postgres_app).ok


def test_a_note_that_moves_a_case_or_names_another_office_is_refused_by_the_write_function(
    postgres_app, provinces, login_as, snapshot
):
    """A contact's or a dismissal's entry comes without the case's change: the function lets it
    through only if it keeps the case's state, for a case of the login's offices."""
    name, bj = login_as("admin", office="BJ")
    before = {office: snapshot(case_id) for office, case_id in provinces.items()}

    def note(case_id: int, trigger: str, to_state: str) -> tuple[str, dict]:
        entry = {
            "case_id": case_id,
            "trigger": trigger,
            "from_state": "draft",
            "to_state": to_state,
            "effective_on": "2024-10-02",
            "actor": name,
            "role": "admin",
            "reason": "forged",
            "clause": None,
            "programme": "bj-tic",
            "payload_text": CANONICAL.encode({}),
        }
        return (
            "SELECT lifecycle_write(CAST('[]' AS jsonb), CAST(:entries AS jsonb))",
            {"entries": json.dumps([entry])},
        )

    with pytest.raises(DBAPIError, match="comes without the case's change"):
        sql(bj, *note(provinces["BJ"], "set_contact", "revoked"))
    with pytest.raises(DBAPIError, match="comes without the case's change"):
        sql(bj, *note(provinces["BJ"], "approve", "draft"))
    with pytest.raises(DBAPIError, match="outside the offices of database user"):
        sql(bj, *note(provinces["SH"], "set_contact", "draft"))
    assert {office: snapshot(case_id) for office, case_id in provinces.items()} == before
    sql(bj, *note(provinces["BJ"], "set_contact", "draft"))  # a note that keeps the state: written
    assert verify_log(postgres_app).ok

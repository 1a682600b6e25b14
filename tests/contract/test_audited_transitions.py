"""Every state change writes exactly one audit entry with it; a refusal writes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from lifecycle.errors import NotFound, Refused
from lifecycle.persistence.repositories import AuditRepository
from lifecycle.services.audit import verify_log
from lifecycle.services.cases import add_case, advance, show_case
from lifecycle.services.users import add_user

D = date.fromisoformat


def test_opening_a_case_writes_one_create_entry_naming_the_clause(app, snapshot):
    before = snapshot()
    outcome = add_case(app, "alice", "bj-tic", "北京市人工智能技术创新中心", D("2024-10-01"), reason="plan received")
    after = snapshot(outcome.case.id)

    assert after["entries"] == before["entries"] + 1
    assert after["head"] == (outcome.entry.seq, outcome.entry.hash)
    entry = outcome.entry
    assert (entry.case_id, entry.trigger, entry.from_state, entry.to_state) == (
        outcome.case.id,
        "create",
        None,
        "draft",
    )
    assert (entry.effective_on, entry.actor, entry.role, entry.reason, entry.clause) == (
        D("2024-10-01"),
        "alice",
        "admin",
        "plan received",
        "第七条(一)",
    )
    assert after["case"][:3] == (1, "draft", "2024-10-01")


def test_each_step_of_a_designation_writes_exactly_one_entry_and_bumps_the_version(app, draft_case, eligible, snapshot):
    steps = [
        ("submit", "2024-10-08", eligible, "submitted"),
        ("start_review", "2024-11-05", {}, "under_review"),
        ("approve", "2025-01-10", {}, "approved"),
        ("file_report", "2026-03-20", {"year": "2025"}, "approved"),
    ]
    for trigger, on, values, to_state in steps:
        before = snapshot(draft_case)
        outcome = advance(app, "alice", draft_case, trigger, D(on), values)
        after = snapshot(draft_case)
        assert after["entries"] == before["entries"] + 1, trigger
        assert after["case"][0] == before["case"][0] + 1, trigger
        assert after["case"][1] == to_state
        assert after["head"] == (outcome.entry.seq, outcome.entry.hash)
        assert (outcome.entry.trigger, outcome.entry.to_state) == (trigger, to_state)

    view = show_case(app, draft_case, D("2026-04-01"))
    assert [e["trigger"] for e in view["history"]] == ["create", "submit", "start_review", "approve", "file_report"]
    assert view["approved_on"] == "2025-01-10"
    assert view["valid_until"] == "2030-01-10"
    assert view["reports_filed"] == [2025]
    assert verify_log(app).ok


def test_a_failure_while_writing_the_audit_entry_leaves_the_case_unchanged(
    app, draft_case, eligible, snapshot, monkeypatch
):
    before = snapshot(draft_case)

    def broken_append(self, **kwargs):
        raise RuntimeError("disk full while appending to the audit log")

    monkeypatch.setattr(AuditRepository, "append", broken_append)
    if app.engine.dialect.name == "postgresql":
        # There the case and its entry are one call of the database function: make the entry
        # fail inside it, after the case's UPDATE.
        from lifecycle.persistence import writes

        real_entry = writes._entry
        monkeypatch.setattr(
            writes, "_entry", lambda draft, index: {**real_entry(draft, index), "payload_text": "disk full"}
        )
    with pytest.raises(Exception, match="disk"):
        advance(app, "alice", draft_case, "submit", D("2024-10-08"), eligible)
    monkeypatch.undo()

    assert snapshot(draft_case) == before
    assert show_case(app, draft_case, D("2024-10-08"))["state"] == "draft"


REFUSALS = {
    # name: (acting user, trigger, on, values) and the reason code expected
    "wrong_state": ("alice", "approve", "2024-10-08", {}, "wrong_state"),
    "failed_eligibility": (
        "alice",
        "submit",
        "2024-10-08",
        {"rd_ratio_3y": "2%", "rd_growth_last_year": "1%"},
        "criterion_failed",
    ),
    "auditor": ("bob", "submit", "2024-10-08", {}, "role"),
    "unknown_user": ("zed", "submit", "2024-10-08", {}, "role"),
    "before_state_entry": ("alice", "submit", "2024-09-30", {}, "before_state_entry"),
    "bad_value": ("alice", "submit", "2024-10-08", {"rd_ratio_3y": "lots"}, "invalid_field"),
}


@pytest.mark.parametrize("kind", sorted(REFUSALS))
def test_a_refused_advance_writes_nothing(app, draft_case, eligible, snapshot, kind):
    add_user(app, "alice", "bob", "auditor")
    user, trigger, on, extra, code = REFUSALS[kind]
    before = snapshot(draft_case)

    with pytest.raises(Refused) as refused:
        advance(app, user, draft_case, trigger, D(on), {**eligible, **extra})

    assert code in {r.code for r in refused.value.reasons}
    assert snapshot(draft_case) == before
    assert verify_log(app).ok


def test_a_submission_before_the_programme_is_in_force_is_refused_and_writes_nothing(app, eligible, snapshot):
    # bj-tic is in force from 2024-09-14 (第二十条) for submissions only: opening a draft is fine.
    case = add_case(app, "alice", "bj-tic", "北京市量子信息技术创新中心", D("2024-09-01")).case
    before = snapshot(case.id)

    with pytest.raises(Refused) as refused:
        advance(app, "alice", case.id, "submit", D("2024-09-13"), eligible)

    reasons = {r.code: r for r in refused.value.reasons}
    assert reasons["not_in_force"].clause == "第二十条"
    assert snapshot(case.id) == before
    advance(app, "alice", case.id, "submit", D("2024-09-14"), eligible)


def test_a_refused_submission_lists_every_failed_criterion_with_its_clause(app, draft_case, eligible):
    values = {
        **eligible,
        "good_credit": "false",
        "domestic_rd_share": "40%",
        "avg_revenue_3y": "5e8",
        "rd_ratio_3y": "19%",
        "rd_growth_last_year": "14%",
    }
    with pytest.raises(Refused) as refused:
        advance(app, "alice", draft_case, "submit", D("2024-10-08"), values)
    failed = {r.clause for r in refused.value.reasons if r.code == "criterion_failed"}
    assert failed == {"第五条(一)", "第五条(三)", "第五条(四)"}


def test_a_new_legal_entity_is_judged_on_committed_spend_instead_of_rd_intensity(app, draft_case, eligible):
    values = {
        **eligible,
        "new_legal_entity": "true",
        "avg_revenue_3y": "0",
        "rd_ratio_3y": "0%",
        "rd_growth_last_year": "0%",
        "committed_rd_3y_avg": "1.9e7",
    }
    with pytest.raises(Refused) as refused:
        advance(app, "alice", draft_case, "submit", D("2024-10-08"), values)
    assert [r.clause for r in refused.value.reasons] == ["第六条"]

    outcome = advance(app, "alice", draft_case, "submit", D("2024-10-08"), {**values, "committed_rd_3y_avg": "2e7"})
    assert outcome.case.state == "submitted"


@pytest.mark.parametrize(
    ("name", "fields", "on", "code"),
    [
        ("京津冀技术创新中心", {"kind": "comprehensive"}, "2021-03-01", "name_rule"),
        ("国家新能源汽车技术创新中心", {"kind": "comprehensive"}, "2021-03-01", "name_rule"),
        ("京津冀国家技术创新中心", {"kind": "comprehensive"}, "2021-02-09", "not_in_force"),
        ("京津冀国家技术创新中心", {}, "2021-03-01", "missing_field"),
    ],
)
def test_a_refused_opening_writes_no_case_and_no_entry(app, snapshot, name, fields, on, code):
    before = snapshot()
    with pytest.raises(Refused) as refused:
        add_case(app, "alice", "national-tic", name, D(on), fields)
    assert code in {r.code for r in refused.value.reasons}
    assert snapshot() == before


def test_an_auditor_cannot_open_a_case(app, snapshot):
    add_user(app, "alice", "bob", "auditor")
    before = snapshot()
    with pytest.raises(Refused, match="auditor"):
        add_case(app, "bob", "bj-tic", "北京市工业软件技术创新中心", D("2024-10-01"))
    assert snapshot() == before


def test_a_terminal_case_accepts_no_trigger_and_nothing_is_written(app, draft_case, eligible, snapshot):
    advance(app, "alice", draft_case, "withdraw", D("2024-10-02"))
    before = snapshot(draft_case)
    with pytest.raises(Refused) as refused:
        advance(app, "alice", draft_case, "submit", D("2024-10-08"), eligible)
    assert [r.code for r in refused.value.reasons] == ["terminal"]
    assert snapshot(draft_case) == before


def test_advancing_a_case_that_does_not_exist_is_not_found_and_writes_nothing(app, snapshot):
    before = snapshot()
    with pytest.raises(NotFound, match="no case 999"):
        advance(app, "alice", 999, "submit", D("2024-10-08"))
    assert snapshot() == before


def test_user_changes_are_audited_and_the_chain_verifies(app, snapshot):
    before = snapshot()
    assert add_user(app, "alice", "bob", "auditor")["status"] == "added"
    assert add_user(app, "alice", "bob", "auditor")["status"] == "unchanged"
    assert add_user(app, "alice", "bob", "admin")["status"] == "changed"
    after = snapshot()
    assert after["entries"] == before["entries"] + 2
    result = verify_log(app)
    assert (result.ok, result.entries, result.first_bad) == (True, after["entries"], None)
    assert (result.head_seq, result.head_hash) == after["head"]


def test_an_auditor_cannot_add_users(app, snapshot):
    add_user(app, "alice", "bob", "auditor")
    before = snapshot()
    with pytest.raises(Refused, match="auditor"):
        add_user(app, "bob", "mallory", "admin")
    assert snapshot() == before

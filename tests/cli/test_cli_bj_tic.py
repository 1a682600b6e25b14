"""A Beijing technology innovation centre from plan to rectification, through the CLI."""

from __future__ import annotations

from datetime import date

from lifecycle.services.cases import advance

ADVANCE_KEYS = {"id", "trigger", "from_state", "to_state", "effective_on", "clause", "version", "seq", "payload"}


def test_a_bj_tic_centre_is_refused_then_designated_evaluated_and_rectified(ready_cli, app, eligible_sets):
    cli = ready_cli
    opened = cli("cases", "add", "bj-tic", "--name", "北京市集成电路技术创新中心", "--on", "2024-10-01", "--json")
    assert opened.code == 0, opened
    case = opened.json()
    assert {"id", "programme", "name", "state", "state_since", "fields", "version", "seq"} <= set(case)
    assert (case["state"], case["state_since"], case["version"]) == ("draft", "2024-10-01", 1)
    cid = str(case["id"])

    ineligible = cli(
        "advance",
        cid,
        "submit",
        "--on",
        "2024-10-08",
        *eligible_sets,
        "--set",
        "domestic_rd_share=40%",
        "--set",
        "good_credit=false",
        "--json",
    )
    assert ineligible.code == 3, ineligible
    error = ineligible.json()
    assert (error["error"], error["exit_code"]) == ("Refused", 3)
    assert {r["clause"] for r in error["reasons"]} == {"第五条(一)", "第五条(四)"}
    assert "第五条(一)" in ineligible.err and "第五条(四)" in ineligible.err

    submitted = cli("advance", cid, "submit", "--on", "2024-10-08", *eligible_sets, "--json")
    assert submitted.code == 0, submitted
    step = submitted.json()
    assert set(step) == ADVANCE_KEYS
    assert (step["from_state"], step["to_state"], step["clause"], step["version"]) == (
        "draft",
        "submitted",
        "第七条(二)",
        2,
    )  # the refusal did not count
    assert step["payload"]["rd_ratio_3y"] == 0.11

    advance(app, "alice", case["id"], "start_review", date(2024, 11, 5))  # routine step
    approved = cli("advance", cid, "approve", "--on", "2025-01-10", "--json")
    assert approved.code == 0, approved
    assert approved.json()["payload"] == {"approved_on": "2025-01-10", "valid_until": "2030-01-10"}

    early = cli("advance", cid, "start_mid_term", "--on", "2028-01-09")
    assert early.code == 3, early
    assert "2028-01-10" in early.err and "第十六条" in early.err

    due = cli("advance", cid, "start_mid_term", "--on", "2028-01-10", "--json")
    assert due.code == 0, due
    assert due.json()["to_state"] == "mid_term_review"

    failed = cli(
        "advance",
        cid,
        "assess",
        "--set",
        "grade=fail",
        "--on",
        "2028-03-01",
        "--reason",
        "expert panel: targets missed",
        "--json",
    )
    assert failed.code == 0, failed
    assert failed.json()["to_state"] == "rectification"
    assert failed.json()["payload"]["deadline_on"] == "2028-08-28"  # 180 days [default]

    rectified = cli("advance", cid, "rectified", "--on", "2028-06-01", "--json")
    assert rectified.code == 0, rectified
    assert (rectified.json()["from_state"], rectified.json()["to_state"]) == ("rectification", "approved")

    shown = cli("cases", "show", cid, "--as-of", "2028-06-02", "--json")
    assert shown.code == 0, shown
    view = shown.json()
    assert (view["state"], view["approved_on"], view["valid_until"], view["version"]) == (
        "approved",
        "2025-01-10",
        "2030-01-10",
        7,
    )
    assert view["deadline_on"] is None
    assert [e["trigger"] for e in view["history"]] == [
        "create",
        "submit",
        "start_review",
        "approve",
        "start_mid_term",
        "assess",
        "rectified",
    ]
    assert view["history"][5]["reason"] == "expert panel: targets missed"
    assert "start_mid_term" in view["blocked"]  # once per cycle: already done
    assert "withdraw" in view["allowed"]

"""Every programme the product ships, end to end from the command line: a case added, walked to its
designation with `advance`, then the compliance run opening its first review on time."""

from __future__ import annotations

from scenario_office import Office, sets

from lifecycle.demo.showcase import AUTOMATIC, BJ, NATIONAL
from lifecycle.demo.showcase_catalogue import PORTFOLIOS

TEN = [
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
]
FIRST_REVIEW = {"start_assessment", "start_mid_term"}


def test_the_ten_programmes_are_listed_and_each_checks(office: Office):
    listed = office("programmes", "list", "--json")
    assert listed.code == 0 and [row["code"] for row in listed.json()] == sorted(TEN)
    checked = office("programmes", "check", "--json")
    assert checked.code == 0 and all(row["ok"] for row in checked.json()), checked


def test_each_of_the_ten_programmes_runs_from_add_through_advance_to_the_compliance_run(office: Office):
    first = {"bj-tic": BJ[0], "national-tic": NATIONAL[0], **{code: cases[0] for code, cases in PORTFOLIOS.items()}}
    assert sorted(first) == sorted(TEN)
    cases: dict[str, int] = {}
    for code in TEN:
        name, opened, fields, steps = first[code]
        added = office.ok("cases", "add", code, "--name", name, "--on", opened, *sets(**fields))
        cases[code] = added["id"]
        for trigger, day, values in steps:
            if trigger in AUTOMATIC:
                break  # from here on the compliance run does it
            moved = office.ok("advance", str(added["id"]), trigger, "--on", day, *sets(**values))
            assert moved["trigger"] == trigger
        assert office.show(added["id"])["state"] in {"approved", "renewed"}, code
    dry = office.ok("comply", "--as-of", "2029-12-31", "--dry-run")
    run = office.ok("comply", "--as-of", "2029-12-31")
    assert run["actions"] == dry["actions"]
    # What the run applies, and each decision due it raises (a proposal, audited as decision_due),
    # case by case as it writes them.
    written = [(a["case_id"], a["trigger"]) for a in run["actions"]]
    written += [(p["case_id"], "decision_due") for p in run["proposals"]]
    office.ledger.extend(sorted(written, key=lambda entry: entry[0]))
    for code, case in cases.items():
        mine = [a for a in run["actions"] if a["case_id"] == case]
        assert mine and mine[0]["programme"] == code, (code, run["actions"])
        assert any(a["trigger"] in FIRST_REVIEW for a in mine), (code, mine)
        assert all(a["clause"] for a in mine)
    assert office.ok("comply", "--as-of", "2029-12-31")["actions"] == []  # once, and only once
    office.audit_matches_ledger(fresh=True)

"""新一代人工智能示范应用场景 (ai-scenario), 国科发规〔2022〕228号: PROGRAMMES.md section 7, via the CLI."""

from __future__ import annotations

from scenario_office import Office, sets

CATEGORIES = [
    "smart-farm",
    "smart-port",
    "smart-mine",
    "smart-factory",
    "smart-home",
    "smart-education",
    "autonomous-driving",
    "smart-diagnosis",
    "smart-court",
    "smart-supply-chain",
]


def scenario(office: Office, name: str, category: str, batch: int | None = None) -> int:
    extra = sets(batch=batch) if batch is not None else []
    return office.prepare(
        "cases",
        "add",
        "ai-scenario",
        "--name",
        name,
        "--on",
        "2022-10-01",
        *sets(category=category, recommender="天津市科学技术局"),
        *extra,
    )


def in_review(office: Office, name: str, category: str, batch: int | None = None) -> int:
    case = scenario(office, name, category, batch)
    office.prepare("advance", str(case), "start_review", "--on", "2022-11-01")
    return case


def approved(office: Office, name: str, category: str, batch: int | None = None) -> int:
    case = in_review(office, name, category, batch)
    office.prepare("advance", str(case), "approve", "--on", "2023-01-15")
    return case


def test_a_recommended_scenario_is_reviewed_supported_confirmed_after_two_years_and_promoted(office: Office):
    opened = office.ok(
        "cases",
        "add",
        "ai-scenario",
        "--name",
        "天津港智能港口",
        "--on",
        "2022-10-01",
        *sets(category="smart-port", recommender="天津市科学技术局"),
    )
    case = opened["id"]
    assert opened["state"] == "submitted"
    assert office.ok("advance", str(case), "start_review", "--on", "2022-11-01")["to_state"] == "under_review"
    assert office.ok("advance", str(case), "approve", "--on", "2023-01-15")["to_state"] == "approved"

    # assessment 2 years after approval [default]
    early = office.refused("advance", str(case), "start_assessment", "--on", "2025-01-14")
    assert "2025-01-15" in early.json()["message"]
    office.ok("advance", str(case), "start_assessment", "--on", "2025-01-15")
    passed = office.ok("advance", str(case), "assess", "--set", "grade=pass", "--on", "2025-03-01")
    assert passed["to_state"] == "renewed"
    assert passed["payload"].get("outcome") == "promoted", passed
    office.audit_matches_ledger(fresh=True)


def test_a_scenario_that_misses_its_goals_expires(office: Office):
    case = approved(office, "某智能矿山", "smart-mine")
    office.prepare("advance", str(case), "start_assessment", "--on", "2025-01-15")
    failed = office.ok("advance", str(case), "assess", "--set", "grade=fail", "--on", "2025-03-01")
    assert (failed["from_state"], failed["to_state"]) == ("final_assessment", "expired")
    office.refused("advance", str(case), "withdraw", "--on", "2025-03-02")
    office.audit_matches_ledger()


def test_the_category_must_be_one_of_the_ten_scenarios_and_the_refusal_lists_them(office: Office):
    run = office.refused(
        "cases",
        "add",
        "ai-scenario",
        "--name",
        "智慧城市",
        "--on",
        "2022-10-01",
        *sets(category="smart-city", recommender="某省科技厅"),
    )
    message = run.json()["message"]
    assert "smart-city" in message
    assert all(category in message for category in CATEGORIES), run
    assert "二" in run.clauses()
    no_recommender = office.refused(
        "cases", "add", "ai-scenario", "--name", "某场景", "--on", "2022-10-01", "--set", "category=smart-farm"
    )
    assert "recommender" in no_recommender.json()["message"]
    assert office("cases", "list", "--json").json() == []


def test_the_first_batch_supports_one_scenario_of_each_category_and_the_second_is_not_limited(office: Office):
    first = in_review(office, "港口甲", "smart-port")
    second = in_review(office, "港口乙", "smart-port")
    other = in_review(office, "矿山甲", "smart-mine", batch=1)
    # a scenario still under review holds no place: the first approval goes through
    assert office.ok("advance", str(first), "approve", "--on", "2023-01-15")["to_state"] == "approved"
    run = office.refused("advance", str(second), "approve", "--on", "2023-01-15")
    quota = run.reason("quota_full")
    assert quota["details"]["limit"] == 1
    assert [h["id"] for h in quota["details"]["cases"]] == [first]
    assert "港口甲" in quota["message"]
    assert "一" in quota["clause"] and "二" in quota["clause"]
    assert office.ok("advance", str(other), "approve", "--on", "2023-01-15")["to_state"] == "approved"

    # batch 2 is not limited by the first batch's reading
    later = [in_review(office, f"港口第二批{n}", "smart-port", batch=2) for n in range(2)]
    for case in later:
        assert office.ok("advance", str(case), "approve", "--on", "2024-01-15")["to_state"] == "approved"

    # the supported scenario is given up: its place is free again
    office.prepare("advance", str(first), "withdraw", "--on", "2023-02-01")
    assert office.ok("advance", str(second), "approve", "--on", "2023-02-02")["to_state"] == "approved"
    office.audit_matches_ledger()


def test_a_recommendation_is_rejected_from_submitted_or_under_review_only(office: Office):
    fresh_one = scenario(office, "农场甲", "smart-farm")
    reviewed = in_review(office, "农场乙", "smart-farm")
    supported = approved(office, "法院甲", "smart-court")
    for case, state in [(fresh_one, "submitted"), (reviewed, "under_review")]:
        rejected = office.ok("advance", str(case), "reject", "--on", "2023-02-01")
        assert (rejected["from_state"], rejected["to_state"]) == (state, "rejected")
    office.refused("advance", str(supported), "reject", "--on", "2023-02-01")
    office.audit_matches_ledger()


def test_a_scenario_may_be_withdrawn_from_every_state_that_is_not_terminal(office: Office):
    path = [
        ("start_review", "2022-11-01", []),
        ("approve", "2023-01-15", []),
        ("start_assessment", "2025-01-15", []),
        ("assess", "2025-03-01", sets(grade="pass")),
    ]
    states = ["submitted", "under_review", "approved", "final_assessment", "renewed"]
    for steps, state in enumerate(states):
        case = scenario(office, f"撤回{state}", CATEGORIES[steps])
        for trigger, day, extra in path[:steps]:
            office.prepare("advance", str(case), trigger, "--on", day, *extra)
        withdrawn = office.ok("advance", str(case), "withdraw", "--on", "2025-04-01")
        assert (withdrawn["from_state"], withdrawn["to_state"]) == (state, "withdrawn")
    office.audit_matches_ledger()


def test_a_supported_scenario_cannot_be_relabelled_into_a_category_already_supported(office: Office):
    port = approved(office, "天津港", "smart-port")
    farm = approved(office, "北大荒农场", "smart-farm")
    relabelled = office(
        "advance", str(farm), "start_assessment", "--on", "2025-01-15", "--set", "category=smart-port", "--json"
    )
    ports = [c for c in (port, farm) if office.show(c)["fields"]["category"] == "smart-port"]
    assert len(ports) <= 1, relabelled


def test_a_scenario_that_expired_still_holds_its_category_in_the_first_batch(office: Office):
    # only rejected and withdrawn cases give their place back; an expired one was supported
    port = approved(office, "天津港", "smart-port")
    office.prepare("advance", str(port), "start_assessment", "--on", "2025-01-15")
    office.prepare("advance", str(port), "assess", "--set", "grade=fail", "--on", "2025-02-15")
    later = in_review(office, "青岛港", "smart-port")
    run = office.refused("advance", str(later), "approve", "--on", "2025-03-01")
    assert [h["id"] for h in run.reason("quota_full")["details"]["cases"]] == [port]

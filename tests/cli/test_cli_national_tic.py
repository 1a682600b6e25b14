"""A national technology innovation centre (domain type), through the CLI."""

from __future__ import annotations

from datetime import date

from lifecycle.services.cases import advance


def test_a_domain_centre_is_named_by_rule_cultivated_designated_and_renewed(ready_cli, app):
    cli = ready_cli
    misnamed = cli(
        "cases",
        "add",
        "national-tic",
        "--name",
        "新能源汽车国家技术创新中心",
        "--set",
        "kind=domain",
        "--on",
        "2021-03-01",
    )
    assert misnamed.code == 3, misnamed
    assert "第三十二条" in misnamed.err and "国家××技术创新中心" in misnamed.err

    opened = cli(
        "cases",
        "add",
        "national-tic",
        "--name",
        "国家新能源汽车技术创新中心",
        "--set",
        "kind=domain",
        "--set",
        "sponsor=工业和信息化部",
        "--on",
        "2021-03-01",
        "--json",
    )
    assert opened.code == 0, opened
    assert (opened.json()["id"], opened.json()["state"]) == (1, "cultivation")

    no_entity = cli("advance", "1", "recommend", "--on", "2021-04-01")
    assert no_entity.code == 3, no_entity
    assert "independent_legal_entity" in no_entity.err and "第四条" in no_entity.err

    recommended = cli(
        "advance", "1", "recommend", "--on", "2021-04-01", "--set", "independent_legal_entity=true", "--json"
    )
    assert recommended.code == 0, recommended
    assert recommended.json()["to_state"] == "submitted"
    # routine steps, through the services the CLI calls
    advance(app, "alice", 1, "start_review", date(2021, 5, 1))
    assert advance(app, "alice", 1, "approve", date(2021, 6, 30)).case.state == "approved"

    early = cli("advance", "1", "start_assessment", "--on", "2024-06-29")
    assert early.code == 3, early
    assert "2024-06-30" in early.err and "第二十九条" in early.err
    advance(app, "alice", 1, "start_assessment", date(2024, 6, 30))

    renewed = cli("advance", "1", "assess", "--set", "grade=excellent", "--on", "2024-11-15", "--json")
    assert renewed.code == 0, renewed
    step = renewed.json()
    assert (step["to_state"], step["clause"]) == ("renewed", "第三十条")
    assert (step["payload"]["cycle"], step["payload"]["cycle_start"]) == (2, "2024-06-30")

    view = cli("cases", "show", "1", "--as-of", "2024-12-01", "--json").json()
    assert (view["state"], view["cycle"], view["cycle_start"], view["cycle_end"]) == (
        "renewed",
        2,
        "2024-06-30",
        "2027-06-30",
    )
    assert view["approved_on"] == "2021-06-30"
    assert len(view["history"]) == 6  # create, recommend, start_review, approve, start_, assess

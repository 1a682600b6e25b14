"""Deciding a proposal of the compliance run inside the terminal UI: confirm it with the decision's
number (文号) or dismiss it with a reason, from the Decisions due screen or the case screen.
Deciding is grave: never the default, marked, asked once more naming the case; a refusal writes
nothing and keeps the focus on the field to correct; an auditor is not offered it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from textual.widgets import Button, Input, OptionList, Static
from tui_helpers import TODAY, case_id, focus, screen_text, settle

from jobs.compliance_run import run_compliance
from lifecycle.persistence.tables import audit_log
from lifecycle.services.cases import show_case
from lifecycle.services.decisions_due import list_decisions
from lifecycle.services.users import add_user
from lifecycle.tui.case_detail import CaseDetailScreen
from lifecycle.tui.confirm import ConfirmGraveScreen
from lifecycle.tui.decide import DecideScreen
from lifecycle.tui.decisions_due import DecisionsDueScreen

CHENGYU = "成渝国家技术创新中心"  # national-tic in rectification: the run proposes its revocation
SEMICONDUCTORS = "国家第三代半导体技术创新中心"  # the run finds its evaluation result missing


def entries(app: Any) -> int:
    with app.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(audit_log)).scalar())


def proposal_for(app: Any, name: str) -> dict[str, Any]:
    return next(d for d in list_decisions(app, state="all") if d["name"] == name)


def choices(tui: Any) -> list[str]:
    listed = tui.screen.query_one("#choices", OptionList)
    return [str(listed.get_option_at_index(i).id) for i in range(listed.option_count)]


def chosen(tui: Any, list_id: str) -> str | None:
    listed = tui.screen.query_one(list_id, OptionList)
    if listed.highlighted is None:
        return None
    return str(listed.get_option_at_index(listed.highlighted).id)


def outcome(tui: Any) -> str:
    return str(tui.screen.query_one("#outcome", Static).render())


async def decisions_screen(tui: Any, pilot: Any, name: str) -> None:
    """The Decisions due screen, the cursor on the proposal for `name`, enter pressed."""
    await pilot.press("k")
    await settle(tui, pilot)
    assert isinstance(tui.screen, DecisionsDueScreen)
    table = tui.screen.query_one("#decisions")
    await focus(tui, pilot, table)
    wanted = str(proposal_for(tui.lifecycle, name)["id"])
    table.move_cursor(row=table.get_row_index(wanted))
    await pilot.press("enter")
    await settle(tui, pilot)


async def pick(tui: Any, pilot: Any, list_id: str, option: str) -> None:
    """Move down to `option` with the arrow keys, as a clerk does, and press enter."""
    for _ in range(12):
        if chosen(tui, list_id) == option:
            break
        await pilot.press("down")
    assert chosen(tui, list_id) == option
    await pilot.press("enter")
    await settle(tui, pilot)


def test_confirming_a_revocation_asks_once_more_naming_the_case_then_writes_one_entry_and_revokes(portfolio, drive):
    run_compliance(portfolio, "alice", TODAY)
    case = case_id(portfolio, CHENGYU)
    before = entries(portfolio)

    async def scenario(tui, pilot):
        await decisions_screen(tui, pilot, CHENGYU)
        # opening the case is first and highlighted; deciding comes after, marked
        assert choices(tui) == ["open-case", "dismiss", "confirm"]
        assert chosen(tui, "#choices") == "open-case"
        text = screen_text(tui)
        assert "⚠ confirm proposal" in text and "decides, asks to confirm" in text
        await pick(tui, pilot, "#choices", "confirm")
        assert isinstance(tui.screen, DecideScreen)
        form = tui.screen
        assert tui.focused is form.query_one("#decision-no", Input)
        await pilot.press(*"国科发区")  # typed; the brackets 〔〕 as an input method gives them
        form.query_one("#decision-no", Input).value += "〔2026〕12号"
        await pilot.press("enter")
        await settle(tui, pilot)
        assert isinstance(tui.screen, ConfirmGraveScreen)
        question = screen_text(tui)
        assert f"Case {case} {CHENGYU}" in question
        assert "becomes 不再列入创新中心序列 revoked on 2026-11-23, by decision 国科发区〔2026〕12号" in question
        await pilot.press("enter")  # the cursor starts on "Go back": nothing written
        await settle(tui, pilot)
        assert tui.screen is form and entries(portfolio) == before
        await pilot.press("enter")
        await settle(tui, pilot)
        await pilot.press("tab", "enter")  # the red button, deliberately
        await settle(tui, pilot)
        assert isinstance(tui.screen, DecisionsDueScreen)
        assert str(proposal_for(portfolio, CHENGYU)["id"]) not in tui.screen.rows

    drive(portfolio, scenario)
    assert entries(portfolio) == before + 1
    shown = show_case(portfolio, case, TODAY)
    assert shown["state"] == "revoked"
    last = shown["history"][-1]
    assert (last["trigger"], last["to_state"], last["effective_on"]) == ("revoke", "revoked", "2026-11-23")
    assert last["payload"]["decision_no"] == "国科发区〔2026〕12号"
    decided = proposal_for(portfolio, CHENGYU)
    assert (decided["state"], decided["decided_by"]) == ("confirmed", "alice")


def test_confirming_without_a_decision_number_is_refused_in_the_form_with_the_focus_on_the_number(portfolio, drive):
    run_compliance(portfolio, "alice", TODAY)
    before = entries(portfolio)

    async def scenario(tui, pilot):
        await decisions_screen(tui, pilot, CHENGYU)
        await pick(tui, pilot, "#choices", "confirm")
        form = tui.screen
        await focus(tui, pilot, form.query_one("#decide", Button))
        await pilot.press("enter")
        await settle(tui, pilot)
        assert tui.screen is form  # no confirmation asked for an incomplete decision
        assert "Decision number 文号: fill in the number of the authority's decision." in outcome(tui)
        assert tui.focused is form.query_one("#decision-no", Input)
        await pilot.press(*"京科发2026-3号")  # typing reaches the field to correct
        assert form.query_one("#decision-no", Input).value == "京科发2026-3号"

    drive(portfolio, scenario)
    assert entries(portfolio) == before


def test_a_decision_dated_before_its_ground_held_is_refused_writes_nothing_and_keeps_the_focus_on_the_date(
    portfolio, drive
):
    run_compliance(portfolio, "alice", TODAY)
    before = entries(portfolio)
    case = case_id(portfolio, CHENGYU)

    async def scenario(tui, pilot):
        await decisions_screen(tui, pilot, CHENGYU)
        await pick(tui, pilot, "#choices", "confirm")
        form = tui.screen
        form.query_one("#decision-no", Input).value = "国科发区〔2026〕12号"
        form.query_one("#on", Input).value = "2026-01-05"
        await focus(tui, pilot, form.query_one("#decide", Button))
        await pilot.press("enter")
        await settle(tui, pilot)
        await pilot.press("tab", "enter")
        await settle(tui, pilot)
        assert tui.screen is form
        text = outcome(tui)
        assert f"Refused: confirming decision {proposal_for(portfolio, CHENGYU)['id']} on case {case}" in text
        assert "the decision cannot take effect earlier (2026-01-05)" in text
        assert "Nothing was written." in text and "`lifecycle" not in text
        assert tui.focused is form.query_one("#on", Input)
        assert form.query_one("#on", Input).has_class("-to-correct")
        await pilot.press("escape")  # back where the clerk came from: the confirm line
        await settle(tui, pilot)
        assert isinstance(tui.screen, DecisionsDueScreen)
        assert chosen(tui, "#choices") == "confirm"

    drive(portfolio, scenario)
    assert entries(portfolio) == before
    assert show_case(portfolio, case, TODAY)["state"] == "rectification"
    assert proposal_for(portfolio, CHENGYU)["state"] == "open"


def test_dismissing_a_proposal_on_the_case_screen_records_the_reason_in_one_entry_and_leaves_the_case(portfolio, drive):
    run_compliance(portfolio, "alice", TODAY)
    case = case_id(portfolio, SEMICONDUCTORS)
    before = entries(portfolio)
    state = show_case(portfolio, case, TODAY)["state"]
    proposal = proposal_for(portfolio, SEMICONDUCTORS)

    async def scenario(tui, pilot):
        tui.open_case(case)
        await settle(tui, pilot)
        actions = tui.screen.query_one("#actions", OptionList)
        await focus(tui, pilot, actions)
        ids = [str(actions.get_option_at_index(i).id) for i in range(actions.option_count)]
        # a proposal named after an action is settled by recording it: only dismissing is offered
        assert ids[-1] == f"decision:dismiss:{proposal['id']}"
        assert f"decision:confirm:{proposal['id']}" not in ids
        assert chosen(tui, "#actions") != ids[-1]
        await pick(tui, pilot, "#actions", f"decision:dismiss:{proposal['id']}")
        form = tui.screen
        assert isinstance(form, DecideScreen)
        assert tui.focused is form.query_one("#reason", Input)
        await pilot.press("enter")  # no reason yet: said in the form, the focus stays
        await settle(tui, pilot)
        assert "Reason: say why the proposal is dismissed" in outcome(tui)
        assert tui.focused is form.query_one("#reason", Input)
        await pilot.press(*"result filed on paper", "enter")
        await settle(tui, pilot)
        assert isinstance(tui.screen, ConfirmGraveScreen)
        assert f"Case {case} {SEMICONDUCTORS}" in screen_text(tui)
        await pilot.press("tab", "enter")
        await settle(tui, pilot)
        assert isinstance(tui.screen, CaseDetailScreen)

    drive(portfolio, scenario)
    assert entries(portfolio) == before + 1
    dismissed = proposal_for(portfolio, SEMICONDUCTORS)
    assert (dismissed["state"], dismissed["reason"]) == ("dismissed", "result filed on paper")
    shown = show_case(portfolio, case, TODAY)
    assert shown["state"] == state
    assert (shown["history"][-1]["trigger"], shown["history"][-1]["reason"]) == (
        "dismiss_decision",
        "result filed on paper",
    )


def test_an_auditor_sees_the_proposals_but_is_not_offered_a_decision(portfolio, drive):
    run_compliance(portfolio, "alice", TODAY)
    add_user(portfolio, "alice", "audrey", "auditor")
    before = entries(portfolio)

    async def scenario(tui, pilot):
        await decisions_screen(tui, pilot, CHENGYU)
        listed = tui.screen.query_one("#choices", OptionList)
        disabled = {str(listed.get_option_at_index(i).id): listed.get_option_at_index(i).disabled for i in range(3)}
        assert disabled == {"open-case": False, "dismiss": True, "confirm": True}
        assert "Deciding needs an admin." in screen_text(tui)
        listed.highlighted = 2
        await pilot.press("enter")
        await settle(tui, pilot)
        assert isinstance(tui.screen, DecisionsDueScreen)
        await pick(tui, pilot, "#choices", "open-case")
        assert isinstance(tui.screen, CaseDetailScreen)

    drive(portfolio, scenario, user="audrey")
    assert entries(portfolio) == before


def test_help_on_the_decisions_screen_and_in_the_decision_form_speaks_the_users_language(portfolio, drive, monkeypatch):
    from lifecycle.tui.help import HelpScreen

    run_compliance(portfolio, "alice", TODAY)
    monkeypatch.setenv("LIFECYCLE_LANG", "zh")

    async def scenario(tui, pilot):
        await decisions_screen(tui, pilot, CHENGYU)
        await pilot.press("question_mark")
        await settle(tui, pilot)
        assert isinstance(tui.screen, HelpScreen)
        assert "确认撤销即**在该日撤销事项**" in tui.screen.query_one("#help-text").source
        await pilot.press("escape")
        await settle(tui, pilot)
        await pick(tui, pilot, "#choices", "confirm")
        await pilot.press("f1")  # a text box has the focus: f1, not ?
        await settle(tui, pilot)
        assert isinstance(tui.screen, HelpScreen)
        assert "**决定文号**必填" in tui.screen.query_one("#help-text").source

    drive(portfolio, scenario)

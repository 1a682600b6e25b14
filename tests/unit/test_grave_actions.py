"""Which actions are grave (they end a case, or record a decision), read from the definitions:
the screens list them last and ask once more before recording them."""

from __future__ import annotations

import pytest

from lifecycle.domain.severity import RANK, endings, severity
from lifecycle.programmes.catalogue import Catalogue

CATALOGUE = Catalogue.load()


@pytest.mark.parametrize(
    ("code", "trigger", "state", "grave"),
    [
        ("national-tic", "revoke", "final_assessment", "final"),
        ("national-tic", "withdraw", "submitted", "final"),
        ("national-tic", "reject", "under_review", "final"),
        ("national-tic", "approve", "under_review", None),
        ("national-tic", "assess", "final_assessment", None),  # poor → rectification, not an ending
        ("national-tic", "decide_change", "approved", "decision"),
        ("national-tic", "file_report", "approved", None),
        ("tech-transfer", "assess", "final_assessment", "may_end"),  # fail → revoked
        ("bj-tic", "withdraw", "draft", "final"),
    ],
)
def test_an_action_is_grave_when_the_definition_says_it_ends_the_case_or_decides(code, trigger, state, grave):
    assert severity(CATALOGUE.current(code), trigger, state) == grave


def test_every_programmes_revoke_and_withdraw_are_final_and_rank_last():
    for programme in CATALOGUE.all():
        for name in ("revoke", "withdraw"):
            spec = programme.trigger(name)
            if spec is None:
                continue
            for state in programme.sources(spec):
                assert severity(programme, name, state) == "final", (programme.code, name, state)
    assert sorted([None, "final", "may_end", "decision"], key=lambda s: RANK[s]) == [  # type: ignore[index]
        None,
        "may_end",
        "decision",
        "final",
    ]


def test_endings_name_the_terminal_states_an_action_can_reach():
    transfer = CATALOGUE.current("tech-transfer")
    spec = transfer.trigger("assess")
    assert spec is not None
    assert endings(transfer, spec, "final_assessment") == ["revoked"]

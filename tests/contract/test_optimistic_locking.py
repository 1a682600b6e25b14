"""A stale write is refused as a conflict that names who moved the case; nothing is written."""

from __future__ import annotations

from datetime import date

import pytest

from lifecycle.errors import Conflict, Refused
from lifecycle.services.cases import advance, show_case
from lifecycle.services.users import add_user

D = date.fromisoformat


def test_a_stale_version_is_a_conflict_naming_who_changed_the_case(app, draft_case, eligible, snapshot):
    add_user(app, "alice", "bob", "admin")
    seen = show_case(app, draft_case, D("2024-10-08"))["version"]
    advance(app, "bob", draft_case, "submit", D("2024-10-08"), eligible)  # bob gets there first
    before = snapshot(draft_case)

    with pytest.raises(Conflict) as conflict:
        advance(app, "alice", draft_case, "withdraw", D("2024-10-09"), expected_version=seen)

    message = str(conflict.value)
    assert conflict.value.exit_code == 4
    assert "by bob" in message
    assert "submit: draft → submitted" in message
    assert f"you saw version {seen}, it is now version {seen + 1}" in message
    assert snapshot(draft_case) == before


def test_the_current_version_is_accepted(app, draft_case, eligible):
    outcome = advance(app, "alice", draft_case, "submit", D("2024-10-08"), eligible, expected_version=1)
    assert outcome.case.version == 2
    outcome = advance(app, "alice", draft_case, "start_review", D("2024-11-01"), expected_version=2)
    assert (outcome.case.state, outcome.case.version) == ("under_review", 3)


def test_two_admins_racing_on_one_case_one_wins_and_the_other_writes_nothing(
    app, draft_case, eligible, snapshot, monkeypatch
):
    """Both read version 1 before either writes (PostgreSQL); SQLite queues the writers."""
    import threading

    import lifecycle.services.cases as cases_service

    add_user(app, "alice", "bob", "admin")
    before = snapshot(draft_case)
    if app.engine.dialect.name == "postgresql":
        both_read = threading.Barrier(2, timeout=10)
        real_decide = cases_service.decide

        def decide_after_both_read(*args, **kwargs):
            both_read.wait()
            return real_decide(*args, **kwargs)

        monkeypatch.setattr(cases_service, "decide", decide_after_both_read)

    results: dict[str, object] = {}

    def attempt(user: str) -> None:
        try:
            results[user] = advance(app, user, draft_case, "submit", D("2024-10-08"), eligible)
        except Exception as error:
            results[user] = error

    threads = [threading.Thread(target=attempt, args=(user,)) for user in ("alice", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    failures = [r for r in results.values() if isinstance(r, Exception)]
    assert len(results) == 2 and len(failures) == 1, results
    after = snapshot(draft_case)
    assert after["entries"] == before["entries"] + 1
    assert after["case"][0] == before["case"][0] + 1
    if app.engine.dialect.name == "postgresql":
        assert isinstance(failures[0], Conflict), failures[0]
        assert "Nothing was written" in str(failures[0])
        winner = next(user for user, r in results.items() if not isinstance(r, Exception))
        assert f"by {winner} (submit: draft → submitted" in str(failures[0])
    else:  # the second writer waited for the first, then saw the case already submitted
        assert isinstance(failures[0], Refused), failures[0]
        assert [r.code for r in failures[0].reasons] == ["wrong_state"]

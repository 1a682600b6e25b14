"""One process of the concurrency stress test (test_concurrency_stress.py): N actions through the
service layer, connected to PostgreSQL as an admin's own login role, each action's outcome
printed as one JSON line.

    python stress_worker.py URL LOGIN WORKER ACTIONS PLAN_JSON
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import date, timedelta
from typing import Any

from lifecycle.errors import Conflict, Refused
from lifecycle.services.app import Lifecycle
from lifecycle.services.cases import advance

APPROVED = date(2025, 1, 10)


def internal_step(case: Any) -> tuple[str, date, dict[str, str]]:
    """A change request, or the decision on the pending one: internal, repeatable for ever."""
    if case.pending_change:
        return "decide_change", APPROVED + timedelta(days=30), {"decision": "rejected"}
    return "request_change", APPROVED + timedelta(days=30), {"change": "place", "new_value": "北京市海淀区"}


def cycle_step(programme: Any, case: Any) -> tuple[str, date, dict[str, str]]:
    """The next step of the designation cycle (state changes), dated when it is due."""
    if case.state in ("approved", "renewed"):
        trigger = "start_mid_term" if case.marks.get("start_mid_term") != case.cycle else "start_assessment"
        due = programme.due_date(programme.timer(programme.trigger(trigger).due), case)
        return trigger, max(due, case.state_since), {}
    return "assess", case.state_since + timedelta(days=30), {"grade": "pass"}


def main(url: str, login: str, worker: int, actions: int, plan: dict[str, list[int]]) -> None:
    app = Lifecycle(url)
    rng = random.Random(worker)
    pools = [("private", [plan["private"][worker]]), ("internal", plan["internal"]), ("cycle", plan["cycle"])]
    for number in range(actions):
        kind, ids = rng.choices(pools, weights=(4, 4, 2))[0]
        case_id = rng.choice(ids)
        with app.uow() as uow:  # what a person saw on screen before acting
            case = uow.cases.get(case_id)
            assert case is not None
            programme = app.programme_for(case, uow)
        trigger, on, values = internal_step(case) if kind != "cycle" else cycle_step(programme, case)
        tag = f"stress w{worker} a{number}"
        seen = case.version if rng.random() < 0.5 else None  # half like `advance --if-version`
        record: dict[str, Any] = {"tag": tag, "case": case_id, "kind": kind, "trigger": trigger}
        started = time.perf_counter()
        try:
            outcome = advance(app, login, case_id, trigger, on, values, tag, expected_version=seen)
            record.update(outcome="ok", seq=outcome.entry.seq, version=outcome.case.version)
        except Conflict as error:
            record.update(outcome="conflict", message=str(error))
        except Refused as error:
            record.update(outcome="refused", message=str(error))
        except Exception as error:  # reported, and the test fails on any
            record.update(outcome="error", message=f"{type(error).__name__}: {error}")
        record["ms"] = round((time.perf_counter() - started) * 1000, 3)
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), json.loads(sys.argv[5]))

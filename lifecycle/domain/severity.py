"""How grave an action is for a case: whether it can end the case, or records a decision.

A screen lists the ordinary actions first and asks for an explicit confirmation of the
grave ones (revoke, reject, expire, withdraw, a decision), so that the most severe action is
never the one a clerk lands on by pressing enter.
"""

from __future__ import annotations

from typing import Literal

from lifecycle.domain.definition import SPECIAL_DESTINATIONS, TriggerDef
from lifecycle.domain.programme import Programme

#: final: every way the action can go from here ends the case (a terminal state);
#: may_end: one of its outcomes ends it (an evaluation graded fail);
#: decision: it records a decision of the authority (a change request approved or rejected).
Severity = Literal["final", "may_end", "decision"]
#: The order in which a list shows actions: ordinary ones first, the final ones last.
RANK: dict[Severity | None, int] = {None: 0, "may_end": 1, "decision": 2, "final": 3}


def endings(programme: Programme, trigger: TriggerDef, state: str) -> list[str]:
    """The terminal states `trigger` can move a case in `state` to, in route order."""
    found: list[str] = []
    for route in programme.routes_from(trigger, state):
        if route.to not in SPECIAL_DESTINATIONS and programme.kind(route.to) == "terminal" and route.to not in found:
            found.append(route.to)
    return found


def severity(programme: Programme, name: str, state: str) -> Severity | None:
    """How grave firing `name` on a case in `state` is (None: an ordinary step)."""
    trigger = programme.trigger(name)
    if trigger is None:
        return None
    routes = programme.routes_from(trigger, state)
    ends = endings(programme, trigger, state)
    if routes and len(ends) == len(routes):
        return "final"
    if ends:
        return "may_end"
    if "decision" in trigger.params:
        return "decision"
    return None

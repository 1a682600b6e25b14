"""Decisions due: the compliance run proposes, an administrator decides.

Establishment and revocation are decisions of the approving authority (国科发区〔2021〕17号
第六条; 京科创发〔2024〕143号 第十三条(二); 高新区规划 四(二)), so the run never takes a
designation away: it raises a decision due, once per (case, rule, period). An administrator
confirms it with the decision's number (文号), which applies the transition effective on the
decision's date, or dismisses it with a reason. Both are audited on the case; both can be
retried safely (the same confirmation or dismissal again changes nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from lifecycle.domain.audit import AuditEntry
from lifecycle.domain.case import Case
from lifecycle.domain.compliance import SYSTEM_ROLE
from lifecycle.domain.decide import decide
from lifecycle.domain.messages import N_, day_term, message
from lifecycle.domain.programme import Programme
from lifecycle.domain.reasons import Reason
from lifecycle.domain.schedule import due_actions
from lifecycle.errors import Conflict, NotFound, Refused, UsageError
from lifecycle.persistence.repositories import EntryDraft
from lifecycle.services.app import Lifecycle
from lifecycle.services.cases import load_case
from lifecycle.services.ports import UnitOfWork
from lifecycle.services.users import require_admin

#: The internal event a dismissal records on the case.
DISMISS = "dismiss_decision"
OPEN, CONFIRMED, DISMISSED = "open", "confirmed", "dismissed"
LIST_STATES = (OPEN, CONFIRMED, DISMISSED, "all")


@dataclass
class Decided:
    """A decision after confirm or dismiss; `written` is False when a retry found it done."""

    decision: dict[str, Any]
    entry: AuditEntry | None
    written: bool


def view(row: dict[str, Any]) -> dict[str, Any]:
    """A decision as `decisions list --json` prints it."""
    return {
        "id": row["id"],
        "case_id": row["case_id"],
        "programme": row["programme"],
        "name": row["case_name"],
        "trigger": row["trigger"],
        "to_state": row["to_state"],
        "ground": row["ground"],
        "clause": row["clause"],
        "default": row["default"],
        "due_on": _iso(row["due_on"]),
        "raised_on": _iso(row["raised_on"]),
        "state": row["state"],
        "decision_no": row["decision_no"],
        "decided_on": _iso(row["decided_on"]),
        "decided_by": row["decided_by"],
        "reason": row["reason"],
        "rule": row["rule"],
        "period": row["period"],
        "from_state": row["from_state"],
        "decision": row["name"],
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def list_decisions(
    app: Lifecycle, *, state: str = "open", programme: str | None = None, case_id: int | None = None
) -> list[dict[str, Any]]:
    """Decisions in `state` (open, confirmed, dismissed, all), oldest due first. Anyone may read."""
    if state not in LIST_STATES:
        raise UsageError(
            N_("--state {state}: one of {list_states}"), {"state": repr(state), "list_states": ", ".join(LIST_STATES)}
        )
    if programme:
        app.catalogue.current(programme)  # an unknown code is an error naming the codes
    app.require_schema()
    with app.uow() as uow:
        rows = uow.decisions.search(state=None if state == "all" else state, programme=programme, case_id=case_id)
    return [view(r) for r in rows]


def open_counts(app: Lifecycle) -> dict[str, int]:
    """Open decisions per programme (the dashboard's count)."""
    with app.uow() as uow:
        return uow.decisions.count_open()


def _load(uow: UnitOfWork, decision_id: int) -> dict[str, Any]:
    row = uow.decisions.get(decision_id, lock=True)
    if row is None:
        raise NotFound(
            N_("no decision {decision_id}; `lifecycle decisions list --state all` shows them"),
            {"decision_id": decision_id},
        )
    return row


def ground_holds(programme: Programme, case: Case, row: dict[str, Any], on: date) -> bool:
    """Whether the rule that raised the decision still requires it on `on`: the case is where it
    was, and planning it again (as if not yet raised) still finds the same rule and period."""
    if case.state != row["from_state"]:
        return False
    fresh = case.copy()
    raised = fresh.progress.get("automatic", {}).get(row["rule"], {})
    raised.pop(row["period"], None)
    return any(d.rule == row["rule"] and d.period == row["period"] for d in due_actions(programme, fresh, on))


def _no_longer(row: dict[str, Any], case: Case, programme: Programme, on: date) -> Refused:
    if case.state == row["from_state"]:
        why = message(
            N_(
                "on {on} the rule {rule} no longer requires it for {period} (the report was filed, the deadline "
                "met or the case moved meanwhile)"
            ),
            {"on": day_term(on), "rule": row["rule"], "period": row["period"]},
        )
    else:
        why = message(
            N_("the case was in {from_state} when it was raised and is now in {state}"),
            {
                "from_state": programme.state_term(row["from_state"]),
                "state": programme.state_term(case.state, labelled=True),
            },
        )
    return Refused(
        message(N_("confirming decision {id} on case {case}"), {"id": row["id"], "case": row["case_id"]}),
        [
            Reason.of(
                "ground_no_longer_holds",
                N_("{why}; dismiss it with `lifecycle decisions dismiss {id} --reason …`"),
                {"why": why, "id": row["id"]},
                row["clause"],
                row["default"],
                {"decision_id": row["id"], "state": case.state, "from_state": row["from_state"]},
            )
        ],
    )


def confirm(
    app: Lifecycle, acting: str, decision_id: int, decision_no: str, on: date, reason: str | None = None
) -> Decided:
    """Apply the proposed transition, effective `on`, as the acting admin, with the decision's
    number in the audit entry; Refused (exit 3) if the ground no longer holds."""
    number = decision_no.strip()
    if not number:
        raise UsageError(N_("--decision-no: give the decision's number (文号), e.g. 国科发区〔2026〕12号"))
    with app.uow(write=True) as uow:
        actor = require_admin(uow, acting, message(N_("confirming decision {id}"), {"id": decision_id}))
        row = _load(uow, decision_id)
        if row["state"] == CONFIRMED and row["decision_no"] == number:
            return Decided(view(row), None, False)  # a retry: already done, nothing more to write
        if row["state"] != OPEN:
            raise Conflict(
                f"decision {decision_id} was already {row['state']} by {row['decided_by']} on "
                f"{row['decided_on']}"
                + (f" ({row['decision_no']})" if row["decision_no"] else "")
                + "; nothing was written"
            )
        case = load_case(uow, row["case_id"])
        programme = app.programme_for(case, uow)
        what = message(N_("confirming decision {id} on case {case}"), {"id": decision_id, "case": case.id})
        if row["name"]:
            raise Refused(
                what,
                [
                    Reason.of(
                        "settled_by_action",
                        N_(
                            "{name} is settled by recording it: `lifecycle advance {case} {trigger} --set …`, "
                            "which closes this decision"
                        ),
                        {"name": row["name"], "case": case.id, "trigger": row["trigger"]},
                        row["clause"],
                        row["default"],
                    )
                ],
            )
        if on < row["due_on"]:
            raise Refused(
                what,
                [
                    Reason.of(
                        "before_due",
                        N_("the rule held from {due_on}; the decision cannot take effect earlier ({on})"),
                        {"due_on": day_term(row["due_on"]), "on": day_term(on)},
                        row["clause"],
                        row["default"],
                        {"due_on": row["due_on"].isoformat()},
                    )
                ],
            )
        if not ground_holds(programme, case, row, on):
            raise _no_longer(row, case, programme, on)
        values = {"ground": row["ground"]} if row["ground"] else {}
        # Checked by the rules of the automatic rule that proposed it (a ground only the run may
        # raise, such as 第十八条(一)'s), recorded as the administrator's act.
        proposal = decide(programme, case, row["trigger"], on, SYSTEM_ROLE, values)
        proposal.payload.update(
            decision_no=number,
            decision_id=decision_id,
            rule=row["rule"],
            period=row["period"],
            due_on=row["due_on"].isoformat(),
        )
        if row["default"]:
            proposal.payload["default"] = True
        draft = EntryDraft(
            case_id=case.id,
            programme=case.programme,
            trigger=proposal.trigger,
            from_state=proposal.from_state,
            to_state=proposal.to_state,
            effective_on=on,
            actor=actor.name,
            role=actor.role,
            reason=reason,
            clause=row["clause"],
            payload=proposal.payload,
            office=case.office,
        )
        entry = uow.change_case(proposal.case, case.version, draft, f"confirming decision {decision_id}")
        if entry is None:
            raise Conflict(N_("case {id} changed while deciding; nothing was written, try again"), {"id": case.id})
        uow.decisions.decide(
            decision_id,
            state=CONFIRMED,
            decision_no=number,
            decided_on=on,
            decided_by=actor.name,
            reason=reason,
            seq=entry.seq,
        )
        done = _load(uow, decision_id)
        uow.commit()
    return Decided(view(done), entry, True)


def dismiss(app: Lifecycle, acting: str, decision_id: int, reason: str, on: date) -> Decided:
    """Close the decision without acting, with the reason, audited on the case; that (case,
    rule, period) is never proposed again."""
    why = reason.strip()
    if not why:
        raise UsageError(N_("--reason: say why the proposal is dismissed, for the audit log"))
    with app.uow(write=True) as uow:
        actor = require_admin(uow, acting, message(N_("dismissing decision {id}"), {"id": decision_id}))
        row = _load(uow, decision_id)
        if row["state"] == DISMISSED:
            return Decided(view(row), None, False)  # a retry: already dismissed
        if row["state"] != OPEN:
            raise Conflict(
                N_("decision {decision_id} was already {state} by {decided_by} on {decided_on}; nothing was written"),
                {
                    "decision_id": decision_id,
                    "state": row["state"],
                    "decided_by": row["decided_by"],
                    "decided_on": row["decided_on"],
                },
            )
        case = load_case(uow, row["case_id"])
        payload: dict[str, Any] = {
            "decision_id": decision_id,
            "rule": row["rule"],
            "period": row["period"],
            "proposed_trigger": row["trigger"],
            "ground": row["ground"],
        }
        if row["default"]:
            payload["default"] = True
        entry = uow.record(
            EntryDraft(
                case_id=case.id,
                programme=case.programme,
                trigger=DISMISS,
                from_state=case.state,
                to_state=case.state,
                effective_on=on,
                actor=actor.name,
                role=actor.role,
                reason=why,
                clause=row["clause"],
                payload=payload,
                office=case.office,
            ),
            f"dismissing decision {decision_id}",
        )
        uow.decisions.decide(
            decision_id,
            state=DISMISSED,
            decision_no=None,
            decided_on=on,
            decided_by=actor.name,
            reason=why,
            seq=entry.seq,
        )
        done = _load(uow, decision_id)
        uow.commit()
    return Decided(view(done), entry, True)

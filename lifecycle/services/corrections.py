"""`lifecycle correct SEQ --reason TEXT`: void a mistaken audit entry of a case.

The log is append-only, so nothing is deleted or changed: a new, audited compensating entry
(trigger `correct`) names the entry it voids and returns the case to what it was before it. A
state change can be voided only while it is the case's latest one (a later one rests on it);
an entry that did not move the case (a report filed for the wrong year) can be voided whenever.
The project's own rule [default]: the documents say nothing about correcting records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from lifecycle.domain.audit import AuditEntry
from lifecycle.domain.case import Case
from lifecycle.domain.effects import quarter_key
from lifecycle.domain.messages import N_
from lifecycle.domain.messages import message as message_of
from lifecycle.domain.reasons import Reason
from lifecycle.domain.schedule import next_due
from lifecycle.errors import Conflict, NotFound, Refused, UsageError
from lifecycle.persistence.repositories import EntryDraft
from lifecycle.services.app import Lifecycle
from lifecycle.services.cases import load_case
from lifecycle.services.users import require_admin

CORRECT = "correct"
RULE = N_("the project's own rule (correcting a mistaken entry)")


@dataclass
class Corrected:
    entry: AuditEntry
    voided: AuditEntry
    case: Case


def _refused(seq: int, template: str, params: dict[str, Any], **details: Any) -> Refused:
    return Refused(
        message_of(N_("correcting audit entry #{seq}"), {"seq": seq}),
        [Reason.of("not_correctable", template, {"seq": seq, **params}, RULE, True, details)],
    )


def _iso(day: Any) -> date | None:
    return date.fromisoformat(day) if isinstance(day, str) and day else None


def _entering(history: list[AuditEntry], before: AuditEntry, voided: set[int]) -> AuditEntry | None:
    """The entry that brought the case into the state it was in before `before`."""
    for entry in reversed([e for e in history if e.seq < before.seq and e.seq not in voided]):
        if entry.trigger == CORRECT or entry.from_state != entry.to_state or entry.from_state is None:
            return entry
    return None


def _restore_state(case: Case, voided: AuditEntry, history: list[AuditEntry], void_set: set[int]) -> None:
    """The case as it was before `voided` moved it: its state, since when, and the dates the move set."""
    entering = _entering(history, voided, void_set)
    case.state = str(voided.from_state)
    case.state_since = entering.effective_on if entering else voided.effective_on
    case.deadline_on = _iso(entering.payload.get("deadline_on")) if entering else None
    payload = voided.payload
    if "approved_on" in payload and voided.trigger != "import":  # a designation undone
        case.approved_on = case.valid_until = case.cycle_start = None
        case.cycle = 0
    elif "cycle" in payload and voided.trigger != "import":  # a renewal undone: the dates before it
        case.cycle = max(1, case.cycle - 1)
        earlier = [
            e
            for e in history
            if e.seq < voided.seq
            and e.seq not in void_set
            and ("cycle_start" in e.payload or "approved_on" in e.payload)
        ]
        last = earlier[-1].payload if earlier else {}
        case.cycle_start = _iso(last.get("cycle_start")) or _iso(last.get("approved_on")) or case.cycle_start
        case.valid_until = _iso(last.get("valid_until"))
    marks = case.progress.get("marks", {})
    if marks.get(voided.trigger) == case.cycle + (1 if "cycle" in payload else 0):
        marks.pop(voided.trigger, None)


def correct(app: Lifecycle, acting: str, seq: int, reason: str) -> Corrected:
    """Void entry `seq` with a compensating entry; the case returns to what it was before it."""
    why = reason.strip()
    if not why:
        raise UsageError(N_("--reason: say what was mistaken, for the audit log"))
    with app.uow(write=True) as uow:
        actor = require_admin(uow, acting, message_of(N_("correcting audit entry #{seq}"), {"seq": seq}))
        voided = uow.audit.by_seq(seq)
        if voided is None:
            raise NotFound(N_("no audit entry #{seq}; `lifecycle audit log` lists them"), {"seq": seq})
        if voided.case_id is None:
            raise _refused(
                seq,
                N_("entry #{seq} ({trigger}) is not about a case; only a case's entries can be corrected"),
                {"trigger": voided.trigger},
            )
        if voided.trigger == CORRECT:
            raise _refused(seq, N_("entry #{seq} is itself a correction; record the action again instead"), {})
        case = load_case(uow, voided.case_id)
        history = uow.audit.history(case.id or 0)
        corrections = [e for e in history if e.trigger == CORRECT]
        void_set = {int(e.payload["voids"]) for e in corrections if "voids" in e.payload}
        if seq in void_set:
            by = next(e.seq for e in corrections if e.payload.get("voids") == seq)
            raise Conflict(N_("entry #{seq} was already voided by #{by}; nothing was written"), {"seq": seq, "by": by})
        moves = voided.from_state is not None and voided.from_state != voided.to_state
        if voided.from_state is None:
            raise _refused(
                seq,
                N_("entry #{seq} opened the case; a case is never deleted — withdraw it, or correct its later entries"),
                {},
            )
        later_moves = [
            e
            for e in history
            if e.seq > seq and e.seq not in void_set and e.trigger != CORRECT and e.from_state != e.to_state
        ]
        if moves and later_moves:
            raise _refused(
                seq,
                N_(
                    "entry #{seq} ({trigger} {from_state} → {to_state}) is not the case's latest state change: "
                    "#{latest} ({latest_trigger}) rests on it; correct that one first"
                ),
                {
                    "trigger": voided.trigger,
                    "from_state": voided.from_state,
                    "to_state": voided.to_state,
                    "latest": later_moves[-1].seq,
                    "latest_trigger": later_moves[-1].trigger,
                },
                latest=later_moves[-1].seq,
            )
        programme = app.programme_for(case, uow)
        restored = case.copy()
        if moves:
            _restore_state(restored, voided, history, void_set)
        year, quarter = voided.payload.get("year"), voided.payload.get("quarter")
        if voided.trigger in {o.fulfilled_by for o in programme.definition.obligations} and year is not None:
            if quarter is not None:
                quarters = restored.progress.get("quarters", [])
                if quarter_key(year, quarter) in quarters:
                    quarters.remove(quarter_key(year, quarter))
            elif year in restored.reports:
                restored.reports.remove(year)
        restored.next_due_on = next_due(programme, restored)
        payload: dict[str, Any] = {
            "voids": seq,
            "voided_trigger": voided.trigger,
            "default": True,
            "restored_state": restored.state,
            "restored_state_since": restored.state_since.isoformat(),
        }
        draft = EntryDraft(
            case_id=case.id,
            programme=case.programme,
            trigger=CORRECT,
            from_state=case.state,
            to_state=restored.state,
            effective_on=voided.effective_on,
            actor=actor.name,
            role=actor.role,
            reason=why,
            clause=RULE,
            payload=payload,
            office=case.office,
        )
        entry = uow.change_case(restored, case.version, draft, f"correcting audit entry #{seq}")
        if entry is None:
            raise Conflict(N_("case {id} changed meanwhile; nothing was written, try again"), {"id": case.id})
        _reopen_decisions(uow, voided, entry, actor.name)
        uow.commit()
    return Corrected(entry, voided, restored)


def _reopen_decisions(uow: Any, voided: AuditEntry, entry: AuditEntry, actor: str) -> None:
    """A voided confirmation or dismissal leaves its decision open again; a voided raising closes it."""
    ids = [int(i) for i in voided.payload.get("settles_decisions", [])]
    if voided.payload.get("decision_id") is not None:
        ids.append(int(voided.payload["decision_id"]))
    uow.decisions.reopen(ids)
    if voided.trigger == "decision_due":
        uow.decisions.close_raised(
            voided.seq,
            decided_on=entry.effective_on,
            decided_by=actor,
            reason=f"voided by correction #{entry.seq}",
            seq=entry.seq,
        )

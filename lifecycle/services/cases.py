"""Use cases on cases: open one, advance it, show it, list them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from lifecycle.domain.audit import AuditEntry
from lifecycle.domain.case import Case
from lifecycle.domain.decide import Proposal, decide, open_case, options
from lifecycle.domain.definition import Quota
from lifecycle.domain.messages import N_, message
from lifecycle.domain.programme import Programme
from lifecycle.domain.quotas import FindHolders, Holder
from lifecycle.domain.reasons import Reason
from lifecycle.domain.schedule import obligations_view
from lifecycle.errors import Conflict, NotFound, Refused, UsageError
from lifecycle.persistence.repositories import EntryDraft
from lifecycle.services.app import Lifecycle
from lifecycle.services.ports import UnitOfWork
from lifecycle.services.users import Actor, require_admin


@dataclass
class Outcome:
    case: Case
    entry: AuditEntry


def _draft(proposal: Proposal, actor: Actor, reason: str | None) -> EntryDraft:
    case = proposal.case
    return EntryDraft(
        case.id,
        case.programme,
        proposal.trigger,
        proposal.from_state,
        proposal.to_state,
        proposal.effective_on,
        actor.name,
        actor.role,
        reason,
        proposal.clause,
        proposal.payload,
        case.office,
    )


def add_case(
    app: Lifecycle,
    acting: str,
    code: str,
    name: str,
    on: date,
    values: dict[str, Any] | None = None,
    reason: str | None = None,
    *,
    actor: Actor | None = None,
    office: str | None = None,
) -> Outcome:
    """Open a case in the programme's initial state, entered on `on`, with its audit entry; in
    `office` (default: the acting user's), which must be theirs or one below it."""
    programme = app.catalogue.current(code)
    action = f"opening a case in {code}"
    with app.uow(write=True) as uow:
        actor = actor or require_admin(uow, acting, message(N_("opening a case in {code}"), {"code": code}))
        chosen = office_for_new_case(uow, actor, office, action)
        proposal = open_case(programme, name, on, actor.role, values)
        proposal.case.office = chosen
        uow.definitions.ensure(programme.code, programme.version, app.catalogue.text(code), programme)
        entry = uow.open_case(proposal.case, _draft(proposal, actor, reason), action)
        uow.commit()
    return Outcome(proposal.case, entry)


def advance(
    app: Lifecycle,
    acting: str,
    case_id: int,
    trigger: str,
    on: date,
    values: dict[str, Any] | None = None,
    reason: str | None = None,
    *,
    expected_version: int | None = None,
    actor: Actor | None = None,
    decision_no: str | None = None,
    exceed_quota: bool = False,
) -> Outcome:
    """Fire `trigger` on the case, effective `on`: the new state and one audit entry, or nothing.

    `expected_version` is the version the caller last saw; if the case has moved
    on since, Conflict (exit 4) names who changed it, and nothing is written.
    `decision_no` is the number (文号) of the authority's decision the action records; the
    open decisions due of the case that propose this trigger are settled by it.
    """
    if exceed_quota and not (reason or "").strip():
        raise UsageError(N_("--exceed-quota: say why the quota is exceeded with --reason, for the audit log"))
    with app.uow(write=True) as uow:
        actor = actor or require_admin(
            uow, acting, message(N_("{trigger} on case {case}"), {"trigger": trigger, "case": case_id})
        )
        case = load_case(uow, case_id, actor.name)
        if expected_version is not None and case.version != expected_version:
            raise _conflict(uow, case, expected_version)
        programme = app.programme_for(case, uow)
        if any(trigger in quota.triggers for quota in programme.definition.quotas):
            # Serialise quota decisions: two submissions counting the same places at
            # once would both see room for themselves (SQLite writers already queue).
            uow.lock_quotas()
        proposal = decide(
            programme,
            case,
            trigger,
            on,
            actor.role,
            values,
            find_holders=holders_finder(uow, programme, case.id),
            exceed_quota=exceed_quota,
        )
        if decision_no is not None and decision_no.strip():
            proposal.payload["decision_no"] = decision_no.strip()
        settles = uow.decisions.open_for(case_id, trigger) if trigger in programme.proposed_triggers else []
        if settles:
            proposal.payload["settles_decisions"] = settles
        entry = uow.change_case(
            proposal.case, case.version, _draft(proposal, actor, reason), f"{trigger} on case {case_id}"
        )
        if entry is None:
            raise _conflict(uow, case, case.version)
        for decision_id in settles:
            uow.decisions.decide(
                decision_id,
                state="confirmed",
                decision_no=proposal.payload.get("decision_no"),
                decided_on=on,
                decided_by=actor.name,
                reason=f"settled by {trigger} (audit #{entry.seq})",
                seq=entry.seq,
            )
        uow.commit()
    return Outcome(proposal.case, entry)


def holders_finder(uow: UnitOfWork, programme: Programme, case_id: int | None) -> FindHolders:
    """How the domain finds the cases that fill a quota: one query on the cases table."""

    def find(quota: Quota, values: Mapping[str, Any]) -> list[Holder]:
        group = {name: values[name] for name in quota.group_by}
        found = uow.cases.quota_holders(programme.code, group, quota.excluding, case_id)
        return [Holder(c.id or 0, c.name, c.state, c.fields) for c in found]

    return find


def load_case(uow: UnitOfWork, case_id: int, reader: str | None = None) -> Case:
    """The case, if `reader` (default: the unit of work's viewer) may see it: a case of
    another office is refused (exit 3), naming its office, on either database."""
    case = uow.cases.get(case_id)
    office = case.office if case is not None else uow.cases.hidden_office(case_id)
    if office is None:
        raise NotFound(N_("no case {case_id}; `lifecycle cases list` shows the cases"), {"case_id": case_id})
    who_db = uow.users.database_user()
    if who_db is not None and not who_db.installer:
        seen = None  # row-level security already showed this login its offices' cases only
    else:
        seen = uow.scope_of(reader) if reader is not None else uow.scope()
    if case is None or (seen is not None and office not in seen):
        who = reader or uow.viewer or "you"
        raise Refused(
            message(N_("case {case_id}"), {"case_id": case_id}),
            [
                Reason.of(
                    "office",
                    N_(
                        "case {case_id} belongs to office {office}, which is neither {who}'s office nor "
                        "one below it; an administrator of that office (or of an office above it) acts on it"
                    ),
                    {"case_id": case_id, "office": office, "who": who},
                    details={"case_id": case_id, "office": office, "user": who},
                )
            ],
        )
    assert case is not None
    return case


def office_for_new_case(uow: UnitOfWork, actor: Actor, office: str | None, action: str) -> str:
    """The office a new case goes to: the one asked for, which must exist and be the actor's or
    below it; else the actor's own office."""
    own = uow.offices.office_of(actor.name) or uow.offices.root()
    if office is None:
        return own
    if uow.offices.get(office) is None:
        raise Refused(
            action,
            [
                Reason(
                    "invalid_field",
                    f"office {office!r} does not exist; `lifecycle offices list` shows the offices",
                    details={"office": office},
                )
            ],
        )
    seen = uow.scope_of(actor.name)
    if seen is not None and office not in seen:
        raise Refused(
            action,
            [
                Reason(
                    "office",
                    f"{actor.name} acts for office {own} and the offices below it, not for {office}",
                    details={"office": office, "user": actor.name},
                )
            ],
        )
    return office


def _conflict(uow: UnitOfWork, case: Case, seen_version: int) -> Conflict:
    assert case.id is not None
    uow.restart()
    latest = uow.cases.get(case.id)
    last = uow.audit.last_for_case(case.id)
    who = ""
    if last is not None:
        who = (
            f" by {last.actor} ({last.trigger}: {last.from_state} → {last.to_state}, "
            f"recorded {last.recorded_at:%Y-%m-%d %H:%M:%S} UTC)"
        )
    now = latest.version if latest else "?"
    state = latest.state if latest else "?"
    return Conflict(
        N_(
            "case {id} changed under you: you saw version {seen_version}, it is now version {now} in {state}{who}. "
            "Nothing was written; reload it with `lifecycle cases show {id}` and try again."
        ),
        {"id": case.id, "seen_version": seen_version, "now": now, "state": state, "who": who},
    )


def show_case(app: Lifecycle, case_id: int, as_of: date, role: str = "admin") -> dict[str, Any]:
    """Everything about a case on `as_of`: fields, history, what is allowed and why not."""
    from lifecycle.services.read_models.notification_log import add_notifications

    with app.uow() as uow:
        case = load_case(uow, case_id)
        programme = app.programme_for(case, uow)
        history = uow.audit.history(case_id)
        view = case_view(programme, case, as_of, history, role, holders_finder(uow, programme, case.id))
        view["decisions"] = decision_lines(uow, case_id)
        return add_notifications(uow, view)


def decision_lines(uow: UnitOfWork, case_id: int) -> list[dict[str, Any]]:
    """The case's decisions due (open first), as `cases show` and the case screen list them."""
    rows = uow.decisions.search(state=None, case_id=case_id)
    rows.sort(key=lambda r: (r["state"] != "open", r["due_on"], r["id"]))
    return [
        {
            "id": r["id"],
            "rule": r["rule"],
            "period": _iso(r["period"]) if isinstance(r["period"], date) else r["period"],
            "trigger": r["trigger"],
            "to_state": r["to_state"],
            "ground": r["ground"],
            "clause": r["clause"],
            "default": r["default"],
            "decision": r["name"],
            "due_on": _iso(r["due_on"]),
            "state": r["state"],
            "decision_no": r["decision_no"],
            "decided_on": _iso(r["decided_on"]),
            "decided_by": r["decided_by"],
        }
        for r in rows
    ]


def case_view(
    programme: Programme,
    case: Case,
    as_of: date,
    history: list[AuditEntry],
    role: str = "admin",
    find_holders: FindHolders | None = None,
) -> dict[str, Any]:
    allowed, blocked = options(programme, case, as_of, role, find_holders)
    state = programme.definition.states[case.state]
    return {
        "id": case.id,
        "programme": case.programme,
        "name": case.name,
        "office": case.office,
        "state": case.state,
        "state_zh": state.zh,
        "state_en": state.en,
        "state_kind": state.kind,
        "state_since": case.state_since.isoformat(),
        "fields": case.fields,
        "approved_on": _iso(case.approved_on),
        "valid_until": _iso(case.valid_until),
        "cycle": case.cycle,
        "cycle_start": _iso(case.cycle_start),
        "cycle_end": _iso(programme.cycle_end(case)),
        "deadline_on": _iso(case.deadline_on),
        "reports_filed": list(case.reports),
        "obligations": [
            {k: row[k] for k in ("kind", "period", "due_on", "status")}
            for row in obligations_view(programme, case, as_of)
        ],
        "next_due_on": _iso(case.next_due_on) if case.next_due_on != date.max else None,
        "pending_change": case.pending_change,
        "version": case.version,
        "definition_version": case.definition_version,
        "as_of": as_of.isoformat(),
        "history": [entry.to_dict() for entry in history],
        "allowed": allowed,
        "blocked": {name: "; ".join(r.text() for r in reasons) for name, reasons in blocked.items()},
        "blocked_reasons": {name: [r.to_dict() for r in reasons] for name, reasons in blocked.items()},
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


@dataclass(frozen=True)
class CaseSummary:
    """A case as `lifecycle cases list` shows it (dates as ISO text)."""

    id: int
    programme: str
    name: str
    office: str
    state: str
    state_since: str
    approved_on: str | None
    valid_until: str | None
    #: The first day a dated rule requires something of the case (None: never).
    next_due_on: str | None
    version: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def list_cases(
    app: Lifecycle,
    programme: str | None = None,
    state: str | None = None,
    text: str | None = None,
    limit: int | None = None,
    office: str | None = None,
) -> list[CaseSummary]:
    """The cases the viewer sees; with `office`, only that office's and those below it."""
    if programme:
        app.catalogue.current(programme)  # an unknown code is an error, not an empty list
    with app.uow() as uow:
        if office is not None and uow.offices.get(office) is None:
            raise NotFound(f"no office {office!r}; `lifecycle offices list` shows the offices")
        found = uow.cases.search(programme=programme, state=state, text=text, limit=limit, office=office)
    return [
        CaseSummary(
            c.id or 0,
            c.programme,
            c.name,
            c.office,
            c.state,
            c.state_since.isoformat(),
            _iso(c.approved_on),
            _iso(c.valid_until),
            _iso(c.next_due_on) if c.next_due_on != date.max else None,
            c.version,
        )
        for c in found
    ]

"""Before acting: the form a trigger needs, and what firing it would do (nothing is written).

The terminal UI shows the administrator exactly the parameters the definition
declares, then a confirmation with from → to and the clause, decided by the
same domain rules `advance` applies, so what is confirmed is what is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lifecycle.domain.decide import decide
from lifecycle.domain.messages import N_, message
from lifecycle.errors import NotFound, Refused
from lifecycle.services.app import Lifecycle
from lifecycle.services.cases import holders_finder, load_case
from lifecycle.services.users import Actor, require_admin, resolve_actor


@dataclass(frozen=True)
class ParamField:
    name: str
    type: str
    label: str
    choices: list[str] | None
    default: str | None
    clause: str | None
    #: choice → (zh, en) as the definition words it (revocation grounds, grades, yes/no)
    choice_labels: dict[str, tuple[str, str]] = field(default_factory=dict)
    zh: str | None = None


@dataclass(frozen=True)
class TriggerForm:
    case_id: int
    trigger: str
    zh: str
    en: str
    clause: str | None
    params: list[ParamField]


@dataclass(frozen=True)
class Proposed:
    """What the action would record: the case's state before and after, the clause, the values."""

    trigger: str
    from_state: str | None
    to_state: str
    from_label: str
    to_label: str
    effective_on: date
    clause: str | None
    default: bool
    payload: dict[str, Any]
    internal: bool
    version: int


def trigger_form(app: Lifecycle, case_id: int, trigger: str) -> TriggerForm:
    """The parameters of `trigger` as the case's definition version declares them."""
    with app.uow() as uow:
        case = load_case(uow, case_id)
        programme = app.programme_for(case, uow)
    spec = programme.trigger(trigger)
    if spec is None:
        raise NotFound(
            N_("{code} has no trigger {trigger}; it has: {triggers}"),
            {"code": programme.code, "trigger": repr(trigger), "triggers": ", ".join(programme.definition.triggers)},
        )
    params = []
    for name in spec.params:
        param = programme.param_spec(spec, name)
        choices = list(param.choices) if param.choices else (["true", "false"] if param.type == "bool" else None)
        default = None if param.default_value is None else str(param.default_value)
        params.append(
            ParamField(
                name,
                param.type,
                param.en or param.zh or name,
                choices,
                default,
                param.clause or spec.clause,
                _choice_labels(programme, spec, name),
                param.zh,
            )
        )
    return TriggerForm(case_id, trigger, spec.zh, spec.en, spec.clause, params)


def _choice_labels(programme: Any, trigger: Any, name: str) -> dict[str, tuple[str, str]]:
    """What each choice of a parameter means, from the definition: a ground's names, the
    labels a choice declares, yes/no for a bool."""
    declared = trigger.params[name]
    if declared.type == "ground":
        return {g: (ground.zh, ground.en) for g, ground in programme.definition.grounds.items()}
    if declared.type == "bool":
        return {"true": ("是", "yes"), "false": ("否", "no")}
    grounds = programme.definition.grounds
    labels = {choice: (names.zh, names.en) for choice, names in (declared.labels or {}).items()}
    for choice in declared.choices or []:
        if choice not in labels and choice in grounds:  # a ground named directly as a choice
            labels[choice] = (grounds[choice].zh, grounds[choice].en)
    return labels


def propose(
    app: Lifecycle, acting: str, case_id: int, trigger: str, on: date, values: dict[str, Any] | None = None
) -> Proposed:
    """What `advance` would do with these values, or Refused with every reason; writes nothing."""
    with app.uow() as uow:
        actor = require_admin(
            uow, acting, message(N_("{trigger} on case {case}"), {"trigger": trigger, "case": case_id})
        )
        case = load_case(uow, case_id)
        programme = app.programme_for(case, uow)
        proposal = decide(
            programme, case, trigger, on, actor.role, values, find_holders=holders_finder(uow, programme, case.id)
        )
    return Proposed(
        trigger=trigger,
        from_state=proposal.from_state,
        to_state=proposal.to_state,
        from_label=programme.label(proposal.from_state) if proposal.from_state else "∅",
        to_label=programme.label(proposal.to_state),
        effective_on=on,
        clause=proposal.clause,
        default=proposal.default,
        payload=proposal.payload,
        internal=proposal.internal,
        version=case.version,
    )


def acting_as(app: Lifecycle, claimed: str) -> tuple[Actor | None, str | None]:
    """Who the user acts as, and in which role (on PostgreSQL: their database user); or None
    and why they cannot act at all (unknown here, or claiming another name)."""
    with app.uow() as uow:
        try:
            return resolve_actor(uow, claimed, message(N_("using lifecycle tui"))), None
        except Refused as refused:
            return None, "; ".join(reason.message for reason in refused.reasons)

"""Application rounds and quotas: the limits on submissions that depend on a date or on
other cases (export-base 六(三), ecommerce-base 一 and 二, ai-scenario 一).

The domain stays pure: the caller finds the other cases of the same group (same
province and round, say) and passes them in as `Holder`s; this module decides.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from lifecycle.domain.criteria import Evaluator
from lifecycle.domain.definition import Definition, Quota, QuotaLimit
from lifecycle.domain.messages import N_, Term, day_term, field_label, message, terms
from lifecycle.domain.reasons import Reason
from lifecycle.domain.values import show


@dataclass(frozen=True)
class Holder:
    """Another case of the same group, in a state that counts: it may fill the quota."""

    id: int
    name: str
    state: str
    fields: Mapping[str, Any]


#: Given a quota and the acting case's values, the other cases of its group whose
#: state is not excluded (the database query lives in the service layer).
FindHolders = Callable[[Quota, Mapping[str, Any]], Sequence[Holder]]


def round_reasons(definition: Definition, trigger: str, values: Mapping[str, Any], on: date) -> list[Reason]:
    """A submission dated after its round's deadline is refused (逾期不予受理)."""
    rounds = definition.rounds
    if rounds is None or trigger not in rounds.triggers:
        return []
    round_id = values.get(rounds.field)
    if round_id is None:
        return [
            Reason.of(
                "missing_field",
                N_("{trigger} belongs to an application round; give --set {field}=… (one of: {rounds})"),
                {
                    "trigger": _trigger_term(definition, trigger),
                    "field": rounds.field,
                    "rounds": ", ".join(rounds.rounds),
                },
                rounds.clause,
                rounds.default,
                {"field": rounds.field},
            )
        ]
    the_round = rounds.rounds.get(str(round_id))
    if the_round is None or on <= the_round.submit_by:
        return []
    return [
        Reason.of(
            "round_closed",
            N_("round {round} took submissions until {submit_by}; a submission dated {on} is late and is not accepted"),
            {"round": round_id, "submit_by": day_term(the_round.submit_by), "on": day_term(on)},
            the_round.clause,
            the_round.default,
            {"round": str(round_id), "submit_by": the_round.submit_by.isoformat(), "on": on.isoformat()},
        )
    ]


def applicable_limit(quota: Quota, evaluator: Evaluator) -> QuotaLimit:
    """The first limit whose condition holds for the acting case (the last one has none)."""
    for limit in quota.limits:
        if limit.when is None or evaluator.evaluate(limit.when).ok:
            return limit
    return quota.limits[-1]


def held_in_register(
    definition: Definition, quota: Quota, values: Mapping[str, Any], find: FindHolders
) -> list[Holder]:
    """The designated cases (in an active state) the register holds in the acting case's
    `held_by` group: what makes the quota's `held_flag` true whatever the case itself says."""
    if quota.held_flag is None or any(values.get(name) is None for name in quota.held_by):
        return []
    active = {name for name, s in definition.states.items() if s.kind == "active"}
    register = quota.model_copy(
        update={"group_by": list(quota.held_by), "when": None, "excluding": sorted(set(definition.states) - active)}
    )
    return [h for h in find(register, values) if h.state in active]


def quota_reasons(
    definition: Definition,
    trigger: str,
    values: Mapping[str, Any],
    on: date,
    find: FindHolders | None,
    *,
    exceed: bool = False,
) -> list[Reason]:
    """Every quota `trigger` would exceed, naming the quota, the rule that set it and the cases that fill it.

    With `exceed`, a quota the office may exceed at its discretion (`exceedable`) is not a reason:
    the caller records that it was exceeded and why."""
    if find is None:
        return []
    reasons: list[Reason] = []
    for quota in definition.quotas:
        if trigger not in quota.triggers:
            continue
        held = held_in_register(definition, quota, values, find)
        if held and quota.held_flag is not None:
            values = {**values, quota.held_flag: True}
        evaluator = Evaluator(values, definition.fields, on)
        if quota.when is not None and not evaluator.evaluate(quota.when).ok:
            continue
        missing = [name for name in quota.group_by if values.get(name) is None]
        if missing:
            reasons.append(
                Reason.of(
                    "missing_field",
                    N_("{quota} are counted by {group_by}; give --set {field}=…"),
                    {
                        "quota": Term(quota.en, quota.zh),
                        "group_by": terms([_field_term(definition, n) for n in quota.group_by], "comma"),
                        "field": missing[0],
                    },
                    quota.clause,
                    quota.default,
                    {"field": missing[0], "quota": quota.id},
                )
            )
            continue
        holders = [
            h
            for h in find(quota, values)
            if quota.when is None or Evaluator(h.fields, definition.fields, on).evaluate(quota.when).ok
        ]
        limit = applicable_limit(quota, evaluator)
        if len(holders) < limit.limit:
            continue
        if exceed and quota.exceedable:
            continue
        group = ", ".join(f"{name} {show(values[name])}" for name in quota.group_by)
        filled: Any = "; ".join(f"#{h.id} {h.name} ({h.state})" for h in holders) or Term(
            "no case: none may be added", "尚无事项：不得再增加"
        )
        register: Any = ""
        if held:
            register = message(
                N_("; the register already holds {held} in {where}, so {flag} holds"),
                {
                    "held": ", ".join(f"#{h.id} {h.name}" for h in held),
                    "where": ", ".join(show(values[n]) for n in quota.held_by),
                    "flag": _field_term(definition, str(quota.held_flag)),
                },
            )
        may: Any = (
            message(
                N_(" — the limit holds 原则上 (in principle): an admin may exceed it with --exceed-quota and --reason")
            )
            if quota.exceedable
            else ""
        )
        reasons.append(
            Reason.of(
                "quota_full",
                N_("quota {quota} ({quota_name}) for {group} is {limit}: {rule}; filled by {filled}{register}{may}"),
                {
                    "quota": quota.id,
                    "quota_name": Term(quota.en, quota.zh),
                    "group": group,
                    "limit": limit.limit,
                    "rule": Term(limit.en, limit.zh),
                    "filled": filled,
                    "register": register,
                    "may": may,
                },
                limit.clause or quota.clause,
                limit.default,
                {
                    "quota": quota.id,
                    "limit": limit.limit,
                    "rule": limit.en,
                    "exceedable": quota.exceedable,
                    "group": {name: values[name] for name in quota.group_by},
                    "cases": [{"id": h.id, "name": h.name, "state": h.state} for h in holders],
                    "register": [{"id": h.id, "name": h.name, "state": h.state} for h in held],
                },
            )
        )
    return reasons


def frozen_field_reasons(
    definition: Definition, state: str, current: Mapping[str, Any], changes: Mapping[str, Any]
) -> list[Reason]:
    """A case holding a place in a quota keeps the fields that place is counted by: moving it
    to another province (or category) after submission would free a place nobody released."""
    reasons: list[Reason] = []
    for quota in definition.quotas:
        if state in quota.excluding:
            continue
        counted_by = list(quota.group_by) + sorted(quota.when.fields() if quota.when else set())
        for name in counted_by:
            if name in changes and changes[name] != current.get(name):
                reasons.append(
                    Reason.of(
                        "invalid_field",
                        N_(
                            "{field} cannot change while the case holds a place in quota {quota} "
                            "({quota_name}): it is {value}"
                        ),
                        {
                            "field": _field_term(definition, name),
                            "quota": quota.id,
                            "quota_name": Term(quota.en, quota.zh),
                            "value": show(current.get(name)),
                        },
                        quota.clause,
                        quota.default,
                        {"field": name, "quota": quota.id},
                    )
                )
    return reasons


def _trigger_term(definition: Definition, name: str) -> Term:
    trigger = definition.triggers.get(name)
    return Term(name, trigger.zh if trigger else None)


def _field_term(definition: Definition, name: str) -> Term:
    spec = definition.fields.get(name)
    return Term(name, field_label(spec.zh) if spec is not None and spec.zh else None)

"""Which notices a case's organisation should get by a date: pure planning over one case.

A notice tells the people who must meet an obligation that a day concerning them is coming or
has come: a report's due day, a review opening, the end of a rectification. The programme's
`notifications` rules give the lead times (days relative to that day). Each notice is named once
and for all by (case, kind, rule, period, lead): the outbox refuses a second one with that name,
so a notice is planned at most once whatever happens to the run that plans it.

Only the latest lead time whose day has come is planned, and only until the next lead time's day
(or `stale_after_days` after the last one): a run that did not happen for a week sends the notice
that is current, not every one it missed. The reminder (催告) is not planned here: it is an action
of the compliance run, and its notice is written with its audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lifecycle.domain.case import Case
from lifecycle.domain.dates import add_days
from lifecycle.domain.definition import LeadTimes, Timer
from lifecycle.domain.programme import Programme
from lifecycle.domain.schedule import fulfilled, periods, timer_period

#: The kinds of notice, as templates and the log name them.
KINDS = ("obligation", "evaluation", "rectification", "reminder", "decision", "test")


@dataclass(frozen=True)
class Notice:
    """One notice to the case's contacts: about `day` (a due day), `lead` days from it."""

    case_id: int
    programme: str
    kind: str
    rule: str
    period: str
    lead: int | None
    day: date
    notify_on: date
    clause: str | None
    default: bool
    #: What the templates show (words of the programme, the obligation, the deadline).
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The notice's name, unique in the outbox."""
        lead = "" if self.lead is None else f"{self.lead:+d}"
        return f"{self.case_id}|{self.kind}|{self.rule}|{self.period}|{lead}"


def _current_lead(leads: LeadTimes, day: date, as_of: date, stale_after: int) -> tuple[int | None, date | None]:
    """The lead time whose notice is current on `as_of` for `day` (None: none is), and the next
    day on which a lead time of `day` falls due after `as_of` (None: none does)."""
    ordered = sorted(leads.days)
    current: int | None = None
    for lead in ordered:
        on = add_days(day, lead)
        if on > as_of:
            return current, on  # the previous lead's notice is current until this one's day
        current = lead
    if current is not None and as_of > add_days(day, ordered[-1] + stale_after):
        current = None
    return current, None


def _names(programme: Programme, case: Case) -> dict[str, Any]:
    d = programme.definition
    return {
        "case_id": case.id,
        "case_name": case.name,
        "programme": d.code,
        "programme_zh": d.name.zh,
        "programme_en": d.name.en,
        "document": d.source.number or d.source.title,
        "state": case.state,
        "state_zh": d.states[case.state].zh,
        "state_en": d.states[case.state].en,
    }


def plan_notices(programme: Programme, case: Case, as_of: date) -> tuple[list[Notice], date]:
    """The notices current for the case on `as_of`, and the first later day on which another one
    falls due (date.max: never, as things stand; any change of the case means planning again)."""
    rules = programme.definition.notifications
    kind = programme.kind(case.state)
    if kind == "terminal" or case.id is None or as_of < case.state_since:
        return [], date.max if kind == "terminal" else max(case.state_since, as_of)
    found: list[Notice] = []
    next_days: list[date] = [date.max]
    stale = rules.stale_after_days
    names: dict[str, Any] = {}  # worked out with the first notice: most cases have none

    def consider(
        kind_: str,
        rule: str,
        period: str,
        day: date,
        leads: LeadTimes,
        clause: str | None,
        default: bool,
        extra: dict[str, Any],
    ) -> None:
        lead, next_on = _current_lead(leads, day, as_of, stale)
        if next_on is not None:
            next_days.append(next_on)
        if lead is not None:
            if not names:
                names.update(_names(programme, case))
            context = {
                **names,
                **extra,
                "kind": kind_,
                "period": period,
                "due_on": day.isoformat(),
                "lead": lead,
                "clause": clause,
                "default": default or leads.default,
            }
            found.append(
                Notice(
                    case.id or 0,
                    case.programme,
                    kind_,
                    rule,
                    period,
                    lead,
                    day,
                    add_days(day, lead),
                    clause,
                    default or leads.default,
                    context,
                )
            )

    if kind == "active":
        for obligation in programme.definition.obligations:
            earliest = min(rules.obligations.days, default=0)
            latest = max(rules.obligations.days, default=0)
            for period in periods(obligation, case):
                if add_days(period.due_on, earliest) > as_of:
                    next_days.append(add_days(period.due_on, earliest))
                    break
                if add_days(period.due_on, latest + stale) < as_of or fulfilled(case, period):
                    continue
                consider(
                    "obligation",
                    obligation.id,
                    period.key,
                    period.due_on,
                    rules.obligations,
                    obligation.due.clause or obligation.clause,
                    obligation.due.default,
                    {
                        "obligation_zh": obligation.zh or obligation.en,
                        "obligation_en": obligation.en,
                        "year": period.value,
                    },
                )
    for timer in programme.definition.timers:
        if not programme.in_states(case.state, timer.states):
            continue
        if timer.anchor == "deadline":
            if case.deadline_on is not None:
                consider(
                    "rectification",
                    timer.id,
                    case.deadline_on.isoformat(),
                    case.deadline_on,
                    rules.rectification,
                    timer.clause,
                    timer.default,
                    {"deadline_on": case.deadline_on.isoformat(), "timer_en": timer.en},
                )
            continue
        if not _is_review(timer):
            continue
        due = programme.due_date(timer, case)
        if due is None or (timer.once_per_cycle and case.marks.get(timer.trigger) == case.cycle):
            continue
        trigger = programme.definition.triggers.get(timer.trigger)
        consider(
            "evaluation",
            timer.id,
            timer_period(timer, case, due),
            due,
            rules.evaluations,
            timer.clause,
            timer.default,
            {
                "timer_en": timer.en,
                "evaluation_zh": trigger.zh if trigger else timer.en,
                "evaluation_en": trigger.en if trigger else timer.en,
            },
        )
    return found, min(next_days)


def _is_review(timer: Timer) -> bool:
    """A review opening: a timer fired once per cycle or each year (an expiry or a revocation is
    not announced ahead: the obligations and deadlines that lead to it are)."""
    return timer.once_per_cycle or timer.anchor == "yearly"


def reminder_context(
    programme: Programme, case: Case, obligation_id: str, period: str, sent_on: date, reply_days: int
) -> dict[str, Any]:
    """What a reminder's (催告's) notice says: the year concerned and the reply-by day."""
    obligation = next((o for o in programme.definition.obligations if o.id == obligation_id), None)
    context = _names(programme, case)
    context.update(
        kind="reminder",
        period=period,
        year=period.split("-")[0],
        due_on=sent_on.isoformat(),
        reply_by=add_days(sent_on, reply_days).isoformat(),
        reply_days=reply_days,
        lead=None,
        obligation_zh=(obligation.zh or obligation.en) if obligation else obligation_id,
        obligation_en=obligation.en if obligation else obligation_id,
    )
    if obligation is not None and obligation.reminder is not None:
        context.update(clause=obligation.reminder.clause, default=obligation.reminder.default)
    return context

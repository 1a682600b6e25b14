"""What the dated rules of a programme require of a case, and from which day.

Pure planning over one case, generic over definitions: the programme's
`timers` (reviews opening, expiry, deadlines passed) and `obligations`
(periodic reports, their reminders, revocation when reports stay missing).
Nothing here decides whether an action is allowed: the compliance run hands
every planned action to `decide`, which applies the same rules as for a person.

Dates follow the project's calendar rules [default]: an automatic transition
carries the first date its condition held, never before the case entered its
state; a reminder is a communication, never backdated, so it carries the date
of the run that sends it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal, NamedTuple

from lifecycle.domain.case import Case
from lifecycle.domain.dates import add_days, on_month_day
from lifecycle.domain.definition import Obligation, Timer
from lifecycle.domain.programme import Programme

Kind = Literal["timer", "reminder", "revocation"]
#: Transitions dated the same day go before reminders: an expiry makes a reminder moot.
_RANK = {"timer": 0, "revocation": 0, "reminder": 1}
#: How far ahead obligation periods are looked at (a safety bound, never reached in practice).
_MAX_PERIODS = 400


@dataclass(frozen=True)
class Due:
    """One action a dated rule requires: which trigger, with which values, effective when.

    `(rule, period)` names the action once and for all: the database refuses a
    second action with the same case, rule and period.
    """

    rule: str
    kind: Kind
    trigger: str
    on: date
    period: str
    clause: str | None
    default: bool
    values: dict[str, str] = field(default_factory=dict)
    order: int = 0
    #: apply: the run fires the trigger; propose: it raises a decision due for an administrator.
    action: str = "apply"
    #: The decision due's own label when it proposes no transition (the trigger settles it).
    decision: str | None = None

    def sort_key(self) -> tuple[date, int, int, str]:
        return (self.on, _RANK[self.kind], self.order, self.period)


class ObligationPeriod(NamedTuple):
    """One period of an obligation: the report for 2025, the data for 2025-Q3."""

    obligation: Obligation
    key: str
    value: int
    start: date
    due_on: date


# -- timers -------------------------------------------------------------------
def timer_period(timer: Timer, case: Case, due: date) -> str:
    if timer.once_per_cycle:
        return f"cycle {case.cycle}"
    if timer.anchor == "yearly":
        return str(due.year)
    return due.isoformat()


def timer_due(programme: Programme, timer: Timer, case: Case, order: int = 0) -> Due | None:
    """The timer's action for the case as it stands, whatever the date; None if it has none."""
    if not programme.in_states(case.state, timer.states):
        return None
    due = programme.due_date(timer, case)
    if due is None:
        return None
    if timer.once_per_cycle and case.marks.get(timer.trigger) == case.cycle:
        return None  # already fired this cycle (by the run or by an administrator)
    period = timer_period(timer, case, due)
    if period in case.automatic.get(timer.id, {}):
        return None
    decision = f"{timer.decision.zh} {timer.decision.en}" if timer.decision else None
    return Due(
        timer.id,
        "timer",
        timer.trigger,
        max(due, case.state_since),
        period,
        timer.clause,
        timer.default,
        dict(timer.params),
        order,
        programme.timer_action(timer),
        decision,
    )


# -- obligations --------------------------------------------------------------
def periods(obligation: Obligation, case: Case) -> Iterator[ObligationPeriod]:
    """Every period of the obligation from the designation on, oldest first (unbounded)."""
    if case.approved_on is None:
        return
    due = obligation.due
    if obligation.period == "year":
        after = None if due.days_after_period is None else timedelta(days=due.days_after_period)
        for year in range(case.approved_on.year, case.approved_on.year + _MAX_PERIODS):
            if after is not None:
                due_on = date(year, 12, 31) + after
            else:  # the schema requires month and day when days_after_period is absent
                assert due.month is not None and due.day is not None
                due_on = on_month_day(year + due.year_offset, due.month, due.day)
            yield ObligationPeriod(obligation, str(year), year, date(year, 1, 1), due_on)
        return
    first = (case.approved_on.month - 1) // 3
    for index in range(case.approved_on.year * 4 + first, case.approved_on.year * 4 + first + _MAX_PERIODS):
        year, quarter = divmod(index, 4)
        end = add_days(date(year + (quarter + 1) // 4, (quarter + 1) % 4 * 3 + 1, 1), -1)
        due_on = add_days(end, due.days_after_period or 0)
        yield ObligationPeriod(obligation, f"{year}-Q{quarter + 1}", year, date(year, quarter * 3 + 1, 1), due_on)


def record_of(obligation: Obligation) -> str:
    """Where a case remembers the periods of the obligation that were filed."""
    return obligation.record or ("reports" if obligation.period == "year" else "quarters")


def fulfilled(case: Case, period: ObligationPeriod) -> bool:
    if period.obligation.period == "quarter":
        return period.key in case.quarters  # `file_data --set year=Y --set quarter=Q`
    return period.value in case.progress.get(record_of(period.obligation), [])


def reminder_rule(obligation: Obligation) -> str:
    return f"{obligation.id}.reminder"


def revocation_rule(obligation: Obligation) -> str:
    return f"{obligation.id}.revocation"


def reminded_on(case: Case, period: ObligationPeriod) -> date | None:
    sent = case.automatic.get(reminder_rule(period.obligation), {}).get(period.key)
    return date.fromisoformat(sent) if sent else None


def _obligation_plan(obligation: Obligation, case: Case, as_of: date, order: int) -> tuple[list[Due], date]:
    """The obligation's reminders and revocation due by `as_of`, and the first day either could
    fall due (date.max: never), in one pass over its periods, oldest first.

    Reminders: every overdue period not fulfilled and not yet reminded, dated the run's day.
    Revocation: `consecutive_missing` periods in a row missing, the last of them reminded and its
    reply window passed (the reminder comes after the failure, 经催告后仍逾期不报); without a
    reminder rule, the day after the last of them fell due.
    """
    reminder, rule = obligation.reminder, obligation.revocation
    # Periods a raised revocation already covers ("2025..2026"): a later run of missing periods
    # overlapping them is the same failure, not a new one (raised once, decided once).
    covered = [tuple(key.split("..", 1)) for key in case.automatic.get(revocation_rule(obligation), {})]
    sent_map = case.automatic.get(reminder_rule(obligation), {}) if reminder is not None else {}
    last_sent = date.fromisoformat(max(sent_map.values())) if sent_map else None
    by_year = obligation.period == "year"
    reports = case.progress.get(record_of(obligation), [])
    found: list[Due] = []
    next_day = date.max
    run: list[ObligationPeriod] = []
    revocation: tuple[date, str] | None = None
    open_found = reminder is None  # the first period a reminder could be sent for
    revocation_settled = rule is None
    for period in periods(obligation, case):
        if period.due_on >= as_of and open_found and revocation_settled:
            break
        done = (period.value if by_year else period.key) in reports
        sent = sent_map.get(period.key)
        if reminder is not None and not done and sent is None:
            if not open_found:
                next_day = min(next_day, add_days(period.due_on, 1))  # overdue the day after
                open_found = True
            if period.due_on < as_of:
                found.append(
                    Due(
                        reminder_rule(obligation),
                        "reminder",
                        reminder.trigger,
                        as_of,
                        period.key,
                        reminder.clause,
                        reminder.default,
                        {"year": str(period.value)},
                        order,
                    )
                )
        if rule is None:
            continue
        run = [] if done else [*run, period][-rule.consecutive_missing :]
        day: date | None = None
        if len(run) == rule.consecutive_missing:
            if reminder is None:
                day = add_days(period.due_on, 1)
                revocation_settled = True  # later periods fall due later: this is the first
            elif sent is not None:
                day = add_days(date.fromisoformat(sent), reminder.reply_days + 1)
        if reminder is not None and (last_sent is None or period.due_on >= last_sent):
            revocation_settled = True  # no later period has been reminded
        if day is not None and any(first <= p.key <= last for first, last in covered for p in run):
            day = None  # already proposed (or applied) for these periods: nothing more to do for them
        if day is not None:
            next_day = min(next_day, day)
            if period.due_on < as_of and (revocation is None or day < revocation[0]):
                revocation = (day, f"{run[0].key}..{run[-1].key}")
    if rule is not None and revocation is not None:
        day = max(revocation[0], case.state_since)
        if day <= as_of:
            found.append(
                Due(
                    revocation_rule(obligation),
                    "revocation",
                    rule.trigger,
                    day,
                    revocation[1],
                    rule.clause,
                    rule.default,
                    {"ground": rule.ground},
                    order,
                    rule.action,
                )
            )
    return found, next_day


def plan(programme: Programme, case: Case, as_of: date) -> tuple[list[Due], date]:
    """Every action the dated rules require of the case by `as_of`, in the order to apply them,
    and the first day on which the run could have something to do for it (date.max: never).

    The day is never later than the truth, so no due case is ever skipped; the run looks only
    at cases whose day has come. Worked out together: the same timers answer both."""
    kind = programme.kind(case.state)
    if kind == "terminal":
        return [], date.max
    found: list[Due] = []
    days = [date.max]
    for order, timer in enumerate(programme.definition.timers):
        due = timer_due(programme, timer, case, order)
        if due is not None:
            days.append(due.on)
            if due.on <= as_of:
                found.append(due)
    if kind == "active":
        base = len(programme.definition.timers)
        for index, obligation in enumerate(programme.definition.obligations):
            if obligation.revocation is None and obligation.reminder is None:
                continue
            dues, day = _obligation_plan(obligation, case, as_of, base + index)
            found += dues
            days.append(day)
    if as_of < case.state_since:
        found = []
    found.sort(key=Due.sort_key)
    return found, max(min(days), case.state_since)


def due_actions(programme: Programme, case: Case, as_of: date) -> list[Due]:
    """Every action the dated rules require of the case by `as_of`, in the order to apply them."""
    return plan(programme, case, as_of)[0]


def next_due(programme: Programme, case: Case) -> date:
    """The first day on which the compliance run could have something to do for the case
    (date.max: never); see `plan`."""
    return plan(programme, case, date.min)[1]


def obligation_status(case: Case, period: ObligationPeriod, as_of: date) -> str:
    """open, fulfilled, overdue or reminded (overdue and reminded), as `cases show` lists them."""
    if fulfilled(case, period):
        return "fulfilled"
    if reminded_on(case, period) is not None:
        return "reminded"
    return "overdue" if as_of > period.due_on else "open"


def obligations_view(programme: Programme, case: Case, as_of: date) -> list[dict[str, str | None]]:
    """Every period of every obligation that has begun by `as_of` (and, for a closed case,
    before it closed), with its due day and status."""
    if case.approved_on is None:
        return []
    last = as_of
    if programme.kind(case.state) == "terminal":
        last = min(as_of, case.state_since)
    rows: list[dict[str, str | None]] = []
    for obligation in programme.definition.obligations:
        for period in periods(obligation, case):
            if period.start > last:
                break
            sent = reminded_on(case, period)
            rows.append(
                {
                    "kind": obligation.id,
                    "period": period.key,
                    "due_on": period.due_on.isoformat(),
                    "status": obligation_status(case, period, as_of),
                    "reminded_on": sent.isoformat() if sent else None,
                }
            )
    return rows

"""What falls due for a case between two days, as an office's calendar shows it.

Where `schedule` answers "what must the compliance run do, and when", this answers "what
must the centre or the office do by which day": reports due (not yet filed), evaluations and
other dated rules opening, the reply window of a reminder closing, a rectification deadline.
Each with the clause it comes from, and whether its day is a [default].
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lifecycle.domain import schedule
from lifecycle.domain.case import Case
from lifecycle.domain.dates import add_days
from lifecycle.domain.definition import Obligation
from lifecycle.domain.programme import Programme

#: obligation: a report or data due; timer: a dated rule opens (an evaluation, expiry);
#: reply_window: the last day to answer a reminder; deadline: a rectification deadline.
KINDS = ("obligation", "timer", "reply_window", "deadline")


@dataclass(frozen=True)
class Deadline:
    on: date
    kind: str
    #: What is due, in the definition's words (English; Chinese where it has them).
    what: str
    what_zh: str | None
    clause: str | None
    default: bool
    period: str | None = None
    #: The action the day is about: the timer's trigger (start_assessment, expire...), or the one
    #: that fulfils the obligation (file_report); None for a deadline.
    trigger: str | None = None


def deadlines(programme: Programme, case: Case, start: date, end: date) -> list[Deadline]:
    """Everything due for the case from `start` to `end` (both included), by date."""
    kind = programme.kind(case.state)
    if kind == "terminal":
        return []
    found: list[Deadline] = []
    deadline_timer = None
    for timer in programme.definition.timers:
        if timer.anchor == "deadline":
            deadline_timer = timer  # shown as the deadline itself, below
            continue
        due = schedule.timer_due(programme, timer, case)
        if due is not None and start <= due.on <= end:
            found.append(
                Deadline(
                    due.on,
                    "timer",
                    timer.en,
                    _trigger_zh(programme, timer.trigger),
                    timer.clause,
                    timer.default,
                    due.period,
                    timer.trigger,
                )
            )
    if case.deadline_on is not None and start <= case.deadline_on <= end:
        state = programme.definition.states.get(case.state)
        found.append(
            Deadline(
                case.deadline_on,
                "deadline",
                f"deadline of {state.en if state else case.state}",
                f"{state.zh}期限" if state else None,
                deadline_timer.clause if deadline_timer else None,
                deadline_timer.default if deadline_timer else False,
            )
        )
    if kind == "active":
        for obligation in programme.definition.obligations:
            found += _obligation_deadlines(obligation, case, start, end)
    found.sort(key=lambda d: (d.on, KINDS.index(d.kind), d.what))
    return found


def _obligation_deadlines(obligation: Obligation, case: Case, start: date, end: date) -> list[Deadline]:
    found: list[Deadline] = []
    reminder = obligation.reminder
    for period in schedule.periods(obligation, case):
        if period.start > end:
            break
        if schedule.fulfilled(case, period):
            continue
        zh = f"{obligation.zh}（{period.key}）" if obligation.zh else None
        if start <= period.due_on <= end:
            found.append(
                Deadline(
                    period.due_on,
                    "obligation",
                    f"{obligation.en} {period.key}",
                    zh,
                    obligation.due.clause or obligation.clause,
                    obligation.due.default,
                    period.key,
                    obligation.fulfilled_by,
                )
            )
        sent = schedule.reminded_on(case, period)
        if reminder is not None and sent is not None:
            closes = add_days(sent, reminder.reply_days)
            if start <= closes <= end:
                found.append(
                    Deadline(
                        closes,
                        "reply_window",
                        f"reply to the reminder: {obligation.en} {period.key}",
                        f"催告答复期限：{zh}" if zh else None,
                        reminder.clause,
                        reminder.default,
                        period.key,
                        obligation.fulfilled_by,
                    )
                )
    return found


def _trigger_zh(programme: Programme, trigger: str) -> str | None:
    found = programme.trigger(trigger)
    return found.zh if found else None

"""`lifecycle calendar`: every deadline coming up across the portfolio, as a list, a table for a
spreadsheet, or an iCalendar file an office imports into its calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from lifecycle.domain.deadlines import deadlines
from lifecycle.domain.messages import N_
from lifecycle.errors import UsageError
from lifecycle.services.app import Lifecycle

#: The columns of the calendar as a table (and the keys of its JSON rows).
COLUMNS = (
    "due_on",
    "case_id",
    "programme",
    "name",
    "kind",
    "what",
    "what_zh",
    "clause",
    "default",
    "period",
    "trigger",
)


def upcoming(app: Lifecycle, as_of: date, days: int, programme: str | None = None) -> list[dict[str, Any]]:
    """Every deadline from `as_of` to `days` days later (both included), by date then case."""
    if days < 0:
        raise UsageError(N_("--days {days}: give a number of days of at least 0"), {"days": days})
    if programme:
        app.catalogue.current(programme)  # an unknown code is an error, not an empty calendar
    end = as_of + timedelta(days=days)
    rows: list[dict[str, Any]] = []
    with app.uow() as uow:
        for case in uow.cases.search(programme=programme):
            found = deadlines(app.programme_for(case, uow), case, as_of, end)
            rows += [
                {
                    "due_on": d.on.isoformat(),
                    "case_id": case.id,
                    "programme": case.programme,
                    "name": case.name,
                    "kind": d.kind,
                    "what": d.what,
                    "what_zh": d.what_zh,
                    "clause": d.clause,
                    "default": d.default,
                    "period": d.period,
                    "trigger": d.trigger,
                }
                for d in found
            ]
    rows.sort(key=lambda r: (r["due_on"], r["case_id"], r["kind"], r["what"]))
    return rows


def as_ics(rows: list[dict[str, Any]], *, chinese: bool = False) -> bytes:
    """The deadlines as an iCalendar file: one all-day event each, with a stable UID so that
    importing a newer calendar updates the events rather than doubling them."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//lifecycle//designation deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "lifecycle 截止日期" if chinese else "lifecycle deadlines")
    stamp = datetime.now(UTC).replace(microsecond=0)
    for row in rows:
        day = date.fromisoformat(row["due_on"])
        what = (row["what_zh"] or row["what"]) if chinese else row["what"]
        clause = f" ({row['clause']}{', default' if row['default'] else ''})" if row["clause"] else ""
        event = Event()
        event.add(
            "uid",
            f"{row['case_id']}-{row['kind']}-{row['period'] or ''}-{row['what']}-{row['due_on']}@lifecycle".replace(
                " ", "_"
            ),
        )
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("summary", f"{row['name']}: {what}")
        event.add("description", f"case {row['case_id']} · {row['programme']} · {row['what']}{clause}")
        event.add("categories", [row["programme"], row["kind"]])
        calendar.add_component(event)
    return bytes(calendar.to_ical())

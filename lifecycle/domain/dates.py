"""Calendar rules: "N years after D" is the same month and day (29 February: 28 February), a
deadline day is still in time; validities are counted as the civil code counts periods."""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def add_years(day: date, years: int) -> date:
    """Same month and day `years` later; 29 February maps to 28 February (as relativedelta does,
    at a tenth of its cost: the compliance run works out many anniversaries)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


def add_days(day: date, days: int) -> date:
    return day + timedelta(days=days)


def on_month_day(year: int, month: int, day: int) -> date:
    """That month and day in `year`; 29 February is 28 February in a common year."""
    if month == 2 and day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, month, day)


def parse_date(text: str) -> date:
    """A `YYYY-MM-DD` date; anything else is an error naming the value."""
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2025-01-10") from None

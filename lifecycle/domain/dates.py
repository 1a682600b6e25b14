"""Calendar rules: "N years after D" is the same month and day (29 February: 28 February), a
deadline day is still in time; validities are counted as the civil code counts periods."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from lifecycle.domain.messages import N_, Message, message, render


def add_years(day: date, years: int) -> date:
    """Same month and day `years` later; 29 February maps to 28 February (as relativedelta does,
    at a tenth of its cost: the compliance run works out many anniversaries)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


#: timedelta(days=n) for the few n the rules use, built once: the notice planner and the
#: compliance run add days millions of times in a large run.
_DELTAS: dict[int, timedelta] = {}


def add_days(day: date, days: int) -> date:
    delta = _DELTAS.get(days)
    if delta is None:
        delta = timedelta(days=days)
        if len(_DELTAS) < 4096:
            _DELTAS[days] = delta
    return day + delta


def on_month_day(year: int, month: int, day: int) -> date:
    """That month and day in `year`; 29 February is 28 February in a common year."""
    if month == 2 and day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, month, day)


#: The dates accepted anywhere a date is typed: 2024-10-01 (ISO, as stored), 2024/10/1 and
#: 2024年10月1日 (as Chinese offices write them); full-width digits are read as digits.
_DATE_FORMS = (
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})", re.ASCII),
    re.compile(r"(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})", re.ASCII),
    re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]", re.ASCII),
)
#: The years a date may fall in: policy dates of the past and the future, with room for
#: every anniversary, validity and deadline the rules add (9999-12-31 + 1 year overflows).
FIRST_YEAR, LAST_YEAR = 1900, 2199
#: Full-width ASCII (Ａ–～, as Chinese input methods type digits, ／, ％ and ，) and the
#: ideographic space, mapped to their ASCII forms; nothing else is folded.
FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


class DateProblem(ValueError):
    """A date that cannot be read: the message id (marked `N_`) and its values, so that it can be
    shown in the person's language (`term()`); `str(error)` is the English text."""

    def __init__(self, text: str, params: dict[str, object]) -> None:
        self.template, self.params = text, params
        super().__init__(render(text, params))

    def term(self) -> Message:
        return message(self.template, self.params)


def parse_date(text: str) -> date:
    """A date written `YYYY-MM-DD`, `YYYY/M/D` or `YYYY年M月D日`, in 1900–2199; anything else is
    a ValueError naming the value and the forms that work."""
    written = str(text).translate(FULL_WIDTH).strip()
    match = next((m for form in _DATE_FORMS if (m := form.fullmatch(written))), None)
    if match is None:
        raise DateProblem(
            N_("{text} is not a date; write it as YYYY-MM-DD (e.g. 2025-01-10), 2025/1/10 or 2025年1月10日"),
            {"text": repr(text)},
        )
    year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DateProblem(
            N_("{text} is out of range: dates fall in the years {first} to {last}"),
            {"text": repr(text), "first": FIRST_YEAR, "last": LAST_YEAR},
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise DateProblem(
            N_(
                "{text} is not a date; write it as YYYY-MM-DD (e.g. 2025-01-10), 2025/1/10 or 2025年1月10日 "
                "(the calendar has no month {month}, day {day})"
            ),
            {"text": repr(text), "month": month, "day": day},
        ) from None

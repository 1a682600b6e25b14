"""Today, as the policy documents count it: the calendar date in China Standard Time."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def today() -> date:
    return datetime.now(CHINA).date()

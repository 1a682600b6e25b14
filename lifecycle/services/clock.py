"""Today, as the policy documents count it: the calendar date in China Standard Time.

`LIFECYCLE_TODAY=YYYY-MM-DD` sets the day instead, for demonstrations, training and the
generated captures of the docs (`python -m lifecycle.cli.captures`), so that what the CLI shows
does not depend on the day it is run. It only changes the default of `--on` and `--as-of`, which
anyone may give anyway; the audit log still records the real moment of every entry.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")
OVERRIDE = "LIFECYCLE_TODAY"


def today() -> date:
    fixed = os.environ.get(OVERRIDE, "").strip()
    if fixed:
        try:
            return date.fromisoformat(fixed)
        except ValueError:
            from lifecycle.errors import UsageError

            raise UsageError(f"{OVERRIDE}={fixed!r}: write the day as YYYY-MM-DD, or unset it") from None
    return datetime.now(CHINA).date()

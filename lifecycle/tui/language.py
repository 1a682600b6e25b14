"""The language the terminal UI speaks to this user: LIFECYCLE_LANG (zh or en), else the
locale (zh_* → Chinese), else English."""

from __future__ import annotations

import os

LANGUAGES = ("zh", "en")


def current_language() -> str:
    chosen = os.environ.get("LIFECYCLE_LANG", "").strip().lower()
    if chosen in LANGUAGES:
        return chosen
    # POSIX precedence: LC_ALL overrides LC_MESSAGES, which overrides LANG.
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "").strip()
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"

"""The language of what the product writes for people (reports, calendars): Chinese or English.

From `LIFECYCLE_LANG` (`zh` or `en`), else the locale (`zh_*` is Chinese), else English. JSON
keys and codes never depend on it.
"""

from __future__ import annotations

import os

LANGUAGES = ("zh", "en")


def language() -> str:
    chosen = os.environ.get("LIFECYCLE_LANG", "").strip().lower()
    if chosen.startswith("zh"):
        return "zh"
    if chosen.startswith("en"):
        return "en"
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def chinese() -> bool:
    return language() == "zh"

"""Naming patterns of programme definitions, compiled with RE2: matching takes time linear in
the name whatever the pattern, so a definition from a directory (`(x+x+)+y`) cannot hang a
write transaction by catastrophic backtracking. A pattern RE2 cannot compile (backreferences,
lookaround) is refused by `programmes check` and when the definition loads."""

from __future__ import annotations

from functools import cache
from typing import Any

#: A longer pattern is not a naming rule; refused rather than compiled.
MAX_PATTERN_LENGTH = 1000


class PatternError(ValueError):
    """A naming pattern RE2 does not accept; the message says why."""


@cache
def pattern(text: str, *, ignore_case: bool = False) -> Any:
    """The compiled pattern (cached: the same few patterns are matched again and again)."""
    import re2

    if len(text) > MAX_PATTERN_LENGTH:
        raise PatternError(f"a naming pattern has at most {MAX_PATTERN_LENGTH} characters")
    options = re2.Options()
    options.log_errors = False  # the error is reported, not logged to stderr by the library
    options.case_sensitive = not ignore_case
    options.max_mem = 8 << 20
    try:
        return re2.compile(text, options=options)
    except re2.error as error:
        detail = error.args[0].decode() if error.args and isinstance(error.args[0], bytes) else str(error)
        raise PatternError(
            f"pattern {text!r} is not accepted ({detail}): naming patterns use the "
            "linear-time RE2 syntax, without backreferences or lookaround"
        ) from None

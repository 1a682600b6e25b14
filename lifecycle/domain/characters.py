"""Characters a person can see: control and format characters are refused on the way in
(names, user names, text fields, reasons) and escaped on the way out (terminal, TUI, JSON).

A terminal obeys ESC sequences (colours, clearing the screen, setting the window title),
C1 controls (U+009B is a one-byte CSI), CR/LF (a forged second line), bidi overrides
(U+202E shows `txt.exe` as `exe.txt`) and zero-width characters (two names that look the
same and are not). None of them belongs in a name or a reason, and text stored before
this rule existed is shown escaped (`\\x1b`, `\\u202e`), never raw.
"""

from __future__ import annotations

import re
import unicodedata

#: Unicode categories never accepted in names and text: controls (C0, DEL, C1), format
#: characters (bidi overrides and isolates, zero-width space/joiners, BOM, soft hyphen),
#: line and paragraph separators, surrogates, private use and unassigned code points.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})

_C0_NAMES = {
    0x00: "NUL",
    0x07: "BEL",
    0x08: "BS",
    0x09: "TAB",
    0x0A: "LF",
    0x0B: "VT",
    0x0C: "FF",
    0x0D: "CR",
    0x1B: "ESC",
    0x7F: "DEL",
}

#: The hidden characters that can occur in JSON output with ensure_ascii=False (JSON itself
#: escapes U+0000–U+001F): DEL, C1 and the format/separator characters, by range.
_JSON_HIDDEN = re.compile(
    "[\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)


def _hidden(char: str, allow: str) -> bool:
    return char not in allow and unicodedata.category(char) in HIDDEN_CATEGORIES


def describe(char: str) -> str:
    """`U+001B (ESC)`, `U+202E (RIGHT-TO-LEFT OVERRIDE)`: a character named for a message."""
    code = ord(char)
    name = _C0_NAMES.get(code) or unicodedata.name(char, "")
    if not name and 0x80 <= code <= 0x9F:
        name = "C1 control"
    return f"U+{code:04X}" + (f" ({name})" if name else "")


def hidden_character_problem(text: str, what: str, *, allow_tab: bool = False) -> str | None:
    """Why `text` cannot be stored as `what` (a name, a user name, a reason), or None.

    Names the first offending character and its position, and says what to do.
    """
    allow = "\t" if allow_tab else ""
    if text.isprintable():
        return None
    for index, char in enumerate(text):
        if _hidden(char, allow):
            return (
                f"{what} contains the control or format character {describe(char)} at "
                f"position {index + 1}; {what}s are plain visible text — remove it "
                "(terminal escapes, line breaks, bidi overrides and zero-width characters "
                "are not accepted)"
            )
    return None


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with every control or format character escaped (`\\x1b`, `\\u202e`), so stored
    text never drives a terminal. Text without any comes back unchanged (the common case)."""
    if text.isprintable():
        return text
    out = []
    for char in text:
        if _hidden(char, "\n" if keep_newlines else ""):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(char)
    return "".join(out)


def printable_data(value: object) -> object:
    """`printable` over every string in a view (dicts, lists), keys included."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable_data(k): printable_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [printable_data(v) for v in value]
    return value


def json_safe(encoded: str) -> str:
    """JSON text with the hidden characters JSON leaves raw (DEL, C1, bidi, zero-width)
    written as `\\uXXXX` escapes: the same value once parsed, harmless on a terminal."""
    return _JSON_HIDDEN.sub(lambda m: "".join(f"\\u{u:04x}" for u in _utf16(m.group())), encoded)


def _utf16(char: str) -> list[int]:
    code = ord(char)
    if code < 0x10000:
        return [code]
    code -= 0x10000
    return [0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)]

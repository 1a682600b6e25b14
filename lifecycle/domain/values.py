"""Field values as people type them (`--set key=value`) and as the domain compares them.

Numbers are kept as int when integral, else float, so that they survive JSON;
comparisons go through Decimal so that `15%` equals the threshold `0.15`
exactly.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from lifecycle.domain.dates import parse_date

TRUE_WORDS = {"true", "yes", "y", "1"}
FALSE_WORDS = {"false", "no", "n", "0"}
FIELD_TYPES = ("bool", "number", "int", "ratio", "date", "text", "choice", "ground")

JsonValue = bool | int | float | str | None


class InvalidValue(ValueError):
    """A value that does not fit its field's type; the message says what would."""


def _decimal(raw: str) -> Decimal:
    cleaned = raw.strip().replace("_", "").replace(",", "")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidValue(f"{raw!r} is not a number (write e.g. 3000000000 or 3e9)") from None
    if not number.is_finite():
        raise InvalidValue(f"{raw!r} is not a finite number")
    return number


def _json_number(number: Decimal) -> int | float:
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def parse_value(
    type_: str, raw: Any, *, choices: tuple[str, ...] | list[str] | None = None
) -> JsonValue:
    """Turn `raw` (text from the command line, or a value from a file) into a stored value."""
    if type_ == "bool":
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise InvalidValue(f"{raw!r} is not true or false")
    if type_ in ("number", "ratio"):
        if isinstance(raw, bool):
            raise InvalidValue(f"{raw!r} is not a number")
        text = str(raw).strip()
        if type_ == "ratio" and text.endswith("%"):
            return _json_number(_decimal(text[:-1]) / 100)
        return _json_number(_decimal(text))
    if type_ == "int":
        if isinstance(raw, bool):
            raise InvalidValue(f"{raw!r} is not a whole number")
        number = _decimal(str(raw))
        if number != number.to_integral_value():
            raise InvalidValue(f"{raw!r} is not a whole number")
        return int(number)
    if type_ == "date":
        if isinstance(raw, date):
            return raw.isoformat()
        try:
            return parse_date(str(raw).strip()).isoformat()
        except ValueError as error:
            raise InvalidValue(str(error)) from None
    if type_ in ("choice", "ground"):
        word = str(raw).strip()
        if not choices or word not in choices:
            raise InvalidValue(f"{raw!r} is not one of: {', '.join(choices or ())}")
        return word
    if type_ == "text":
        text = str(raw).strip()
        if not text:
            raise InvalidValue("an empty text is not a value")
        return text
    raise InvalidValue(f"unknown field type {type_!r}")


def comparable(value: Any) -> Any:
    """What a criterion compares: Decimal for numbers, the value itself otherwise."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    return value


def show(value: Any, type_: str | None = None) -> str:
    """A value as a person reads it in a reason: 12% for ratios, 3,000,000,000 for money."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "missing"
    if type_ == "ratio" and isinstance(value, int | float | Decimal):
        percent = Decimal(str(value)) * 100
        return f"{percent.normalize():f}%"
    if isinstance(value, int | float | Decimal) and type_ in ("number", "int", None):
        number = Decimal(str(value))
        if number == number.to_integral_value():
            return f"{int(number):,}"
        return f"{number:,}"
    return str(value)

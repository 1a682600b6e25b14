"""Field values as people type them (`--set key=value`) and as the domain compares them.

Numbers are kept as int when integral, else float, so that they survive JSON;
comparisons go through Decimal so that `15%` equals the threshold `0.15`
exactly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from lifecycle.domain.characters import hidden_character_problem
from lifecycle.domain.dates import FULL_WIDTH, DateProblem, parse_date
from lifecycle.domain.messages import N_, Message, message, render

#: Yes and no as people write them, English and Chinese (是/否, 有/无).
TRUE_WORDS = {"true", "yes", "y", "1", "是", "有", "对"}
FALSE_WORDS = {"false", "no", "n", "0", "否", "无", "没有", "不是"}
FIELD_TYPES = ("bool", "number", "int", "ratio", "date", "text", "choice", "ground")

JsonValue = bool | int | float | str | None

#: The range of each type when the definition states none (docs/cli.md, "Values").
#: Amounts: up to a billion billion (10^18 yuan, far above any budget) either way; whole
#: numbers: what JSON readers (JavaScript, Excel) hold exactly, 2^53 - 1; shares: 0 to 100%.
NUMBER_BOUND = Decimal(10) ** 18
INT_BOUND = Decimal(2**53 - 1)
RATIO_MIN, RATIO_MAX = Decimal(0), Decimal(1)
#: A number closer to zero than this (and not zero) is a typo, not a value: refused rather
#: than silently rounded to 0 (1e-400 used to become 0).
SMALLEST = Decimal("1e-9")
#: Most significant digits kept: beyond them a float (what JSON stores) rounds the value.
MAX_DIGITS = 15

#: Text length caps per kind of text (characters), refused beyond (docs/cli.md, "Values").
MAX_TEXT_LENGTH = 500
MAX_REASON_LENGTH = 2000


#: A number: an optional sign, digits (grouped by threes with `,` or `_` throughout, or not
#: grouped at all), an optional fraction and exponent. `1,2,3` and `1__0` do not match.
_NUMBER = re.compile(
    r"""
    (?P<sign>[+-])?
    (?P<whole>\d{1,3}(?:,\d{3})+|\d{1,3}(?:_\d{3})+|\d+)?
    (?:\.(?P<fraction>\d+))?
    (?:[eE](?P<exponent>[+-]?\d{1,4}))?
    """,
    re.VERBOSE | re.ASCII,
)
#: Chinese magnitudes and the currency word: 2亿, 20000万, 3.2亿元, 5000元, 1.5万亿.
_UNITS = re.compile(r"(?P<number>.*?)\s*(?P<unit>万亿|亿|万)?\s*(?P<yuan>元|人民币元)?", re.DOTALL)
_MAGNITUDE = {None: 1, "万": 10**4, "亿": 10**8, "万亿": 10**12}


class InvalidValue(ValueError):
    """A value that does not fit its field's type; the message says what would.

    Raised with a message id (marked `N_`) and its values, so that a refusal can show it in the
    person's language (`term()`); `str(error)` is the English text."""

    def __init__(self, text: str, params: Mapping[str, Any] | None = None) -> None:
        self.template = text
        self.params = dict(params or {})
        super().__init__(render(text, self.params) if self.params else text)

    def term(self) -> Message:
        return message(self.template, self.params)


def normalise(raw: str) -> str:
    """Full-width digits, signs and ％ as ASCII; surrounding spaces removed."""
    return raw.translate(FULL_WIDTH).strip()


def _decimal(raw: str, *, chinese_units: bool = False) -> Decimal:
    """A number by the grammar above; with `chinese_units`, 万/亿 multiply and 元 may follow."""
    text = normalise(raw)
    factor = 1
    if chinese_units:
        units = _UNITS.fullmatch(text)
        if units and (units["unit"] or units["yuan"]):
            text, factor = units["number"].strip(), _MAGNITUDE[units["unit"]]
    match = _NUMBER.fullmatch(text)
    if not text or match is None or (match["whole"] is None and match["fraction"] is None):
        raise InvalidValue(
            N_(
                "{raw} is not a number (write e.g. 3000000000, 3,000,000,000, 3e9, 2亿, 3.2亿元 or 20000万; "
                "commas only between groups of three digits)"
            )
            if chinese_units
            else N_(
                "{raw} is not a number (write e.g. 3000000000, 3,000,000,000, 3e9; "
                "commas only between groups of three digits)"
            ),
            {"raw": repr(raw)},
        )
    cleaned = "".join(
        part
        for part in (
            match["sign"],
            (match["whole"] or "0").replace(",", "").replace("_", ""),
            f".{match['fraction']}" if match["fraction"] else "",
            f"e{match['exponent']}" if match["exponent"] else "",
        )
        if part
    )
    try:
        number = Decimal(cleaned) * factor
    except InvalidOperation:  # pragma: no cover - the grammar admits only what Decimal reads
        raise InvalidValue(f"{raw!r} is not a number") from None
    if number != 0 and abs(number) < SMALLEST:
        raise InvalidValue(f"{raw!r} is too close to zero to be a value (smallest: {SMALLEST}, or 0)")
    return number


def _json_number(number: Decimal, raw: Any, bound: Decimal = NUMBER_BOUND) -> int | float:
    if abs(number) > bound:
        raise InvalidValue(f"{raw!r} is beyond the largest value a field of this type holds (±{bound:,.0f})")
    if number == number.to_integral_value():
        return int(number)
    if len(number.normalize().as_tuple().digits) > MAX_DIGITS:
        raise InvalidValue(f"{raw!r} has more than {MAX_DIGITS} significant digits")
    return float(number)


def default_bounds(type_: str) -> tuple[Decimal | None, Decimal | None]:
    """The range of a type when its definition gives none."""
    if type_ == "number":
        return -NUMBER_BOUND, NUMBER_BOUND
    if type_ == "int":
        return -INT_BOUND, INT_BOUND
    if type_ == "ratio":
        return RATIO_MIN, RATIO_MAX
    return None, None


def parse_value(
    type_: str,
    raw: Any,
    *,
    choices: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> JsonValue:
    """Turn `raw` (text from the command line, or a value from a file) into a stored value.

    `labels` maps other names of a choice (its Chinese label) to the choice itself.
    """
    if type_ == "bool":
        if isinstance(raw, bool):
            return raw
        word = normalise(str(raw)).lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise InvalidValue(N_("{raw} is not true or false (true/false, yes/no, 是/否)"), {"raw": repr(raw)})
    if type_ in ("number", "ratio"):
        if isinstance(raw, bool):
            raise InvalidValue(N_("{raw} is not a number"), {"raw": repr(raw)})
        if isinstance(raw, int | float | Decimal):
            raw = repr(raw) if isinstance(raw, float) else str(raw)
        text = normalise(str(raw))
        if type_ == "ratio" and text.endswith("%"):
            return _json_number(_decimal(text[:-1]) / 100, raw)
        return _json_number(_decimal(text, chinese_units=type_ == "number"), raw)
    if type_ == "int":
        if isinstance(raw, bool):
            raise InvalidValue(N_("{raw} is not a whole number"), {"raw": repr(raw)})
        number = _decimal(str(raw), chinese_units=True)
        if number != number.to_integral_value():
            raise InvalidValue(N_("{raw} is not a whole number"), {"raw": repr(raw)})
        return _json_number(number, raw, INT_BOUND)
    if type_ == "date":
        if isinstance(raw, date):
            raw = raw.isoformat()
        try:
            return parse_date(str(raw)).isoformat()
        except ValueError as error:
            problem = error.term() if isinstance(error, DateProblem) else None
            if problem is not None:
                raise InvalidValue(problem.template, dict(problem.params)) from None
            raise InvalidValue(str(error)) from None
    if type_ in ("choice", "ground"):
        word = normalise(str(raw))
        if choices and word in choices:
            return word
        if labels and word in labels:
            return labels[word]
        allowed = ", ".join(choices or ())
        named = [label for c in choices or () if (label := _label_of(c, labels))]
        if named:
            raise InvalidValue(
                N_("{raw} is not one of: {allowed} (or in Chinese: {named})"),
                {"raw": repr(raw), "allowed": allowed, "named": ", ".join(named)},
            )
        raise InvalidValue(N_("{raw} is not one of: {allowed}"), {"raw": repr(raw), "allowed": allowed})
    if type_ == "text":
        text = str(raw).strip()
        if not text:
            raise InvalidValue(N_("an empty text is not a value"))
        check_text(text, "text", MAX_TEXT_LENGTH)
        return text
    raise InvalidValue(f"unknown field type {type_!r}")


def _label_of(choice: str, labels: Mapping[str, str] | None) -> str | None:
    return next((label for label, code in (labels or {}).items() if code == choice and label != choice), None)


def check_text(text: str, what: str, limit: int, *, allow_tab: bool = False) -> None:
    """InvalidValue unless `text` is at most `limit` characters of visible text."""
    if len(text) > limit:
        raise InvalidValue(f"a {what} has at most {limit} characters (this one has {len(text)})")
    problem = hidden_character_problem(text, what, allow_tab=allow_tab)
    if problem:
        raise InvalidValue(problem)


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


#: The unit a money field's label names, `近三年平均营业收入(元)`, `(CNY)`: its amounts are
#: shown in Chinese as the policy documents write them, 30亿元, 2000万元.
_MONEY_LABEL = re.compile(r"[(（]\s*(元|人民币元|CNY|RMB)\s*[)）]\s*$", re.IGNORECASE)
_YI, _WAN = Decimal(10) ** 8, Decimal(10) ** 4


def is_money(field: Any) -> bool:
    """A number field whose label names 元 (yuan) as its unit."""
    if field is None or getattr(field, "type", None) not in ("number", "int"):
        return False
    return any(_MONEY_LABEL.search(label or "") for label in (getattr(field, "zh", None), getattr(field, "en", None)))


def _plain(number: Decimal) -> str:
    return f"{number.normalize():f}"


def yuan(amount: Any) -> str:
    """An amount of yuan as a Chinese document writes it: 30亿元, 1.5亿元, 2000万元, 800元; in 亿 when
    that needs at most four decimals, else in 万 with at most two, else in 元."""
    number = Decimal(str(amount))
    size = abs(number)
    if size >= _YI and (number / _YI) == (number / _YI).quantize(Decimal("0.0001")):
        return f"{_plain(number / _YI)}亿元"
    if size >= _WAN and (number / _WAN) == (number / _WAN).quantize(Decimal("0.01")):
        return f"{_plain(number / _WAN)}万元"
    return f"{show(number, 'number')}元"


def display_date(value: Any, lang: str = "en") -> str:
    """A date for a text view: 2024年10月1日 in Chinese, 2024-10-01 in English; a text that is not
    an ISO date as it is."""
    day = value
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(day, date):
        return "" if value is None else str(value)
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


def display(field: Any, value: Any, lang: str = "en") -> str:
    """A field's value in a text view, in `lang` (`zh` or `en`). `field` is the field's definition
    (a FieldDef: type, labels; None when the definition no longer has it).

    In Chinese: yes/no as 是/否, ratios as percentages (0.11 → 11%), amounts of yuan as the
    policy documents write them (3000000000 → 30亿元), other numbers with thousands separators,
    dates as 2024年10月1日, choices by their Chinese label. In English, as stored (true/false,
    ISO dates, codes), which is what `cases show` has always printed. JSON and CSV never go
    through here: they keep the stored value.
    """
    if value is None:
        return "—" if lang == "zh" else "None"
    type_ = getattr(field, "type", None)
    if lang != "zh":
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if type_ == "date" or isinstance(value, date):
        return display_date(value, "zh")
    if isinstance(value, int | float | Decimal):
        if type_ == "ratio":
            return show(value, "ratio")
        if is_money(field):
            return yuan(value)
        return show(value, "number")
    if type_ == "choice" and isinstance(value, str):
        labels = field.choice_labels() if hasattr(field, "choice_labels") else {}
        return labels.get(value, value)
    return str(value)

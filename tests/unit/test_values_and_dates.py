"""Values as people type them (`--set`) and the calendar rules of PROGRAMMES.md."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lifecycle.domain.dates import add_days, add_years, parse_date
from lifecycle.domain.decide import decide, open_case
from lifecycle.domain.values import InvalidValue, comparable, parse_value, show
from lifecycle.errors import Refused
from lifecycle.programmes.catalogue import Catalogue

BJ = Catalogue.load().current("bj-tic")


def test_a_percentage_ratio_equals_its_fraction():
    assert parse_value("ratio", "12%") == pytest.approx(0.12)
    assert comparable(parse_value("ratio", "12%")) == Decimal("0.12")
    assert comparable(parse_value("ratio", "15%")) == comparable(0.15)
    assert parse_value("ratio", "0.12") == parse_value("ratio", "12%")


def test_a_ratio_of_59_99_percent_is_below_60_percent():
    assert comparable(parse_value("ratio", "59.99%")) < comparable(0.60)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3e9", 3_000_000_000),
        ("3E9", 3_000_000_000),
        ("3000000000", 3_000_000_000),
        ("3,000,000,000", 3_000_000_000),
        ("3_000_000_000", 3_000_000_000),
        (" 20000000 ", 20_000_000),
        ("1.5e9", 1_500_000_000),
        ("0.5", 0.5),
    ],
)
def test_numbers_may_be_written_in_several_ways(text, expected):
    value = parse_value("number", text)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        ("yes", True),
        ("1", True),
        ("y", True),
        ("false", False),
        ("no", False),
        ("0", False),
        (" False ", False),
        (True, True),
    ],
)
def test_booleans_accept_the_usual_words(text, expected):
    assert parse_value("bool", text) is expected


@pytest.mark.parametrize(
    ("type_", "text"),
    [
        ("number", "abc"),
        ("number", ""),
        ("number", "nan"),
        ("number", "inf"),
        ("number", "12%"),
        ("number", True),
        ("ratio", "x%"),
        ("ratio", "%"),
        ("bool", "maybe"),
        ("bool", ""),
        ("int", "2025.5"),
        ("int", "twenty"),
        ("int", True),
        ("date", "2025-1-10"),
        ("date", "2025-02-30"),
        ("text", "   "),
    ],
)
def test_values_that_do_not_fit_their_type_are_invalid(type_, text):
    with pytest.raises(InvalidValue):
        parse_value(type_, text)


def test_a_choice_must_be_one_of_its_choices():
    assert parse_value("choice", " pass ", choices=["pass", "fail"]) == "pass"
    with pytest.raises(InvalidValue, match="pass, fail"):
        parse_value("choice", "good", choices=["pass", "fail"])


def test_an_int_and_a_date_parse():
    assert parse_value("int", "2025") == 2025
    assert parse_value("date", "2025-01-10") == "2025-01-10"


def test_values_are_shown_as_people_read_them():
    assert show(0.12, "ratio") == "12%"
    assert show(3_000_000_000, "number") == "3,000,000,000"
    assert show(True) == "true"
    assert show(None) == "missing"


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("avg_revenue_3y", "lots"),
        ("rd_ratio_3y", "twelve%"),
        ("registered_in_beijing", "perhaps"),
        ("committed_rd_3y_avg", "nan"),
    ],
)
def test_a_bad_value_is_refused_with_code_invalid_field_naming_the_field(field, text):
    case = open_case(BJ, "某某中心", date(2024, 9, 1), "admin").case
    with pytest.raises(Refused) as caught:
        decide(BJ, case, "submit", date(2024, 10, 1), "admin", {field: text})
    invalid = [r for r in caught.value.reasons if r.code == "invalid_field"]
    assert len(invalid) == 1
    assert invalid[0].details == {"field": field}
    assert invalid[0].clause == BJ.definition.fields[field].clause


def test_a_bad_value_is_refused_when_opening_a_case_too():
    with pytest.raises(Refused) as caught:
        open_case(BJ, "某某中心", date(2024, 9, 1), "admin", {"avg_revenue_3y": "3 billion"})
    assert [r.code for r in caught.value.reasons] == ["invalid_field"]


def test_an_unknown_field_is_refused_and_the_known_ones_are_listed():
    case = open_case(BJ, "某某中心", date(2024, 9, 1), "admin").case
    with pytest.raises(Refused) as caught:
        decide(BJ, case, "withdraw", date(2024, 10, 1), "admin", {"revenue": "3e9"})
    reasons = caught.value.reasons
    assert [r.code for r in reasons] == ["unknown_field"]
    assert "avg_revenue_3y" in reasons[0].message
    with pytest.raises(Refused) as caught:
        open_case(BJ, "某某中心", date(2024, 9, 1), "admin", {"revenue": "3e9"})
    assert [r.code for r in caught.value.reasons] == ["unknown_field"]


def test_a_case_needs_a_non_empty_name():
    with pytest.raises(Refused) as caught:
        open_case(BJ, "  ", date(2024, 9, 1), "admin")
    assert [r.code for r in caught.value.reasons] == ["invalid_field"]


# -- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (date(2025, 1, 10), 5, date(2030, 1, 10)),
        (date(2028, 2, 29), 5, date(2033, 2, 28)),
        (date(2028, 2, 29), 3, date(2031, 2, 28)),
        (date(2024, 2, 29), 4, date(2028, 2, 29)),
        (date(2025, 12, 31), 3, date(2028, 12, 31)),
    ],
)
def test_n_years_after_a_date_is_the_same_month_and_day_with_29_february_to_28(day, years, expected):
    assert add_years(day, years) == expected


def test_n_days_after_a_date_is_plain_day_arithmetic():
    assert add_days(date(2028, 3, 1), 180) == date(2028, 8, 28)
    assert add_days(date(2030, 1, 10), -180) == date(2029, 7, 14)
    assert add_days(date(2024, 2, 28), 1) == date(2024, 2, 29)


@pytest.mark.parametrize("text", ["2025-1-10", "10/01/2025", "2025-02-30", "", "2025-01-10T00"])
def test_a_date_must_be_written_yyyy_mm_dd(text):
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_date(text)


def test_a_well_formed_date_parses():
    assert parse_date("2024-09-14") == date(2024, 9, 14)

"""Values as Chinese offices write them are read; lenient or out-of-range numbers and dates are
refused with the value named, instead of being read as something else."""

from __future__ import annotations

from datetime import date

import pytest

from lifecycle.domain.dates import parse_date
from lifecycle.domain.decide import decide, open_case
from lifecycle.domain.values import InvalidValue, parse_value
from lifecycle.errors import Refused
from lifecycle.programmes.catalogue import Catalogue

CATALOGUE = Catalogue.load()
BJ = CATALOGUE.current("bj-tic")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2亿", 200_000_000),
        ("20000万", 200_000_000),
        ("3.2亿元", 320_000_000),
        ("5000元", 5000),
        ("1.5万亿", 1_500_000_000_000),
        ("２亿", 200_000_000),
        ("３０００００００００", 3_000_000_000),
        ("3,000,000,000", 3_000_000_000),
        ("3_000_000_000", 3_000_000_000),
        (" 3.2亿 ", 320_000_000),
    ],
)
def test_amounts_are_read_with_wan_yi_and_yuan_and_full_width_digits(text, expected):
    assert parse_value("number", text) == expected


@pytest.mark.parametrize(("text", "expected"), [("11％", 0.11), ("１１%", 0.11), ("60%", 0.6)])
def test_a_share_may_be_typed_with_a_full_width_percent_sign(text, expected):
    assert parse_value("ratio", text) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "expected"), [("是", True), ("否", False), ("有", True), ("无", False), ("　是　", True)]
)
def test_yes_and_no_may_be_typed_in_chinese(text, expected):
    assert parse_value("bool", text) is expected


@pytest.mark.parametrize(
    "text",
    [
        "2024/10/1",
        "2024/10/01",
        "2024年10月1日",
        "2024年10月01日",
        "２０２４年１０月１日",
        "2024-10-01",
        "2024 年 10 月 1 日",
    ],
)
def test_dates_are_read_in_the_forms_offices_write(text):
    assert parse_date(text) == date(2024, 10, 1)


@pytest.mark.parametrize(
    "text",
    [
        "1,2,3",
        "1__0",
        "1_0",
        "12,34",
        ",100",
        "1,000,00",
        "1e",
        "e5",
        "--1",
        "1.2.3",
        "0x10",
        "1 000",
        "亿",
        "2亿亿",
        "3%",
    ],
)
def test_stray_commas_underscores_and_other_malformed_numbers_are_refused(text):
    with pytest.raises(InvalidValue, match="is not a number"):
        parse_value("number", text)


@pytest.mark.parametrize("text", ["1e-400", "-1e-12"])
def test_a_number_too_close_to_zero_is_refused_rather_than_read_as_zero(text):
    with pytest.raises(InvalidValue, match="too close to zero"):
        parse_value("number", text)


@pytest.mark.parametrize(
    ("type_", "text"),
    [
        ("number", "1e309"),
        ("number", "2e18"),
        ("int", "9007199254740993"),
        ("int", "1e20"),
        ("number", "-1e19"),
        ("ratio", "1e309%"),
    ],
)
def test_a_magnitude_beyond_the_type_is_refused_not_stored_as_a_310_digit_integer(type_, text):
    with pytest.raises(InvalidValue, match="beyond the largest value"):
        parse_value(type_, text)


def test_a_share_above_100_percent_is_refused_even_where_the_definition_sets_only_a_minimum():
    case = open_case(BJ, "北京市测试技术创新中心", date(2024, 10, 1), "admin").case
    with pytest.raises(Refused) as caught:
        decide(BJ, case, "submit", date(2024, 10, 2), "admin", {"rd_ratio_3y": "500%"})
    bad = [r for r in caught.value.reasons if r.code == "invalid_field"]
    assert bad and "above 100%" in bad[0].message and bad[0].details["field"] == "rd_ratio_3y"


def test_a_growth_rate_may_exceed_100_percent_where_the_definition_says_so():
    spec = BJ.definition.fields["rd_growth_last_year"]
    assert spec.max_value is not None and spec.max_value > 1
    case = open_case(BJ, "北京市测试技术创新中心", date(2024, 10, 1), "admin").case
    with pytest.raises(Refused) as caught:
        decide(BJ, case, "submit", date(2024, 10, 2), "admin", {"rd_growth_last_year": "150%"})
    assert not [r for r in caught.value.reasons if r.code == "invalid_field"]


@pytest.mark.parametrize("text", ["9999-12-31", "1899-12-31", "2200-01-01", "0001-01-01"])
def test_dates_outside_1900_to_2199_are_refused_naming_the_value(text):
    with pytest.raises(ValueError, match=f"{text!r} is out of range"):
        parse_date(text)


def test_a_choice_is_accepted_by_its_chinese_label_from_the_definition():
    zone = CATALOGUE.current("hitech-zone")
    case = open_case(zone, "某国家高新区", date(2022, 1, 1), "admin", {"category": "世界领先科技园区"}).case
    assert case.fields["category"] == "world-leading"
    national = CATALOGUE.current("national-tic")
    case = open_case(national, "长三角国家技术创新中心", date(2022, 1, 1), "admin", {"kind": "综合类"}).case
    assert case.fields["kind"] == "comprehensive"


def test_a_revocation_ground_is_accepted_by_its_chinese_label():
    spec = BJ.param_spec(BJ.definition.triggers["revoke"], "ground")
    label = BJ.definition.grounds["false_materials"].zh
    assert parse_value(spec.type, label, choices=spec.choices, labels=spec.label_names()) == "false_materials"


def test_a_wrong_choice_lists_the_codes_and_their_chinese_labels():
    zone = CATALOGUE.current("hitech-zone")
    with pytest.raises(Refused) as caught:
        open_case(zone, "某国家高新区", date(2022, 1, 1), "admin", {"category": "科学城"})
    assert "世界领先科技园区" in caught.value.reasons[0].message


@pytest.mark.parametrize("text", ["a\x1bb", "line\nbreak", "\u202egnp.exe", "zero\u200bwidth", "x" * 501])
def test_a_text_field_refuses_control_characters_and_overlong_text(text):
    with pytest.raises(InvalidValue):
        parse_value("text", text)


@pytest.mark.parametrize(
    ("code", "label", "expected"),
    [
        ("bj-tic", "合格", "pass"),
        ("bj-tic", "不合格", "fail"),
        ("national-tic", "优秀", "excellent"),
        ("national-tic", "较差", "poor"),
    ],
)
def test_an_assessment_grade_is_accepted_by_its_chinese_label(code, label, expected):
    programme = CATALOGUE.current(code)
    trigger = next(t for t in programme.definition.triggers.values() if "grade" in t.params)
    spec = programme.param_spec(trigger, "grade")
    assert parse_value(spec.type, label, choices=spec.choices, labels=spec.label_names()) == expected

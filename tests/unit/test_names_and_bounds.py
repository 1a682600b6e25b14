"""Names in either official form (第三十二条) and values outside a field's bounds."""

from __future__ import annotations

from datetime import date

import pytest

from lifecycle.domain.decide import decide, open_case
from lifecycle.errors import Refused
from lifecycle.programmes.catalogue import Catalogue

CATALOGUE = Catalogue.load()
NATIONAL = CATALOGUE.current("national-tic")
BJ = CATALOGUE.current("bj-tic")
ON = date(2021, 3, 1)


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("comprehensive", "Yangtze River Delta National Center of Technology Innovation"),
        ("domain", "National Center of Technology Innovation for Rail Transit"),
        ("domain", "national center of technology innovation for rail transit"),
    ],
)
def test_a_centre_may_be_named_in_the_english_form_article_32_gives_its_kind(kind, name):
    assert open_case(NATIONAL, name, ON, "admin", {"kind": kind}).case.name == name


def test_an_english_name_of_the_other_kind_is_refused_with_both_forms_shown():
    with pytest.raises(Refused) as caught:
        open_case(
            NATIONAL,
            "National Center of Technology Innovation for Rail Transit",
            ON,
            "admin",
            {"kind": "comprehensive"},
        )
    reason = caught.value.reasons[0]
    assert reason.code == "name_rule" and reason.clause == "第三十二条"
    assert "××国家技术创新中心" in reason.message and "National Center of Technology Innovation" in reason.message


def test_spaces_around_a_name_are_not_part_of_it():
    case = open_case(NATIONAL, "  长三角国家技术创新中心 ", ON, "admin", {"kind": "comprehensive"}).case
    assert case.name == "长三角国家技术创新中心"


@pytest.mark.parametrize("written", ["60", "150%", "-5%"])
def test_a_share_outside_zero_to_one_is_refused_rather_than_read_as_a_percentage(written):
    case = open_case(BJ, "北京市测试技术创新中心", date(2024, 10, 1), "admin").case
    with pytest.raises(Refused) as caught:
        decide(BJ, case, "submit", date(2024, 10, 2), "admin", {"domestic_rd_share": written})
    bad = [r for r in caught.value.reasons if r.code == "invalid_field"]
    assert bad and bad[0].details["field"] == "domestic_rd_share"
    assert bad[0].clause == "第五条(四)"


def test_a_date_before_the_state_was_entered_is_refused_under_the_shared_rules():
    case = open_case(BJ, "北京市测试技术创新中心", date(2024, 10, 1), "admin").case
    with pytest.raises(Refused) as caught:
        decide(BJ, case, "withdraw", date(2024, 9, 30), "admin")
    assert caught.value.reasons[0].code == "before_state_entry"
    assert caught.value.reasons[0].clause == "the project's own rule"
    assert caught.value.reasons[0].default is True

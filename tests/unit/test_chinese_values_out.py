"""Values out in Chinese mode: amounts as the policy documents write them (30亿元, 2000万元),
ratios as percentages, 是/否, dates as 2024年10月1日, choices by their label; English as stored."""

from __future__ import annotations

from datetime import date

import pytest

from lifecycle.domain.values import display, display_date, is_money, yuan
from lifecycle.programmes.catalogue import Catalogue

CATALOGUE = Catalogue.load()
BJ = CATALOGUE.current("bj-tic").definition.fields


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (3_000_000_000, "30亿元"),
        (3_200_000_000, "32亿元"),
        (150_000_000, "1.5亿元"),
        (20_000_000, "2000万元"),
        (35_000, "3.5万元"),
        (800, "800元"),
        (123_456_789, "123,456,789元"),
    ],
)
def test_an_amount_of_yuan_reads_in_yi_or_wan_as_the_documents_write_it(amount: int, shown: str) -> None:
    assert yuan(amount) == shown


def test_the_average_revenue_of_three_billion_reads_30_yi_yuan_in_chinese_and_as_stored_in_english() -> None:
    assert display(BJ["avg_revenue_3y"], 3_000_000_000, "zh") == "30亿元"
    assert display(BJ["committed_rd_3y_avg"], 20_000_000, "zh") == "2000万元"
    assert display(BJ["avg_revenue_3y"], 3_000_000_000, "en") == "3000000000"


def test_a_ratio_reads_as_a_percentage_and_yes_no_as_shi_fou_in_chinese() -> None:
    assert display(BJ["rd_ratio_3y"], 0.11, "zh") == "11%"
    assert display(BJ["rd_growth_last_year"], 0.055, "zh") == "5.5%"
    assert display(BJ["has_core_team"], True, "zh") == "是"
    assert display(BJ["safety_accident_3y"], False, "zh") == "否"
    assert display(BJ["has_core_team"], True, "en") == "true"
    assert display(BJ["rd_ratio_3y"], 0.11, "en") == "0.11"


def test_only_a_number_whose_label_names_yuan_is_money() -> None:
    fields = {code: p.definition.fields for code, p in ((c, CATALOGUE.current(c)) for c in CATALOGUE.codes())}
    assert is_money(BJ["avg_revenue_3y"]) and not is_money(BJ["rd_ratio_3y"])
    area = fields["ecommerce-base"]["office_area_m2"]
    exports = fields["export-base"]["hitech_exports_usd"]
    assert not is_money(area) and display(area, 12000, "zh") == "12,000"
    assert not is_money(exports) and display(exports, 5_000_000, "zh") == "5,000,000"


def test_a_date_reads_2024_nian_10_yue_1_ri_in_chinese_and_iso_in_english() -> None:
    assert display_date(date(2024, 10, 1), "zh") == "2024年10月1日"
    assert display_date("2024-10-01", "zh") == "2024年10月1日"
    assert display_date("2024-10-01", "en") == "2024-10-01"
    assert display_date("not a date", "zh") == "not a date"


def test_a_choice_reads_by_its_chinese_label() -> None:
    found = [
        (spec, code)
        for programme in CATALOGUE.codes()
        for spec in CATALOGUE.current(programme).definition.fields.values()
        if spec.type == "choice"
        for code, label in spec.choice_labels().items()
        if label != code
    ]
    assert found, "the catalogue has a choice field with Chinese labels"
    spec, code = found[0]
    assert display(spec, code, "zh") == spec.choice_labels()[code]
    assert display(spec, code, "en") == code


def test_a_field_the_definition_no_longer_has_still_shows_its_value() -> None:
    assert display(None, 0.11, "zh") == "0.11"
    assert display(None, True, "zh") == "是"
    assert display(None, None, "zh") == "—"

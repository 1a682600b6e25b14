"""The demo portfolio of the five programmes beyond the technology innovation centres.

Names, provinces and dates are realistic but illustrative: they show each
programme's procedure, rules and outcomes, not any real office's records.
Each entry: (name, opened on, fields at creation, steps (trigger, date, --set)).
"""

from __future__ import annotations

Step = tuple[str, str, dict[str, str]]
Entry = tuple[str, str, dict[str, str], list[Step]]

_NEW_BASE = {"route": "new", "provincial_policy_and_funds": "true", "leading_enterprises_top_rank": "true"}
_APPROVAL_2006: list[Step] = [("start_review", "2006-05-08", {}), ("publish_notice", "2006-05-25", {}),
                  ("approve", "2006-06-12", {})]

EXPORT_BASES: list[Entry] = [
    ("苏州工业园区科技兴贸出口创新基地", "2006-03-10", {
        "route": "re-recognition", "province": "江苏", "region": "east", "existing_base_type": "high-tech-export"}, [
        ("submit", "2006-04-18", {"has_policies": "true", "has_project_funding": "true",
                                  "has_characteristic_industry": "true"}), *_APPROVAL_2006,
        ("start_assessment", "2011-06-12", {}), ("assess", "2011-10-20", {"grade": "pass"}),
        ("file_report", "2025-12-20", {"year": "2025"}),
        ("file_data", "2026-10-12", {"year": "2026", "quarter": "3"})]),
    ("成都高新区科技兴贸出口创新基地", "2006-03-15", {
        **_NEW_BASE, "province": "四川", "region": "west", "province_has_base": "false"}, [
        ("submit", "2006-04-25", {"hitech_exports_usd": "6.8e8", "export_growth_3y": "41%",
                                  "benchmark_growth_3y": "28%"}), *_APPROVAL_2006]),
    ("武汉东湖科技兴贸出口创新基地", "2006-03-20", {
        **_NEW_BASE, "province": "湖北", "region": "central", "province_has_base": "true"}, [
        ("submit", "2006-04-28", {"hitech_exports_usd": "9.1e8", "export_growth_3y": "35%",
                                  "benchmark_growth_3y": "28%"}), *_APPROVAL_2006,
        ("start_assessment", "2011-06-12", {}), ("assess", "2011-11-02", {"grade": "pass"}),
        ("start_assessment", "2016-06-12", {}), ("assess", "2016-10-08", {"grade": "fail"})]),
    ("大连软件科技兴贸出口创新基地", "2006-03-12", {
        "route": "re-recognition", "province": "辽宁", "region": "northeast",
        "existing_base_type": "software-export"}, [
        ("submit", "2006-04-20", {"has_policies": "true", "has_project_funding": "true",
                                  "has_characteristic_industry": "true"}), *_APPROVAL_2006]),
    ("合肥新站科技兴贸出口创新基地", "2006-04-02", {
        **_NEW_BASE, "province": "安徽", "region": "central", "province_has_base": "false"}, [
        ("submit", "2006-04-29", {"hitech_exports_usd": "5.2e7", "export_growth_3y": "31%",
                                  "benchmark_growth_3y": "28%"}),
        ("start_review", "2006-05-08", {}), ("reject", "2006-05-30", {})]),
]

_ECOM_READY = {"lawful_and_planned": "true", "clear_operator": "true", "it_infrastructure": "true",
               "linked_to_local_industry": "true", "talent_and_services": "true",
               "local_government_support": "true", "covered_by_existing_base": "false"}
_REVIEW_2015: list[Step] = [("start_review", "2015-03-16", {}), ("advance_to_defence", "2015-04-20", {}),
                ("publish_notice", "2015-05-18", {}), ("approve", "2015-06-08", {})]

ECOMMERCE_BASES: list[Entry] = [
    ("杭州跨境电子商务产业园", "2014-12-15", {
        **_ECOM_READY, "province": "浙江", "province_kind": "province", "demo_cities": "4",
        "operating_since": "2012-07-01", "office_area_m2": "86000"}, [
        ("submit", "2015-02-10", {}), *_REVIEW_2015,
        ("start_assessment", "2018-06-08", {}), ("assess", "2018-09-20", {"grade": "pass"}),
        ("file_report", "2026-01-20", {"year": "2025"})]),
    ("义乌国际电子商务城", "2014-12-20", {
        **_ECOM_READY, "province": "浙江", "province_kind": "province", "demo_cities": "4",
        "operating_since": "2013-03-18", "office_area_m2": "120000"}, [
        ("submit", "2015-02-12", {}), *_REVIEW_2015,
        ("start_assessment", "2018-06-08", {}), ("assess", "2018-10-11", {"grade": "fail"}),
        ("rectified", "2019-03-15", {})]),
    ("重庆两江新区电子商务产业园", "2015-01-06", {
        **_ECOM_READY, "province": "重庆", "province_kind": "municipality", "demo_cities": "1",
        "operating_since": "2013-09-01", "office_area_m2": "45000"}, [
        ("submit", "2015-02-26", {}), *_REVIEW_2015]),
    ("厦门软件园电子商务示范基地", "2015-01-09", {
        **_ECOM_READY, "province": "厦门", "province_kind": "separately-listed-city", "demo_cities": "0",
        "operating_since": "2011-05-01", "office_area_m2": "38000"}, [
        ("submit", "2015-02-27", {}), ("start_review", "2015-03-16", {}),
        ("advance_to_defence", "2015-04-20", {}), ("reject", "2015-05-06", {})]),
    ("兰州新区电子商务产业园", "2015-02-02", {
        **_ECOM_READY, "province": "甘肃", "province_kind": "province", "demo_cities": "1",
        "operating_since": "2014-06-01", "office_area_m2": "21000"}, []),
]

HITECH_ZONES: list[Entry] = [
    ("深圳市高新技术产业园区", "1991-03-06", {"category": "world-leading", "province": "广东"}, [
        ("start_assessment", "2025-04-01", {}), ("assess", "2025-07-15", {"grade": "good"})]),
    ("武汉东湖新技术开发区", "1991-03-06", {"category": "world-leading", "province": "湖北"}, [
        ("start_assessment", "2025-04-01", {}), ("assess", "2025-07-15", {"grade": "good"}),
        ("start_assessment", "2026-04-01", {})]),
    ("南京高新技术产业开发区", "1991-03-06", {"category": "innovative-tech", "province": "江苏"}, [
        ("start_assessment", "2025-04-01", {}), ("assess", "2025-07-20", {"grade": "fair"})]),
    ("泰州医药高新技术产业开发区", "2009-03-18", {"category": "innovative-characteristic", "province": "江苏"}, [
        ("start_assessment", "2025-04-01", {}), ("assess", "2025-07-20", {"grade": "poor"})]),
    ("宝鸡高新技术产业开发区", "1992-11-09", {"category": "innovative-characteristic", "province": "陕西"}, [
        ("start_assessment", "2024-04-01", {}), ("assess", "2024-07-10", {"grade": "poor"}),
        ("rectified", "2025-05-30", {})]),
]

TECH_TRANSFER: list[Entry] = [
    ("清华大学技术转移研究院", "2009-12-01", {"province": "北京", "university_pilot": "true",
                                          "trained_staff_share": "78%"}, [
        ("start_assessment", "2024-12-01", {}), ("assess", "2025-04-10", {"grade": "pass"})]),
    ("上海技术交易所", "2019-06-01", {"province": "上海"}, [
        ("start_assessment", "2025-06-01", {})]),
    ("浙江大学技术转移中心", "2013-12-01", {"province": "浙江", "university_pilot": "true",
                                       "trained_staff_share": "72%"}, []),
    ("石家庄科技成果转化服务中心", "2016-12-01", {"province": "河北"}, [
        ("start_assessment", "2022-12-01", {}), ("assess", "2023-05-20", {"grade": "fail"})]),
]

AI_SCENARIOS: list[Entry] = [
    ("天津港智能港口示范应用场景", "2022-09-05", {"category": "smart-port", "recommender": "天津市科学技术局",
                                         "province": "天津"}, [
        ("start_review", "2022-09-26", {}), ("approve", "2022-11-18", {}),
        ("start_assessment", "2024-11-18", {}), ("assess", "2025-03-06", {"grade": "pass"})]),
    ("国家能源集团智能矿山示范应用场景", "2022-09-08", {
        "category": "smart-mine", "recommender": "内蒙古自治区科学技术厅", "province": "内蒙古"}, [
        ("start_review", "2022-09-26", {}), ("approve", "2022-11-18", {}),
        ("start_assessment", "2024-11-18", {})]),
    ("北京智慧法院示范应用场景", "2022-09-10", {"category": "smart-court", "recommender": "北京市科学技术委员会",
                                      "province": "北京"}, [
        ("start_review", "2022-09-26", {}), ("approve", "2022-11-18", {}),
        ("start_assessment", "2024-11-18", {}), ("assess", "2025-02-20", {"grade": "fail"})]),
    ("合肥智能教育示范应用场景", "2022-09-12", {
        "category": "smart-education", "recommender": "合肥市人工智能创新发展试验区", "province": "安徽"}, [
        ("start_review", "2022-09-26", {}), ("approve", "2022-11-18", {})]),
    ("青岛港智能港口示范应用场景", "2022-09-13", {"category": "smart-port", "recommender": "山东省科学技术厅",
                                        "province": "山东"}, [
        ("start_review", "2022-09-26", {}), ("reject", "2022-11-18", {})]),
]

PORTFOLIOS: dict[str, list[Entry]] = {
    "export-base": EXPORT_BASES,
    "ecommerce-base": ECOMMERCE_BASES,
    "hitech-zone": HITECH_ZONES,
    "tech-transfer": TECH_TRANSFER,
    "ai-scenario": AI_SCENARIOS,
}

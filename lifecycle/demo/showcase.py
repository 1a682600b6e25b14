"""`lifecycle demo`: a realistic portfolio of all seven programmes.

Every case is built through the same services an administrator uses, so its
history is a real audited history. Steps the compliance run would take (reviews
opening when due) are recorded as actor `system`. Idempotent: a case whose name
already exists in its programme is left alone.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from lifecycle.demo.showcase_catalogue import PORTFOLIOS
from lifecycle.services.app import Lifecycle
from lifecycle.services.cases import add_case, advance
from lifecycle.services.setup import init_database
from lifecycle.services.users import SYSTEM, Actor, require_admin

ELIGIBLE = {"registered_in_beijing": "true", "good_credit": "true", "integrates_resources": "true",
            "avg_revenue_3y": "3.2e9", "rd_ratio_3y": "11%", "rd_growth_last_year": "6%",
            "domestic_rd_share": "82%", "safety_accident_3y": "false", "has_core_team": "true"}
Step = tuple[str, str, dict[str, str]]

# (name, created on, fields at creation, steps: (trigger, date, --set))
BJ: list[tuple[str, str, dict[str, str], list[Step]]] = [
    ("北京市集成电路技术创新中心", "2024-09-20", {}, [
        ("submit", "2024-10-08", ELIGIBLE), ("start_review", "2024-11-05", {}),
        ("approve", "2025-01-10", {}), ("file_report", "2026-03-20", {"year": "2025"})]),
    ("北京市人工智能技术创新中心", "2024-09-25", {}, [
        ("submit", "2024-10-15", {**ELIGIBLE, "avg_revenue_3y": "1.5e9", "rd_ratio_3y": "16%"}),
        ("start_review", "2024-11-20", {}), ("approve", "2025-02-18", {})]),
    ("北京市生物医药技术创新中心", "2024-10-10", {}, [
        ("submit", "2024-11-01", {**ELIGIBLE, "avg_revenue_3y": "6e8", "rd_ratio_3y": "24%"}),
        ("start_review", "2024-12-02", {}), ("approve", "2025-03-06", {})]),
    ("北京市智能网联汽车技术创新中心", "2024-11-01", {}, [
        ("submit", "2024-11-28", {**ELIGIBLE, "new_legal_entity": "true",
                                  "committed_rd_3y_avg": "2.5e7", "avg_revenue_3y": "0"}),
        ("start_review", "2025-01-06", {})]),
    ("北京市量子信息技术创新中心", "2025-03-01", {}, [
        ("submit", "2025-03-20", {**ELIGIBLE, "avg_revenue_3y": "2.1e9", "rd_ratio_3y": "15%"}),
        ("start_review", "2025-04-15", {}), ("reject", "2025-06-30", {})]),
    ("北京市先进储能技术创新中心", "2025-05-12", {}, [
        ("submit", "2025-06-02", ELIGIBLE)]),
    ("北京市工业软件技术创新中心", "2025-08-01", {}, []),
    ("北京市空天信息技术创新中心", "2024-12-01", {}, [
        ("submit", "2025-01-08", ELIGIBLE), ("start_review", "2025-02-10", {}),
        ("approve", "2025-04-01", {}), ("withdraw", "2026-06-30", {})]),
]
NATIONAL: list[tuple[str, str, dict[str, str], list[Step]]] = [
    ("京津冀国家技术创新中心", "2021-03-01", {"kind": "comprehensive", "sponsor": "北京市、天津市、河北省"}, [
        ("start_review", "2021-04-12", {"independent_legal_entity": "true"}),
        ("approve", "2021-06-30", {}), ("file_report", "2022-03-15", {"year": "2021"}),
        ("file_report", "2023-03-20", {"year": "2022"}), ("file_report", "2024-03-18", {"year": "2023"}),
        ("start_assessment", "2024-06-30", {}), ("assess", "2024-11-15", {"grade": "excellent"}),
        ("file_report", "2025-03-12", {"year": "2024"}), ("file_report", "2026-03-16", {"year": "2025"})]),
    ("长三角国家技术创新中心", "2021-03-15", {"kind": "comprehensive", "sponsor": "上海市、江苏省、浙江省、安徽省"}, [
        ("start_review", "2021-04-20", {"independent_legal_entity": "true"}),
        ("approve", "2021-06-30", {}), ("start_assessment", "2024-06-30", {}),
        ("assess", "2024-12-01", {"grade": "good"})]),
    ("粤港澳大湾区国家技术创新中心", "2021-05-10", {"kind": "comprehensive", "sponsor": "广东省"}, [
        ("start_review", "2021-06-01", {"independent_legal_entity": "true"}),
        ("approve", "2021-09-28", {}), ("start_assessment", "2024-09-28", {}),
        ("assess", "2025-01-20", {"grade": "poor"}), ("rectified", "2025-06-30", {})]),
    ("成渝国家技术创新中心", "2022-02-10", {"kind": "comprehensive", "sponsor": "四川省、重庆市"}, [
        ("start_review", "2022-03-15", {"independent_legal_entity": "true"}),
        ("approve", "2022-07-01", {}), ("start_assessment", "2025-07-01", {}),
        ("assess", "2025-10-20", {"grade": "poor"})]),
    ("国家新能源汽车技术创新中心", "2021-03-01", {"kind": "domain", "sponsor": "北京市科委"}, [
        ("recommend", "2021-05-10", {"independent_legal_entity": "true"}),
        ("start_review", "2021-06-01", {}), ("approve", "2021-08-16", {}),
        ("start_assessment", "2024-08-16", {}), ("assess", "2024-12-10", {"grade": "good"})]),
    ("国家合成生物技术创新中心", "2021-04-01", {"kind": "domain", "sponsor": "天津市科技局"}, [
        ("recommend", "2021-06-15", {"independent_legal_entity": "true"}),
        ("start_review", "2021-07-01", {}), ("approve", "2021-09-10", {}),
        ("start_assessment", "2024-09-10", {}), ("assess", "2025-01-15", {"grade": "poor"}),
        ("fail_rectification", "2025-07-10", {})]),
    ("国家第三代半导体技术创新中心", "2021-06-01", {"kind": "domain", "sponsor": "江苏省科技厅"}, [
        ("recommend", "2021-09-01", {"independent_legal_entity": "true"}),
        ("start_review", "2021-10-11", {}), ("approve", "2022-01-20", {}),
        ("start_assessment", "2025-01-20", {})]),
    ("国家高速列车技术创新中心", "2021-02-20", {"kind": "domain", "sponsor": "山东省科技厅"}, [
        ("recommend", "2021-04-01", {"independent_legal_entity": "true"}),
        ("start_review", "2021-05-06", {}), ("approve", "2021-07-22", {}),
        ("request_change", "2023-05-04", {"change": "name_en",
                                          "new_value": "National Center of Technology Innovation for High-speed Trains"}),
        ("decide_change", "2023-06-30", {"decision": "approved"})]),
    ("国家智能传感器技术创新中心", "2023-03-01", {"kind": "domain", "sponsor": "上海市科委"}, [
        ("recommend", "2023-06-12", {"independent_legal_entity": "true"}),
        ("start_review", "2023-07-03", {})]),
    ("国家稀土功能材料技术创新中心", "2024-01-15", {"kind": "domain", "sponsor": "江西省科技厅"}, []),
]
AUTOMATIC = {"start_mid_term", "start_assessment", "expire"}


def build_demo(app: Lifecycle, acting: str) -> dict[str, Any]:
    init_database(app, acting)
    with app.uow() as uow:
        admin = require_admin(uow, acting, "building the demo portfolio")
    system = Actor(SYSTEM, "system")
    created = existing = 0
    for code, portfolio in (("bj-tic", BJ), ("national-tic", NATIONAL), *PORTFOLIOS.items()):
        for name, opened, fields, steps in portfolio:
            with app.uow() as uow:
                if uow.cases.find_by_name(code, name) is not None:
                    existing += 1
                    continue
            outcome = add_case(app, acting, code, name, date.fromisoformat(opened), fields,
                               "demo portfolio", actor=admin)
            assert outcome.case.id is not None
            for trigger, day, values in steps:
                who = system if trigger in AUTOMATIC else admin
                advance(app, acting, outcome.case.id, trigger, date.fromisoformat(day), values,
                        actor=who)
            created += 1
    with app.uow() as uow:
        counts = uow.cases.count_by_programme_state()
    return {"database": app.url, "created": created, "existing": existing,
            "by_state": [{"programme": p, "state": s, "cases": n} for p, s, n in counts]}

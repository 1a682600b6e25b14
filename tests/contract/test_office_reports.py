"""Reports an office hands in: the case history and the portfolio report as PDF with the Chinese
text embedded (extracted back here) and as Excel workbooks (read back with openpyxl)."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from jobs.compliance_run import run_compliance
from lifecycle.reports import case_history, portfolio
from lifecycle.reports.document import font_path
from lifecycle.services.app import Lifecycle
from lifecycle.services.cases import add_case, advance
from lifecycle.services.read_models.case_report import case_report
from lifecycle.services.read_models.portfolio_report import portfolio_report

NAME = "北京市集成电路技术创新中心"


def pdf_text(data: bytes) -> str:
    """The text of every page, without the line breaks and spaces of the layout."""
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def approved(app: Lifecycle, eligible: dict[str, str]) -> int:
    case_id = add_case(app, "alice", "bj-tic", NAME, date(2024, 10, 1), eligible).case.id
    assert case_id is not None
    for trigger, day, reason in (
        ("submit", date(2024, 10, 8), None),
        ("start_review", date(2024, 11, 5), None),
        ("approve", date(2025, 1, 10), '=HYPERLINK("http://x.example")'),
    ):
        advance(app, "alice", case_id, trigger, day, {}, reason)
    return case_id


def test_the_font_the_pdf_embeds_is_installed_with_the_project() -> None:
    with font_path().open("rb") as font:
        assert font.read(4) == b"\x00\x01\x00\x00"  # TrueType outlines: text extracts cleanly


def test_the_case_history_pdf_in_chinese_carries_its_chinese_text(app: Lifecycle, approved: int) -> None:
    report = case_report(app, approved, "carol")
    found = pdf_text(case_history.render(report, "pdf", "zh"))  # type: ignore[arg-type]
    for words in (
        "事项历史报告",
        NAME,
        "北京市技术创新中心",
        "组建授牌",
        "第七条(四)",
        "京科创发〔2024〕143号",
        "校验通过",
        "决定与状态变化",
    ):
        assert words in found, words
    english = pdf_text(case_history.render(report, "pdf", "en"))  # type: ignore[arg-type]
    assert "Casehistory" in english and NAME in english and "事项历史报告" not in english


def test_the_case_history_workbook_has_one_row_per_decision_and_no_live_formula(app: Lifecycle, approved: int) -> None:
    data = case_history.render(case_report(app, approved, "carol"), "xlsx", "zh")
    assert isinstance(data, bytes)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames[0] == "事项"
    decisions = book["决定与状态变化"]
    rows = list(decisions.iter_rows(values_only=True))
    assert rows[0][:4] == ("序号", "生效日期", "记录时间(UTC)", "操作")
    # the effective days are real date cells, which a spreadsheet sorts and filters as dates
    assert [r[1].date() for r in rows[1:]] == [
        date(2024, 10, 1),
        date(2024, 10, 8),
        date(2024, 11, 5),
        date(2025, 1, 10),
    ]
    assert rows[-1][8] == '\'=HYPERLINK("http://x.example")'
    assert all(cell.data_type != "f" for sheet in book for row in sheet.iter_rows() for cell in row)


def test_the_portfolio_report_counts_states_lists_overdue_reports_and_recent_revocations(
    app: Lifecycle, approved: int
) -> None:
    other = add_case(app, "alice", "bj-tic", "北京市人工智能技术创新中心", date(2024, 10, 2)).case.id
    assert other is not None
    advance(app, "alice", other, "withdraw", date(2024, 12, 1), {}, "the host withdrew")
    run_compliance(app, "alice", date(2026, 4, 1))  # the 2025 report is overdue: reminded
    data = portfolio_report(app, date(2026, 4, 2), "carol")
    [bj] = data["programmes"]
    assert bj["code"] == "bj-tic" and bj["cases"] == 2
    assert [(r["state"], r["state_zh"], r["cases"]) for r in bj["by_state"]] == [
        ("approved", "组建授牌", 1),
        ("withdrawn", "自行要求取消", 1),
    ]
    [overdue] = bj["overdue_obligations"]
    assert (overdue["case_id"], overdue["period"], overdue["due_on"], overdue["reminded_on"]) == (
        approved,
        "2025",
        "2026-03-31",
        "2026-04-01",
    )
    assert bj["evaluations_due"] == [] and bj["recent_revocations"] == []

    advance(app, "alice", approved, "revoke", date(2026, 5, 1), {"ground": "false_materials"}, "materials found false")
    later = portfolio_report(app, date(2026, 6, 1), "carol", "bj-tic")
    [revoked] = later["programmes"][0]["recent_revocations"]
    assert (revoked["case_id"], revoked["revoked_on"], revoked["reason"]) == (
        approved,
        "2026-05-01",
        "materials found false",
    )
    assert portfolio_report(app, date(2027, 6, 2), "carol")["programmes"][0]["recent_revocations"] == []


def test_the_portfolio_report_as_chinese_pdf_and_as_a_workbook(app: Lifecycle, approved: int) -> None:
    run_compliance(app, "alice", date(2026, 4, 1))
    data = portfolio_report(app, date(2026, 4, 2), "carol")
    found = pdf_text(portfolio.render(data, "pdf", "zh"))  # type: ignore[arg-type]
    for words in (
        "项目组合报告（截至2026年4月2日）",
        "北京市技术创新中心",
        "按状态统计",
        "组建授牌",
        "逾期未履行的义务",
        "年度报告",
        NAME,
        "近十二个月的撤销",
    ):
        assert words in found, words
    book = load_workbook(io.BytesIO(portfolio.render(data, "xlsx", "en")))  # type: ignore[arg-type]
    assert book.sheetnames[0] == "summary" and len(book.sheetnames) == 6
    overdue = [ws for ws in book if "overdue" in str(ws["A1"].value) or ws.title.startswith("Beijing")]
    assert overdue
    html = portfolio.render(data, "html", "en")
    assert isinstance(html, str) and "Portfolio report as of 2026-04-02" in html and NAME in html


def test_the_portfolio_report_lists_the_decisions_due_awaiting_the_authority(app: Lifecycle, approved: int) -> None:
    # 第十八条(一): two annual reports missing after a reminder: the run raises a decision to revoke
    # and the reply window closes unanswered
    for day in (date(2026, 4, 1), date(2027, 4, 1), date(2027, 5, 2)):
        run_compliance(app, "alice", day)
    before = portfolio_report(app, date(2027, 5, 1), "carol")
    assert before["programmes"][0]["decisions_due"] == []  # raised after the report's day
    data = portfolio_report(app, date(2027, 5, 3), "carol")
    [due] = data["programmes"][0]["decisions_due"]
    assert (due["case_id"], due["to_state"], due["raised_on"]) == (approved, "revoked", "2027-05-02")
    assert due["clause"]
    found = pdf_text(portfolio.render(data, "pdf", "zh"))  # type: ignore[arg-type]
    assert "待批准机关决定的事项" in found and NAME in found and "2027年5月2日" in found
    english = portfolio.render(data, "md", "en")
    assert isinstance(english, str)
    assert "decisions due on 2027-05-03, awaiting the authority" in english and "| 2027-05-02 |" in english


def test_the_portfolio_report_sets_the_technology_market_plan_against_the_designations_held(app: Lifecycle) -> None:
    from lifecycle.demo.portfolio import build_portfolio

    as_of = date(2026, 11, 23)
    build_portfolio(app, "alice", 120, seed=3, as_of=as_of)
    data = portfolio_report(app, as_of, "carol", "tech-transfer")
    [section] = data["programmes"]
    states = app.catalogue.current("tech-transfer").definition.states
    held = sum(r["cases"] for r in section["by_state"] if states[r["state"]].kind == "active")
    assert held > 0 and section["designations"] == held
    baseline, target = section["targets"]
    assert (baseline["kind"], baseline["count"], baseline["year"], baseline["status"]) == (
        "baseline",
        420,
        2020,
        "baseline",
    )
    assert (target["count"], target["year"], target["needed"], target["designated"]) == (500, 2025, 500, held)
    assert target["remaining"] == 500 - held and target["status"] == "missed"  # 2025 is over, 500 not reached
    found = pdf_text(portfolio.render(data, "pdf", "zh"))  # type: ignore[arg-type]
    assert "到2025年,国家技术转移机构达到500家" in found and "未按期达到" in found and "二(三)3" in found
    book = load_workbook(io.BytesIO(portfolio.render(data, "xlsx", "en")))  # type: ignore[arg-type]
    [plan] = [ws for ws in book if ws["A1"].value == "plan"]
    rows = list(plan.iter_rows(values_only=True))
    assert rows[2][1] == "500 national technology transfer institutions by 2025"
    assert rows[2][4:8] == (500, held, 500 - held, "missed")
    # a programme without a plan has no plan table
    assert portfolio_report(app, as_of, "carol", "bj-tic")["programmes"][0]["targets"] == []

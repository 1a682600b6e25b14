"""`lifecycle audit report --format pdf|xlsx` and `lifecycle report portfolio`: documents an office
hands in, in Chinese when LIFECYCLE_LANG=zh or the locale is Chinese, else English."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader


@pytest.fixture
def lifecycle(ready_cli, db_url, tmp_path, eligible_sets):
    """Run `lifecycle` with the given language settings, on a database with one approved bj-tic case."""

    def run(*args: str, **language: str) -> subprocess.CompletedProcess[bytes]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("LIFECYCLE_", "LC_", "LANG")) or k == "LIFECYCLE_TEST_POSTGRES_URL"
        }
        env.update(LIFECYCLE_USER="alice", LIFECYCLE_DB=db_url, COLUMNS="200", **language)
        return subprocess.run(
            [sys.executable, "-m", "lifecycle.cli.main", *args], env=env, cwd=tmp_path, capture_output=True, timeout=120
        )

    assert (
        ready_cli(
            "cases", "add", "bj-tic", "--name", "北京市集成电路技术创新中心", "--on", "2024-10-01", *eligible_sets
        ).code
        == 0
    )
    for trigger, day in (("submit", "2024-10-08"), ("start_review", "2024-11-05"), ("approve", "2025-01-10")):
        assert ready_cli("advance", "1", trigger, "--on", day).code == 0
    assert ready_cli("comply", "--as-of", "2026-04-01").code == 0
    return run


def pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def test_the_case_history_pdf_is_chinese_with_lifecycle_lang_zh_and_english_without(lifecycle, tmp_path):
    target = tmp_path / "case-1.pdf"
    done = lifecycle("audit", "report", "--case", "1", "--format", "pdf", "--output", str(target), LIFECYCLE_LANG="zh")
    assert done.returncode == 0, done.stderr.decode()
    found = pdf_text(target.read_bytes())
    assert "事项历史报告：北京市集成电路技术创新中心" in found and "组建授牌" in found
    printed = lifecycle("audit", "report", "--case", "1", "--format", "pdf", LIFECYCLE_LANG="en")
    assert printed.returncode == 0 and "Casehistory:北京市集成电路技术创新中心" in pdf_text(printed.stdout)
    by_locale = lifecycle("audit", "report", "--case", "1", "--format", "md", LANG="zh_CN.UTF-8")
    assert by_locale.stdout.decode().startswith("# 事项历史报告：")


def test_the_portfolio_report_as_pdf_xlsx_and_html(lifecycle, tmp_path):
    pdf = tmp_path / "portfolio.pdf"
    done = lifecycle(
        "report", "portfolio", "--format", "pdf", "--output", str(pdf), "--as-of", "2026-04-02", LIFECYCLE_LANG="zh"
    )
    assert done.returncode == 0, done.stderr.decode()
    # LIFECYCLE_LANG=zh: the CLI's own message is Chinese too, its date a Chinese date
    assert f"已写入 {pdf}：" in done.stderr.decode() and "截至2026年4月2日" in done.stderr.decode()
    found = pdf_text(pdf.read_bytes())
    assert "项目组合报告（截至2026年4月2日）" in found and "逾期未履行的义务" in found and "年度报告" in found

    book = tmp_path / "portfolio.xlsx"
    assert (
        lifecycle(
            "report", "portfolio", "--format", "xlsx", "--output", str(book), "--as-of", "2026-04-02", "--lang", "en"
        ).returncode
        == 0
    )
    sheets = load_workbook(book).sheetnames
    assert sheets[0] == "summary" and len(sheets) == 6

    html = lifecycle("report", "portfolio", "--format", "html", "--programme", "bj-tic", "--as-of", "2026-04-02")
    assert html.returncode == 0 and "Portfolio report as of 2026-04-02" in html.stdout.decode()
    as_json = lifecycle("report", "portfolio", "--json", "--as-of", "2026-04-02")
    import json

    data = json.loads(as_json.stdout)
    assert data["programmes"][0]["overdue_obligations"][0]["period"] == "2025"


def test_a_bad_language_or_format_is_a_usage_error(lifecycle):
    assert lifecycle("report", "portfolio", "--lang", "fr").returncode == 2
    assert lifecycle("report", "portfolio", "--format", "docx").returncode == 2
    assert lifecycle("audit", "report", "--case", "1", "--format", "docx").returncode == 2


def test_cases_show_in_chinese_gives_fields_by_label_with_amounts_in_yi_yuan_and_ratios_as_percentages(lifecycle):
    chinese = lifecycle("cases", "show", "1", "--as-of", "2026-04-02", LIFECYCLE_LANG="zh")
    assert chinese.returncode == 0, chinese.stderr.decode()
    text = chinese.stdout.decode()
    assert "近三年平均营业收入(元) avg_revenue_3y" in text
    assert re.search(r"avg_revenue_3y\s*│\s*32亿元", text)
    assert re.search(r"rd_ratio_3y\s*│\s*11%", text)
    assert re.search(r"has_core_team\s*│\s*是", text)
    english = lifecycle("cases", "show", "1", "--as-of", "2026-04-02", LIFECYCLE_LANG="en").stdout.decode()
    assert re.search(r"avg_revenue_3y\s*│\s*3200000000\s", english) and re.search(r"rd_ratio_3y\s*│\s*0.11\s", english)
    as_json = lifecycle("cases", "show", "1", "--json", LIFECYCLE_LANG="zh")
    import json

    fields = json.loads(as_json.stdout)["fields"]
    assert fields["avg_revenue_3y"] == 3200000000 and fields["rd_ratio_3y"] == 0.11  # JSON keeps the stored value

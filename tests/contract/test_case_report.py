"""`lifecycle audit report`: one case's history as a document an auditor can file."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from lifecycle.programmes.catalogue import builtin_directory
from lifecycle.reports.case_history import COLUMNS, render_html, render_markdown
from lifecycle.services.app import Lifecycle
from lifecycle.services.cases import add_case, advance
from lifecycle.services.programmes import migrate_programme
from lifecycle.services.read_models.case_report import case_report

D = date.fromisoformat
HOSTILE = "<script>alert('x')</script> | [red]red[/red] `code` **bold**\nsecond line"


def approved_case(app, eligible, name: str = "北京市集成电路技术创新中心") -> int:
    case = add_case(app, "alice", "bj-tic", name, D("2024-10-01")).case
    advance(app, "alice", case.id, "submit", D("2024-10-08"), eligible, reason="材料齐全")
    advance(app, "alice", case.id, "start_review", D("2024-11-05"))
    advance(app, "alice", case.id, "approve", D("2025-01-10"), reason="方案论证通过")
    return case.id


def test_the_report_lists_every_decision_with_its_clause_and_source_document(app, eligible):
    case_id = approved_case(app, eligible)

    report = case_report(app, case_id, "carol")

    assert [(d["trigger"], d["clause"]) for d in report["decisions"]] == [
        ("create", "第七条(一)"), ("submit", "第七条(二)"), ("start_review", "第七条(三)"),
        ("approve", "第七条(四)")]
    assert {d["clause_source"] for d in report["decisions"]} == {
        "京科创发〔2024〕143号 北京市技术创新中心建设工作指引(试行)"}
    assert report["sources"][0] | {"version": None} == {
        "version": None, "title": "北京市技术创新中心建设工作指引(试行)", "number": "京科创发〔2024〕143号",
        "issuer": "北京市科委、中关村管委会", "date": "2024-08-15", "file": "003_23e45e6791a30539.txt",
        "section": None}
    assert (report["chain"]["ok"], report["generated_by"]) == (True, "carol")
    document = render_markdown(report)
    assert "第七条(四)" in document and "方案论证通过" in document
    assert "verifies: 5 entries, head #5" in document


def test_decisions_before_a_migration_name_the_document_version_they_were_taken_under(
        app, db_url, eligible, tmp_path: Path):
    case_id = approved_case(app, eligible)
    directory = tmp_path / "programmes"
    directory.mkdir()
    text = (builtin_directory() / "bj-tic.yaml").read_text(encoding="utf-8")
    (directory / "bj-tic.yaml").write_text(text.replace("京科创发〔2024〕143号", "京科创发〔2025〕9号"),
                                           encoding="utf-8")
    revised = Lifecycle(db_url, directory)
    migrate_programme(revised, "alice", "bj-tic", D("2025-02-01"))
    advance(revised, "alice", case_id, "file_report", D("2026-03-20"), {"year": "2025"})

    report = case_report(revised, case_id, "carol")

    numbers = [d["clause_source"].split()[0] for d in report["decisions"] if d["clause_source"]]
    assert numbers == ["京科创发〔2024〕143号"] * 4 + ["京科创发〔2025〕9号"]
    assert [d["trigger"] for d in report["decisions"]][-2:] == ["migrate", "file_report"]
    assert {s["number"] for s in report["sources"]} == {"京科创发〔2024〕143号", "京科创发〔2025〕9号"}


def test_html_escapes_every_text_a_person_gave(app, eligible):
    case_id = approved_case(app, eligible, name=HOSTILE)
    advance(app, "alice", case_id, "file_report", D("2026-03-20"), {"year": "2025"},
            reason="<img src=x onerror=alert(1)>")

    page = render_html(case_report(app, case_id, "<b>carol</b>"))

    assert "<script>" not in page and "<img" not in page and "<b>carol" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_markdown_keeps_one_cell_per_column_whatever_the_text(app, eligible):
    case_id = approved_case(app, eligible, name=HOSTILE)
    advance(app, "alice", case_id, "file_report", D("2026-03-20"), {"year": "2025"},
            reason="a | b\n| c | d |")

    document = render_markdown(case_report(app, case_id, "carol"))

    rows = [line for line in document.splitlines() if re.match(r"\| \d+ \|", line)]
    assert len(rows) == 5  # create, submit, start_review, approve, file_report
    for line in rows:
        assert len(re.findall(r"(?<!\\)\|", line)) == len(COLUMNS) + 1
    assert "<script>" not in document and "\\<script\\>" in document
    assert "\\[red\\]red\\[/red\\]" in document


def test_a_broken_chain_is_stated_in_the_report_with_the_entries_in_doubt(app, eligible, raw_sql):
    case_id = approved_case(app, eligible)
    if app.engine.dialect.name == "sqlite":
        raw_sql("DROP TRIGGER audit_log_no_update")
        raw_sql("UPDATE audit_log SET reason = 'edited' WHERE seq = 4")
    else:
        with app.engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
            connection.exec_driver_sql("UPDATE audit_log SET reason = 'edited' WHERE seq = 4")
            connection.exec_driver_sql("ALTER TABLE audit_log ENABLE TRIGGER USER")

    report = case_report(app, case_id, "carol")

    assert (report["chain"]["ok"], report["chain"]["entries_in_doubt"]) == (False, [4, 5])
    assert "BROKEN at entry 4" in render_markdown(report)
    assert 'class="broken"' in render_html(report)

"""Lay out the portfolio report (services/read_models/portfolio_report.py) as PDF, an Excel workbook, HTML or
Markdown, in Chinese or English: one set of tables per programme."""

from __future__ import annotations

from typing import Any

from lifecycle.reports.document import Document, Section, text, to_html, to_pdf, to_xlsx

FORMATS = ("md", "html", "pdf", "xlsx")
WORDS: dict[str, dict[str, Any]] = {
    "en": {
        "title": "Portfolio report as of {}",
        "scope": "Programmes",
        "all": "all",
        "generated": "Generated",
        "by": "{} by {}",
        "database": "Database",
        "summary": "summary",
        "by_state": "{}: designations by state ({} cases)",
        "state": ("state", "label", "cases"),
        "evaluations": "{}: evaluations and other dated rules due in {}",
        "evaluation": ("due on", "case", "name", "what", "clause"),
        "overdue": "{}: obligations overdue on {}",
        "obligation": ("due on", "case", "name", "obligation", "period", "status", "clause"),
        "revocations": "{}: revocations in the twelve months to {}",
        "revocation": ("revoked on", "case", "name", "ground", "reason", "clause"),
        "none": "none",
        "default": "default",
        "overdue_word": "overdue",
        "reminded": "overdue, reminded {}",
    },
    "zh": {
        "title": "项目组合报告（截至 {}）",
        "scope": "项目",
        "all": "全部",
        "generated": "生成",
        "by": "{}，生成人 {}",
        "database": "数据库",
        "summary": "概览",
        "by_state": "{}：按状态统计（共 {} 个）",
        "state": ("状态", "名称", "数量"),
        "evaluations": "{}：{} 年到期的评估及其他时限事项",
        "evaluation": ("到期日", "案件", "名称", "事项", "条款"),
        "overdue": "{}：截至 {} 逾期未履行的义务",
        "obligation": ("应交日期", "案件", "名称", "义务", "期间", "状态", "条款"),
        "revocations": "{}：截至 {} 近十二个月的撤销",
        "revocation": ("撤销日期", "案件", "名称", "理由类别", "说明", "条款"),
        "none": "无",
        "default": "默认值",
        "overdue_word": "逾期",
        "reminded": "逾期，已于 {} 催告",
    },
}


def _clause(row: dict[str, Any], w: dict[str, Any]) -> str:
    clause = text(row.get("clause"))
    return f"{clause}（{w['default']}）" if clause and row.get("default") else clause


def document(report: dict[str, Any], lang: str = "en") -> Document:
    w = WORDS[lang]
    zh = lang == "zh"
    scope = report["programme"] or w["all"]
    facts = [
        (w["scope"], scope),
        (w["generated"], w["by"].format(report["generated_at"], report["generated_by"])),
        (w["database"], report["database"]),
    ]
    sections: list[Section] = []
    for p in report["programmes"]:
        name = f"{p['name_zh'] if zh else p['name_en']} ({p['code']})"
        facts.append((name, str(p["cases"])))
        sections.append(
            Section(
                w["by_state"].format(name, p["cases"]),
                list(w["state"]),
                [[r["state"], r["state_zh"] if zh else r["state_en"], r["cases"]] for r in p["by_state"]],
                [2, 3, 1],
            )
        )
        sections.append(
            Section(
                w["evaluations"].format(name, report["year"]),
                list(w["evaluation"]),
                [
                    [
                        r["due_on"],
                        r["case_id"],
                        r["name"],
                        (r["what_zh"] or r["what"]) if zh else r["what"],
                        _clause(r, w),
                    ]
                    for r in p["evaluations_due"]
                ],
                [1.2, 0.6, 3, 3, 1.4],
                w["none"],
            )
        )
        sections.append(
            Section(
                w["overdue"].format(name, report["as_of"]),
                list(w["obligation"]),
                [
                    [
                        r["due_on"],
                        r["case_id"],
                        r["name"],
                        (r["obligation_zh"] or r["obligation"]) if zh else r["obligation"],
                        r["period"],
                        w["reminded"].format(r["reminded_on"]) if r["reminded_on"] else w["overdue_word"],
                        text(r["clause"]),
                    ]
                    for r in p["overdue_obligations"]
                ],
                [1.2, 0.6, 3, 2, 1, 1.8, 1.2],
                w["none"],
            )
        )
        sections.append(
            Section(
                w["revocations"].format(name, report["as_of"]),
                list(w["revocation"]),
                [
                    [r["revoked_on"], r["case_id"], r["name"], text(r["ground"]), text(r["reason"]), text(r["clause"])]
                    for r in p["recent_revocations"]
                ],
                [1.2, 0.6, 3, 1.6, 3, 1.2],
                w["none"],
            )
        )
    return Document(w["title"].format(report["as_of"]), facts, sections, lang, w["summary"])


def to_markdown(doc: Document) -> str:
    from lifecycle.reports.case_history import md

    lines = [f"# {md(doc.title)}", "", "| | |", "|---|---|"]
    lines += [f"| {md(k)} | {md(v)} |" for k, v in doc.facts]
    for section in doc.sections:
        lines += ["", f"## {md(section.heading)}", ""]
        if not section.rows:
            lines.append(md(section.empty or "—"))
            continue
        lines += ["| " + " | ".join(md(c) for c in section.columns) + " |", "|" + "---|" * len(section.columns)]
        lines += ["| " + " | ".join(md(text(v)) for v in row) + " |" for row in section.rows]
    return "\n".join(lines) + "\n"


def render(report: dict[str, Any], fmt: str, lang: str = "en") -> str | bytes:
    doc = document(report, lang)
    if fmt == "pdf":
        return to_pdf(doc)
    if fmt == "xlsx":
        return to_xlsx(doc)
    return to_html(doc) if fmt == "html" else to_markdown(doc)

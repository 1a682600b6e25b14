"""Lay out the portfolio report (services/read_models/portfolio_report.py) as PDF, an Excel workbook, HTML or
Markdown, in Chinese or English: one set of tables per programme.

Every word of the report is in the gettext catalogue `reports` (lifecycle.reports.language);
the programmes' own words (states, obligations, grounds, the plan's targets) come from their
definitions, in the report's language. Dates are `date` values: a real date cell in a workbook,
2024年10月1日 in a Chinese PDF, HTML or Markdown report.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from lifecycle.domain.values import display_date
from lifecycle.reports.document import Document, Section, text, to_html, to_pdf, to_xlsx
from lifecycle.reports.language import N_, _

FORMATS = ("md", "html", "pdf", "xlsx")
STATE_COLUMNS = (N_("state"), N_("label"), N_("cases"))
TARGET_COLUMNS = (
    N_("plan"),
    N_("the plan's words"),
    N_("by year"),
    N_("count"),
    N_("designations needed"),
    N_("designations now"),
    N_("still to go"),
    N_("status"),
    N_("clause"),
)
EVALUATION_COLUMNS = (N_("due on"), N_("case"), N_("name"), N_("what"), N_("clause"))
OBLIGATION_COLUMNS = (N_("due on"), N_("case"), N_("name"), N_("obligation"), N_("period"), N_("status"), N_("clause"))
DECISION_COLUMNS = (
    N_("due on"),
    N_("decision"),
    N_("case"),
    N_("name"),
    N_("proposed"),
    N_("ground"),
    N_("raised on"),
    N_("clause"),
)
REVOCATION_COLUMNS = (N_("revoked on"), N_("case"), N_("name"), N_("ground"), N_("reason"), N_("clause"))
#: A target's status (lifecycle.domain.targets), for people.
TARGET_STATUS = {
    "baseline": N_("baseline"),
    "met": N_("met"),
    "open": N_("not yet met"),
    "missed": N_("missed"),
    "unknown": N_("unknown (no register)"),
}
KINDS = {"baseline": N_("baseline"), "target": N_("target")}


def _columns(names: tuple[str, ...], lang: str) -> list[str]:
    return [_(name, lang) for name in names]


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _clause(row: dict[str, Any], lang: str) -> str:
    clause = text(row.get("clause"))
    return f"{clause} [{_('default', lang)}]" if clause and row.get("default") else clause


def _target_row(t: dict[str, Any], lang: str) -> list[Any]:
    zh = lang == "zh"
    comparison = _("more than", lang) if t["comparison"] == "more_than" else _("at least", lang)
    return [
        _(KINDS.get(t["kind"], t["kind"]), lang),
        t["zh"] if zh else t["en"],
        t["year"],
        f"{comparison} {t['count']}",
        t["needed"],
        t["designated"],
        t["remaining"],
        _(TARGET_STATUS.get(t["status"], t["status"]), lang),
        _clause(t, lang),
    ]


def document(report: dict[str, Any], lang: str = "en") -> Document:
    zh = lang == "zh"
    as_of = display_date(report["as_of"], lang)
    facts = [
        (_("Programmes", lang), report["programme"] or _("all", lang)),
        (
            _("Generated", lang),
            _("{time} by {person}", lang).format(time=report["generated_at"], person=report["generated_by"]),
        ),
        (_("Database", lang), report["database"]),
    ]
    none = _("none", lang)
    sections: list[Section] = []
    for p in report["programmes"]:
        name = f"{p['name_zh'] if zh else p['name_en']} ({p['code']})"
        facts.append(
            (
                name,
                _("{cases} cases, {designations} designations", lang).format(
                    cases=p["cases"], designations=p["designations"]
                ),
            )
        )
        sections.append(
            Section(
                _("{programme}: designations by state ({cases} cases)", lang).format(programme=name, cases=p["cases"]),
                _columns(STATE_COLUMNS, lang),
                [[r["state"], r["state_zh"] if zh else r["state_en"], r["cases"]] for r in p["by_state"]],
                [2, 3, 1],
            )
        )
        if p["targets"]:
            sections.append(
                Section(
                    _(
                        "{programme}: the plan's counts against the {designations} designations held on {day}", lang
                    ).format(programme=name, designations=p["designations"], day=as_of),
                    _columns(TARGET_COLUMNS, lang),
                    [_target_row(t, lang) for t in p["targets"]],
                    [0.8, 4, 0.7, 0.9, 1, 1, 0.8, 1.1, 1.2],
                )
            )
        sections.append(
            Section(
                _("{programme}: evaluations and other dated rules due in {year}", lang).format(
                    programme=name, year=report["year"]
                ),
                _columns(EVALUATION_COLUMNS, lang),
                [
                    [
                        _day(r["due_on"]),
                        r["case_id"],
                        r["name"],
                        (r["what_zh"] or r["what"]) if zh else r["what"],
                        _clause(r, lang),
                    ]
                    for r in p["evaluations_due"]
                ],
                [1.2, 0.6, 3, 3, 1.4],
                none,
            )
        )
        sections.append(
            Section(
                _("{programme}: obligations overdue on {day}", lang).format(programme=name, day=as_of),
                _columns(OBLIGATION_COLUMNS, lang),
                [
                    [
                        _day(r["due_on"]),
                        r["case_id"],
                        r["name"],
                        (r["obligation_zh"] or r["obligation"]) if zh else r["obligation"],
                        r["period"],
                        _("overdue, reminded {day}", lang).format(day=display_date(r["reminded_on"], lang))
                        if r["reminded_on"]
                        else _("overdue", lang),
                        text(r["clause"]),
                    ]
                    for r in p["overdue_obligations"]
                ],
                [1.2, 0.6, 3, 2, 1, 1.8, 1.2],
                none,
            )
        )
        sections.append(
            Section(
                _("{programme}: decisions due on {day}, awaiting the authority", lang).format(
                    programme=name, day=as_of
                ),
                _columns(DECISION_COLUMNS, lang),
                [
                    [
                        _day(r["due_on"]),
                        r["id"],
                        r["case_id"],
                        r["name"],
                        r["decision"] or f"{r['trigger']} → {r['to_state']}",
                        text(r["ground"]),
                        _day(r["raised_on"]),
                        _clause(r, lang),
                    ]
                    for r in p["decisions_due"]
                ],
                [1.1, 0.6, 0.6, 2.6, 2.4, 1.6, 1.1, 1.2],
                none,
            )
        )
        sections.append(
            Section(
                _("{programme}: revocations in the twelve months to {day}", lang).format(programme=name, day=as_of),
                _columns(REVOCATION_COLUMNS, lang),
                [
                    [
                        _day(r["revoked_on"]),
                        r["case_id"],
                        r["name"],
                        text((r.get("ground_zh") if zh else r.get("ground_en")) or r["ground"]),
                        text(r["reason"]),
                        text(r["clause"]),
                    ]
                    for r in p["recent_revocations"]
                ],
                [1.2, 0.6, 3, 1.6, 3, 1.2],
                none,
            )
        )
    return Document(
        _("Portfolio report as of {day}", lang).format(day=as_of), facts, sections, lang, _("summary", lang)
    )


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
        lines += ["| " + " | ".join(md(text(v, doc.lang)) for v in row) + " |" for row in section.rows]
    return "\n".join(lines) + "\n"


def render(report: dict[str, Any], fmt: str, lang: str = "en") -> str | bytes:
    doc = document(report, lang)
    if fmt == "pdf":
        return to_pdf(doc)
    if fmt == "xlsx":
        return to_xlsx(doc)
    return to_html(doc) if fmt == "html" else to_markdown(doc)

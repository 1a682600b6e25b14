"""Lay out a case report (services/read_models/case_report.py) as Markdown, a standalone HTML page, a PDF
with its Chinese text embedded, or an Excel workbook; in English or Chinese.

Every text in a report may come from a person (a case name, a reason, a field value), so
each one is escaped for its format: HTML through `html.escape`, Markdown so that no text
can end a table cell, start a link or inject HTML.
"""

from __future__ import annotations

import html
import json
import re
from datetime import date
from typing import Any

from lifecycle.domain.values import display_date
from lifecycle.reports.document import Document, Section, to_pdf, to_xlsx
from lifecycle.reports.language import N_, _

FORMATS = ("md", "html", "pdf", "xlsx")
#: What could end a cell (|), start a link ([ ]), code (`), emphasis (* _ ~), HTML (< > &),
#: or escape one of these (\\). Parentheses and the like are harmless once [ ] are escaped.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
#: The table's columns, in English; `columns(lang)` gives them in the report's language.
COLUMNS = (
    N_("#"),
    N_("effective"),
    N_("recorded (UTC)"),
    N_("action"),
    N_("from → to"),
    N_("by"),
    N_("clause"),
    N_("source"),
    N_("reason"),
    N_("details"),
)
SOURCE_COLUMNS = (N_("title"), N_("number"), N_("issuer"), N_("date"), N_("definition version"))
HASH_COLUMNS = (N_("#"), N_("hash"))


def columns(names: tuple[str, ...], lang: str) -> list[str]:
    return [_(name, lang) for name in names]


def md(value: Any) -> str:
    """Text safe in a Markdown table cell: specials backslash-escaped, line breaks as `<br>`."""
    text = "" if value is None else str(value)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return re.sub(r"\r\n|\r|\n", "<br>", text)


def _action(d: dict[str, Any]) -> str:
    label = " / ".join(x for x in (d.get("trigger_zh"), d.get("trigger_en")) if x)
    return f"{d['trigger']} ({label})" if label else d["trigger"]


def _move(d: dict[str, Any]) -> str:
    return f"{d.get('from_label') or d['from_state'] or '∅'} → {d.get('to_label') or d['to_state'] or '∅'}"


def _details(d: dict[str, Any]) -> str:
    return json.dumps(d["payload"], ensure_ascii=False, sort_keys=True) if d["payload"] else ""


def _clause(d: dict[str, Any], lang: str) -> str:
    """The clause, marked [default] when the entry rests on a rule the documents leave open, with
    the number of the authority's decision it records."""
    text = (d["clause"] or "") + (" [default]" if d.get("default") else "")
    if d.get("decision_no"):
        text += " · " + _("decision {number}", lang).format(number=d["decision_no"])
    return text.strip()


def _action_in(d: dict[str, Any], lang: str) -> str:
    if lang == "zh":
        text = f"{d['trigger_zh']}（{d['trigger']}）" if d.get("trigger_zh") else d["trigger"]
    else:
        text = _action(d)
    if d.get("voided_by"):
        text += " — " + _("voided by #{seq}", lang).format(seq=d["voided_by"])
    if d["trigger"] == "correct" and d["payload"].get("voids"):
        text += " — " + _("voids #{seq}", lang).format(seq=d["payload"]["voids"])
    return text


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _row(d: dict[str, Any], lang: str = "en") -> list[Any]:
    """One audit entry as a table row; the effective day a date (a date cell in a workbook,
    written as the language writes dates elsewhere)."""
    return [
        d["seq"],
        _day(d["effective_on"]),
        d["recorded_at"][:19].replace("T", " "),
        _action_in(d, lang),
        _move(d),
        f"{d['actor']} ({d['role']})",
        _clause(d, lang),
        d["clause_source"] or "",
        d["reason"] or "",
        _details(d),
    ]


def _chain_line(report: dict[str, Any], lang: str = "en") -> str:
    chain = report["chain"]
    if chain["ok"]:
        return _("verifies: {entries} entries, head #{seq} {hash}", lang).format(
            entries=chain["entries"], seq=chain["head"]["seq"], hash=chain["head"]["hash"]
        )
    doubt = ", ".join(f"#{s}" for s in chain["entries_in_doubt"]) or _("none", lang)
    return _("BROKEN at entry {seq}: {problem} (this case's entries at or after it: {entries})", lang).format(
        seq=chain["first_bad"], problem=chain["problem"], entries=doubt
    )


def _facts(report: dict[str, Any], lang: str = "en") -> list[tuple[str, Any]]:
    case = report["case"]
    dates = " / ".join(display_date(case[k], lang) if case[k] else "—" for k in ("approved_on", "valid_until"))
    return [
        (_("Case", lang), f"{case['id']} · {case['name']}"),
        (_("Programme", lang), f"{case['programme']} · {case['programme_zh']} · {case['programme_en']}"),
        (
            _("State now", lang),
            _("{state} since {day} (version {version})", lang).format(
                state=case["state_label"], day=display_date(case["state_since"], lang), version=case["version"]
            ),
        ),
        (_("Approved on / valid until", lang), dates),
        (_("Audit chain", lang), _chain_line(report, lang)),
        (
            _("Generated", lang),
            _("{time} by {person}", lang).format(time=report["generated_at"], person=report["generated_by"]),
        ),
        (_("Database", lang), report["database"]),
    ]


def _source_text(source: dict[str, Any], lang: str) -> str:
    parts = [source["title"], source["number"], source["issuer"], source["date"]]
    where = ", ".join(p for p in (source["file"], source["section"]) if p)
    text = " · ".join(p for p in parts if p)
    version = _("definition version {version}", lang).format(version=source["version"][:12])
    return f"{text} ({version}{'; ' + where if where else ''})"


def _shown(value: Any, lang: str) -> str:
    return display_date(value, lang) if isinstance(value, date) else ("" if value is None else str(value))


def _title(report: dict[str, Any], lang: str, name: str | None = None) -> str:
    return _("Case history: {name}", lang).format(name=report["case"]["name"] if name is None else name)


def render_markdown(report: dict[str, Any], lang: str = "en") -> str:
    case = report["case"]
    names = columns(COLUMNS, lang)
    lines = [f"# {_title(report, lang, md(case['name']))}", ""]
    lines += ["| | |", "|---|---|"] + [f"| {label} | {md(value)} |" for label, value in _facts(report, lang)]
    lines += ["", f"## {_('Source documents', lang)}", ""]
    lines += [f"- {md(_source_text(s, lang))}" for s in report["sources"]]
    lines += ["", f"## {_('Decisions', lang)}", "", "| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    lines += ["| " + " | ".join(md(_shown(v, lang)) for v in _row(d, lang)) + " |" for d in report["decisions"]]
    lines += ["", f"{_(HASHES, lang)}:", ""]
    lines += [f"- #{d['seq']}: `{d['hash']}`" for d in report["decisions"]]
    return "\n".join(lines) + "\n"


HASHES = N_("Each entry's hash, for comparison with `lifecycle audit log`")
_STYLE = """body{font-family:sans-serif;margin:2em;color:#111}table{border-collapse:collapse;
margin:1em 0}td,th{border:1px solid #999;padding:.3em .5em;vertical-align:top;text-align:left}
th{background:#eee}.broken{color:#a00;font-weight:bold}code{font-size:.85em}"""


def render_html(report: dict[str, Any], lang: str = "en") -> str:
    e = html.escape
    chain_class = "" if report["chain"]["ok"] else ' class="broken"'
    chain_label = _("Audit chain", lang)
    facts = "".join(
        f"<tr><th>{e(label)}</th><td{chain_class if label == chain_label else ''}>{e(str(value))}</td></tr>"
        for label, value in _facts(report, lang)
    )
    sources = "".join(f"<li>{e(_source_text(s, lang))}</li>" for s in report["sources"])
    head = "".join(f"<th>{e(c)}</th>" for c in columns(COLUMNS, lang))
    rows = "".join(
        "<tr>" + "".join(f"<td>{e(_shown(v, lang))}</td>" for v in _row(d, lang)) + "</tr>" for d in report["decisions"]
    )
    hashes = "".join(f"<li>#{d['seq']}: <code>{e(d['hash'])}</code></li>" for d in report["decisions"])
    title = e(_title(report, lang))
    return (
        f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{_STYLE}</style></head><body>\n"
        f"<h1>{title}</h1>\n<table>{facts}</table>\n"
        f"<h2>{e(_('Source documents', lang))}</h2>\n<ul>{sources}</ul>\n"
        f"<h2>{e(_('Decisions', lang))}</h2>\n<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>\n"
        f"<p>{e(_(HASHES, lang))}:</p>"
        f"<ul>{hashes}</ul>\n</body></html>\n"
    )


def document(report: dict[str, Any], lang: str = "en") -> Document:
    """The report as a document to lay out as PDF or a workbook."""
    sources = [[s["title"], s["number"], s["issuer"], s["date"], s["version"][:12]] for s in report["sources"]]
    return Document(
        _title(report, lang),
        [(k, str(v)) for k, v in _facts(report, lang)],
        [
            Section(_("Source documents", lang), columns(SOURCE_COLUMNS, lang), sources, [4, 2, 2, 1, 1.2]),
            Section(
                _("Decisions", lang),
                columns(COLUMNS, lang),
                [_row(d, lang) for d in report["decisions"]],
                [0.5, 1.1, 1.6, 1.8, 2.0, 1.2, 1.1, 1.6, 2.0, 2.6],
            ),
            Section(
                _(HASHES, lang),
                columns(HASH_COLUMNS, lang),
                [[d["seq"], d["hash"]] for d in report["decisions"]],
                [1, 12],
            ),
        ],
        lang,
        _("case", lang),
    )


def render(report: dict[str, Any], fmt: str, lang: str = "en") -> str | bytes:
    """The report as `fmt`: text for md and html, bytes for pdf and xlsx."""
    if fmt == "pdf":
        return to_pdf(document(report, lang))
    if fmt == "xlsx":
        return to_xlsx(document(report, lang))
    return render_html(report, lang) if fmt == "html" else render_markdown(report, lang)

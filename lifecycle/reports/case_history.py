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
from typing import Any

from lifecycle.reports.document import Document, Section, to_pdf, to_xlsx

FORMATS = ("md", "html", "pdf", "xlsx")
#: What could end a cell (|), start a link ([ ]), code (`), emphasis (* _ ~), HTML (< > &),
#: or escape one of these (\\). Parentheses and the like are harmless once [ ] are escaped.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
COLUMNS = ("#", "effective", "recorded (UTC)", "action", "from → to", "by", "clause", "source", "reason", "details")
COLUMNS_ZH = ("序号", "生效日期", "记录时间(UTC)", "操作", "状态变化", "操作人", "条款", "出处", "理由", "详情")
#: The report's own words, by language (the case's words come from its definition).
WORDS: dict[str, dict[str, Any]] = {
    "en": {
        "title": "Case history: {}",
        "case": "Case",
        "programme": "Programme",
        "state": "State now",
        "dates": "Approved on / valid until",
        "chain": "Audit chain",
        "generated": "Generated",
        "database": "Database",
        "sources": "Source documents",
        "decisions": "Decisions",
        "hashes": "Each entry's hash, for comparison with `lifecycle audit log`",
        "since": "{} since {} (version {})",
        "by": "{} by {}",
        "verifies": "verifies: {} entries, head #{} {}",
        "broken": "BROKEN at entry {}: {} (this case's entries at or after it: {})",
        "source_columns": ("title", "number", "issuer", "date", "definition version"),
        "hash_columns": ("#", "hash"),
        "summary": "case",
    },
    "zh": {
        "title": "案件历史报告：{}",
        "case": "案件",
        "programme": "项目",
        "state": "当前状态",
        "dates": "批准日期 / 有效期至",
        "chain": "审计链",
        "generated": "生成",
        "database": "数据库",
        "sources": "政策文件",
        "decisions": "决定与状态变化",
        "hashes": "各条记录的哈希值（可与 lifecycle audit log 核对）",
        "since": "{}，自 {} 起（版本 {}）",
        "by": "{}，生成人 {}",
        "verifies": "校验通过：共 {} 条记录，末条 #{} {}",
        "broken": "在第 {} 条记录处断裂：{}（本案件在此及之后的记录：{}）",
        "source_columns": ("标题", "文号", "发文机关", "日期", "定义版本"),
        "hash_columns": ("序号", "哈希值"),
        "summary": "案件",
    },
}


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


def _clause(d: dict[str, Any]) -> str:
    """The clause, marked [default] when the entry rests on a rule the documents leave open, with
    the number of the authority's decision it records."""
    text = (d["clause"] or "") + (" [default]" if d.get("default") else "")
    if d.get("decision_no"):
        text += f" · decision {d['decision_no']}"
    return text.strip()


def _action_with_correction(d: dict[str, Any]) -> str:
    text = _action(d)
    if d.get("voided_by"):
        text += f" — voided by #{d['voided_by']}"
    if d["trigger"] == "correct" and d["payload"].get("voids"):
        text += f" — voids #{d['payload']['voids']}"
    return text


def _row(d: dict[str, Any]) -> list[Any]:
    return [
        d["seq"],
        d["effective_on"],
        d["recorded_at"][:19].replace("T", " "),
        _action_with_correction(d),
        _move(d),
        f"{d['actor']} ({d['role']})",
        _clause(d),
        d["clause_source"] or "",
        d["reason"] or "",
        _details(d),
    ]


def _chain_line(report: dict[str, Any], lang: str = "en") -> str:
    chain, words = report["chain"], WORDS[lang]
    if chain["ok"]:
        return words["verifies"].format(chain["entries"], chain["head"]["seq"], chain["head"]["hash"])
    doubt = ", ".join(f"#{s}" for s in chain["entries_in_doubt"]) or ("无" if lang == "zh" else "none")
    return words["broken"].format(chain["first_bad"], chain["problem"], doubt)


def _facts(report: dict[str, Any], lang: str = "en") -> list[tuple[str, Any]]:
    case, w = report["case"], WORDS[lang]
    return [
        (w["case"], f"{case['id']} · {case['name']}"),
        (w["programme"], f"{case['programme']} · {case['programme_zh']} · {case['programme_en']}"),
        (w["state"], w["since"].format(case["state_label"], case["state_since"], case["version"])),
        (w["dates"], f"{case['approved_on'] or '—'} / {case['valid_until'] or '—'}"),
        (w["chain"], _chain_line(report, lang)),
        (w["generated"], w["by"].format(report["generated_at"], report["generated_by"])),
        (w["database"], report["database"]),
    ]


def _source_text(source: dict[str, Any]) -> str:
    parts = [source["title"], source["number"], source["issuer"], source["date"]]
    where = ", ".join(p for p in (source["file"], source["section"]) if p)
    text = " · ".join(p for p in parts if p)
    return f"{text} (definition version {source['version'][:12]}{'; ' + where if where else ''})"


def _action_in(d: dict[str, Any], lang: str) -> str:
    if lang != "zh":
        return _action(d)
    return f"{d['trigger_zh']}（{d['trigger']}）" if d.get("trigger_zh") else d["trigger"]


def _row_in(d: dict[str, Any], lang: str) -> list[Any]:
    row = _row(d)
    row[3] = _action_in(d, lang)
    return row


def render_markdown(report: dict[str, Any], lang: str = "en") -> str:
    case, w = report["case"], WORDS[lang]
    columns = COLUMNS_ZH if lang == "zh" else COLUMNS
    lines = [f"# {w['title'].format(md(case['name']))}", ""]
    lines += ["| | |", "|---|---|"] + [f"| {label} | {md(value)} |" for label, value in _facts(report, lang)]
    lines += ["", f"## {w['sources']}", ""]
    lines += [f"- {md(_source_text(s))}" for s in report["sources"]]
    lines += ["", f"## {w['decisions']}", "", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(md(v) for v in _row_in(d, lang)) + " |" for d in report["decisions"]]
    lines += ["", f"{w['hashes']}:", ""]
    lines += [f"- #{d['seq']}: `{d['hash']}`" for d in report["decisions"]]
    return "\n".join(lines) + "\n"


_STYLE = """body{font-family:sans-serif;margin:2em;color:#111}table{border-collapse:collapse;
margin:1em 0}td,th{border:1px solid #999;padding:.3em .5em;vertical-align:top;text-align:left}
th{background:#eee}.broken{color:#a00;font-weight:bold}code{font-size:.85em}"""


def render_html(report: dict[str, Any], lang: str = "en") -> str:
    e = html.escape
    case, w = report["case"], WORDS[lang]
    chain_class = "" if report["chain"]["ok"] else ' class="broken"'
    facts = "".join(
        f"<tr><th>{e(label)}</th><td{chain_class if label == w['chain'] else ''}>{e(str(value))}</td></tr>"
        for label, value in _facts(report, lang)
    )
    sources = "".join(f"<li>{e(_source_text(s))}</li>" for s in report["sources"])
    head = "".join(f"<th>{e(c)}</th>" for c in (COLUMNS_ZH if lang == "zh" else COLUMNS))
    rows = "".join(
        "<tr>" + "".join(f"<td>{e(str(v))}</td>" for v in _row_in(d, lang)) + "</tr>" for d in report["decisions"]
    )
    hashes = "".join(f"<li>#{d['seq']}: <code>{e(d['hash'])}</code></li>" for d in report["decisions"])
    title = e(w["title"].format(case["name"]))
    return (
        '<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{_STYLE}</style></head><body>\n"
        f"<h1>{title}</h1>\n<table>{facts}</table>\n"
        f"<h2>{e(w['sources'])}</h2>\n<ul>{sources}</ul>\n"
        f"<h2>{e(w['decisions'])}</h2>\n<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>\n"
        f"<p>{e(w['hashes'])}:</p>"
        f"<ul>{hashes}</ul>\n</body></html>\n"
    )


def document(report: dict[str, Any], lang: str = "en") -> Document:
    """The report as a document to lay out as PDF or a workbook."""
    case, w = report["case"], WORDS[lang]
    sources = [[s["title"], s["number"], s["issuer"], s["date"], s["version"][:12]] for s in report["sources"]]
    return Document(
        w["title"].format(case["name"]),
        [(k, str(v)) for k, v in _facts(report, lang)],
        [
            Section(w["sources"], list(w["source_columns"]), sources, [4, 2, 2, 1, 1.2]),
            Section(
                w["decisions"],
                list(COLUMNS_ZH if lang == "zh" else COLUMNS),
                [_row_in(d, lang) for d in report["decisions"]],
                [0.5, 1.1, 1.6, 1.8, 2.0, 1.2, 1.1, 1.6, 2.0, 2.6],
            ),
            Section(
                w["hashes"], list(w["hash_columns"]), [[d["seq"], d["hash"]] for d in report["decisions"]], [1, 12]
            ),
        ],
        lang,
        w["summary"],
    )


def render(report: dict[str, Any], fmt: str, lang: str = "en") -> str | bytes:
    """The report as `fmt`: text for md and html, bytes for pdf and xlsx."""
    if fmt == "pdf":
        return to_pdf(document(report, lang))
    if fmt == "xlsx":
        return to_xlsx(document(report, lang))
    return render_html(report, lang) if fmt == "html" else render_markdown(report, lang)

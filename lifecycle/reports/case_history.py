"""Lay out a case report (services/case_report.py) as Markdown or as a standalone HTML page.

Every text in a report may come from a person (a case name, a reason, a field value), so
each one is escaped for its format: HTML through `html.escape`, Markdown so that no text
can end a table cell, start a link or inject HTML.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

FORMATS = ("md", "html")
#: What could end a cell (|), start a link ([ ]), code (`), emphasis (* _ ~), HTML (< > &),
#: or escape one of these (\\). Parentheses and the like are harmless once [ ] are escaped.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
COLUMNS = ("#", "effective", "recorded (UTC)", "action", "from → to", "by", "clause",
           "source", "reason", "details")


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
    return [d["seq"], d["effective_on"], d["recorded_at"][:19].replace("T", " "), _action_with_correction(d),
            _move(d), f"{d['actor']} ({d['role']})", _clause(d), d["clause_source"] or "",
            d["reason"] or "", _details(d)]


def _chain_line(report: dict[str, Any]) -> str:
    chain = report["chain"]
    if chain["ok"]:
        return (f"verifies: {chain['entries']} entries, head #{chain['head']['seq']} "
                f"{chain['head']['hash']}")
    doubt = ", ".join(f"#{s}" for s in chain["entries_in_doubt"]) or "none"
    return (f"BROKEN at entry {chain['first_bad']}: {chain['problem']} "
            f"(this case's entries at or after it: {doubt})")


def _facts(report: dict[str, Any]) -> list[tuple[str, Any]]:
    case = report["case"]
    return [
        ("Case", f"{case['id']} · {case['name']}"),
        ("Programme", f"{case['programme']} · {case['programme_zh']} · {case['programme_en']}"),
        ("State now", f"{case['state_label']} since {case['state_since']} (version {case['version']})"),
        ("Approved on / valid until", f"{case['approved_on'] or '—'} / {case['valid_until'] or '—'}"),
        ("Audit chain", _chain_line(report)),
        ("Generated", f"{report['generated_at']} by {report['generated_by']}"),
        ("Database", report["database"]),
    ]


def _source_text(source: dict[str, Any]) -> str:
    parts = [source["title"], source["number"], source["issuer"], source["date"]]
    where = ", ".join(p for p in (source["file"], source["section"]) if p)
    text = " · ".join(p for p in parts if p)
    return f"{text} (definition version {source['version'][:12]}{'; ' + where if where else ''})"


def render_markdown(report: dict[str, Any]) -> str:
    case = report["case"]
    lines = [f"# Case history: {md(case['name'])}", ""]
    lines += ["| | |", "|---|---|"] + [f"| {label} | {md(value)} |" for label, value in _facts(report)]
    lines += ["", "## Source documents", ""]
    lines += [f"- {md(_source_text(s))}" for s in report["sources"]]
    lines += ["", "## Decisions", "", "| " + " | ".join(COLUMNS) + " |",
              "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(md(v) for v in _row(d)) + " |" for d in report["decisions"]]
    lines += ["", "Each entry's hash, for comparison with `lifecycle audit log`:", ""]
    lines += [f"- #{d['seq']}: `{d['hash']}`" for d in report["decisions"]]
    return "\n".join(lines) + "\n"


_STYLE = """body{font-family:sans-serif;margin:2em;color:#111}table{border-collapse:collapse;
margin:1em 0}td,th{border:1px solid #999;padding:.3em .5em;vertical-align:top;text-align:left}
th{background:#eee}.broken{color:#a00;font-weight:bold}code{font-size:.85em}"""


def render_html(report: dict[str, Any]) -> str:
    e = html.escape
    case = report["case"]
    chain_class = "" if report["chain"]["ok"] else ' class="broken"'
    facts = "".join(
        f"<tr><th>{e(label)}</th><td{chain_class if label == 'Audit chain' else ''}>"
        f"{e(str(value))}</td></tr>" for label, value in _facts(report))
    sources = "".join(f"<li>{e(_source_text(s))}</li>" for s in report["sources"])
    head = "".join(f"<th>{e(c)}</th>" for c in COLUMNS)
    rows = "".join("<tr>" + "".join(f"<td>{e(str(v))}</td>" for v in _row(d)) + "</tr>"
                   for d in report["decisions"])
    hashes = "".join(f"<li>#{d['seq']}: <code>{e(d['hash'])}</code></li>" for d in report["decisions"])
    return (
        "<!DOCTYPE html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\">"
        f"<title>Case history: {e(case['name'])}</title><style>{_STYLE}</style></head><body>\n"
        f"<h1>Case history: {e(case['name'])}</h1>\n<table>{facts}</table>\n"
        f"<h2>Source documents</h2>\n<ul>{sources}</ul>\n"
        f"<h2>Decisions</h2>\n<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>\n"
        f"<p>Each entry's hash, for comparison with <code>lifecycle audit log</code>:</p>"
        f"<ul>{hashes}</ul>\n</body></html>\n")


def render(report: dict[str, Any], fmt: str) -> str:
    return render_html(report) if fmt == "html" else render_markdown(report)

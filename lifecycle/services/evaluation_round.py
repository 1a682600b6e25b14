"""One evaluation round's results recorded at once: a CSV or JSON Lines file with a row per
case (case id, grade, and optionally the date, the decision's number and a reason). All rows or
none: every row is decided by the same rules as `lifecycle advance … assess`, every refusal is
reported with its line, and only when none is refused are the grades written, one audit entry
per case, in one transaction."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

from lifecycle.domain.dates import parse_date
from lifecycle.domain.decide import Proposal, decide
from lifecycle.domain.messages import N_, message
from lifecycle.domain.reasons import Reason
from lifecycle.errors import Conflict, NotFound, Refused, UsageError
from lifecycle.persistence.repositories import EntryDraft
from lifecycle.services.app import Lifecycle
from lifecycle.services.cases import holders_finder
from lifecycle.services.users import require_admin

COLUMNS = ("case_id", "grade", "on", "decision_no", "reason")
TRIGGER = "assess"


def _text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gbk")  # Excel and WPS on Chinese Windows save CSV as GBK


def read_rows(file: str) -> list[tuple[int, dict[str, Any]]]:
    """(line, row) of each result in the file: .csv with a header row, or .jsonl."""
    path = Path(file)
    if not path.is_file():
        raise NotFound(
            N_("no file {file}; give a .csv or .jsonl file with columns {columns}"),
            {"file": repr(file), "columns": ", ".join(COLUMNS)},
        )
    text = _text(path)
    rows: list[tuple[int, dict[str, Any]]] = []
    if path.suffix.lower() in (".jsonl", ".ndjson") or text.lstrip().startswith("{"):
        for line, content in enumerate(text.splitlines(), 1):
            if not content.strip():
                continue
            try:
                item = json.loads(content)
            except json.JSONDecodeError as error:
                raise UsageError(
                    N_(
                        '{file} line {line}: not JSON ({msg}); one object a line, e.g. {{"case_id": 3, "grade": '
                        '"good"}}'
                    ),
                    {"file": file, "line": line, "msg": error.msg},
                ) from None
            if not isinstance(item, dict):
                raise UsageError(
                    N_('{file} line {line}: one object a line, e.g. {{"case_id": 3, "grade": "good"}}'),
                    {"file": file, "line": line},
                )
            rows.append((line, item))
        return rows
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in ("case_id", "grade") if c not in (reader.fieldnames or [])]
    if missing:
        raise UsageError(
            N_("{file}: the header needs the columns {missing} (have: {value}); columns: {columns}"),
            {
                "file": file,
                "missing": ", ".join(missing),
                "value": ", ".join(reader.fieldnames or []),
                "columns": ", ".join(COLUMNS),
            },
        )
    for item in reader:
        rows.append((reader.line_num, {k: v for k, v in item.items() if k}))
    return rows


def record_round(app: Lifecycle, acting: str, file: str, on: date, *, dry_run: bool = False) -> dict[str, Any]:
    """Record every grade of the file, or none; what was (or with `dry_run` would be) recorded."""
    rows = read_rows(file)
    if not rows:
        raise UsageError(
            N_("{file} has no rows; one row per case: {columns}"), {"file": file, "columns": ", ".join(COLUMNS)}
        )
    reasons: list[Reason] = []
    decided: list[tuple[int, Proposal, int, str | None, str | None]] = []
    with app.uow(write=not dry_run) as uow:
        actor = require_admin(uow, acting, message(N_("recording the evaluation results of {file}"), {"file": file}))
        seen: dict[int, int] = {}
        for line, row in rows:
            where = message(N_("line {line}"), {"line": line})
            unknown = sorted(set(row) - set(COLUMNS))
            if unknown:
                reasons.append(
                    Reason.of(
                        "unknown_field",
                        N_("{where}: unknown column {unknown}; the columns are {columns}"),
                        {"where": where, "unknown": ", ".join(unknown), "columns": ", ".join(COLUMNS)},
                    )
                )
                continue
            try:
                case_id = int(str(row.get("case_id", "")).strip())
            except ValueError:
                reasons.append(
                    Reason.of(
                        "invalid_field",
                        N_("{where}: case_id {value} is not a case number (`lifecycle cases list` shows them)"),
                        {"where": where, "value": repr(row.get("case_id"))},
                    )
                )
                continue
            if case_id in seen:
                reasons.append(
                    Reason.of(
                        "duplicate",
                        N_("{where}: case {case} is already graded on line {line}; one result per case"),
                        {"where": where, "case": case_id, "line": seen[case_id]},
                    )
                )
                continue
            seen[case_id] = line
            try:
                day = parse_date(str(row["on"]).strip()) if row.get("on") else on
            except ValueError as error:
                reasons.append(Reason.of("invalid_field", N_("{where}: on: {error}"), {"where": where, "error": error}))
                continue
            case = uow.cases.get(case_id)
            if case is None:
                reasons.append(Reason.of("not_found", N_("{where}: no case {case}"), {"where": where, "case": case_id}))
                continue
            if (scope := uow.scope_of(actor.name)) is not None and case.office not in scope:
                reasons.append(
                    Reason(
                        "office",
                        f"{where}: case {case_id} belongs to office {case.office}, which is neither "
                        f"{actor.name}'s office nor one below it",
                        details={"case_id": case_id, "office": case.office},
                    )
                )
                continue
            programme = app.programme_for(case, uow)
            try:
                proposal = decide(
                    programme,
                    case,
                    TRIGGER,
                    day,
                    actor.role,
                    {"grade": str(row.get("grade", ""))},
                    find_holders=holders_finder(uow, programme, case.id),
                )
            except Refused as refused:
                reasons += [
                    Reason.of(
                        r.code,
                        N_("{where} (case {case}): {problem}"),
                        {"where": where, "case": case_id, "problem": r.as_message()},
                        r.clause,
                        r.default,
                        {**r.details, "line": line},
                    )
                    for r in refused.reasons
                ]
                continue
            number = str(row.get("decision_no") or "").strip() or None
            if number:
                proposal.payload["decision_no"] = number
            proposal.payload["evaluation_round"] = Path(file).name
            if TRIGGER in programme.proposed_triggers:  # the missing result recorded: its decision due is settled
                settles = uow.decisions.open_for(case_id, TRIGGER)
                if settles:
                    proposal.payload["settles_decisions"] = settles
            decided.append((line, proposal, case.version, number, (str(row.get("reason") or "").strip() or None)))
        if reasons:
            raise Refused(
                message(N_("recording the evaluation results of {file} (nothing was recorded)"), {"file": file}),
                reasons,
            )
        results = []
        for line, proposal, version, number, reason in decided:
            entry_seq = None
            if not dry_run:
                draft = EntryDraft(
                    case_id=proposal.case.id,
                    programme=proposal.case.programme,
                    trigger=proposal.trigger,
                    from_state=proposal.from_state,
                    to_state=proposal.to_state,
                    effective_on=proposal.effective_on,
                    actor=actor.name,
                    role=actor.role,
                    reason=reason,
                    clause=proposal.clause,
                    payload=proposal.payload,
                    office=proposal.case.office,
                )
                entry = uow.change_case(proposal.case, version, draft, f"recording the evaluation results of {file}")
                if entry is None:
                    raise Conflict(
                        N_("case {id} changed meanwhile; nothing was recorded, try again"), {"id": proposal.case.id}
                    )
                entry_seq = entry.seq
                for decision_id in proposal.payload.get("settles_decisions", []):
                    uow.decisions.decide(
                        decision_id,
                        state="confirmed",
                        decision_no=number,
                        decided_on=proposal.effective_on,
                        decided_by=actor.name,
                        seq=entry.seq,
                        reason=f"settled by {TRIGGER} (audit #{entry.seq})",
                    )
            results.append(
                {
                    "line": line,
                    "case_id": proposal.case.id,
                    "grade": proposal.payload.get("grade"),
                    "from_state": proposal.from_state,
                    "to_state": proposal.to_state,
                    "effective_on": proposal.effective_on.isoformat(),
                    "clause": proposal.clause,
                    "default": proposal.default,
                    "decision_no": number,
                    "seq": entry_seq,
                }
            )
        if not dry_run:
            uow.commit()
    return {"file": file, "dry_run": dry_run, "recorded": len(results), "results": results}

"""Bringing existing designations in: `lifecycle cases import FILE`.

All or nothing: every row is checked first, and one bad row means nothing is
imported (Refused, exit 3, every problem with its line and column). The whole
file is written in one unit of work. Its history is recorded as imported, never
as if it had happened in the tool: each audit entry has trigger `import`, the
importing admin as actor, and in its payload the file's name, its SHA-256, the
line, and for a past event the trigger it originally was.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from lifecycle.domain.imported import ImportedCase, ImportRow, PastEvent, RowProblem, import_row
from lifecycle.domain.messages import N_, message
from lifecycle.domain.programme import Programme
from lifecycle.errors import Refused
from lifecycle.persistence.repositories import EntryDraft
from lifecycle.services.app import Lifecycle
from lifecycle.services.import_source import ImportSource, read_source
from lifecycle.services.ports import UnitOfWork
from lifecycle.services.users import Actor, require_admin

IMPORT = "import"
BATCH = 1000


def import_cases(
    app: Lifecycle, acting: str, path: Path | str, *, programme: str | None = None, dry_run: bool = False
) -> dict[str, Any]:
    """Import the cases of a CSV or JSON Lines file; with `dry_run`, check and report only.

    `programme` is the programme of rows that name none; a row naming another is refused.
    """
    if programme is not None:
        app.catalogue.current(programme)  # an unknown code is an error before the file is read
    app.require_schema()
    source = read_source(Path(path))
    action = message(N_("importing {file}"), {"file": source.name})
    # Every row is checked in a read transaction, so other administrators are not locked
    # out while a large file is read; only the writing holds the write lock.
    with app.uow() as uow:
        actor = require_admin(uow, acting, action)
        cases, problems = _check(app, uow, source, programme)
        problems += _offices(uow, source, cases, actor)
    _refuse(source, problems)
    seqs: list[int] = []
    if not dry_run:
        with app.uow(write=True) as uow:
            actor = require_admin(uow, acting, action)
            # Checked again under the write lock: a case of the same name added meanwhile.
            _refuse(source, _already_there(uow, cases, source))
            seqs = _write(app, uow, source, cases, actor)
            uow.commit()
    return _report(source, cases, seqs, dry_run)


def _refuse(source: ImportSource, problems: list[RowProblem]) -> None:
    if problems:
        problems.sort(key=lambda p: p.line)
        raise Refused(
            message(N_("importing {file} (nothing was imported)"), {"file": source.name}),
            [p.reason(source.name) for p in problems],
        )


def _check(
    app: Lifecycle, uow: UnitOfWork, source: ImportSource, default: str | None
) -> tuple[list[ImportedCase], list[RowProblem]]:
    problems = list(source.problems)
    cases: list[ImportedCase] = []
    first_line: dict[tuple[str, str], int] = {}
    codes = app.catalogue.codes()
    for row in source.rows:
        code = row.values.get("programme")
        if code is not None and default is not None and code != default:
            problems.append(
                RowProblem(
                    row.line,
                    row.column("programme"),
                    "invalid_field",
                    (
                        f"{code!r} is not {default}, the programme given with --programme; import "
                        "each programme's rows separately, or leave --programme out"
                    ),
                )
            )
            continue
        code = code or default
        if not code:
            problems.append(
                RowProblem(
                    row.line,
                    "programme",
                    "missing_field",
                    ("every row needs a programme: a column programme, or --programme CODE"),
                )
            )
            continue
        if not isinstance(code, str) or code not in codes:
            problems.append(
                RowProblem(
                    row.line,
                    row.column("programme"),
                    "invalid_field",
                    (f"no programme {code!r}; the programmes are: {', '.join(codes)}"),
                )
            )
            continue
        programme = app.catalogue.current(code)
        renamed = fields_by_label(programme, row)
        if isinstance(renamed, RowProblem):
            problems.append(renamed)
            continue
        outcome = import_row(programme, renamed)
        if isinstance(outcome, list):
            problems += outcome
            continue
        key = (code, outcome.case.name)
        if key in first_line:
            problems.append(
                RowProblem(
                    row.line,
                    row.column("name"),
                    "duplicate",
                    (f"{outcome.case.name!r} is also on line {first_line[key]} of this file; a case is imported once"),
                )
            )
            continue
        first_line[key] = row.line
        cases.append(outcome)
    if not source.rows and not problems:
        problems.append(
            RowProblem(
                1,
                None,
                "invalid_file",
                "the file has no case to import: one case a row (CSV after the header row, or one JSON object a line)",
            )
        )
    problems += _already_there(uow, cases, source)
    return cases, problems


def fields_by_label(programme: Programme, row: ImportRow) -> ImportRow | RowProblem:
    """The row with each column named by a field's Chinese label renamed to the field's code
    (`所在省份` → `province`); a label may leave out its parenthesised explanation
    (`园区类别` for `园区类别(世界领先科技园区/…)`)."""
    labels = field_labels(programme)
    if not any(key not in programme.definition.fields and key in labels for key in row.fields):
        return row
    fields: dict[str, Any] = {}
    columns = {k: v for k, v in row.columns.items() if k not in row.fields}
    for key, value in row.fields.items():
        code = key if key in programme.definition.fields else labels.get(key, key)
        if code in fields:
            return RowProblem(
                row.line,
                row.column(key),
                "duplicate",
                (f"{row.column(key)!r} and {columns[code]!r} are both the field {code}; keep one column"),
            )
        fields[code] = value
        columns[code] = row.column(key)
    return ImportRow(row.line, dict(row.values), fields, columns)


def field_labels(programme: Programme) -> dict[str, str]:
    """Each field's Chinese label, with and without its parenthesised part, → its code."""
    labels: dict[str, str] = {}
    for code, spec in programme.definition.fields.items():
        if spec.zh:
            labels[spec.zh.strip()] = code
            short = re.split(r"[(（]", spec.zh, maxsplit=1)[0].strip()
            labels.setdefault(short, code)
    return labels


def _offices(uow: UnitOfWork, source: ImportSource, cases: list[ImportedCase], actor: Actor) -> list[RowProblem]:
    """Each case's office: the row's `office` column, else the importing admin's own; it must
    exist and be the admin's office or one below it."""
    own = uow.offices.office_of(actor.name) or uow.offices.root()
    seen = uow.scope_of(actor.name)
    known = {office["code"] for office in uow.offices.all()}
    rows = {row.line: row for row in source.rows}
    problems = []
    for imported in cases:
        row = rows[imported.line]
        given = row.values.get("office")
        office = str(given).strip() if given not in (None, "") else own
        if office not in known:
            problems.append(
                RowProblem(
                    imported.line,
                    row.column("office"),
                    "invalid_field",
                    (f"no office {office!r}; `lifecycle offices list` shows the offices"),
                )
            )
        elif seen is not None and office not in seen:
            problems.append(
                RowProblem(
                    imported.line,
                    row.column("office"),
                    "office",
                    (f"{actor.name} imports for office {own} and the offices below it, not for {office}"),
                )
            )
        else:
            imported.case.office = office
    return problems


def _already_there(uow: UnitOfWork, cases: list[ImportedCase], source: ImportSource) -> list[RowProblem]:
    by_programme: dict[str, list[ImportedCase]] = {}
    for imported in cases:
        by_programme.setdefault(imported.case.programme, []).append(imported)
    rows = {row.line: row for row in source.rows}
    problems = []
    for code, group in by_programme.items():
        taken = uow.cases.ids_by_name(code, [c.case.name for c in group])
        for imported in group:
            existing = taken.get(imported.case.name)
            if existing is not None:
                problems.append(
                    RowProblem(
                        imported.line,
                        rows[imported.line].column("name"),
                        "duplicate",
                        (
                            f"{code} already has {imported.case.name!r} in this database: case "
                            f"{existing} (`lifecycle cases show {existing}`); remove the row (was the "
                            "file imported before?)"
                        ),
                    )
                )
    return problems


def _write(app: Lifecycle, uow: UnitOfWork, source: ImportSource, cases: list[ImportedCase], actor: Actor) -> list[int]:
    """Every case and its history in this unit of work; the audit entries' numbers.

    In batches: one INSERT of the cases, then one of their entries, per BATCH rows, which
    keeps 10,000 rows to seconds where a round trip per entry took a minute on PostgreSQL.
    """
    seqs: list[int] = []
    for code in sorted({c.case.programme for c in cases}):
        programme = app.catalogue.current(code)
        uow.definitions.ensure(code, programme.version, app.catalogue.text(code), programme)
    for start in range(0, len(cases), BATCH):
        batch = cases[start : start + BATCH]
        seqs += uow.open_cases(
            [
                (imported.case, [_entry(source, imported, event, actor) for event in imported.history])
                for imported in batch
            ],
            f"importing {source.name}",
        )
        seqs += _contacts(uow, source, [imported for imported in batch if imported.contact is not None], actor)
    return seqs


def _contacts(uow: UnitOfWork, source: ImportSource, imported: list[ImportedCase], actor: Actor) -> list[int]:
    """The contacts of the file's rows, each with its `set_contact` audit entry, as `contacts set`
    records one."""
    from lifecycle.services.clock import today
    from lifecycle.services.contacts import TRIGGER

    drafts = []
    for row in imported:
        case, contact = row.case, row.contact
        assert case.id is not None and contact is not None
        uow.contacts.save(case.id, contact, actor.name)
        changed = [k for k, v in contact.to_dict().items() if v is not None]
        drafts.append(
            EntryDraft(
                case.id,
                case.programme,
                TRIGGER,
                case.state,
                case.state,
                today(),
                actor.name,
                actor.role,
                f"contact imported from {source.name}, line {row.line}",
                None,
                {
                    "changed": changed,
                    "before": {},
                    "after": contact.audit_view(),
                    "source_file": source.name,
                    "source_line": row.line,
                },
                case.office,
            )
        )
    return uow.record_many(drafts, f"importing the contacts of {source.name}") if drafts else []


def _entry(source: ImportSource, imported: ImportedCase, event: PastEvent, actor: Actor) -> EntryDraft:
    """What the audit entry of one imported event says: trigger `import`, who imported it,
    and where it comes from."""
    case = imported.case
    payload: dict[str, Any] = {
        **event.payload,
        "imported": True,
        "source_file": source.name,
        "source_sha256": source.sha256,
        "source_line": imported.line,
    }
    if event.trigger is not None:
        payload["original_trigger"] = event.trigger
    reason = f"imported from {source.name}, line {imported.line}"
    return EntryDraft(
        case.id,
        case.programme,
        IMPORT,
        event.from_state,
        event.to_state,
        event.on,
        actor.name,
        actor.role,
        reason + (f": {event.reason}" if event.reason else ""),
        event.clause,
        payload,
        case.office,
    )


def _report(source: ImportSource, cases: list[ImportedCase], seqs: list[int], dry_run: bool) -> dict[str, Any]:
    counts = Counter((c.case.programme, c.case.state) for c in cases)
    return {
        "file": source.name,
        "sha256": source.sha256,
        "format": source.format,
        "encoding": source.encoding,
        "dry_run": dry_run,
        "cases": len(cases),
        "entries": len(seqs) if seqs else sum(len(c.history) for c in cases),
        "first_seq": seqs[0] if seqs else None,
        "last_seq": seqs[-1] if seqs else None,
        "by_state": [{"programme": p, "state": s, "cases": n} for (p, s), n in sorted(counts.items())],
        "imported": [
            {
                "line": c.line,
                "id": c.case.id,
                "programme": c.case.programme,
                "name": c.case.name,
                "state": c.case.state,
                "state_since": c.case.state_since.isoformat(),
                "approved_on": c.case.approved_on.isoformat() if c.case.approved_on else None,
                "valid_until": c.case.valid_until.isoformat() if c.case.valid_until else None,
                "cycle": c.case.cycle,
                "cycle_start": c.case.cycle_start.isoformat() if c.case.cycle_start else None,
                "deadline_on": c.case.deadline_on.isoformat() if c.case.deadline_on else None,
                "entries": len(c.history),
            }
            for c in cases
        ],
    }

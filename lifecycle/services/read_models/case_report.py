"""The auditor's report on one case: its whole history, each decision with its clause and the
document the clause comes from (in the definition version the case ran under at the time), and
whether the audit chain verifies."""

from __future__ import annotations

from typing import Any

from lifecycle.domain.audit import AuditEntry, utc_text
from lifecycle.domain.programme import Programme
from lifecycle.persistence.engine import safe_url
from lifecycle.persistence.repositories import utc_now
from lifecycle.persistence.unit_of_work import UnitOfWork
from lifecycle.services.app import Lifecycle
from lifecycle.services.audit import verify_log
from lifecycle.services.cases import load_case
from lifecycle.services.users import reader_name

#: Clauses that come from the shared rules every programme follows, not from its document.
SHARED_RULES = "PROGRAMMES.md"


def versions_in_force(current: str, history: list[AuditEntry]) -> dict[int, str]:
    """The definition version each entry was decided under: the case's version now, and before
    each `migrate` entry the version it moved the case from."""
    version, by_seq = current, {}
    for entry in reversed(history):
        by_seq[entry.seq] = version
        if entry.trigger == "migrate" and entry.payload.get("from_version"):
            version = str(entry.payload["from_version"])
    return by_seq


def _source(programme: Programme) -> dict[str, Any]:
    source = programme.definition.source
    return {"version": programme.version, "title": source.title, "number": source.number,
            "issuer": source.issuer, "date": source.date.isoformat() if source.date else None,
            "file": source.file, "section": source.section}


def _decision(entry: AuditEntry, programme: Programme) -> dict[str, Any]:
    trigger = programme.trigger(entry.trigger)
    clause = entry.clause or ""
    from_shared_rules = clause.startswith(SHARED_RULES)
    return {
        **entry.to_dict(),
        "trigger_zh": trigger.zh if trigger else None,
        "trigger_en": trigger.en if trigger else None,
        "from_label": programme.label(entry.from_state) if entry.from_state else None,
        "to_label": programme.label(entry.to_state) if entry.to_state else None,
        "definition_version": programme.version,
        # Where the clause is written: the programme's document, or the shared rules.
        "clause_source": None if not clause else (
            "shared rules (PROGRAMMES.md)" if from_shared_rules
            else " ".join(p for p in (programme.definition.source.number,
                                      programme.definition.source.title) if p)),
    }


def case_report(app: Lifecycle, case_id: int, claimed: str) -> dict[str, Any]:
    """Everything the report shows, as data (the renderers only lay it out)."""
    with app.uow() as uow:
        case = load_case(uow, case_id)
        history = uow.audit.history(case_id)
        by_seq = versions_in_force(case.definition_version, history)
        programmes = {version: _programme(app, uow, case.programme, version)
                      for version in dict.fromkeys([*by_seq.values(), case.definition_version])}
        generated_by = reader_name(uow, claimed)
    current = programmes[case.definition_version]
    chain = verify_log(app)
    # A broken chain before or at one of this case's entries puts the entry itself in doubt.
    doubtful = [e.seq for e in history if not chain.ok and chain.first_bad is not None
                and e.seq >= chain.first_bad]
    return {
        "case": {"id": case.id, "programme": case.programme,
                 "programme_zh": current.definition.name.zh, "programme_en": current.definition.name.en,
                 "name": case.name, "state": case.state, "state_label": current.label(case.state),
                 "state_since": case.state_since.isoformat(), "version": case.version,
                 "definition_version": case.definition_version,
                 "approved_on": case.approved_on.isoformat() if case.approved_on else None,
                 "valid_until": case.valid_until.isoformat() if case.valid_until else None},
        "sources": [_source(p) for p in programmes.values()],
        "decisions": [_decision(e, programmes[by_seq[e.seq]]) for e in history],
        "chain": {**chain.to_dict(), "entries_in_doubt": doubtful},
        "generated_at": utc_text(utc_now()),
        "generated_by": generated_by,
        "database": safe_url(app.url),
    }


def _programme(app: Lifecycle, uow: UnitOfWork, code: str, version: str) -> Programme:
    return app.catalogue.version(code, version, lambda _code, v: uow.definitions.text(v))

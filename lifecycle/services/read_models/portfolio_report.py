"""The portfolio report an office hands in: per programme, its designations by state and the
plan's counts against them, the evaluations and other dated rules falling due this year, the
obligations overdue, the decisions due (raised by the compliance run, awaiting the authority),
and the designations revoked in the last twelve months."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from lifecycle.domain.audit import utc_text
from lifecycle.domain.deadlines import deadlines
from lifecycle.domain.schedule import obligations_view
from lifecycle.domain.targets import designations, progress
from lifecycle.persistence.engine import safe_url
from lifecycle.persistence.repositories import utc_now
from lifecycle.services.app import Lifecycle
from lifecycle.services.users import reader_name

#: How far back a revocation counts as recent.
RECENT = timedelta(days=365)
#: The states a revocation leads to.
REVOKED = "revoked"


def portfolio_report(app: Lifecycle, as_of: date, claimed: str, programme: str | None = None) -> dict[str, Any]:
    """Everything the report shows, as data (the renderers only lay it out)."""
    if programme:
        app.catalogue.current(programme)  # an unknown code is an error, not an empty report
    year_start, year_end = date(as_of.year, 1, 1), date(as_of.year, 12, 31)
    sections: dict[str, dict[str, Any]] = {}
    with app.uow() as uow:
        generated_by = reader_name(uow, claimed)
        for case in uow.cases.search(programme=programme):
            definition = app.programme_for(case, uow)
            section = sections.get(case.programme)
            if section is None:
                section = sections[case.programme] = _section(app, case.programme)
            section["by_state"][case.state] = section["by_state"].get(case.state, 0) + 1
            named = {"case_id": case.id, "name": case.name}
            for due in deadlines(definition, case, year_start, year_end):
                if due.kind == "timer":
                    section["evaluations_due"].append(
                        {
                            **named,
                            "due_on": due.on.isoformat(),
                            "what": due.what,
                            "what_zh": due.what_zh,
                            "clause": due.clause,
                            "default": due.default,
                        }
                    )
            if definition.kind(case.state) == "active":
                for row in obligations_view(definition, case, as_of):
                    if row["status"] in ("overdue", "reminded"):
                        obligation = next(o for o in definition.definition.obligations if o.id == row["kind"])
                        section["overdue_obligations"].append(
                            {
                                **named,
                                "obligation": obligation.en,
                                "obligation_zh": obligation.zh,
                                "period": row["period"],
                                "due_on": row["due_on"],
                                "status": row["status"],
                                "reminded_on": row["reminded_on"],
                                "clause": obligation.clause,
                            }
                        )
            if case.state == REVOKED and as_of - RECENT <= case.state_since <= as_of:
                assert case.id is not None
                # the entry that revoked it (a later correction or note is not the revocation)
                last = next((e for e in reversed(uow.audit.history(case.id)) if e.to_state == REVOKED), None)
                ground = last.payload.get("ground") if last else None
                known = definition.definition.grounds.get(ground) if ground else None
                section["recent_revocations"].append(
                    {
                        **named,
                        "revoked_on": case.state_since.isoformat(),
                        "ground": ground,
                        "ground_zh": known.zh if known else None,
                        "ground_en": known.en if known else None,
                        "reason": last.reason if last else None,
                        "clause": last.clause if last else None,
                        "actor": last.actor if last else None,
                    }
                )
        for decision in uow.decisions.search(state="open", programme=programme):
            if decision["raised_on"] is not None and decision["raised_on"] > as_of:
                continue  # raised after the report's day: not yet due as of it
            section = sections.get(decision["programme"])
            if section is None:
                continue
            section["decisions_due"].append(
                {
                    "id": decision["id"],
                    "case_id": decision["case_id"],
                    "name": decision["case_name"],
                    "decision": decision["name"],
                    "trigger": decision["trigger"],
                    "to_state": decision["to_state"],
                    "ground": decision["ground"],
                    "clause": decision["clause"],
                    "default": decision["default"],
                    "due_on": decision["due_on"].isoformat() if decision["due_on"] else None,
                    "raised_on": decision["raised_on"].isoformat() if decision["raised_on"] else None,
                }
            )
    programmes = []
    for code in sorted(sections):
        section = sections[code]
        states = app.catalogue.current(code).definition.states
        section["by_state"] = [
            {
                "state": s,
                "state_zh": states[s].zh if s in states else s,
                "state_en": states[s].en if s in states else s,
                "cases": n,
            }
            for s, n in sorted(
                section["by_state"].items(),
                key=lambda item: list(states).index(item[0]) if item[0] in states else len(states),
            )
        ]
        section["cases"] = sum(row["cases"] for row in section["by_state"])
        # The plan's baselines and targets (技术要素市场 plan: 国家技术转移机构达到500家) against the
        # designations held now, as the dashboard and `programmes show` count them.
        programme_now = app.catalogue.current(code)
        held = designations(programme_now, {row["state"]: row["cases"] for row in section["by_state"]})
        section["designations"] = held
        section["targets"] = [t.as_json() for t in progress(programme_now, held, as_of)]
        for key, sort in (
            ("evaluations_due", "due_on"),
            ("overdue_obligations", "due_on"),
            ("recent_revocations", "revoked_on"),
            ("decisions_due", "due_on"),
        ):
            section[key].sort(key=lambda r, k=sort: (r[k] or "", r["case_id"]))
        programmes.append(section)
    return {
        "as_of": as_of.isoformat(),
        "year": as_of.year,
        "programme": programme,
        "programmes": programmes,
        "generated_at": utc_text(utc_now()),
        "generated_by": generated_by,
        "database": safe_url(app.url),
    }


def _section(app: Lifecycle, code: str) -> dict[str, Any]:
    names = app.catalogue.current(code).definition.name
    return {
        "code": code,
        "name_zh": names.zh,
        "name_en": names.en,
        "by_state": {},
        "evaluations_due": [],
        "overdue_obligations": [],
        "recent_revocations": [],
        "decisions_due": [],
    }

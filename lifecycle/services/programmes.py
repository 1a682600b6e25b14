"""Use cases on programmes that need the database: which definition versions cases run on."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from lifecycle.domain.case import Case
from lifecycle.domain.messages import N_, message
from lifecycle.domain.reasons import Reason
from lifecycle.domain.schedule import next_due
from lifecycle.errors import Conflict, NotFound, Refused
from lifecycle.persistence.repositories import EntryDraft
from lifecycle.services.app import Lifecycle
from lifecycle.services.users import require_admin


@dataclass(frozen=True)
class DefinitionVersion:
    version: str
    #: When a case first ran on it (ISO text, UTC); None: no case yet (the current file).
    recorded_at: str | None
    cases: int
    current: bool

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Migration:
    programme: str
    to_version: str
    dry_run: bool
    #: Each case moved: case_id, from_state, to_state, from_version.
    moves: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "programme": self.programme,
            "to_version": self.to_version,
            "dry_run": self.dry_run,
            "moves": self.moves,
        }


def definition_versions(app: Lifecycle, code: str) -> list[DefinitionVersion]:
    """Every stored version of a programme's definition, oldest first, with the number of cases
    running on it; the current file's version is listed too, even before any case uses it."""
    current = app.catalogue.current(code).version
    app.require_schema()
    with app.uow() as uow:
        stored = uow.definitions.versions(code)
        counts = uow.cases.count_by_version(code)
    rows = [
        DefinitionVersion(
            row["version"], row["recorded_at"].isoformat(), counts.get(row["version"], 0), row["version"] == current
        )
        for row in stored
    ]
    if current not in {row.version for row in rows}:
        rows.append(DefinitionVersion(current, None, 0, True))
    return rows


def migrate_programme(
    app: Lifecycle,
    acting: str,
    code: str,
    on: date,
    *,
    to: str | None = None,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    reason: str | None = None,
) -> Migration:
    """Move the running cases of a programme to a definition version (default: the current file).

    A case whose state the target version lacks is refused unless `mapping` names the state
    it becomes. All or nothing: one refused case and no case moves. Each move is one audit
    entry (trigger `migrate`). A dry run decides the same and writes nothing.
    """
    mapping = mapping or {}
    current = app.catalogue.current(code)
    app.require_schema()
    with app.uow(write=not dry_run) as uow:
        actor = require_admin(uow, acting, message(N_("migrating {code}"), {"code": code}))
        target = current
        if to is not None and not current.version.startswith(to):
            matches = [v["version"] for v in uow.definitions.versions(code) if v["version"].startswith(to)]
            if len(matches) != 1:
                raise NotFound(
                    N_("{code} has no single version starting {to}; `lifecycle programmes versions {code}` lists them"),
                    {"code": code, "to": repr(to)},
                )
            target = app.catalogue.version(code, matches[0], lambda c, v: uow.definitions.text(v))
        states = target.definition.states
        problems = [
            Reason(
                "invalid_field", f"--map {old}={new}: {new!r} is not a state of {code} version {target.version[:12]}"
            )
            for old, new in mapping.items()
            if new not in states
        ]
        moves: list[tuple[Case, str]] = []
        for case in uow.cases.search(programme=code, lock=not dry_run):
            if case.definition_version == target.version:
                continue
            if app.programme_for(case, uow).kind(case.state) == "terminal":
                continue  # a closed case stays under the rules it was closed by
            new_state = mapping.get(case.state, case.state)
            if new_state not in states:
                problems.append(
                    Reason(
                        "wrong_state",
                        f"case {case.id} is in {case.state}, which version "
                        f"{target.version[:12]} lacks; map it with --map {case.state}=STATE",
                        details={"case_id": case.id, "state": case.state},
                    )
                )
                continue
            moves.append((case, new_state))
        if problems:
            raise Refused(
                message(N_("migrating {code} to {version}"), {"code": code, "version": target.version[:12]}), problems
            )
        results = []
        moved_before = False
        for case, new_state in moves:
            old_state, old_version = case.state, case.definition_version
            results.append(
                {
                    "case_id": case.id,
                    "from_state": old_state,
                    "to_state": new_state,
                    "from_version": old_version,
                    "to_version": target.version,
                }
            )
            if dry_run:
                continue
            seen = case.version
            case.state, case.definition_version = new_state, target.version
            case.next_due_on = next_due(target, case)  # the new rules may fall due on other days
            if not moved_before:
                # The target version's states and moves first: the database checks the
                # migration against them (PostgreSQL).
                uow.definitions.ensure(code, target.version, _text_of(app, code, target.version, uow), target)
                moved_before = True
            draft = EntryDraft(
                case.id,
                code,
                "migrate",
                old_state,
                new_state,
                on,
                actor.name,
                actor.role,
                reason,
                None,
                {"from_version": old_version, "to_version": target.version},
                case.office,
            )
            if uow.change_case(case, seen, draft, f"migrating case {case.id}") is None:
                raise Conflict(N_("case {id} changed during the migration; nothing was written"), {"id": case.id})
        if not dry_run:
            uow.definitions.ensure(code, target.version, _text_of(app, code, target.version, uow), target)
            uow.commit()
    return Migration(code, target.version, dry_run, results)


def _text_of(app: Lifecycle, code: str, version: str, uow: Any) -> str:
    if app.catalogue.current(code).version == version:
        return app.catalogue.text(code)
    return str(uow.definitions.text(version))

"""Offices: the tree of a ministry's offices, and the ministry view of cases rolled up it.

A user sees and acts on the cases of their office and of the offices below it; the root
office (the ministry) sees all. On PostgreSQL the database enforces it for every login
(row-level security and the write functions, see persistence/guard.py); on SQLite, one
file and one trust domain, the service layer does.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from lifecycle.domain.reasons import Reason
from lifecycle.errors import Refused
from lifecycle.persistence.offices import CODE_CHARACTERS
from lifecycle.services.app import Lifecycle
from lifecycle.services.clock import today
from lifecycle.services.ports import UnitOfWork
from lifecycle.services.users import require_admin

MAX_CODE = 60
MAX_NAME = 200


def _check(code: str, name: str, action: str) -> None:
    problems = []
    if not code or len(code) > MAX_CODE or not set(code) <= CODE_CHARACTERS:
        problems.append(
            Reason(
                "invalid_field",
                f"office code {code!r}: 1 to {MAX_CODE} letters, digits, '-', '_' or '.' (e.g. BJ, GD-SZ)",
                details={"code": code},
            )
        )
    if not name.strip() or len(name) > MAX_NAME:
        problems.append(
            Reason("invalid_field", f"office name {name!r}: 1 to {MAX_NAME} characters", details={"name": name})
        )
    if problems:
        raise Refused(action, problems)


def add_office(app: Lifecycle, acting: str, code: str, name: str, parent: str | None) -> dict[str, Any]:
    """Add an office under `parent` (default: the root office), or rename an existing one
    (same parent). An admin adds offices below their own; on PostgreSQL the installer does."""
    action = f"adding office {code!r}"
    _check(code, name, action)
    app.require_schema()
    with app.uow(write=True) as uow:
        actor = require_admin(uow, acting, action)
        who = uow.users.database_user()
        if who is not None and not who.installer:
            raise Refused(
                action,
                [
                    Reason(
                        "role",
                        "on PostgreSQL offices are added by the installer (a superuser or the owner "
                        "of the schema), who also adds their users; see docs/operations.md",
                        details={"user": who.name},
                    )
                ],
            )
        parent = parent or uow.offices.root()
        above = uow.offices.get(parent)
        if above is None:
            raise Refused(
                action,
                [
                    Reason(
                        "invalid_field",
                        f"parent office {parent!r} does not exist; `lifecycle offices list` shows the offices",
                        details={"parent": parent},
                    )
                ],
            )
        seen = uow.scope_of(actor.name)
        if seen is not None and parent not in seen:
            raise Refused(
                action,
                [
                    Reason(
                        "office",
                        f"{actor.name} adds offices below their own office only, not below {parent}",
                        details={"parent": parent, "user": actor.name},
                    )
                ],
            )
        existing = uow.offices.get(code)
        if existing is not None:
            if existing["parent"] != (None if existing["parent"] is None else parent):
                raise Refused(
                    action,
                    [
                        Reason(
                            "invalid_field",
                            f"office {code} exists under {existing['parent'] or '(root)'}; an "
                            "office does not move: choose another code",
                            details={"code": code},
                        )
                    ],
                )
            if existing["name"] == name:
                return _view(existing, "unchanged")
            uow.offices.rename(code, name)
            status = "renamed"
        else:
            uow.offices.add(code, name, above["path"], parent)
            status = "added"
        office = uow.offices.get(code)
        assert office is not None
        uow.audit.append(
            case_id=None,
            programme=None,
            trigger="office",
            from_state=None,
            to_state=None,
            effective_on=today(),
            actor=actor.name,
            role=actor.role,
            reason=None,
            clause=None,
            payload={"office": code, "name": name, "parent": office["parent"], "status": status},
            office=code,
        )
        uow.commit()
    return _view(office, status)


def _view(office: dict[str, Any], status: str | None = None) -> dict[str, Any]:
    view = {
        "code": office["code"],
        "name": office["name"],
        "parent": office["parent"],
        "level": office["path"].count("/") - 2,
    }
    if status is not None:
        view["status"] = status
    return view


def list_offices(app: Lifecycle) -> list[dict[str, Any]]:
    """The offices the viewer sees (theirs and those below it), parents first, each with its own
    cases and the cases of its whole subtree, by state: the ministry's view of its portfolio."""
    app.require_schema()
    with app.uow() as uow:
        return rollup(uow, today())


def rollup(uow: UnitOfWork, as_of: date) -> list[dict[str, Any]]:
    """Per office the viewer sees, parents first: its own cases, and with those of every office
    below it, how many in each state and how many overdue on `as_of` (one grouped query)."""
    seen = uow.scope()
    offices = [o for o in uow.offices.all() if seen is None or o["code"] in seen]
    own: dict[str, dict[str, int]] = defaultdict(dict)
    late: dict[str, int] = defaultdict(int)
    for code, state, n, due in uow.offices.case_counts(seen, as_of):
        own[code][state] = n
        late[code] += int(due or 0)
    rows = []
    for office in offices:
        below = [o["code"] for o in offices if o["path"].startswith(office["path"])]
        total: dict[str, int] = defaultdict(int)
        for other in below:
            for state, n in own.get(other, {}).items():
                total[state] += n
        rows.append(
            {
                **_view(office),
                "cases": sum(own.get(office["code"], {}).values()),
                "cases_with_sub_offices": sum(total.values()),
                "overdue_with_sub_offices": sum(late[other] for other in below),
                "by_state_with_sub_offices": dict(sorted(total.items())),
            }
        )
    return rows

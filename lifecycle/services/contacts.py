"""Contacts: the designated organisation's person for a case, and administrators' addresses.

Every change writes one audit entry in the same transaction (trigger `set_contact`, the case's
state unchanged); a robot's URL is recorded there only as its host and a fingerprint, because
the URL carries the robot's secret key and the log is permanent. A refused or invalid change
writes nothing.
"""

from __future__ import annotations

from typing import Any

from lifecycle.domain.contacts import Contact, ContactProblem, updated
from lifecycle.domain.messages import N_, message
from lifecycle.errors import NotFound, UsageError
from lifecycle.persistence.repositories import EntryDraft
from lifecycle.services.app import Lifecycle
from lifecycle.services.cases import load_case
from lifecycle.services.clock import today
from lifecycle.services.users import require_admin

#: The audit log's trigger for a change of contacts.
TRIGGER = "set_contact"
ADMIN_TRIGGER = "set_admin_contact"


def show_contact(app: Lifecycle, case_id: int) -> dict[str, Any]:
    app.require_schema()
    with app.uow() as uow:
        case = load_case(uow, case_id)
        contact = uow.contacts.of_case(case_id) or Contact()
    return {"case_id": case_id, "case_name": case.name, "programme": case.programme, **contact.to_dict()}


def set_contact(
    app: Lifecycle, acting: str, case_id: int, *, reason: str | None = None, **values: str | None
) -> dict[str, Any]:
    """Change the case's contact (only the values given; "" clears one). Returns the contact and
    whether anything changed (an unchanged contact writes nothing). `reason` leads the audit
    entry's reason (the demo's says its data is made up)."""
    app.require_schema()
    with app.uow(write=True) as uow:
        actor = require_admin(uow, acting, message(N_("changing the contact of case {case}"), {"case": case_id}))
        case = load_case(uow, case_id)
        before = uow.contacts.of_case(case_id) or Contact()
        after = _checked(before, values)
        changed = [
            name
            for name in ("name", "email", "phone", "webhook_url", "webhook_kind")
            if getattr(before, name) != getattr(after, name)
        ]
        if changed:
            uow.contacts.save(case_id, after, actor.name)
            draft = EntryDraft(
                case_id=case_id,
                programme=case.programme,
                trigger=TRIGGER,
                from_state=case.state,
                to_state=case.state,
                effective_on=today(),
                actor=actor.name,
                role=actor.role,
                reason=f"{reason + '; ' if reason else ''}contact changed: {', '.join(changed)}",
                clause=None,
                payload={"changed": changed, "before": before.audit_view(), "after": after.audit_view()},
                office=case.office,
            )
            uow.record(draft, f"changing the contact of case {case_id}")
            uow.commit()
    return {
        "case_id": case_id,
        "case_name": case.name,
        "programme": case.programme,
        **after.to_dict(),
        "changed": changed,
    }


def _checked(before: Contact, values: dict[str, str | None]) -> Contact:
    try:
        return updated(
            before,
            name=values.get("name"),
            email=values.get("email"),
            phone=values.get("phone"),
            webhook=values.get("webhook"),
            webhook_kind=values.get("webhook_kind"),
        )
    except ContactProblem as problem:
        raise UsageError(N_("{problem}. Nothing was changed."), {"problem": problem}) from None


def set_admin_contact(app: Lifecycle, acting: str, user: str, **values: str | None) -> dict[str, Any]:
    """An administrator's addresses (the office's: decisions due go there). Audited, without a case."""
    app.require_schema()
    with app.uow(write=True) as uow:
        actor = require_admin(
            uow, acting, message(N_("changing the addresses of administrator {user}"), {"user": user})
        )
        if uow.users.role_of(user) != "admin":
            raise NotFound(
                N_("{user} is not an administrator of this database; `lifecycle users list` shows them"),
                {"user": repr(user)},
            )
        before = uow.contacts.of_admin(user) or Contact(user)
        after = _checked(before, {**values, "name": None})
        changed = [
            name
            for name in ("email", "phone", "webhook_url", "webhook_kind")
            if getattr(before, name) != getattr(after, name)
        ]
        if changed:
            uow.contacts.save_admin(user, after, actor.name)
            draft = EntryDraft(
                case_id=None,
                programme=None,
                trigger=ADMIN_TRIGGER,
                from_state=None,
                to_state=None,
                effective_on=today(),
                actor=actor.name,
                role=actor.role,
                reason=f"addresses of administrator {user} changed: {', '.join(changed)}",
                clause=None,
                payload={"user": user, "changed": changed, "before": before.audit_view(), "after": after.audit_view()},
                office=uow.offices.office_of(user) or uow.offices.root(),
            )
            uow.record(draft, f"changing the addresses of administrator {user}")
            uow.commit()
    return {"user": user, **{k: v for k, v in after.to_dict().items() if k != "name"}, "changed": changed}


def list_admin_contacts(app: Lifecycle) -> list[dict[str, Any]]:
    app.require_schema()
    with app.uow() as uow:
        return [
            {"user": c.name, **{k: v for k, v in c.to_dict().items() if k != "name"}} for c in uow.contacts.admins()
        ]

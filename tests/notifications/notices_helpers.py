"""Building cases whose notices are due, for the notification tests."""

from __future__ import annotations

import os
import socket
from datetime import date
from typing import Any

from lifecycle.persistence.notifications import NoticeDraft, Recipient, insert_notices
from lifecycle.services.cases import add_case, advance
from lifecycle.services.contacts import set_contact

ELIGIBLE = {
    "registered_in_beijing": "true",
    "good_credit": "true",
    "integrates_resources": "true",
    "avg_revenue_3y": "3.2e9",
    "rd_ratio_3y": "11%",
    "rd_growth_last_year": "6%",
    "domestic_rd_share": "82%",
    "safety_accident_3y": "false",
    "has_core_team": "true",
}


def bj_approved(app: Any, name: str = "北京市集成电路技术创新中心", **contact: str) -> int:
    """A bj-tic centre approved on 2025-01-10: its 2025 report is due 2026-03-31."""
    case = add_case(app, "alice", "bj-tic", name, date(2024, 9, 20)).case
    assert case.id is not None
    advance(app, "alice", case.id, "submit", date(2024, 10, 8), ELIGIBLE)
    advance(app, "alice", case.id, "start_review", date(2024, 11, 5))
    advance(app, "alice", case.id, "approve", date(2025, 1, 10))
    if contact:
        set_contact(app, "alice", case.id, **contact)
    return case.id


def outbox_of(app: Any, count: int, *, channel: str = "email", address: Any = None) -> list[int]:
    """`count` notices in the outbox, one delivery each (no case: like `notify test`)."""
    ids = []
    with app.uow(write=True) as uow:
        for number in range(1, count + 1):
            to = address(number) if address else f"org{number}@example.org"
            recipient = Recipient(channel, to, "generic" if channel == "webhook" else None, f"联系人{number}")
            draft = NoticeDraft(
                f"test|batch|{number}",
                None,
                None,
                "test",
                "test",
                str(number),
                None,
                None,
                date(2026, 4, 1),
                {"sent_at": f"batch {number}"},
            )
            insert_notices(uow.connection, [(draft, [recipient])], None)
            ids.append(number)
        uow.commit()
    return ids


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli_env(db_url: str, extra: dict[str, str] | None = None, user: str = "alice") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIFECYCLE_") or k == "LIFECYCLE_TEST_POSTGRES_URL"}
    env.update(
        LIFECYCLE_LANG="en",
        LIFECYCLE_USER=user,
        LIFECYCLE_DB=db_url,
        COLUMNS="250",
        NO_COLOR="1",
        PYTHONIOENCODING="utf-8",
    )
    env.update(extra or {})
    return env

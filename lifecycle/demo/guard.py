"""What the demo may write into: a new database, or one holding only cases the demo made.

The demo's cases are made up. Written into a register that holds real cases they would sit in
its append-only audit log for ever, under the administrator's name, so the demo refuses such a
database before it writes anything. Every entry it writes says it is demo data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lifecycle.domain.messages import N_, message
from lifecycle.domain.reasons import Reason
from lifecycle.errors import Refused
from lifecycle.services.app import Lifecycle
from lifecycle.services.setup import init_database
from lifecycle.services.users import Actor, require_admin

#: The reason of every audit entry the demo writes: an auditor reading the log sees demo data.
DEMO_REASON = "demo data: a made-up case, not a real designation (lifecycle demo)"
#: How the entry opening a demo case begins ("demo portfolio": demo databases made before the
#: entries said "demo data").
DEMO_REASONS = ("demo data", "demo portfolio")


@dataclass
class DemoBuilt:
    """What a demo build wrote: `existing` (the showcase: cases already there, left alone);
    `as_of`, `seed` and `due_on_as_of` (the bulk portfolio: its day, its seed, how many cases
    have compliance work due that day); the cases by programme and state afterwards."""

    database: str
    created: int
    by_state: list[dict[str, Any]] = field(default_factory=list)
    existing: int | None = None
    as_of: str | None = None
    seed: int | None = None
    due_on_as_of: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"database": self.database, "created": self.created}
        if self.existing is not None:
            data["existing"] = self.existing
        else:
            data.update(due_on_as_of=self.due_on_as_of, as_of=self.as_of, seed=self.seed)
        data["by_state"] = self.by_state
        return data


def demo_database(app: Lifecycle, acting: str, command: str) -> Actor:
    """Create (or upgrade) the database for the demo and return its administrator; refuse,
    writing nothing, a database holding a case the demo did not make."""
    if app.has_schema():
        with app.uow() as uow:
            count, examples = uow.cases.opened_otherwise(DEMO_REASONS)
        if count:
            shown = ", ".join(f"#{case_id} {name} ({programme})" for case_id, programme, name in examples)
            raise Refused(
                command,
                [
                    Reason.of(
                        "not_demo_database",
                        N_(
                            "this database holds {count} case(s) the demo did not make (e.g. {shown}); the demo's "
                            "made-up cases would stay in its append-only audit log for ever. Run the demo on a new "
                            "file instead, e.g. `lifecycle --db demo.db demo`"
                        ),
                        {"count": count, "shown": shown},
                        details={"cases": count, "examples": [case_id for case_id, _, _ in examples]},
                    )
                ],
            )
    init_database(app, acting)
    with app.uow() as uow:
        return require_admin(uow, acting, message(N_("building the demo portfolio")))

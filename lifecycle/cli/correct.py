"""`lifecycle correct SEQ --reason TEXT`: void a mistaken audit entry with a compensating one."""

from typing import Annotated

import typer

from lifecycle.cli.common import DbOption, JsonOption, acting, application, console, print_json


def correct_command(
    seq: Annotated[int, typer.Argument(help="The number of the mistaken audit entry (`lifecycle audit log`).")],
    reason: Annotated[str, typer.Option("--reason", help="What was mistaken, for the audit log.")],
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Void a mistaken entry of a case: a new audited entry names it and returns the case to what it
    was before it (a state change only while it is the case's latest). Nothing is deleted. Admins only."""
    from lifecycle.services.corrections import correct

    app_ = application(db)
    app_.require_schema()
    done = correct(app_, acting(), seq, reason)
    entry = done.entry
    result = {
        "seq": entry.seq,
        "voids": done.voided.seq,
        "case_id": entry.case_id,
        "voided_trigger": done.voided.trigger,
        "from_state": entry.from_state,
        "to_state": entry.to_state,
        "state_since": done.case.state_since.isoformat(),
        "version": done.case.version,
        "clause": entry.clause,
        "default": True,
        "reason": entry.reason,
    }
    if json:
        print_json(result)
        return
    console().print(
        f"Audit #{entry.seq} voids #{done.voided.seq} ({done.voided.trigger}) on case {entry.case_id}: "
        f"the case is {entry.to_state} since {done.case.state_since} again ({entry.clause} [default]).",
        markup=False,
    )

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
    from lifecycle.cli.common import clause_text, labels, show_day
    from lifecycle.i18n import _

    names = labels(app_, done.case.programme)
    console().print(
        _(
            "Audit #{seq} voids #{voided} ({trigger}) on case {case}: the case is {state} since {since} again "
            "({clause})."
        ).format(
            seq=entry.seq,
            voided=done.voided.seq,
            trigger=names.trigger(done.voided.trigger),
            case=entry.case_id,
            state=names.state(entry.to_state),
            since=show_day(done.case.state_since.isoformat()),
            clause=clause_text(entry.clause, True),
        ),
        markup=False,
    )

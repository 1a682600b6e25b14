"""`lifecycle decisions list|confirm|dismiss`: what the compliance run proposes, decided by a person."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from lifecycle.cli.common import DbOption, JsonOption, OnOption, acting, application, console, parse_day, print_json

if TYPE_CHECKING:
    from lifecycle.services.decisions_due import Decided

app = typer.Typer(
    help="Decisions due: revocations the compliance run proposes, for an administrator "
    "to confirm with the decision's number or dismiss with a reason.",
    no_args_is_help=True,
)


def _clause(clause: str | None, default: bool) -> str:
    from lifecycle.cli.common import clause_text

    return clause_text(clause, default)


@app.command("list")
def list_(
    state: Annotated[str, typer.Option("--state", help="open, confirmed, dismissed or all.")] = "open",
    programme: Annotated[
        str | None, typer.Option("--programme", help="Only this programme.", show_default=False)
    ] = None,
    case_id: Annotated[int | None, typer.Option("--case", help="Only this case.", show_default=False)] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """List decisions due (default: the open ones), oldest due first. Anyone may read them."""
    from lifecycle.services.decisions_due import list_decisions

    rows = list_decisions(application(db), state=state, programme=programme, case_id=case_id)
    if json:
        print_json(rows)
        return
    from rich.table import Table
    from rich.text import Text

    from lifecycle.cli.common import labels, show_day
    from lifecycle.i18n import _

    out = console()
    if not rows:
        empty = _("No decisions due.") if state == "all" else _("No {state} decisions due.").format(state=_(state))
        out.print(empty, markup=False)
        return
    table = Table(
        _("id"),
        _("case"),
        _("programme"),
        _("name"),
        _("proposed"),
        _("ground"),
        _("clause"),
        _("due on"),
        _("state"),
        _("decision"),
        title=_("Decisions ({state})").format(state=_(state)),
    )
    app_ = application(db)
    for r in rows:
        names = labels(app_, r["programme"])
        proposed = r["decision"] or f"{names.trigger(r['trigger'])} → {names.state(r['to_state'])}"
        decided = " ".join(str(x) for x in (r["decision_no"], show_day(r["decided_on"]), r["decided_by"]) if x)
        table.add_row(
            str(r["id"]),
            str(r["case_id"]),
            Text(r["programme"]),
            Text(r["name"]),
            Text(proposed),
            Text(r["ground"] or ""),
            Text(_clause(r["clause"], r["default"])),
            show_day(r["due_on"]),
            _(r["state"]),
            Text(decided),
        )
    out.print(table)


def _result(done: Decided) -> dict[str, Any]:
    data = dict(done.decision)
    data["written"] = done.written
    data["seq"] = done.entry.seq if done.entry else None
    return data


@app.command("confirm")
def confirm_(
    decision_id: Annotated[int, typer.Argument(help="The decision's id (`lifecycle decisions list`).")],
    decision_no: Annotated[
        str,
        typer.Option("--decision-no", help="The number (文号) of the authority's decision, e.g. 国科发区〔2026〕12号."),
    ],
    on: OnOption = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why, for the audit log.", show_default=False)] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Confirm a proposal: apply its transition effective --on (the decision's date), as you, with
    the decision's number. Refused (exit 3) if its ground no longer holds."""
    from lifecycle.services.decisions_due import confirm

    app_ = application(db)
    app_.require_schema()
    day = parse_day(on)
    from lifecycle.cli.future import confirm_future

    confirm_future(day, "--on", json)
    done = confirm(app_, acting(), decision_id, decision_no, day, reason)
    if json:
        print_json(_result(done))
        return
    from lifecycle.cli.common import labels, show_day
    from lifecycle.i18n import _

    d = done.decision
    if not done.written:
        console().print(
            _("Decision {id} was already confirmed ({number}, {on}); nothing written.").format(
                id=d["id"], number=d["decision_no"], on=show_day(d["decided_on"])
            ),
            markup=False,
        )
        return
    names = labels(app_, d["programme"])
    console().print(
        _(
            "Decision {id} confirmed ({number}): case {case} {trigger} {from_state} → {to_state} effective {on} "
            "({clause}); audit #{seq}"
        ).format(
            id=d["id"],
            number=d["decision_no"],
            case=d["case_id"],
            trigger=names.trigger(d["trigger"]),
            from_state=names.state(d["from_state"]),
            to_state=names.state(d["to_state"]),
            on=show_day(d["decided_on"]),
            clause=_clause(d["clause"], d["default"]),
            seq=done.entry.seq if done.entry else "?",
        ),
        markup=False,
    )


@app.command("dismiss")
def dismiss_(
    decision_id: Annotated[int, typer.Argument(help="The decision's id (`lifecycle decisions list`).")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is dismissed, for the audit log.")],
    on: OnOption = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Dismiss a proposal with a reason: nothing changes on the case, and that rule is not proposed
    again for the same period."""
    from lifecycle.services.decisions_due import dismiss

    app_ = application(db)
    app_.require_schema()
    day = parse_day(on)
    from lifecycle.cli.future import confirm_future

    confirm_future(day, "--on", json)
    done = dismiss(app_, acting(), decision_id, reason, day)
    if json:
        print_json(_result(done))
        return
    from lifecycle.i18n import _

    d = done.decision
    message = (
        _("Decision {id} on case {case} dismissed ({reason}).")
        if done.written
        else _("Decision {id} on case {case} was already dismissed; nothing written ({reason}).")
    )
    console().print(message.format(id=d["id"], case=d["case_id"], reason=d["reason"]), markup=False)

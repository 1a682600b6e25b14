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
    text = clause or "no clause"
    return f"{text} [default]" if default else text


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

    out = console()
    if not rows:
        out.print(f"No {'' if state == 'all' else state + ' '}decisions due.", markup=False)
        return
    table = Table(
        "id",
        "case",
        "programme",
        "name",
        "proposed",
        "ground",
        "clause",
        "due on",
        "state",
        "decision",
        title=f"Decisions ({state})",
    )
    for r in rows:
        proposed = r["decision"] or f"{r['trigger']} → {r['to_state']}"
        decided = " ".join(str(x) for x in (r["decision_no"], r["decided_on"], r["decided_by"]) if x)
        table.add_row(
            str(r["id"]),
            str(r["case_id"]),
            Text(r["programme"]),
            Text(r["name"]),
            Text(proposed),
            Text(r["ground"] or ""),
            Text(_clause(r["clause"], r["default"])),
            r["due_on"],
            r["state"],
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
    d = done.decision
    if not done.written:
        console().print(
            f"Decision {d['id']} was already confirmed ({d['decision_no']}, {d['decided_on']}); nothing written.",
            markup=False,
        )
        return
    console().print(
        f"Decision {d['id']} confirmed ({d['decision_no']}): case {d['case_id']} {d['trigger']} "
        f"{d['from_state']} → {d['to_state']} effective {d['decided_on']} "
        f"({_clause(d['clause'], d['default'])}); audit #{done.entry.seq if done.entry else '?'}",
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
    d = done.decision
    verb = "dismissed" if done.written else "was already dismissed; nothing written"
    console().print(f"Decision {d['id']} on case {d['case_id']} {verb} ({d['reason']}).", markup=False)

"""`lifecycle notify send|log|preview|test`: delivering the outbox and the record of it."""

import sys
from typing import Annotated, Any

import typer

from lifecycle.cli.common import DbOption, JsonOption, acting, application, console, parse_day, print_json

app = typer.Typer(help="Notifications: send what is due, show what was sent to whom and when.", no_args_is_help=True)


@app.command("send")
def send(
    limit: Annotated[
        int | None, typer.Option("--limit", help="At most this many attempts.", show_default=False)
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Deliver every notification due (e-mail over LIFECYCLE_SMTP_URL, robots over their webhooks),
    each once per recipient and channel; failures are retried later with backoff."""
    from jobs.notify import send_notifications

    report = send_notifications(application(db), acting(), limit=limit)
    if json:
        print_json(report.to_json())
        return
    from lifecycle.i18n import _

    out = sys.stdout
    for entry in report.sent:
        out.write(_("sent    case {case_id} {kind} → {to} ({channel}): {answer}").format(**entry) + "\n")
    for entry in report.failed:
        out.write(
            _(
                "failed  case {case_id} {kind} → {to} ({channel}), attempt {attempt}: {answer}; "
                "again from {next_attempt_at}"
            ).format(**entry)
            + "\n"
        )
    for entry in report.gave_up:
        out.write(
            _("gave up case {case_id} {kind} → {to} ({channel}) after {attempt} attempt(s): {answer}").format(**entry)
            + "\n"
        )
    out.write(
        _("{sent} sent, {failed} failed (to be retried), {gave_up} given up.").format(
            sent=len(report.sent), failed=len(report.failed), gave_up=len(report.gave_up)
        )
        + "\n"
    )


@app.command("log")
def log_(
    case_id: Annotated[int | None, typer.Option("--case", help="Only this case.", show_default=False)] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", help="Only the latest N notifications.", show_default=False)
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """What was sent to whom and when, with every attempt and the server's answer."""
    from lifecycle.services.read_models.notification_log import notification_log

    rows = notification_log(application(db), case_id, limit)
    if json:
        print_json(rows)
        return
    print_log(rows)


def print_log(rows: list[dict[str, Any]]) -> None:
    from rich.table import Table
    from rich.text import Text

    from lifecycle.i18n import _

    table = Table(
        _("notice"),
        _("case"),
        _("kind"),
        _("period"),
        _("lead"),
        _("to"),
        _("status"),
        _("sent (UTC)"),
        _("tries"),
        _("answer"),
        title=_("Notifications"),
    )
    for n in rows:
        lead = "" if n["lead_days"] is None else f"{n['lead_days']:+d}"
        what = f"{n['rule']} {n['period']}"
        if not n["deliveries"]:
            table.add_row(
                str(n["notification_id"]),
                str(n["case_id"] or ""),
                n["kind"],
                Text(what),
                lead,
                Text(_("nobody: the case has no contact")),
                _("no recipient"),
                "",
                "",
                "",
            )
        for d in n["deliveries"]:
            table.add_row(
                str(n["notification_id"]),
                str(n["case_id"] or ""),
                n["kind"],
                Text(what),
                lead,
                Text(d["to"]),
                _(d["status"]),
                (d["sent_at"] or "")[:19],
                str(len(d["attempts"])),
                Text((d["last_answer"] or "")[:80]),
            )
    console().print(table)


@app.command("preview")
def preview(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The day of the compliance run, YYYY-MM-DD (default today).", show_default=False),
    ] = None,
    programme: Annotated[
        str | None, typer.Option("--programme", help="Only this programme.", show_default=False)
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """What a compliance run on --as-of would notify, to whom, in which words. Writes nothing."""
    from jobs.notices import preview_notices
    from lifecycle.notifications.templates import TemplateProblem, render

    rows = preview_notices(application(db), parse_day(as_of, "--as-of"), programme)
    for row in rows:
        try:
            message = render(row["kind"], row["programme"], row["context"])
            row["subject"], row["body"] = message.subject, message.body
        except TemplateProblem as problem:
            row["subject"], row["body"], row["template_error"] = None, None, str(problem)
    if json:
        print_json([{k: v for k, v in r.items() if k != "context"} for r in rows])
        return
    from lifecycle.i18n import _

    out = sys.stdout
    for r in rows:
        to = ", ".join(x["to"] for x in r["recipients"]) or _("nobody (no contact)")
        out.write(
            _("case {case} {kind} {rule} {period} → {to}").format(
                case=r["case_id"], kind=r["kind"], rule=r["rule"], period=r["period"], to=to
            )
            + "\n"
        )
        out.write(f"  {r['subject'] or r.get('template_error')}\n")
    out.write(
        _("{count} notification(s) would be written by a compliance run on that day.").format(count=len(rows)) + "\n"
    )


@app.command("test")
def test(
    to: Annotated[str, typer.Option("--to", help="An e-mail address, or a robot webhook URL.")],
    webhook_kind: Annotated[
        str | None,
        typer.Option("--webhook-kind", help="For a webhook: wecom, dingtalk, feishu or generic.", show_default=False),
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Send a test notice now, to check LIFECYCLE_SMTP_URL / LIFECYCLE_MAIL_FROM or a webhook;
    exit 1 if it could not be delivered (the server's answer says why)."""
    from jobs.notify import send_test

    result = send_test(application(db), acting(), to, webhook_kind)
    if json:
        print_json(result)
    else:
        from lifecycle.i18n import _

        message = (
            _("Delivered to {to} ({channel}): {answer}")
            if result["sent"]
            else _("NOT delivered to {to} ({channel}): {answer}")
        )
        console().print(
            message.format(to=result["to"], channel=result["channel"], answer=result["answer"]), markup=False
        )
    if not result["sent"]:
        raise typer.Exit(1)

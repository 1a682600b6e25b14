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
    out = sys.stdout
    for entry in report.sent:
        out.write(
            f"sent    case {entry['case_id']} {entry['kind']} → {entry['to']} ({entry['channel']}): {entry['answer']}\n"
        )
    for entry in report.failed:
        out.write(
            f"failed  case {entry['case_id']} {entry['kind']} → {entry['to']} ({entry['channel']}), "
            f"attempt {entry['attempt']}: {entry['answer']}; again from {entry['next_attempt_at']}\n"
        )
    for entry in report.gave_up:
        out.write(
            f"gave up case {entry['case_id']} {entry['kind']} → {entry['to']} ({entry['channel']}) after "
            f"{entry['attempt']} attempt(s): {entry['answer']}\n"
        )
    out.write(
        f"{len(report.sent)} sent, {len(report.failed)} failed (to be retried), {len(report.gave_up)} given up.\n"
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

    table = Table(
        "notice",
        "case",
        "kind",
        "period",
        "lead",
        "to",
        "status",
        "sent (UTC)",
        "tries",
        "answer",
        title="Notifications",
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
                Text("nobody: the case has no contact"),
                "no recipient",
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
                d["status"],
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
    out = sys.stdout
    for r in rows:
        to = ", ".join(x["to"] for x in r["recipients"]) or "nobody (no contact)"
        out.write(f"case {r['case_id']} {r['kind']} {r['rule']} {r['period']} → {to}\n")
        out.write(f"  {r['subject'] or r.get('template_error')}\n")
    out.write(f"{len(rows)} notification(s) would be written by a compliance run on that day.\n")


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
        console().print(
            f"{'Delivered' if result['sent'] else 'NOT delivered'} to {result['to']} "
            f"({result['channel']}): {result['answer']}",
            markup=False,
        )
    if not result["sent"]:
        raise typer.Exit(1)

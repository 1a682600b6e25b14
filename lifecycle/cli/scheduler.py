"""`lifecycle scheduler run|history`: the daily compliance run, and the record of every run."""

import os
from typing import Annotated, Any

import typer

from lifecycle.cli.common import DbOption, JsonOption, acting, application, console, print_json, whole_number
from lifecycle.domain.messages import N_

app = typer.Typer(help="The daily compliance run (APScheduler) and its history.", no_args_is_help=True)


@app.command("run")
def run(
    once: Annotated[
        bool, typer.Option("--once", help="Do one compliance run for today and exit (for cron or a systemd timer).")
    ] = False,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="Daily time HH:MM, China Standard Time (default: LIFECYCLE_COMPLY_AT, else 02:00).",
            show_default=False,
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="Log in detail (--log-level DEBUG).")] = False,
    log_level: Annotated[
        str | None,
        typer.Option(
            "--log-level",
            help="DEBUG, INFO, WARNING or ERROR (default: LIFECYCLE_LOG_LEVEL, else INFO). The log "
            "goes to stderr (under systemd: the journal).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Run the compliance run every day at --at (Asia/Shanghai) until stopped (SIGTERM), or once;
    after each run, send the notifications due. A run that finds another one in progress on the
    database says so and exits 0."""
    from jobs.scheduler import DEFAULT_AT, DailyAt, configure_logging, run_once, send_after_run, serve
    from lifecycle.errors import UsageError

    level = "DEBUG" if verbose else (log_level or os.environ.get("LIFECYCLE_LOG_LEVEL") or "INFO").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise UsageError(
            N_("--log-level {value}: use DEBUG, INFO, WARNING or ERROR"),
            {"value": repr(log_level or os.environ.get("LIFECYCLE_LOG_LEVEL"))},
        )
    configure_logging(level)
    app_ = application(db)
    app_.require_schema()
    if once:
        from lifecycle.cli.comply import print_report

        report = run_once(app_, acting(), collect=True)
        import logging

        logging.getLogger("lifecycle.scheduler").info(
            "compliance run %s as of %s: %s action(s), %s notice(s) written",
            report.run_id,
            report.as_of,
            sum(report.counts.values()),
            report.notices,
        )
        if not report.declined:
            send_after_run(app_, acting())
        print_report(report, json)
        return
    try:
        daily = DailyAt.parse(at or os.environ.get("LIFECYCLE_COMPLY_AT") or DEFAULT_AT)
    except ValueError as error:
        raise UsageError(N_("--at: {error}"), {"error": error}) from None
    _check_runner(app_)
    from lifecycle.i18n import _

    console().print(
        _(
            "Scheduler started: the compliance run every day at {daily} China Standard Time on this database. "
            "Stop it with SIGTERM (Ctrl-C)."
        ).format(daily=daily),
        markup=False,
    )
    import signal

    stopped_by = serve(app_, acting(), daily)
    console().print(_("Scheduler stopped."), markup=False)
    if stopped_by == signal.SIGINT:
        raise typer.Exit(130)  # Ctrl-C, by the shell's convention (SIGTERM: a normal stop, 0)


def _check_runner(app_: Any) -> None:
    from lifecycle.services.users import require_runner

    with app_.uow() as uow:
        require_runner(uow, acting(), "scheduling the compliance run")


@app.command("history")
def history(
    limit: Annotated[
        int | None,
        typer.Option("--limit", help="Only the latest N runs.", parser=whole_number("--limit", 0), show_default=False),
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Every compliance run, newest first: when, for which date, who invoked it, what it did."""
    from lifecycle.services.read_models.compliance_runs import run_history

    app_ = application(db)
    app_.require_schema()
    rows = run_history(app_, limit)
    if json:
        print_json(rows)
        return
    from rich.table import Table
    from rich.text import Text

    from lifecycle.i18n import _

    table = Table(
        _("run"),
        _("started (UTC)"),
        _("ended"),
        _("as of"),
        _("invoked by"),
        _("source"),
        _("outcome"),
        _("actions"),
        _("by rule / error"),
        title=_("Compliance runs"),
    )
    for r in rows:
        detail = r.error or ", ".join(f"{k}: {v}" for k, v in r.counts.get("by_rule", {}).items())
        table.add_row(
            str(r.id),
            (r.started_at or "")[:19],
            (r.ended_at or "")[:19],
            r.as_of,
            Text(r.invoked_by),
            r.source,
            r.outcome,
            str(r.counts.get("actions", "")),
            Text(detail),
        )
    console().print(table)

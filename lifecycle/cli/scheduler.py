"""`lifecycle scheduler run|history`: the daily compliance run, and the record of every run."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer

from lifecycle.cli.common import DbOption, JsonOption, acting, application, console, print_json

app = typer.Typer(help="The daily compliance run (APScheduler) and its history.", no_args_is_help=True)


@app.command("run")
def run(
    once: Annotated[bool, typer.Option("--once", help="Do one compliance run for today and exit "
                                       "(for cron or a systemd timer).")] = False,
    at: Annotated[str | None, typer.Option(
        "--at", help="Daily time HH:MM, China Standard Time (default: LIFECYCLE_COMPLY_AT, else 02:00).",
        show_default=False)] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Run the compliance run every day at --at (Asia/Shanghai) until stopped (SIGTERM), or once.
    A run that finds another one in progress on the database says so and exits 0."""
    from jobs.scheduler import DEFAULT_AT, DailyAt, run_once, serve
    from lifecycle.errors import UsageError

    app_ = application(db)
    app_.require_schema()
    if once:
        from lifecycle.cli.comply import print_report

        report = run_once(app_, acting(), collect=True)
        print_report(report, json)
        return
    try:
        daily = DailyAt.parse(at or os.environ.get("LIFECYCLE_COMPLY_AT") or DEFAULT_AT)
    except ValueError as error:
        raise UsageError(f"--at: {error}") from None
    _check_runner(app_)
    console().print(f"Scheduler started: the compliance run every day at {daily} China Standard Time "
                    f"on this database. Stop it with SIGTERM (Ctrl-C).", markup=False)
    serve(app_, acting(), daily)
    console().print("Scheduler stopped.", markup=False)


def _check_runner(app_: Any) -> None:
    from lifecycle.services.users import require_runner

    with app_.uow() as uow:
        require_runner(uow, acting(), "scheduling the compliance run")


@app.command("history")
def history(
    limit: Annotated[int | None, typer.Option("--limit", help="Only the latest N runs.",
                                              show_default=False)] = None,
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

    table = Table("run", "started (UTC)", "ended", "as of", "invoked by", "source", "outcome", "actions",
                  "by rule / error", title="Compliance runs")
    for r in rows:
        detail = r["error"] or ", ".join(f"{k}: {v}" for k, v in r["counts"].get("by_rule", {}).items())
        table.add_row(str(r["id"]), (r["started_at"] or "")[:19], (r["ended_at"] or "")[:19], r["as_of"],
                      Text(r["invoked_by"]), r["source"], r["outcome"], str(r["counts"].get("actions", "")),
                      Text(detail))
    console().print(table)

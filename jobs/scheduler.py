"""`lifecycle scheduler run`: the daily compliance run, then the sender, scheduled by APScheduler 3.

The job lives in APScheduler's memory job store: nothing of it is written to the database (an
SQLAlchemy job store would keep a pickled job holding the database URL, password included, in a
table that APScheduler unpickles when the job falls due). What a restart needs is in
`compliance_runs`: on start, if today's run time has passed and no run for today is recorded
there, the run is done at once (a day missed while the machine was down is caught up). The runs
never overlap: `run_compliance` takes the database's run lock.

After each run the sender delivers the notifications it wrote (and any failed ones whose backoff
has passed). Every run's summary and every failure go to the log (`lifecycle.scheduler`,
`lifecycle.notify`), which the CLI sends to stderr: under systemd, the journal.
"""

from __future__ import annotations

import logging
import signal
import threading
from dataclasses import dataclass
from datetime import datetime
from types import FrameType
from typing import Any

from jobs.compliance_run import ComplianceReport, run_compliance
from lifecycle.services.app import Lifecycle
from lifecycle.services.clock import CHINA, today

JOB_ID = "lifecycle-daily-compliance-run"
#: A run missed by up to this much (the process was busy or suspended) still runs.
MISFIRE_GRACE_SECONDS = 6 * 3600
DEFAULT_AT = "02:00"
log = logging.getLogger("lifecycle.scheduler")


@dataclass(frozen=True)
class DailyAt:
    hour: int
    minute: int

    @classmethod
    def parse(cls, text: str) -> DailyAt:
        hour, sep, minute = text.partition(":")
        if not sep or not (hour.isdigit() and minute.isdigit()) or not (0 <= int(hour) < 24 and 0 <= int(minute) < 60):
            raise ValueError(f"{text!r} is not a time of day; write HH:MM in China Standard Time, e.g. 02:00")
        return cls(int(hour), int(minute))

    def __str__(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"


def scheduled_run(app: Lifecycle, invoked_by: str) -> dict[str, Any]:
    """The job: one compliance run for today (China Standard Time), then the sender. Logs the
    summary of each, and every failure; a failure of the run does not stop the scheduler."""
    summary: dict[str, Any] = {}
    try:
        report = run_once(app, invoked_by)
    except Exception:
        log.exception("compliance run for %s failed", today().isoformat())
        return {"failed": True}
    summary = {
        "run_id": report.run_id,
        "as_of": report.as_of.isoformat(),
        "declined": report.declined,
        "actions": sum(report.counts.values()),
        "notices": report.notices,
        "by_rule": report.counts_by_rule(),
        "refused": len(report.refused),
        "seconds": round(report.seconds, 2),
    }
    if report.declined:
        log.warning("compliance run declined: %s", report.decline_message())
    else:
        log.info(
            "compliance run %s as of %s: %s action(s) %s, %s notice(s) written, %s refused, %.2f s",
            report.run_id,
            summary["as_of"],
            summary["actions"],
            summary["by_rule"],
            report.notices,
            summary["refused"],
            report.seconds,
        )
    for refused in report.refused:
        log.warning(
            "refused by the rules, left for a person: case %s %s %s: %s",
            refused["case_id"],
            refused["programme"],
            refused["rule"],
            "; ".join(r.get("message", "") for r in refused["reasons"]),
        )
    summary["sent"] = send_after_run(app, invoked_by)
    return summary


def send_after_run(app: Lifecycle, invoked_by: str) -> dict[str, int] | None:
    from jobs.notify import send_notifications

    try:
        sent = send_notifications(app, invoked_by)
    except Exception:
        log.exception("sending notifications failed")
        return None
    counts = {"sent": len(sent.sent), "failed": len(sent.failed), "gave_up": len(sent.gave_up)}
    log.info("notifications: %(sent)s sent, %(failed)s failed (to be retried), %(gave_up)s given up", counts)
    return counts


def run_once(app: Lifecycle, invoked_by: str, *, collect: bool = False) -> ComplianceReport:
    return run_compliance(app, invoked_by, today(), source="scheduler", collect=collect)


def missed_today(app: Lifecycle, at: DailyAt, now: datetime | None = None) -> bool:
    """Whether today's run time (China Standard Time) has passed with no completed run for today in
    `compliance_runs`: the scheduler was down at the hour."""
    from sqlalchemy import select

    from lifecycle.persistence.tables import compliance_runs

    moment = now or datetime.now(CHINA)
    if (moment.hour, moment.minute) < (at.hour, at.minute):
        return False
    with app.engine.connect() as connection:
        done = connection.execute(
            select(compliance_runs.c.id)
            .where(compliance_runs.c.as_of == moment.date(), compliance_runs.c.outcome == "completed")
            .limit(1)
        ).first()
    return done is None


def build_scheduler(app: Lifecycle, invoked_by: str, at: DailyAt) -> Any:
    """A BackgroundScheduler with the daily job in its memory job store."""
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger

    scheduler = BackgroundScheduler(
        timezone=CHINA,
        jobstores={"default": MemoryJobStore()},
        job_defaults={"coalesce": True, "misfire_grace_time": MISFIRE_GRACE_SECONDS, "max_instances": 1},
    )
    scheduler.add_job(
        scheduled_run,
        CronTrigger(hour=at.hour, minute=at.minute, timezone=CHINA),
        id=JOB_ID,
        name=f"lifecycle comply and notify, daily at {at} China Standard Time",
        replace_existing=True,
        kwargs={"app": app, "invoked_by": invoked_by},
    )
    return scheduler


def serve(app: Lifecycle, invoked_by: str, at: DailyAt) -> int | None:
    """Run the scheduler until SIGTERM or SIGINT, then shut down cleanly: a run in progress
    finishes (every batch is its own transaction anyway) before the process exits. The signal
    that stopped it (the CLI exits 130 after Ctrl-C, 0 after SIGTERM).

    The signal handler only sets an event; the main thread then stops the scheduler. Stopping
    inside the handler could wait for a job thread that waits for a lock the interrupted main
    thread holds (the log's), and never return."""
    stopping = threading.Event()
    received: list[int] = []

    def stop(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler = build_scheduler(app, invoked_by, at)
    scheduler.start()
    if missed_today(app, at):
        log.info("no completed compliance run for today although %s has passed: running it now", at)
        scheduler.add_job(scheduled_run, id=f"{JOB_ID}-catch-up", kwargs={"app": app, "invoked_by": invoked_by})
    log.info(
        "scheduler started: compliance run and notifications daily at %s China Standard Time; next run %s",
        at,
        next_run_time(at).isoformat(),
    )
    while not stopping.wait(1.0):
        pass
    log.info("signal %s: shutting down the scheduler (a run in progress finishes first)", received[0])
    scheduler.shutdown(wait=True)
    log.info("scheduler stopped")
    return received[0]


def next_run_time(at: DailyAt) -> datetime:
    """When the daily job next fires (for the start-up message and the tests)."""
    from apscheduler.triggers.cron import CronTrigger

    trigger = CronTrigger(hour=at.hour, minute=at.minute, timezone=CHINA)
    fire: datetime = trigger.get_next_fire_time(None, datetime.now(CHINA))
    return fire


def configure_logging(level: str) -> None:
    """The scheduler's log on stderr, one line per event with time and level (systemd's journal
    keeps stderr); `level` DEBUG, INFO, WARNING or ERROR."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("lifecycle")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    # APScheduler's own lines ("Running job ...") only when asked for detail.
    apscheduler = logging.getLogger("apscheduler")
    apscheduler.handlers[:] = [handler]
    apscheduler.setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)
    apscheduler.propagate = False

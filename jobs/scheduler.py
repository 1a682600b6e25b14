"""`lifecycle scheduler run`: the daily compliance run, scheduled by APScheduler 3.

The job lives in a SQLAlchemy job store on the product's own database (table
`apscheduler_jobs`, which alembic leaves alone), so a restarted scheduler knows when the job
last ran and catches up a missed day (misfire grace of hours, coalesced into one run). A job
store belongs to one scheduler: two schedulers sharing it would each run the job. Even so,
the runs themselves never overlap: `run_compliance` takes the database's run lock.
"""

from __future__ import annotations

import logging
import signal
from dataclasses import dataclass
from types import FrameType
from typing import Any

from jobs.compliance_run import ComplianceReport, run_compliance
from lifecycle.persistence.job_store import JOB_TABLE
from lifecycle.services.app import Lifecycle
from lifecycle.services.clock import CHINA, today

JOB_ID = "lifecycle-daily-compliance-run"
#: A run missed by up to this much (the machine was down at the hour) still runs when it is back.
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


def scheduled_run(url: str, programmes: str | None, invoked_by: str) -> dict[str, Any]:
    """The job: one compliance run for today (China Standard Time). Module-level, so the job
    store can keep a reference to it; builds its own application, as a fresh process would."""
    report = run_once(Lifecycle(url, programmes), invoked_by)
    summary = {"run_id": report.run_id, "as_of": report.as_of.isoformat(), "declined": report.declined,
               "actions": sum(report.counts.values()), "by_rule": report.counts_by_rule()}
    log.info("compliance run %s", summary)
    return summary


def run_once(app: Lifecycle, invoked_by: str, *, collect: bool = False) -> ComplianceReport:
    return run_compliance(app, invoked_by, today(), source="scheduler", collect=collect)


def build_scheduler(app: Lifecycle, invoked_by: str, at: DailyAt) -> Any:
    """A BlockingScheduler with the daily job stored in the database (replacing any older one)."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    scheduler = BlockingScheduler(
        timezone=CHINA,
        jobstores={"default": SQLAlchemyJobStore(engine=app.engine, tablename=JOB_TABLE)},
        job_defaults={"coalesce": True, "misfire_grace_time": MISFIRE_GRACE_SECONDS, "max_instances": 1},
    )
    scheduler.add_job(
        scheduled_run, CronTrigger(hour=at.hour, minute=at.minute, timezone=CHINA), id=JOB_ID,
        name=f"lifecycle comply, daily at {at} China Standard Time", replace_existing=True,
        kwargs={"url": app.url, "programmes": str(app.programmes_dir) if app.programmes_dir else None,
                "invoked_by": invoked_by})
    return scheduler


def serve(app: Lifecycle, invoked_by: str, at: DailyAt) -> None:
    """Run the scheduler until SIGTERM or SIGINT, then shut down cleanly: a run in progress
    finishes (every batch is its own transaction anyway) before the process exits."""
    scheduler = build_scheduler(app, invoked_by, at)

    def stop(signum: int, frame: FrameType | None) -> None:
        log.info("signal %s: shutting down the scheduler", signum)
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler.start()  # blocks until shutdown


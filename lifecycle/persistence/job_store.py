"""The scheduler's job store table (APScheduler's own definition), created by `lifecycle init`.

Here, not with the scheduler, so that creating the schema does not load the scheduler process.
"""

from __future__ import annotations

from typing import Any

JOB_TABLE = "apscheduler_jobs"


def create_job_table(engine: Any) -> None:
    """The job store's table, as APScheduler defines it, if it is not there yet."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

    SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE).jobs_t.create(engine, checkfirst=True)

"""Create or upgrade the schema with alembic: what `lifecycle init` runs."""

from __future__ import annotations

from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

#: APScheduler's job store table of older versions (migration 0007 drops it: the scheduler keeps its
#: job in memory now); never compared with the models.
FOREIGN_TABLES = {"apscheduler_jobs"}


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's filter: nothing of a foreign table, neither the table nor its indexes."""
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
    return table not in FOREIGN_TABLES


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("lifecycle") / "migrations"))
    return config


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the schema to the newest revision; returns (revision before, revision after)."""
    config = alembic_config()
    with engine.begin() as connection:
        before = MigrationContext.configure(connection).get_current_revision()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    head = ScriptDirectory.from_config(config).get_current_head()
    return before, str(head)


def head_revision() -> str:
    return str(ScriptDirectory.from_config(alembic_config()).get_current_head())

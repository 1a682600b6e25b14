"""Create or upgrade the schema with alembic: what `lifecycle init` runs."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine


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

"""Run the real console script in a subprocess, against the test database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

#: A host organisation meeting every criterion of bj-tic 第五条, as `--set` options.
ELIGIBLE_SETS = [
    "--set",
    "registered_in_beijing=true",
    "--set",
    "good_credit=true",
    "--set",
    "integrates_resources=true",
    "--set",
    "avg_revenue_3y=3.2e9",
    "--set",
    "rd_ratio_3y=11%",
    "--set",
    "rd_growth_last_year=6%",
    "--set",
    "domestic_rd_share=82%",
    "--set",
    "safety_accident_3y=false",
    "--set",
    "has_core_team=true",
]


@dataclass
class Run:
    args: tuple[str, ...]
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def __repr__(self) -> str:  # what a failed assertion shows
        return f"lifecycle {' '.join(self.args)} -> exit {self.code}\n{self.out}\n{self.err}"


Cli = Callable[..., Run]


@pytest.fixture
def cli(db_url: str, tmp_path) -> Cli:
    """`cli("advance", "1", "submit", user="bob")`: run `lifecycle` as that user (default alice).

    The database is not initialised here; use `ready_cli` for one that is.
    """

    def run(
        *args: str,
        user: str = "alice",
        db: str | None = db_url,
        lang: str | None = "en",
        locale: dict[str, str] | None = None,
    ) -> Run:
        """`lang`: LIFECYCLE_LANG (English unless a test asks otherwise, whatever the developer's
        locale); `locale`: LANG / LC_ALL / LC_MESSAGES for the run instead of the inherited ones."""
        env = {
            k: v for k, v in os.environ.items() if not k.startswith("LIFECYCLE_") or k == "LIFECYCLE_TEST_POSTGRES_URL"
        }
        env.update(LIFECYCLE_USER=user, COLUMNS="250", NO_COLOR="1", PYTHONIOENCODING="utf-8")
        if lang is not None:
            env["LIFECYCLE_LANG"] = lang
        if locale is not None:
            for name in ("LANG", "LC_ALL", "LC_MESSAGES"):
                env.pop(name, None)
            env.update(locale)
        if db is not None:
            env["LIFECYCLE_DB"] = db
        done = subprocess.run(
            [sys.executable, "-m", "lifecycle.cli.main", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=60,
        )
        return Run(tuple(args), done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def ready_cli(app, cli: Cli) -> Cli:
    """`cli` on a database initialised with alice as its first admin."""
    return cli


@pytest.fixture
def eligible_sets() -> list[str]:
    return list(ELIGIBLE_SETS)

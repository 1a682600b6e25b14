"""Crash safety: a compliance run killed (SIGKILL) at random moments, again and again, then run to
the end, leaves the same cases, the same audit log and the same automatic actions as one
uninterrupted run on a copy of the same database."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from lifecycle.demo.portfolio import build_portfolio
from lifecycle.persistence.engine import engine_for
from lifecycle.persistence.unit_of_work import release_connections
from lifecycle.services.app import Lifecycle
from lifecycle.services.audit import verify_log

AS_OF = "2026-11-23"
#: How long a run may go without writing anything before the test gives up on it (a loaded
#: machine is slow, never this slow).
PROGRESS_TIMEOUT = 300


def comply(db: Path, *, wait: bool = True, workers: int = 0) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIFECYCLE_")}
    env.update(
        LIFECYCLE_LANG="en",
        LIFECYCLE_USER="alice",
        LIFECYCLE_DB=str(db),
        LIFECYCLE_COMPLY_BATCH="10",
        LIFECYCLE_COMPLY_WORKERS=str(workers),
        LIFECYCLE_COMPLY_PARALLEL_FROM="0",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "lifecycle.cli.main", "comply", "--as-of", AS_OF, "--json"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if wait:
        process.wait(timeout=300)
        assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    return process


def contents(db: Path) -> dict[str, list[tuple]]:
    """What a run leaves, without the clock's marks (recorded_at, updated_at) and the hashes that
    cover them."""
    engine = create_engine(f"sqlite:///{db}")
    queries = {
        "cases": "SELECT id, programme, name, state, state_since, fields, approved_on, valid_until, cycle, "
        "cycle_start, deadline_on, progress, version, next_due_on FROM cases ORDER BY id",
        "audit": "SELECT seq, case_id, programme, trigger, from_state, to_state, effective_on, actor, role, "
        "reason, clause, payload FROM audit_log ORDER BY seq",
        "actions": "SELECT case_id, rule, period, trigger, effective_on, audit_seq FROM automatic_actions "
        "ORDER BY case_id, rule, period",
    }
    with engine.connect() as connection:
        found = {name: [tuple(row) for row in connection.execute(text(sql))] for name, sql in queries.items()}
    engine.dispose()
    return found


def actions_recorded(db: Path) -> int:
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM automatic_actions")).scalar() or 0)
    finally:
        engine.dispose()


def leftover_workers(db: Path) -> list[str]:
    """Worker processes of runs on `db` still alive (waiting up to a minute for them to stop)."""
    deadline = time.monotonic() + 60
    while True:
        found = subprocess.run(["pgrep", "-f", "multiprocessing.spawn"], capture_output=True, text=True).stdout.split()
        mine = [pid for pid in found if _runs_on(pid, db)]
        if not mine or time.monotonic() > deadline:
            return mine
        time.sleep(0.2)


def _runs_on(pid: str, db: Path) -> bool:
    try:
        with open(f"/proc/{pid}/environ", "rb") as environ:
            return f"LIFECYCLE_DB={db}".encode() in environ.read().split(b"\0")
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.parametrize("workers", [0, 1], ids=["settled-in-process", "settled-in-a-worker"])
def test_a_run_killed_at_random_moments_and_rerun_ends_as_one_uninterrupted_run(tmp_path, monkeypatch, workers):
    monkeypatch.setenv("LIFECYCLE_USER", "alice")
    killed_db, clean_db = tmp_path / "killed.db", tmp_path / "clean.db"
    app = Lifecycle(str(killed_db))
    built = build_portfolio(app, "alice", 12_000, seed=7, as_of=date.fromisoformat(AS_OF))
    assert built.due_on_as_of > 500
    release_connections()
    engine_for(app.url).dispose()
    shutil.copy(killed_db, clean_db)

    comply(clean_db)
    expected = contents(clean_db)
    total_actions = len(expected["actions"])
    assert total_actions > 500

    rng = random.Random(20261123)
    partial_seen = []
    for _ in range(6):
        done = actions_recorded(killed_db)
        # Kill at a random point of the run's progress, not of the clock: once it has written a
        # random share of what is left (at most a third), however fast or loaded the machine.
        target = done + rng.randint(1, max(1, (total_actions - done) // 3))
        process = comply(killed_db, wait=False, workers=workers)
        deadline = time.monotonic() + PROGRESS_TIMEOUT
        while process.poll() is None and actions_recorded(killed_db) < target:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail(
                    f"the run wrote nothing new for {PROGRESS_TIMEOUT} s (actions: {done} -> "
                    f"{actions_recorded(killed_db)}, waiting for {target})"
                )
            time.sleep(0.005)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        partial_seen.append(len(contents(killed_db)["actions"]))
    if workers:  # a worker whose run was killed stops too: nothing but its run writes
        assert not leftover_workers(killed_db), "workers of a killed run are still running"
    comply(killed_db, workers=workers)

    assert any(0 < n < total_actions for n in partial_seen), (
        f"no kill landed mid-run (actions after each kill: {partial_seen}); the test proved nothing"
    )
    assert contents(killed_db) == expected
    assert verify_log(Lifecycle(str(killed_db))).ok
    engine = create_engine(f"sqlite:///{killed_db}")
    with engine.connect() as connection:
        outcomes = [r[0] for r in connection.execute(text("SELECT outcome FROM compliance_runs ORDER BY id"))]
    engine.dispose()
    assert outcomes[-1] == "completed" and "interrupted" in outcomes

"""8 processes x 200 actions on one PostgreSQL database, as two admins' own logins, on shared and
private cases: conflicts are refused whole, nothing succeeds twice or half, the chain stays one."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from lifecycle.services.audit import verify_log
from lifecycle.services.cases import add_case, advance

WORKERS = 8
ACTIONS = 200
D = date.fromisoformat
WORKER = Path(__file__).with_name("stress_worker.py")


def approved_national_centre(app, name: str) -> int:
    case = add_case(app, "alice", "national-tic", name, D("2024-09-20"), {"kind": "domain"}).case
    advance(app, "alice", case.id, "recommend", D("2024-10-08"), {"independent_legal_entity": "true"})
    advance(app, "alice", case.id, "start_review", D("2024-11-05"))
    advance(app, "alice", case.id, "approve", D("2025-01-10"))
    return case.id


def approved_beijing_centre(app, name: str, eligible: dict[str, str]) -> int:
    case = add_case(app, "alice", "bj-tic", name, D("2024-09-20")).case
    advance(app, "alice", case.id, "submit", D("2024-10-08"), eligible)
    advance(app, "alice", case.id, "start_review", D("2024-11-05"))
    advance(app, "alice", case.id, "approve", D("2025-01-10"))
    return case.id


@pytest.mark.slow
def test_eight_processes_racing_leave_one_entry_per_success_and_a_contiguous_history(postgres_app, login_as, eligible):
    app = postgres_app
    logins = [login_as("admin"), login_as("admin")]
    plan = {
        "private": [approved_national_centre(app, f"国家私有{n}技术创新中心") for n in range(WORKERS)],
        "internal": [approved_national_centre(app, f"国家共享{n}技术创新中心") for n in range(3)],
        "cycle": [approved_beijing_centre(app, f"北京市周期{n}技术创新中心", eligible) for n in range(3)],
    }
    before = {case_id: 4 for ids in plan.values() for case_id in ids}  # create + 3 steps

    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                str(WORKER),
                logins[n % 2][1].url,
                logins[n % 2][0],
                str(n),
                str(ACTIONS),
                json.dumps(plan),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for n in range(WORKERS)
    ]
    records = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        records += [json.loads(line) for line in out.splitlines()]
    elapsed = time.perf_counter() - started

    outcomes = Counter(r["outcome"] for r in records)
    assert len(records) == WORKERS * ACTIONS
    assert [r for r in records if r["outcome"] == "error"] == []
    assert outcomes["conflict"] > 0, outcomes  # the shared cases did collide
    for conflict in (r for r in records if r["outcome"] == "conflict"):
        # Names who changed the case and to what: "... it is now version 7 in approved by
        # lc_admin_… (request_change: approved → approved, recorded …). Nothing was written; ..."
        assert re.search(
            r"changed under you: you saw version \d+, it is now version \d+ in \w+ "
            r"by lc_admin_\w+ \(\w+: \w+ → \w+, recorded ",
            conflict["message"],
        ), conflict
        assert "Nothing was written" in conflict["message"]

    with app.engine.connect() as connection:
        entries = connection.execute(
            text("SELECT seq, case_id, trigger, actor, reason FROM audit_log WHERE reason LIKE 'stress %' ORDER BY seq")
        ).all()
        versions = dict(connection.execute(text("SELECT id, version FROM cases")).all())
        per_case = dict(
            connection.execute(
                text("SELECT case_id, count(*) FROM audit_log WHERE case_id IS NOT NULL GROUP BY case_id")
            ).all()
        )
    by_tag = defaultdict(list)
    for entry in entries:
        by_tag[entry.reason].append(entry)
    actors = {name for name, _ in logins}
    for record in records:
        found = by_tag.get(record["tag"], [])
        if record["outcome"] == "ok":
            assert len(found) == 1, record
            assert (found[0].seq, found[0].case_id, found[0].trigger) == (
                record["seq"],
                record["case"],
                record["trigger"],
            )
            assert found[0].actor in actors
        else:
            assert found == [], record
    assert len(entries) == outcomes["ok"]

    # No version skipped or reused: each case's successes took versions before+1 .. now, once each,
    # and each case has exactly as many entries as its version.
    taken = defaultdict(list)
    for record in records:
        if record["outcome"] == "ok":
            taken[record["case"]].append(record["version"])
    for case_id, start in before.items():
        assert sorted(taken[case_id]) == list(range(start + 1, versions[case_id] + 1)), case_id
        assert per_case[case_id] == versions[case_id], case_id
    chain = verify_log(app)
    assert chain.ok, chain.problem
    print(f"\nstress: {dict(outcomes)} in {elapsed:.1f} s; chain of {chain.entries} entries verifies")


def test_a_migration_and_an_advance_at_once_both_complete_without_deadlock(
    postgres_app, db_url, eligible, tmp_path, monkeypatch
):
    """The advance holds case B and is about to append; the migration wants A, B and the head."""
    import threading

    import lifecycle.services.cases as cases_service
    from lifecycle.programmes.catalogue import builtin_directory
    from lifecycle.services.app import Lifecycle
    from lifecycle.services.programmes import migrate_programme

    first = add_case(postgres_app, "alice", "bj-tic", "北京市甲技术创新中心", D("2024-10-01")).case.id
    second = add_case(postgres_app, "alice", "bj-tic", "北京市乙技术创新中心", D("2024-10-01")).case.id
    directory = tmp_path / "programmes"
    directory.mkdir()
    text_ = (builtin_directory() / "bj-tic.yaml").read_text(encoding="utf-8")
    (directory / "bj-tic.yaml").write_text(
        text_.replace("京科创发〔2024〕143号", "京科创发〔2025〕9号"), encoding="utf-8"
    )
    revised = Lifecycle(db_url, directory)

    from lifecycle.persistence.unit_of_work import UnitOfWork

    holding, go_on = threading.Event(), threading.Event()
    real_change = UnitOfWork.change_case

    def commit_after_the_migration_started(*args, **kwargs):
        written = real_change(*args, **kwargs)
        holding.set()  # case B's row (and the chain's head) are locked by our write until commit
        go_on.wait(timeout=20)
        return written

    monkeypatch.setattr(UnitOfWork, "change_case", commit_after_the_migration_started)
    results: dict[str, object] = {}

    def run(name, call):
        try:
            results[name] = call()
        except Exception as error:
            results[name] = error

    advancing = threading.Thread(
        target=run,
        args=(
            "advance",
            lambda: cases_service.advance(postgres_app, "alice", second, "submit", D("2024-10-08"), eligible),
        ),
    )
    advancing.start()
    assert holding.wait(timeout=20)
    migrating = threading.Thread(
        target=run, args=("migrate", lambda: migrate_programme(revised, "alice", "bj-tic", D("2025-02-01")))
    )
    migrating.start()
    time.sleep(1.5)  # the migration is now waiting for case B (past PostgreSQL's deadlock_timeout)
    go_on.set()
    advancing.join(timeout=30)
    migrating.join(timeout=30)

    assert not isinstance(results["advance"], Exception), results
    assert not isinstance(results["migrate"], Exception), results
    assert {m["case_id"] for m in results["migrate"].moves} == {first, second}
    assert verify_log(postgres_app).ok

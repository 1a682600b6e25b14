"""The floor of a compliance run: what `lifecycle comply` does to the database, in raw `sqlite3`.

On a copy of a portfolio (`lifecycle demo --cases N`), the same reads and writes as the run, with
no rules worked out, no ORM, no SQLAlchemy, no domain objects:

1. the due cases: the same range scan of `next_due_on` (ids by id);
2. per batch of 250 (the run's SQLite batch): `BEGIN IMMEDIATE`; the cases' rows by id, their
   `fields` and `progress` JSON decoded; per case one action (the run applies ~1.04 per due case):
   `UPDATE cases` (progress, next due day, version, only if still at the version read), the audit
   chain's head, an entry hashed as the run hashes it (the same canonical JSON, SHA-256, chained
   to the previous hash), `INSERT INTO audit_log`, `INSERT INTO automatic_actions`, the head
   moved; `COMMIT`;
3. the notice planner's pass: the same query for the cases whose notices may be due (never
   planned, changed since, next notice day come), their rows read and decoded, one
   `notice_plans` row written per case (batches of 1,000, as the run's planner).

Its process CPU per due case is the reference `bench_comply.py` holds the run to (target: the
run's CPU per due case <= 2x this). It changes the database it is given: give it a copy.

    python tests/benchmarks/floor_comply.py DB --as-of 2026-11-23 [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import sqlite3
import sys
import time

CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
BATCH = 250
PLAN_BATCH = 1000


def _rows(db: sqlite3.Connection, ids: list[int]) -> list[tuple[object, ...]]:
    marks = ",".join("?" * len(ids))
    return db.execute(f"SELECT * FROM cases WHERE id IN ({marks}) ORDER BY id", ids).fetchall()


def run(path: str, as_of: dt.date, run_id: int | None = None) -> dict[str, float | int]:
    started, cpu = time.perf_counter(), time.process_time()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA wal_autocheckpoint=10000")
    day = as_of.isoformat()
    names = [c[1] for c in db.execute("PRAGMA table_info(cases)")]
    at = {name: i for i, name in enumerate(names)}
    ids = [
        r[0]
        for r in db.execute("SELECT id FROM cases WHERE next_due_on <= ? OR next_due_on IS NULL ORDER BY id", (day,))
    ]
    reason = f"compliance run as of {day}"
    next_day = (as_of + dt.timedelta(days=365)).isoformat()
    actions = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        db.execute("BEGIN IMMEDIATE")
        rows = _rows(db, batch)
        seq, prev = db.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
        now = dt.datetime.now(dt.UTC)
        recorded_text = now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        recorded = now.replace(tzinfo=None).isoformat(sep=" ")
        updates, entries, automatic = [], [], []
        for row in rows:
            json.loads(row[at["fields"]])  # type: ignore[arg-type]
            progress = json.loads(row[at["progress"]])  # type: ignore[arg-type]
            case_id, version = row[at["id"]], row[at["version"]]
            rule, period = "floor.reminder", day
            progress.setdefault("automatic", {})[f"{rule}|{period}"] = day
            updates.append(
                (json.dumps(progress, separators=(",", ":")), next_day, version + 1, recorded, case_id, version)
            )
            seq += 1
            payload = {"rule": rule, "period": period, "invoked_by": "bench"}
            data = {
                "seq": seq,
                "case_id": case_id,
                "programme": row[at["programme"]],
                "trigger": "remind",
                "from_state": row[at["state"]],
                "to_state": row[at["state"]],
                "effective_on": day,
                "recorded_at": recorded_text,
                "actor": "system",
                "role": "system",
                "reason": reason,
                "clause": "floor",
                "payload": payload,
                "prev_hash": prev,
            }
            digest = hashlib.sha256(CANONICAL.encode(data).encode("utf-8")).hexdigest()
            entries.append(
                (seq, case_id, data["programme"], "remind", data["from_state"], data["to_state"], day, recorded,
                 "system", "system", reason, "floor", CANONICAL.encode(payload), prev, digest, row[at["office"]])
            )  # fmt: skip
            automatic.append((case_id, rule, period, "remind", day, seq, run_id))
            prev = digest
            actions += 1
        db.executemany(
            "UPDATE cases SET progress = ?, next_due_on = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?",
            updates,
        )
        db.executemany(
            "INSERT INTO audit_log (seq, case_id, programme, trigger, from_state, to_state, effective_on, "
            "recorded_at, actor, role, reason, clause, payload, prev_hash, hash, office) "
            f"VALUES ({','.join('?' * 16)})",
            entries,
        )
        db.executemany(
            'INSERT INTO automatic_actions (case_id, rule, period, "trigger", effective_on, audit_seq, run_id) '
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            automatic,
        )
        db.execute("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (seq, prev))
        db.execute("COMMIT")
    settled = time.process_time() - cpu
    to_plan = [
        r[0]
        for r in db.execute(
            "SELECT cases.id FROM cases LEFT OUTER JOIN notice_plans ON notice_plans.case_id = cases.id "
            "WHERE notice_plans.case_id IS NULL OR notice_plans.version != cases.version OR notice_plans.next_on <= ? "
            "ORDER BY cases.id",
            (day,),
        )
    ]
    for start in range(0, len(to_plan), PLAN_BATCH):
        batch = to_plan[start : start + PLAN_BATCH]
        db.execute("BEGIN IMMEDIATE")
        plans = []
        for row in _rows(db, batch):
            json.loads(row[at["fields"]])  # type: ignore[arg-type]
            json.loads(row[at["progress"]])  # type: ignore[arg-type]
            plans.append((row[at["id"]], row[at["version"]], next_day))
        db.executemany("INSERT OR REPLACE INTO notice_plans (case_id, version, next_on) VALUES (?, ?, ?)", plans)
        db.execute("COMMIT")
    db.close()
    return {
        "due": len(ids),
        "actions": actions,
        "planned": len(to_plan),
        "seconds": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
        "cpu_settle_and_write": settled,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db", help="a SQLite file holding a portfolio (it is changed: give a copy)")
    parser.add_argument("--as-of", default="2026-11-23")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args()
    if not os.path.exists(args.db):
        parser.error(f"{args.db}: no such file")
    figures = run(args.db, dt.date.fromisoformat(args.as_of))
    if args.json:
        print(json.dumps(figures))
    else:
        due = max(int(figures["due"]), 1)
        print(
            f"RESULT floor {figures['due']:,} due cases, {figures['actions']:,} actions, {figures['planned']:,} "
            f"notice plans: {figures['seconds']:.2f} s, CPU {figures['cpu']:.2f} s, "
            f"{figures['cpu'] / due * 1e6:.0f} µs CPU per due case"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

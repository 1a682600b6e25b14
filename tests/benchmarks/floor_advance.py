"""The floor for one audited advance on SQLite: a raw `sqlite3` loop of the same shape.

What `lifecycle advance` does in its one transaction, with nothing but the driver, the
standard library's JSON and SHA-256, and no checks: BEGIN IMMEDIATE; read the acting user's
role; read the case row (decoding its JSON and dates); UPDATE the case under its version with
every column the product writes; read the chain head; the canonical JSON of the new audit
entry and its SHA-256, exactly as `lifecycle.domain.audit` hashes it; INSERT the entry; move
the head; COMMIT. Half the advances change the case's state (moving its entries in the state
and next-due indexes, as the designation cycle does), half only its progress (as a change
request does): the shape of `bench_transitions.py`'s two workloads.

It runs on a copy of a lifecycle database (same schema, indexes, triggers and rows), so the
benchmark's own database and audit counts are untouched; the chain it extends stays valid.

    python tests/benchmarks/floor_advance.py --db COPY.db --cases 1,2,3 --count 2000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
CASE_SQL = "SELECT * FROM cases WHERE id = ?"
UPDATE_SQL = (
    "UPDATE cases SET programme = ?, name = ?, state = ?, state_since = ?, fields = ?, approved_on = ?, "
    "valid_until = ?, cycle = ?, cycle_start = ?, deadline_on = ?, progress = ?, definition_version = ?, "
    "created_on = ?, version = ?, updated_at = ?, next_due_on = ? WHERE id = ? AND version = ?"
)
INSERT_SQL = (
    "INSERT INTO audit_log (seq, case_id, programme, trigger, from_state, to_state, effective_on, recorded_at, "
    "actor, role, reason, clause, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def connect(path: Path) -> sqlite3.Connection:
    """Set up as lifecycle sets up its connections (WAL, synchronous=NORMAL, BEGIN by hand)."""
    connection = sqlite3.connect(path, timeout=30)
    connection.isolation_level = None
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL", "wal_autocheckpoint=10000"):
        connection.execute(f"PRAGMA {pragma}")
    return connection


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database (the online backup API)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def run(connection: sqlite3.Connection, user: str, case_ids: list[int], count: int) -> tuple[float, float]:
    """`count` advances round robin over `case_ids`; (wall seconds, CPU seconds)."""
    cursor = connection.cursor()
    columns: list[str] | None = None
    wall, cpu = time.perf_counter(), time.process_time()
    for n in range(count):
        case_id = case_ids[n % len(case_ids)]
        cursor.execute("BEGIN IMMEDIATE")
        role = cursor.execute("SELECT role FROM users WHERE name = ?", (user,)).fetchone()[0]
        if role != "admin":
            raise SystemExit(f"{user} is not an admin here")
        row = cursor.execute(CASE_SQL, (case_id,)).fetchone()
        if columns is None:
            columns = [d[0] for d in cursor.description]
        case = dict(zip(columns, row, strict=True))
        fields = json.loads(case["fields"])
        progress = json.loads(case["progress"])
        state_since = _day(case["state_since"])
        next_due = _day(case["next_due_on"])
        assert state_since is not None
        from_state = state = case["state"]
        progress["floor"] = n
        if n % 2:  # a state change: state, state_since and next_due_on move in their indexes
            state = f"{from_state}~" if not from_state.endswith("~") else from_state[:-1]
            state_since += timedelta(days=1)
            next_due = (next_due or state_since) + timedelta(days=1)
        now = datetime.now(UTC).replace(tzinfo=None)
        version = case["version"]
        cursor.execute(
            UPDATE_SQL,
            (
                case["programme"],
                case["name"],
                state,
                state_since.isoformat(),
                json.dumps(fields),
                case["approved_on"],
                case["valid_until"],
                case["cycle"],
                case["cycle_start"],
                case["deadline_on"],
                json.dumps(progress),
                case["definition_version"],
                case["created_on"],
                version + 1,
                now.strftime("%Y-%m-%d %H:%M:%S.%f"),
                None if next_due is None else next_due.isoformat(),
                case_id,
                version,
            ),
        )
        if cursor.rowcount != 1:
            raise SystemExit(f"case {case_id} changed under the floor")
        seq, prev_hash = cursor.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
        entry = {
            "seq": seq + 1,
            "case_id": case_id,
            "programme": case["programme"],
            "trigger": "floor",
            "from_state": from_state,
            "to_state": state,
            "effective_on": state_since.isoformat(),
            "recorded_at": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "actor": user,
            "role": role,
            "reason": None,
            "clause": "第十条",
            "payload": {"change": "place", "new_value": "北京市海淀区"},
            "prev_hash": prev_hash,
        }
        digest = hashlib.sha256(CANONICAL.encode(entry).encode("utf-8")).hexdigest()
        cursor.execute(
            INSERT_SQL,
            (
                entry["seq"],
                case_id,
                entry["programme"],
                entry["trigger"],
                from_state,
                state,
                entry["effective_on"],
                now.strftime("%Y-%m-%d %H:%M:%S.%f"),
                user,
                role,
                None,
                entry["clause"],
                json.dumps(entry["payload"]),
                prev_hash,
                digest,
            ),
        )
        cursor.execute("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (entry["seq"], digest))
        cursor.execute("COMMIT")
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="a lifecycle SQLite database to write to (a copy)")
    parser.add_argument("--cases", required=True, help="case ids, comma-separated")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--user", default="bench", help="an admin of that database")
    args = parser.parse_args(argv)
    connection = connect(Path(args.db))
    wall, cpu = run(connection, args.user, [int(i) for i in args.cases.split(",")], args.count)
    connection.close()
    print(
        f"RESULT floor (raw sqlite3): {args.count} advances in {wall:.3f} s = {args.count / wall:,.0f}/s, "
        f"CPU {cpu / args.count * 1e6:.0f} µs each"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

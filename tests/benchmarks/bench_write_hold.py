"""How long a long-running command keeps other administrators out of a SQLite database.

Runs, as CLI processes (`lifecycle cases import FILE`, then `lifecycle comply`), the two long
writers of the product on a fresh SQLite file, while a probe in this process asks for the
write lock (`BEGIN IMMEDIATE`, then `ROLLBACK`) every few milliseconds, as another
administrator's `cases add` would. The longest time the probe waited is the longest an
administrator is locked out; it must stay well below the busy timeout
(LIFECYCLE_SQLITE_BUSY_TIMEOUT, 30 s), after which a writer is told "busy" (exit 4).

    python tests/benchmarks/bench_write_hold.py                 # 5,000 rows / 5,000 demo cases
    python tests/benchmarks/bench_write_hold.py --rows 500 --cases 500

The reference in the same run: the probe's wait with no other writer (its own cost).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_import import write_csv

USER = "bench"


class Probe(threading.Thread):
    """Takes and releases the write lock in a loop; records the longest wait for it."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.connection = sqlite3.connect(path, timeout=120, isolation_level=None, check_same_thread=False)
        self.longest = 0.0
        self.tries = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            started = time.perf_counter()
            self.connection.execute("BEGIN IMMEDIATE")
            waited = time.perf_counter() - started
            self.connection.execute("ROLLBACK")
            self.longest = max(self.longest, waited)
            self.tries += 1
            time.sleep(0.005)


def lifecycle(db: Path, *args: str) -> float:
    env = {**os.environ, "LIFECYCLE_DB": str(db), "LIFECYCLE_USER": USER}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "lifecycle.cli.main", *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode not in (0, 3):
        raise SystemExit(f"lifecycle {' '.join(args)} exited {done.returncode}:\n{done.stderr}")
    return time.perf_counter() - started


def measured(db: Path, label: str, *args: str) -> None:
    probe = Probe(db)
    probe.start()
    elapsed = lifecycle(db, *args)
    probe.stop.set()
    probe.join()
    print(
        f"RESULT {label}: ran {elapsed:.2f} s; longest wait for the write lock "
        f"{probe.longest * 1000:,.0f} ms over {probe.tries:,} tries",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000, help="rows of the import file")
    parser.add_argument("--cases", type=int, default=5000, help="demo cases for the compliance run")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lifecycle-bench-hold-") as scratch:
        db = Path(scratch) / "hold.db"
        lifecycle(db, "init")
        measured(db, "reference (no other writer)", "cases", "list", "--limit", "1")
        file = Path(scratch) / "import.csv"
        write_csv(file, args.rows)
        measured(db, f"cases import ({args.rows:,} rows, one transaction)", "cases", "import", str(file))
        lifecycle(db, "demo", "--cases", str(args.cases), "--as-of", "2025-06-30")
        batch = os.environ.get("LIFECYCLE_COMPLY_BATCH", "250, SQLite's default")
        measured(db, f"comply ({args.cases:,} demo cases, batches of {batch})", "comply", "--as-of", "2026-06-30")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

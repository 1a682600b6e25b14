"""How long `lifecycle cases import` takes for a large file, through the service layer.

Generates a file of --rows cases and imports it into a fresh database with
`lifecycle.services.imports.import_cases`, exactly what `lifecycle cases import`
runs after parsing its arguments: read and hash the file, check every row
(fields, names, states, dates, events, names already in the database), then
write every case and its audit entries in one transaction.

* csv:   bj-tic cases in five states (approved, renewed, rectification, revoked, draft),
         one audit entry each;
* jsonl: national-tic centres with their history (create, start_review, approve:
         three audit entries each).

Each format is timed twice: a dry run (read and check only) and the import itself.

    python tests/benchmarks/bench_import.py                        # 10,000 rows, both formats
    python tests/benchmarks/bench_import.py --rows 1000 --format csv
    python tests/benchmarks/bench_import.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test

The goal (issue 3): 10,000 rows import "in seconds". No pass/fail target is set.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

USER = "bench"
BJ_ROWS = [  # state, approved_on, state_since, created_on
    ("approved", "2022-01-10", "", ""),
    ("renewed", "2015-03-01", "2020-03-01", ""),
    ("rectification", "2021-05-10", "2023-11-20", ""),
    ("revoked", "2016-04-01", "2019-07-01", ""),
    ("draft", "", "", "2024-10-08"),
]


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "programme",
                "name",
                "state",
                "approved_on",
                "state_since",
                "created_on",
                "registered_in_beijing",
                "rd_ratio_3y",
                "avg_revenue_3y",
            ]
        )
        for n in range(rows):
            state, approved, since, created = BJ_ROWS[n % len(BJ_ROWS)]
            writer.writerow(
                ["bj-tic", f"北京市第{n}号技术创新中心", state, approved, since, created, "true", "11%", "3.2e9"]
            )


def write_jsonl(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for n in range(rows):
            row = {
                "programme": "national-tic",
                "name": f"国家第{n}号技术创新中心",
                "state": "approved",
                "fields": {"kind": "domain", "sponsor": "江苏省", "independent_legal_entity": True},
                "events": [
                    {"trigger": "create", "on": "2021-03-01", "to": "cultivation"},
                    {"trigger": "recommend", "on": "2021-04-12", "from": "cultivation", "to": "submitted"},
                    {"trigger": "start_review", "on": "2021-05-06", "from": "submitted", "to": "under_review"},
                    {"trigger": "approve", "on": "2021-06-08", "from": "under_review", "to": "approved"},
                ],
            }
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def run(url: str, fmt: str, rows: int, scratch: Path, out: Callable[[str], None], backend: str) -> None:
    from lifecycle.services.app import Lifecycle
    from lifecycle.services.audit import verify_log
    from lifecycle.services.imports import import_cases
    from lifecycle.services.setup import init_database

    app = Lifecycle(url)
    init_database(app, USER)
    path = scratch / f"bench-{rows}.{fmt}"
    (write_csv if fmt == "csv" else write_jsonl)(path, rows)
    size = path.stat().st_size
    started, cpu = time.perf_counter(), time.process_time()
    checked = import_cases(app, USER, path, dry_run=True)
    dry, dry_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    result = import_cases(app, USER, path)
    wet, wet_cpu = time.perf_counter() - started, time.process_time() - cpu
    assert checked["cases"] == result["cases"] == rows, (checked["cases"], result["cases"])
    # CPU: this process's own work; on a shared machine the wall time also counts waiting.
    out(
        f"RESULT {backend} {fmt} dry run: {rows} rows ({size / 1e6:.1f} MB) checked in {dry:.2f} s "
        f"= {rows / dry:,.0f} rows/s (CPU {dry_cpu:.2f} s)"
    )
    out(
        f"RESULT {backend} {fmt} import: {rows} rows, {result['entries']} audit entries in "
        f"{wet:.2f} s = {rows / wet:,.0f} rows/s (CPU {wet_cpu:.2f} s)"
    )
    verification = verify_log(app)
    out(f"CHECK {backend} {fmt} audit chain verified: ok={verification.ok}, {result['last_seq']} entries")
    app.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, help="rows per file (default 10000)")
    parser.add_argument("--format", choices=["csv", "jsonl", "both"], default="both")
    parser.add_argument(
        "--postgres", metavar="URL", help="also run on PostgreSQL, in a fresh schema dropped afterwards"
    )
    parser.add_argument("--postgres-only", action="store_true", help="skip SQLite")
    args = parser.parse_args(argv)
    os.environ["LIFECYCLE_USER"] = USER
    formats = ["csv", "jsonl"] if args.format == "both" else [args.format]

    def out(line: str) -> None:
        print(line, flush=True)

    out(f"lifecycle import benchmark: {args.rows} rows per file; Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="lifecycle-bench-import-") as scratch:
        for fmt in formats:
            if not args.postgres_only:
                run(f"sqlite:///{Path(scratch) / f'{fmt}.db'}", fmt, args.rows, Path(scratch), out, "sqlite")
            if args.postgres:
                sys.path.insert(0, str(Path(__file__).parent))
                from bench_transitions import postgres_schema_url

                url, drop = postgres_schema_url(args.postgres)
                try:
                    run(url, fmt, args.rows, Path(scratch), out, "postgresql")
                finally:
                    from lifecycle.persistence.unit_of_work import release_connections

                    release_connections()
                    drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Many administrators at once on PostgreSQL: throughput, conflicts and latency of concurrent writers.

Runs the workload of tests/contract/test_concurrency_stress.py at a chosen size: PROCESSES
processes, each connected as one of two admins' own login roles, firing ACTIONS actions
through the service layer on national-tic change requests (a private case per process, and a
few shared ones) and the bj-tic designation cycle (shared cases), half of them with the
version last seen (`--if-version`). Then checks the chain and that each success has exactly
one entry.

    python tests/benchmarks/bench_concurrent_writers.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
    python tests/benchmarks/bench_concurrent_writers.py --postgres URL --processes 4 --actions 500

A fresh schema and two login roles are made and dropped afterwards (needs a superuser URL).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import date
from pathlib import Path

WORKER = Path(__file__).parent.parent / "contract" / "stress_worker.py"
ELIGIBLE = {
    "registered_in_beijing": "true",
    "good_credit": "true",
    "integrates_resources": "true",
    "avg_revenue_3y": "3.2e9",
    "rd_ratio_3y": "11%",
    "rd_growth_last_year": "6%",
    "domestic_rd_share": "82%",
    "safety_accident_3y": "false",
    "has_core_team": "true",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", required=True, metavar="URL", help="a superuser URL")
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--actions", type=int, default=200, help="actions per process")
    parser.add_argument("--shared", type=int, default=3, help="shared cases per pool (default 3)")
    args = parser.parse_args(argv)

    from psycopg import sql
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from lifecycle.persistence.engine import engine_for
    from lifecycle.persistence.unit_of_work import release_connections
    from lifecycle.services.app import Lifecycle
    from lifecycle.services.audit import verify_log
    from lifecycle.services.cases import add_case, advance
    from lifecycle.services.setup import init_database
    from lifecycle.services.users import add_user

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    logins = [f"bench_admin_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    admin = create_engine(args.postgres)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))  # a uuid, not user text
    separator = "&" if "?" in args.postgres else "?"
    url = f"{args.postgres}{separator}options=-csearch_path%3D{schema}"
    try:
        app = Lifecycle(url)
        init_database(app, "bench")
        for login in logins:
            add_user(app, "bench", login, "admin")

        def approved(code: str, name: str) -> int:
            if code == "bj-tic":
                case = add_case(app, "bench", code, name, date(2024, 9, 20)).case
                steps = [("submit", ELIGIBLE)]
            else:
                case = add_case(app, "bench", code, name, date(2024, 9, 20), {"kind": "domain"}).case
                steps = [("recommend", {"independent_legal_entity": "true"})]
            assert case.id is not None
            advance(app, "bench", case.id, steps[0][0], date(2024, 10, 8), steps[0][1])
            advance(app, "bench", case.id, "start_review", date(2024, 11, 5))
            advance(app, "bench", case.id, "approve", date(2025, 1, 10))
            return case.id

        plan = {
            "private": [approved("national-tic", f"国家基准私有{n}技术创新中心") for n in range(args.processes)],
            "internal": [approved("national-tic", f"国家基准共享{n}技术创新中心") for n in range(args.shared)],
            "cycle": [approved("bj-tic", f"北京市基准周期{n}技术创新中心") for n in range(args.shared)],
        }
        urls = [make_url(url).set(username=login).render_as_string(hide_password=False) for login in logins]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        started = time.perf_counter()
        processes = [
            subprocess.Popen(
                [sys.executable, str(WORKER), urls[n % 2], logins[n % 2], str(n), str(args.actions), json.dumps(plan)],
                stdout=subprocess.PIPE,
                text=True,
                env=env,
            )
            for n in range(args.processes)
        ]
        records = []
        for process in processes:
            out, _ = process.communicate(timeout=1800)
            records += [json.loads(line) for line in out.splitlines()]
        wall = time.perf_counter() - started

        outcomes = Counter(r["outcome"] for r in records)
        latencies = sorted(r["ms"] for r in records)
        ok = [r for r in records if r["outcome"] == "ok"]
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(
            f"RESULT postgresql {args.processes} processes x {args.actions} actions: "
            f"{len(records)} in {wall:.2f} s = {len(records) / wall:,.0f} actions/s, "
            f"{len(ok) / wall:,.0f} audited changes/s (wall, including process start-up)"
        )
        print(f"RESULT outcomes: {dict(outcomes)}; conflicts {outcomes['conflict'] / len(records):.1%}")
        print(f"RESULT latency per action: p50 {statistics.median(latencies):.1f} ms, p99 {p99:.1f} ms")
        chain = verify_log(app)
        with app.engine.connect() as connection:
            stored = connection.execute(text("SELECT count(*) FROM audit_log WHERE reason LIKE 'stress %'")).scalar()
        print(
            f"CHECK chain verified: ok={chain.ok}, {chain.entries} entries; "
            f"entries for successes: {stored} (expected {len(ok)}); errors: {outcomes['error']}"
        )
        return 0 if chain.ok and stored == len(ok) and not outcomes["error"] else 1
    finally:
        release_connections()
        engine_for(url).dispose()
        for login_url in locals().get("urls", []):
            engine_for(login_url).dispose()
        from lifecycle.persistence.roles import drop_schema_and_roles

        drop_schema_and_roles(admin, schema)  # and the schema's own group roles
        with admin.begin() as connection:
            for login in logins:
                connection.connection.dbapi_connection.cursor().execute(  # type: ignore[union-attr]
                    sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(login))
                )
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())

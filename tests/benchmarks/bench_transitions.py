"""Durable audited transitions per second through the service layer.

Every timed transition is one call of `lifecycle.services.cases.advance`, exactly
what `lifecycle advance` runs after parsing its arguments: one write transaction
(BEGIN IMMEDIATE on SQLite) that reads the acting user's role, reads the case,
decides, UPDATEs the case under its optimistic-lock version, reads and locks the
audit chain head, INSERTs the hash-chained audit entry, moves the head, COMMITs.

Two workloads, half of --transitions each, on two pools of cases that start in
`approved` (built through the services: add_case, submit/recommend, start_review,
approve):

* internal:      national-tic `request_change` then `decide_change` (rejected), again
                 and again: audited state-machine firings that leave the state as it is
                 (progress and version change). (bj-tic's `file_report` cannot repeat:
                 a designation has five report years before its validity ends.)
* state changes: the designation cycle, which never ends in a terminal state and so
                 can be repeated: start_mid_term -> assess pass -> start_assessment ->
                 assess pass (renewal, next cycle) -> start_mid_term ...,
                 each dated when it is due.

    python tests/benchmarks/bench_transitions.py                 # 2,000 cases, 20,000 transitions
    python tests/benchmarks/bench_transitions.py --cases 20 --transitions 200
    python tests/benchmarks/bench_transitions.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
    python tests/benchmarks/bench_transitions.py --synchronous FULL

The target (issue): >= 2,000 transitions/s on SQLite. PostgreSQL has no target.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))  # floor_advance, beside this file

TARGET = 2000.0
#: CPU per audited advance on SQLite against the raw sqlite3 loop of the same shape, same run.
FLOOR_RATIO = 1.6
USER = "bench"
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
OPENED = date(2024, 9, 20)  # bj-tic is in force from 2024-09-14
SUBMITTED = date(2024, 10, 8)
REVIEWED = date(2024, 11, 5)
APPROVED = date(2025, 1, 10)


@dataclass
class Figure:
    label: str
    count: int
    seconds: float  # inside advance() only
    wall: float  # including the benchmark's own bookkeeping
    latencies: list[float]
    cpu: float = 0.0  # process CPU time over the wall interval (all threads)

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def line(self, backend: str) -> str:
        lat = sorted(self.latencies)
        detail = [f"CPU {self.cpu / self.count * 1e6:.0f} µs each"] if self.cpu else []
        if lat:
            p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
            detail += [f"p50 {statistics.median(lat) * 1e6:.0f} µs", f"p99 {p99 * 1e6:.0f} µs"]
        detail.append(f"wall {self.wall:.3f} s")
        return (
            f"RESULT {backend} {self.label}: {self.count} transitions in {self.seconds:.3f} s "
            f"= {self.rate:,.0f} transitions/s, {1e6 / self.rate if self.rate else 0:.0f} µs "
            f"per transition ({', '.join(detail)})"
        )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000, help="cases to create (default 2000)")
    parser.add_argument(
        "--transitions",
        type=int,
        default=20000,
        help="timed advances, half internal, half state changes (default 20000)",
    )
    parser.add_argument("--db", help="SQLite file to create (default: a temporary file); must not exist yet")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also run on PostgreSQL, in a fresh schema dropped afterwards "
        "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)",
    )
    parser.add_argument("--postgres-only", action="store_true", help="skip SQLite")
    parser.add_argument(
        "--synchronous", choices=["NORMAL", "FULL"], help="SQLite PRAGMA synchronous (default: the project's, NORMAL)"
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when the SQLite target is missed (default: always 0)"
    )
    parser.add_argument("--no-verify", action="store_true", help="skip verifying the audit chain afterwards")
    args = parser.parse_args(argv)
    if args.cases < 2:
        parser.error("--cases must be at least 2 (one per workload)")
    return args


# -- the workloads ----------------------------------------------------------------------


def build_cases(app: Any, count: int) -> tuple[list[int], Figure]:
    """`count` bj-tic cases in `approved`, through the services (4 transactions each)."""
    from lifecycle.services.cases import add_case, advance

    ids: list[int] = []
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(count):
        outcome = add_case(app, USER, "bj-tic", f"北京市基准{i:06d}技术创新中心", OPENED)
        case_id = outcome.case.id
        assert case_id is not None
        advance(app, USER, case_id, "submit", SUBMITTED, ELIGIBLE)
        advance(app, USER, case_id, "start_review", REVIEWED)
        advance(app, USER, case_id, "approve", APPROVED)
        ids.append(case_id)
    elapsed = time.perf_counter() - started
    return ids, Figure(
        "setup (add_case + submit/start_review/approve)", count * 4, elapsed, elapsed, [], time.process_time() - cpu
    )


Step = tuple[str, date, dict[str, str]]


def build_national_cases(app: Any, count: int) -> tuple[list[int], Figure]:
    """`count` national-tic domain centres in `approved`, through the services."""
    from lifecycle.services.cases import add_case, advance

    ids: list[int] = []
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(count):
        outcome = add_case(app, USER, "national-tic", f"国家基准{i:06d}技术创新中心", OPENED, {"kind": "domain"})
        case_id = outcome.case.id
        assert case_id is not None
        advance(app, USER, case_id, "recommend", SUBMITTED, {"independent_legal_entity": "true"})
        advance(app, USER, case_id, "start_review", REVIEWED)
        advance(app, USER, case_id, "approve", APPROVED)
        ids.append(case_id)
    elapsed = time.perf_counter() - started
    return ids, Figure(
        "setup national-tic (add_case + recommend/start_review/approve)",
        count * 4,
        elapsed,
        elapsed,
        [],
        time.process_time() - cpu,
    )


def change_step(case: Any) -> Step:
    """Alternate a change request and its (rejected) decision: repeatable for ever."""
    if case is not None and case.pending_change:
        return "decide_change", APPROVED + timedelta(days=30), {"decision": "rejected"}
    return "request_change", APPROVED + timedelta(days=30), {"change": "place", "new_value": "北京市海淀区"}


def cycle_step(programme: Any, case: Any) -> Step:
    """The next step of the designation cycle for `case`, dated when it may happen."""
    if case.state in ("approved", "renewed"):
        trigger = "start_mid_term" if case.marks.get("start_mid_term") != case.cycle else "start_assessment"
        timer = programme.timer(programme.trigger(trigger).due)
        due = programme.due_date(timer, case)
        return trigger, max(due, case.state_since), {}
    if case.state in ("mid_term_review", "final_assessment"):
        return "assess", case.state_since + timedelta(days=30), {"grade": "pass"}
    raise AssertionError(f"case {case.id} is in {case.state}; the cycle never leads there")


def run_workload(
    label: str, ids: list[int], count: int, first: Callable[[int], Step], after: Callable[[int, Any], Step], app: Any
) -> Figure:
    """`count` advances, round robin over `ids`; `after(id, case)` names each case's next one."""
    from lifecycle.services.cases import advance

    plan = {case_id: first(case_id) for case_id in ids}
    latencies: list[float] = []
    clock = time.perf_counter
    wall_start, cpu = clock(), time.process_time()
    done = 0
    while done < count:
        for case_id in ids:
            if done == count:
                break
            trigger, on, values = plan[case_id]
            t0 = clock()
            outcome = advance(app, USER, case_id, trigger, on, values)
            latencies.append(clock() - t0)
            plan[case_id] = after(case_id, outcome.case)
            done += 1
    wall = clock() - wall_start
    return Figure(label, count, sum(latencies), wall, latencies, time.process_time() - cpu)


@dataclass
class Floor:
    """The raw sqlite3 loop of the same shape (floor_advance.py), on a copy of the database."""

    count: int = 0
    wall: float = 0.0
    cpu: float = 0.0

    def add(self, count: int, figures: tuple[float, float]) -> None:
        self.count += count
        self.wall += figures[0]
        self.cpu += figures[1]

    def line(self) -> str:
        return (
            f"RESULT sqlite floor (raw sqlite3 loop of the same shape, on a copy): {self.count} advances "
            f"in {self.wall:.3f} s = {self.count / self.wall:,.0f}/s, CPU {self.cpu / self.count * 1e6:.0f} µs each"
        )


def benchmark(
    url: str, cases: int, transitions: int, verify: bool, out: Callable[[str], None], floor: Floor | None = None
) -> Figure:
    from lifecycle.services.app import Lifecycle
    from lifecycle.services.audit import verify_log
    from lifecycle.services.setup import init_database

    app = Lifecycle(db=url)
    init_database(app, USER)
    cycle_ids, setup = build_cases(app, cases - cases // 2)
    out(setup.line(app.engine.dialect.name))
    internal_ids, setup_national = build_national_cases(app, cases // 2)
    out(setup_national.line(app.engine.dialect.name))
    programme = app.catalogue.current("bj-tic")

    first_cycle_case: dict[int, Any] = {}
    with app.uow() as uow:
        for case_id in cycle_ids:
            first_cycle_case[case_id] = uow.cases.get(case_id)

    floor_run: Callable[[int], None] | None = None
    if floor is not None:
        # The floor's loop on a copy of this database as it stands (same rows, indexes and
        # chain), run before and after the timed advances: both see the same machine.
        import floor_advance

        source = Path(app.engine.url.database or "")
        copy = source.with_name(source.stem + "-floor.db")
        floor_advance.copy_database(source, copy)
        floor_connection = floor_advance.connect(copy)

        def floor_run(count: int) -> None:
            floor.add(count, floor_advance.run(floor_connection, USER, internal_ids + cycle_ids, count))

        floor_run(transitions // 2)

    n_internal = transitions // 2
    internal = run_workload(
        "internal (request_change/decide_change)",
        internal_ids,
        n_internal,
        lambda _id: change_step(None),
        lambda _id, case: change_step(case),
        app,
    )
    changes = run_workload(
        "state changes (mid-term/assess/renew cycle)",
        cycle_ids,
        transitions - n_internal,
        lambda case_id: cycle_step(programme, first_cycle_case[case_id]),
        lambda _id, case: cycle_step(programme, case),
        app,
    )
    overall = Figure(
        "all timed advances",
        internal.count + changes.count,
        internal.seconds + changes.seconds,
        internal.wall + changes.wall,
        internal.latencies + changes.latencies,
        internal.cpu + changes.cpu,
    )
    backend = app.engine.dialect.name
    for figure in (internal, changes, overall):
        out(figure.line(backend))
    if floor_run is not None and floor is not None:
        floor_run(transitions - transitions // 2)
        floor_connection.close()
        copy.unlink()
        out(floor.line())

    if verify:
        started = time.perf_counter()
        result = verify_log(app)
        ok = getattr(result, "ok", None)
        out(f"CHECK {backend} audit chain verified in {time.perf_counter() - started:.2f} s: {_describe(result)}")
        if ok is False:
            raise SystemExit(f"the audit chain does not verify: {result}")
    with app.uow() as uow:
        head_seq, _ = uow.audit.head()
    expected = 1 + cases * 4 + transitions  # first admin + setup + timed
    out(f"CHECK {backend} audit entries: {head_seq} (expected {expected})")
    if head_seq != expected:
        raise SystemExit(f"expected {expected} audit entries, found {head_seq}")
    app.engine.dispose()
    return overall


def _describe(result: Any) -> str:
    if hasattr(result, "__dataclass_fields__"):
        return ", ".join(
            f"{k}={getattr(result, k)!r}"
            for k in result.__dataclass_fields__
            if not isinstance(getattr(result, k), list | dict)
        )
    return repr(result)


# -- PostgreSQL: a fresh schema -----------------------------------------------------------


def postgres_schema_url(url: str) -> tuple[str, Callable[[], None]]:
    """A URL whose connections use a new schema, and a function that drops it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return scoped.render_as_string(hide_password=False), drop


# -- main -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.synchronous:  # read when lifecycle.persistence.engine is imported
        os.environ["LIFECYCLE_SQLITE_SYNCHRONOUS"] = args.synchronous
    os.environ["LIFECYCLE_USER"] = USER

    def out(line: str) -> None:
        print(line, flush=True)

    from lifecycle.persistence.engine import SQLITE_SYNCHRONOUS

    out(
        f"lifecycle transitions benchmark: {args.cases} cases, {args.transitions} timed "
        f"advances; Python {sys.version.split()[0]}; {load()}"
    )
    failed = False
    if not args.postgres_only:
        with tempfile.TemporaryDirectory(prefix="lifecycle-bench-") as scratch:
            path = Path(args.db) if args.db else Path(scratch) / "bench.db"
            if path.exists():
                raise SystemExit(f"{path} exists; the benchmark needs a fresh database")
            out(f"SQLite {path} (WAL, synchronous={SQLITE_SYNCHRONOUS}, BEGIN IMMEDIATE)")
            floor = Floor()
            overall = benchmark(f"sqlite:///{path}", args.cases, args.transitions, not args.no_verify, out, floor)
        verdict = "PASS" if overall.rate >= TARGET else "FAIL"
        failed = verdict == "FAIL"
        out(
            f"TARGET sqlite >= {TARGET:,.0f} transitions/s: {verdict} "
            f"({overall.rate:,.0f} transitions/s, {1e6 / overall.rate:.0f} µs each)"
        )
        ratio = (overall.cpu / overall.count) / (floor.cpu / floor.count)
        verdict = "PASS" if ratio <= FLOOR_RATIO else "FAIL"
        failed = failed or verdict == "FAIL"
        out(
            f"TARGET sqlite CPU per advance <= {FLOOR_RATIO}x the raw sqlite3 floor: {verdict} ({ratio:.2f}x: "
            f"{overall.cpu / overall.count * 1e6:.0f} µs against {floor.cpu / floor.count * 1e6:.0f} µs)"
        )
    if args.postgres:
        url, drop = postgres_schema_url(args.postgres)
        out(f"PostgreSQL {url.split('?')[0].rsplit('@', 1)[-1]} (fresh schema)")
        try:
            overall = benchmark(url, args.cases, args.transitions, not args.no_verify, out)
        finally:
            drop()
        out(f"FIGURE postgresql: {overall.rate:,.0f} transitions/s (no target)")
    out(f"LOAD at the end: {load()}")
    return 1 if failed and args.strict else 0


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min) on {os.cpu_count()} cores"


if __name__ == "__main__":
    sys.exit(main())

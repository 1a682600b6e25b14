"""The compliance run at scale, as users run it: `lifecycle comply` in a process of its own.

For each size, on a fresh temporary SQLite file:

1. `lifecycle demo --cases N` (a child process): N cases across every programme of the
   catalogue, about one in ten with work due on the as-of day. Its CPU is held to a target
   (1M <= 40 s CPU).
2. Start-up, the reference of the rerun: `lifecycle comply --json` on a database with no case.
3. `lifecycle comply --as-of DAY --json > file` (a child process, the command users run): wall
   time, CPU of the whole process tree (getrusage of the children), and peak memory of the tree
   (the command and its worker processes, their resident sets summed, sampled every 20 ms).
   The JSON it wrote is read back:
   the actions it lists are counted and must equal the run's record.
4. The same command again for the same day: must do nothing; its work beyond start-up (CPU,
   which a loaded machine does not inflate as it does wall time) is held to a target (<= 0.3 s).
5. The floor (`floor_comply.py`, in a child process): the same reads and writes in raw
   `sqlite3` on a copy of the same portfolio. The run's CPU per due case (its CPU beyond
   start-up) over the floor's is held to a target (<= 2x).
6. With --catch-up: the command on another copy, one year ahead (a portfolio nobody ran the
   compliance run on for a year): its peak memory (target 200 MB at 1M).
7. The naive way over the first --sample cases (per-case ORM load, per-case machine, per-case
   commit), in this process, against the run's time per case (target >= 20x).
8. The audit chain verifies.

With --postgres URL: demo and comply at the first size on PostgreSQL too (a fresh schema,
dropped afterwards), its CPU against SQLite's (target <= 1.3x).

    python tests/benchmarks/bench_comply.py                        # 100,000 and 1,000,000
    python tests/benchmarks/bench_comply.py --sizes 100000 --catch-up
    python tests/benchmarks/bench_comply.py --sizes 1500 --sample 100   # smoke size

Every figure is printed with its reference measured in the same run, the ratio, PASS or FAIL,
and the load average at the time. Exits 0 unless --strict and a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
USER = "bench"
AS_OF = "2026-11-23"
CATCH_UP = "2027-11-23"
TARGETS_SECONDS = {100_000: 2.0, 1_000_000: 20.0}
TARGET_RSS_MB = {1_000_000: 150.0}
TARGET_CATCH_UP_RSS_MB = {1_000_000: 200.0}
TARGET_RATIO = 20.0
TARGET_FLOOR_RATIO = 2.0
TARGET_NOOP_SECONDS = 0.3
TARGET_DEMO_CPU = {1_000_000: 40.0}
TARGET_POSTGRES_RATIO = 1.3


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f} on {len(os.sched_getaffinity(0))} cores"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _status_kb(pid: int | str, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree(pid: int) -> list[int]:
    """The process and all its descendants (from /proc/*/stat's parent ids)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += parents.get(p, [])
    return found


class TreeMemory(threading.Thread):
    """The peak of a process tree's summed resident sets, sampled every 20 ms. (ru_maxrss of the
    children is the largest single process, not the sum with its workers.)"""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.running = pid, 0, True

    def run(self) -> None:
        while self.running:
            self.peak_kb = max(self.peak_kb, sum(_status_kb(p, "VmRSS") for p in _tree(self.pid)))
            time.sleep(0.02)


def lifecycle_command() -> list[str]:
    script = Path(sys.executable).parent / "lifecycle"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from lifecycle.cli.main import run; run()"]


def measured(argv: list[str], stdout: Any = subprocess.DEVNULL) -> dict[str, float]:
    """Run a command; its wall time, CPU (user + system of it and its children) and the peak of
    its process tree's memory."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(
        argv, stdout=stdout, stderr=subprocess.PIPE, env={**os.environ, "LIFECYCLE_USER": USER}, text=True
    )
    sampler = TreeMemory(process.pid)
    sampler.start()
    _, err = process.communicate()
    seconds = time.perf_counter() - started
    sampler.running = False
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {process.returncode}:\n{err}")
    return {
        "seconds": seconds,
        "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "peak_mb": sampler.peak_kb / 1024,
    }


def comply(db: str, as_of: str, out: Path) -> dict[str, Any]:
    """`lifecycle comply --as-of DAY --json --db DB > out`, measured; the actions it printed."""
    with out.open("w") as file:
        figures: dict[str, Any] = measured(
            [*lifecycle_command(), "comply", "--as-of", as_of, "--json", "--db", db], file
        )
    with out.open() as file:
        printed = json.load(file)
    figures["printed_actions"] = len(printed["actions"])
    figures["printed_proposals"] = len(printed["proposals"])
    return figures


def last_run(db: str) -> dict[str, Any]:
    """The run's own record (counts) of the last compliance run."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db if "://" in db else f"sqlite:///{db}")
    with engine.connect() as connection:
        counts = connection.execute(text("SELECT counts FROM compliance_runs ORDER BY id DESC LIMIT 1")).scalar()
    engine.dispose()
    return json.loads(counts) if isinstance(counts, str) else dict(counts or {})


def due_cases(db: str, as_of: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(db if "://" in db else f"sqlite:///{db}")
    with engine.connect() as connection:
        n = connection.execute(
            text("SELECT count(*) FROM cases WHERE next_due_on <= :d OR next_due_on IS NULL"), {"d": as_of}
        ).scalar()
    engine.dispose()
    return int(n or 0)


def naive(db: str, as_of: date, sample: int) -> tuple[float, int]:
    """The same work the naive way: per-case ORM load, per-case machine, per-case commit."""
    from sqlmodel import Session, select

    from lifecycle.domain.case import Case
    from lifecycle.domain.compliance import settle
    from lifecycle.domain.programme import Programme
    from lifecycle.persistence.engine import engine_for, resolve_url
    from lifecycle.persistence.repositories import AuditRepository
    from lifecycle.persistence.tables import AutomaticActionRow, CaseRow, DefinitionRow
    from lifecycle.programmes.loader import load_text

    engine = engine_for(resolve_url(db))
    actions = 0
    definitions: dict[str, Programme] = {}
    started = time.perf_counter()
    with Session(engine) as session:
        ids = session.exec(select(CaseRow.id).order_by(CaseRow.id).limit(sample)).all()  # type: ignore[arg-type]
    for case_id in ids:
        with Session(engine) as session:
            row = session.get(CaseRow, case_id)
            assert row is not None
            parsed = definitions.get(row.definition_version)
            if parsed is None:  # parsing the file once is fair; the machine is built per case below
                text = session.get(DefinitionRow, row.definition_version)
                assert text is not None
                parsed = definitions[row.definition_version] = load_text(text.content, row.programme)
            programme = Programme(parsed.definition, parsed.version, parsed.origin)  # a new machine
            case = Case(
                id=row.id,
                programme=row.programme,
                name=row.name,
                state=row.state,
                state_since=row.state_since,
                definition_version=row.definition_version,
                fields=dict(row.fields),
                approved_on=row.approved_on,
                valid_until=row.valid_until,
                cycle=row.cycle,
                cycle_start=row.cycle_start,
                deadline_on=row.deadline_on,
                progress=json.loads(json.dumps(row.progress)),
                version=row.version,
                created_on=row.created_on,
            )
            settlement = settle(programme, case, as_of, USER)
            if settlement.steps:
                after = settlement.case
                for name in (
                    "state",
                    "state_since",
                    "approved_on",
                    "valid_until",
                    "cycle",
                    "cycle_start",
                    "deadline_on",
                    "progress",
                    "next_due_on",
                ):
                    setattr(row, name, getattr(after, name))
                row.version += len(settlement.steps)
                audit = AuditRepository(session.connection())
                for step in settlement.steps:
                    p = step.proposal
                    entry = audit.append(
                        case_id=case.id,
                        programme=case.programme,
                        trigger=p.trigger,
                        from_state=p.from_state,
                        to_state=p.to_state,
                        effective_on=p.effective_on,
                        actor="system",
                        role="system",
                        reason="naive",
                        clause=p.clause,
                        payload=p.payload,
                    )
                    session.add(
                        AutomaticActionRow(
                            case_id=case.id,
                            rule=step.due.rule,
                            period=step.due.period,
                            trigger=p.trigger,
                            effective_on=p.effective_on,
                            audit_seq=entry.seq,
                        )
                    )
                    actions += 1
            session.commit()
    return time.perf_counter() - started, actions


def build(db: str, size: int, seed: int) -> dict[str, Any]:
    """`lifecycle demo --cases N` in a child process, measured."""
    figures: dict[str, Any] = measured(
        [
            *lifecycle_command(),
            "demo",
            "--cases",
            str(size),
            "--seed",
            str(seed),
            "--as-of",
            AS_OF,
            "--db",
            db,
            "--json",
        ]
    )
    return figures


def verify(db: str) -> bool:
    from lifecycle.services.app import Lifecycle
    from lifecycle.services.audit import verify_log

    return verify_log(Lifecycle(db)).ok


def empty_database(workdir: Path, url: str | None = None) -> str:
    db = url or str(workdir / "empty.db")
    subprocess.run(
        [*lifecycle_command(), "init", "--db", db],
        env={**os.environ, "LIFECYCLE_USER": USER},
        check=True,
        capture_output=True,
    )
    return db


class Bench:
    def __init__(self, strict: bool) -> None:
        self.missed = False
        self.strict = strict

    def target(self, label: str, ok: bool, detail: str) -> None:
        self.missed |= not ok
        print(f"TARGET {label}: {verdict(ok)} ({detail}; {load()})")
        sys.stdout.flush()

    def size(self, workdir: Path, size: int, args: argparse.Namespace) -> dict[str, Any]:
        db = str(workdir / f"comply-{size}.db")
        for leftover in workdir.glob(f"comply-{size}.db*"):
            leftover.unlink()
        built = build(db, size, args.seed)
        due = due_cases(db, AS_OF)
        print(
            f"RESULT sqlite demo --cases {size:,}: {built['seconds']:.1f} s (CPU {built['cpu']:.1f} s, "
            f"{built['cpu'] / size * 1e6:.1f} µs CPU per case), {due:,} with work due on {AS_OF}; {load()}"
        )
        if size in TARGET_DEMO_CPU:
            self.target(
                f"sqlite demo --cases {size:,} CPU <= {TARGET_DEMO_CPU[size]:g} s",
                built["cpu"] <= TARGET_DEMO_CPU[size],
                f"{built['cpu']:.1f} s",
            )
        copies = {name: str(workdir / f"{name}-{size}.db") for name in ("floor", "naive", "catch-up")}
        for name, path in copies.items():
            if name == "catch-up" and not args.catch_up:
                continue
            shutil.copy(db, path)
        # Start-up: the same command on a database with no case, in the same minutes.
        empty = empty_database(workdir)
        startup = comply(empty, AS_OF, workdir / "startup.json")
        run = comply(db, AS_OF, workdir / f"comply-{size}.json")
        record = last_run(db)
        again = comply(db, AS_OF, workdir / f"again-{size}.json")
        floor = json.loads(
            subprocess.run(
                [sys.executable, str(HERE / "floor_comply.py"), copies["floor"], "--as-of", AS_OF, "--json"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        print(
            f"RESULT sqlite start-up (lifecycle comply --json on a database with no case): "
            f"{startup['seconds']:.2f} s, CPU {startup['cpu']:.2f} s, peak RSS {startup['peak_mb']:.0f} MB"
        )
        per_case = run["seconds"] / size * 1e6
        print(
            f"RESULT sqlite comply {size:,} cases (lifecycle comply --json, a process of its own): "
            f"{run['seconds']:.2f} s, CPU {run['cpu']:.2f} s with its workers, "
            f"{record.get('actions', 0):,} actions and {record.get('proposals', 0):,} decisions due on "
            f"{record.get('cases_changed', 0):,} cases ({record.get('cases_examined', 0):,} looked at), "
            f"{per_case:.1f} µs per case, peak RSS {run['peak_mb']:.0f} MB with its workers"
            f"; {load()}"
        )
        print(f"RESULT sqlite comply {size:,} actions by rule: {record.get('by_rule', {})}")
        print(
            f"CHECK sqlite {size:,} actions printed: {run['printed_actions']:,} "
            f"(the run's record: {record.get('actions', 0):,})"
        )
        target = TARGETS_SECONDS.get(size)
        if target is not None:
            self.target(f"sqlite comply {size:,} <= {target:g} s", run["seconds"] <= target, f"{run['seconds']:.2f} s")
        if size in TARGET_RSS_MB:
            self.target(
                f"sqlite comply {size:,} peak RSS of the command with its workers <= {TARGET_RSS_MB[size]:g} MB",
                run["peak_mb"] <= TARGET_RSS_MB[size],
                f"{run['peak_mb']:.0f} MB",
            )
        # CPU per due case: the run's beyond its start-up, against the floor's.
        work = max(run["cpu"] - startup["cpu"], 0.0)
        mine, floors = work / max(due, 1) * 1e6, floor["cpu"] / max(floor["due"], 1) * 1e6
        print(
            f"RESULT sqlite floor (floor_comply.py, raw sqlite3, same reads and writes) {floor['due']:,} due cases, "
            f"{floor['actions']:,} actions, {floor['planned']:,} notice plans: {floor['seconds']:.2f} s, CPU "
            f"{floor['cpu']:.2f} s = {floors:.0f} µs per due case; comply {work:.2f} s CPU beyond start-up = "
            f"{mine:.0f} µs per due case: {mine / floors:.2f}x the floor"
        )
        self.target(
            f"sqlite comply {size:,} CPU per due case <= {TARGET_FLOOR_RATIO:g}x the floor",
            mine / floors <= TARGET_FLOOR_RATIO,
            f"{mine / floors:.2f}x: {mine:.0f} vs {floors:.0f} µs",
        )
        beyond = again["cpu"] - startup["cpu"]
        print(
            f"CHECK sqlite {size:,} second run for the same day: {last_run(db).get('actions', -1)} actions (expected 0)"
        )
        print(
            f"RESULT sqlite comply {size:,} again, nothing to do: {again['seconds']:.2f} s (CPU {again['cpu']:.2f} s); "
            f"start-up {startup['seconds']:.2f} s (CPU {startup['cpu']:.2f} s); CPU beyond start-up {beyond:.2f} s"
        )
        self.target(
            f"sqlite comply {size:,} rerun with nothing to do <= {TARGET_NOOP_SECONDS:g} s beyond start-up",
            beyond <= TARGET_NOOP_SECONDS,
            f"{beyond:.2f} s CPU beyond {startup['cpu']:.2f} s",
        )
        print(f"CHECK sqlite {size:,} audit chain verified: ok={verify(db)}")
        if args.catch_up:
            late = comply(copies["catch-up"], CATCH_UP, workdir / f"catch-up-{size}.json")
            late_record = last_run(copies["catch-up"])
            print(
                f"RESULT sqlite comply {size:,} catch-up to {CATCH_UP} (a year ahead): {late['seconds']:.2f} s, "
                f"CPU {late['cpu']:.2f} s, {late_record.get('actions', 0):,} actions and "
                f"{late_record.get('proposals', 0):,} decisions due on {late_record.get('cases_changed', 0):,} cases, "
                f"{late['printed_actions']:,} printed, peak RSS {late['peak_mb']:.0f} MB with its workers"
                f"; {load()}"
            )
            if size in TARGET_CATCH_UP_RSS_MB:
                self.target(
                    f"sqlite comply {size:,} catch-up peak RSS <= {TARGET_CATCH_UP_RSS_MB[size]:g} MB",
                    late["peak_mb"] <= TARGET_CATCH_UP_RSS_MB[size],
                    f"{late['peak_mb']:.0f} MB",
                )
        if args.sample:
            sample = min(args.sample, size)
            cpu = time.process_time()
            naive_seconds, naive_actions = naive(copies["naive"], date.fromisoformat(AS_OF), sample)
            naive_per_case = (time.process_time() - cpu) / sample * 1e6
            comply_per_case = work / size * 1e6
            # At a smoke-test size the run's CPU can round to zero: no ratio then, not a crash.
            ratio = naive_per_case / comply_per_case if comply_per_case > 0 else float("inf")
            print(
                f"RESULT sqlite naive {sample:,}-case sample of {size:,}: {naive_seconds:.2f} s, "
                f"{naive_actions:,} actions, {naive_per_case:.0f} µs CPU per case; comply "
                f"{comply_per_case:.1f} µs CPU per case beyond start-up: {ratio:.0f}x faster"
            )
            self.target(
                f"sqlite comply >= {TARGET_RATIO:g}x faster per case than naive ({size:,})",
                ratio >= TARGET_RATIO,
                f"{ratio:.0f}x",
            )
        for path in copies.values():
            for leftover in Path(path).parent.glob(Path(path).name + "*"):
                leftover.unlink()
        return {"cpu": run["cpu"] - startup["cpu"], "seconds": run["seconds"]}

    def postgres(self, workdir: Path, size: int, url: str, sqlite: dict[str, Any], seed: int) -> None:
        sys.path.insert(0, str(HERE))
        from bench_transitions import postgres_schema_url

        scoped, drop = postgres_schema_url(url)
        try:
            built = build(scoped, size, seed)
            print(f"RESULT postgresql demo --cases {size:,}: {built['seconds']:.1f} s (CPU {built['cpu']:.1f} s)")
            run = comply(scoped, AS_OF, workdir / "postgres.json")
        finally:
            drop()
        empty_url, drop_empty = postgres_schema_url(url)
        try:
            startup = comply(empty_database(workdir, empty_url), AS_OF, workdir / "postgres-startup.json")
        finally:
            drop_empty()
        cpu = run["cpu"] - startup["cpu"]
        ratio = cpu / max(sqlite["cpu"], 1e-9)
        print(
            f"RESULT postgresql comply {size:,} cases: {run['seconds']:.2f} s, CPU {run['cpu']:.2f} s "
            f"({cpu:.2f} s beyond start-up); SQLite in the same run {sqlite['cpu']:.2f} s beyond start-up: "
            f"{ratio:.2f}x; wall {run['seconds'] / max(sqlite['seconds'], 1e-9):.2f}x; {load()}"
        )
        self.target(
            f"postgresql comply {size:,} CPU <= {TARGET_POSTGRES_RATIO:g}x SQLite's",
            ratio <= TARGET_POSTGRES_RATIO,
            f"{ratio:.2f}x",
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000", help="portfolio sizes, comma-separated")
    parser.add_argument("--sample", type=int, default=3_000, help="cases done the naive way (0: skip)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--catch-up", action="store_true", help=f"also a run one year ahead ({CATCH_UP})")
    parser.add_argument("--postgres", help="also demo and comply at the first size on this PostgreSQL (fresh schema)")
    parser.add_argument("--dir", help="where to keep the databases (default: a temporary directory)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    bench = Bench(args.strict)
    workdir = Path(args.dir or tempfile.mkdtemp(prefix="bench-comply-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"MACHINE {len(os.sched_getaffinity(0))} cores, Python {sys.version.split()[0]}; {load()}")
    try:
        first: dict[str, Any] | None = None
        sizes = [int(s) for s in args.sizes.split(",")]
        for size in sizes:
            figures = bench.size(workdir, size, args)
            first = first or figures
            sys.stdout.flush()
        if args.postgres and first is not None:
            bench.postgres(workdir, sizes[0], args.postgres, first, args.seed)
    finally:
        if not args.dir:
            shutil.rmtree(workdir, ignore_errors=True)
    return 1 if (bench.missed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())

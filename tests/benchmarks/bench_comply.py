"""The compliance run at scale: `lifecycle comply` over 100,000 and 1,000,000 cases.

For each size, on a fresh temporary SQLite file:

1. `lifecycle demo --cases N` (`build_portfolio`): N cases across every programme of the
   catalogue, about one in ten with work due on the as-of day. Timed (target: 1M < 60 s).
2. One compliance run for the as-of day, in a child process of its own so that its peak
   memory is the run's and not the portfolio builder's: the resident sets of the run's process
   and its worker processes, summed, sampled every 50 ms (see MemorySampler).
   Timed from the call of `run_compliance` to its return (the interpreter's start-up is not).
3. The naive way on a copy of the same portfolio, over its first --sample cases: per case, an
   ORM session load, a new Programme (a new `transitions` machine; the file parsed once), the same `settle`, the
   changes written through the ORM and the audit repository, and one commit per case. Its time
   per case against the compliance run's time per case is the ratio held to the target.
4. Checks: the audit chain verifies after the run, and a second run for the same day does nothing.

    python tests/benchmarks/bench_comply.py                        # 100,000 and 1,000,000
    python tests/benchmarks/bench_comply.py --sizes 100000 --sample 10000
    python tests/benchmarks/bench_comply.py --sizes 2000 --sample 200   # smoke size

Targets (issue 4), SQLite: 100k <= 2 s, 1M <= 20 s, peak RSS <= 250 MB at 1M, the compliance run
>= 20x faster per case than the naive way. Prints RESULT / CHECK / TARGET lines; exits 0 unless
--strict and a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

USER = "bench"
AS_OF = "2026-11-23"
TARGETS_SECONDS = {100_000: 2.0, 1_000_000: 20.0}
TARGET_RSS_MB = 250.0
TARGET_RATIO = 20.0


def _status_kb(pid: int | str, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[str]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(entry)
            except (OSError, ValueError, IndexError):
                continue
    return found


class MemorySampler(threading.Thread):
    """The run's memory with its workers': every 50 ms, this process's resident set plus its
    children's, and the highest sum seen. (ru_maxrss is no use here: Linux carries the parent's
    resident set at fork into a child's ru_maxrss, so a worker, or this process started by a
    benchmark that has just built a million cases, would report its parent's size.)"""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kb = 0
        self.running = True

    def run(self) -> None:
        me = os.getpid()
        while self.running:
            total = _status_kb(me, "VmRSS") + sum(_status_kb(child, "VmRSS") for child in _children(me))
            self.peak_kb = max(self.peak_kb, total)
            time.sleep(0.05)


def child_comply(db: str, as_of: str) -> None:
    """In a fresh process: one real compliance run; prints its figures as JSON."""
    from jobs.compliance_run import run_compliance
    from lifecycle.services.app import Lifecycle

    app = Lifecycle(db)
    sampler = MemorySampler()
    sampler.start()
    started, cpu, before = time.perf_counter(), time.process_time(), os.times()
    report = run_compliance(app, USER, date.fromisoformat(as_of), collect=False)
    seconds, cpu, after = time.perf_counter() - started, time.process_time() - cpu, os.times()
    workers_cpu = (after.children_user + after.children_system) - (before.children_user + before.children_system)
    sampler.running = False
    sampler.join()
    again = run_compliance(app, USER, date.fromisoformat(as_of), collect=False)
    print(json.dumps({"seconds": seconds, "cpu": cpu, "workers_cpu": workers_cpu,
                      "actions": sum(report.counts.values()),
                      "cases_examined": report.cases_examined, "cases_changed": report.cases_changed,
                      "by_rule": report.counts_by_rule(),
                      "peak_mb": max(sampler.peak_kb, _status_kb("self", "VmHWM")) / 1024,
                      "run_process_peak_mb": _status_kb("self", "VmHWM") / 1024,
                      "again_actions": sum(again.counts.values())}))


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
            case = Case(id=row.id, programme=row.programme, name=row.name, state=row.state,
                        state_since=row.state_since, definition_version=row.definition_version,
                        fields=dict(row.fields), approved_on=row.approved_on, valid_until=row.valid_until,
                        cycle=row.cycle, cycle_start=row.cycle_start, deadline_on=row.deadline_on,
                        progress=json.loads(json.dumps(row.progress)), version=row.version,
                        created_on=row.created_on)
            settlement = settle(programme, case, as_of, USER)
            if settlement.steps:
                after = settlement.case
                for name in ("state", "state_since", "approved_on", "valid_until", "cycle", "cycle_start",
                             "deadline_on", "progress", "next_due_on"):
                    setattr(row, name, getattr(after, name))
                row.version += len(settlement.steps)
                audit = AuditRepository(session.connection())
                for step in settlement.steps:
                    p = step.proposal
                    entry = audit.append(case_id=case.id, programme=case.programme, trigger=p.trigger,
                                         from_state=p.from_state, to_state=p.to_state, effective_on=p.effective_on,
                                         actor="system", role="system", reason="naive", clause=p.clause,
                                         payload=p.payload)
                    session.add(AutomaticActionRow(case_id=case.id, rule=step.due.rule, period=step.due.period,
                                                   trigger=p.trigger, effective_on=p.effective_on,
                                                   audit_seq=entry.seq))
                    actions += 1
            session.commit()
    return time.perf_counter() - started, actions


def build(db: Path, size: int, seed: int) -> dict[str, Any]:
    from lifecycle.demo.portfolio import build_portfolio
    from lifecycle.persistence.unit_of_work import release_connections
    from lifecycle.services.app import Lifecycle

    os.environ["LIFECYCLE_USER"] = USER
    app = Lifecycle(str(db))
    started, cpu = time.perf_counter(), time.process_time()
    result = build_portfolio(app, USER, size, seed, date.fromisoformat(AS_OF))
    result["seconds"], result["cpu"] = time.perf_counter() - started, time.process_time() - cpu
    release_connections()
    app.engine.dispose()
    return result


def verify(db: Path) -> bool:
    from lifecycle.services.app import Lifecycle
    from lifecycle.services.audit import verify_log

    return verify_log(Lifecycle(str(db))).ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000", help="portfolio sizes, comma-separated")
    parser.add_argument("--sample", type=int, default=10_000, help="cases done the naive way")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", help="where to keep the databases (default: a temporary directory)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--child-comply", nargs=2, metavar=("DB", "AS_OF"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_comply:
        child_comply(*args.child_comply)
        return 0
    missed = False
    workdir = Path(args.dir or tempfile.mkdtemp(prefix="bench-comply-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            db = workdir / f"comply-{size}.db"
            for leftover in workdir.glob(f"comply-{size}.db*"):
                leftover.unlink()
            built = build(db, size, args.seed)
            print(f"RESULT sqlite demo --cases {size:,}: {built['seconds']:.1f} s (CPU {built['cpu']:.1f} s) "
                  f"({size / built['seconds']:,.0f} cases/s), {built['due_on_as_of']:,} with work due on {AS_OF}")
            if size >= 1_000_000:
                ok = built["seconds"] < 60
                missed |= not ok
                print(f"TARGET sqlite demo --cases {size:,} < 60 s: {'PASS' if ok else 'FAIL'}")
            naive_db = workdir / f"naive-{size}.db"
            shutil.copy(db, naive_db)
            child = subprocess.run([sys.executable, __file__, "--child-comply", str(db), AS_OF],
                                   env={**os.environ, "LIFECYCLE_USER": USER}, capture_output=True, text=True,
                                   check=True)
            run = json.loads(child.stdout.strip().splitlines()[-1])
            per_case = run["seconds"] / size * 1e6
            print(f"RESULT sqlite comply {size:,} cases: {run['seconds']:.2f} s (CPU {run['cpu']:.2f} s in the run's "
                  f"process, {run['workers_cpu']:.2f} s in its workers), "
                  f"{run['actions']:,} actions on "
                  f"{run['cases_changed']:,} cases ({run['cases_examined']:,} looked at), "
                  f"{per_case:.1f} µs per case, peak RSS {run['peak_mb']:.0f} MB with its workers "
                  f"(the run's own process: {run['run_process_peak_mb']:.0f} MB)")
            print(f"RESULT sqlite comply {size:,} actions by rule: {run['by_rule']}")
            print(f"CHECK sqlite {size:,} second run for the same day: {run['again_actions']} actions (expected 0)")
            print(f"CHECK sqlite {size:,} audit chain verified: ok={verify(db)}")
            target = TARGETS_SECONDS.get(size)
            if target is not None:
                ok = run["seconds"] <= target
                missed |= not ok
                print(f"TARGET sqlite comply {size:,} <= {target:g} s: {'PASS' if ok else 'FAIL'}")
            if size >= 1_000_000:
                ok = run["peak_mb"] <= TARGET_RSS_MB
                missed |= not ok
                print(f"TARGET sqlite comply {size:,} peak RSS <= {TARGET_RSS_MB:g} MB: {'PASS' if ok else 'FAIL'}")
            sample = min(args.sample, size)
            naive_seconds, naive_actions = naive(str(naive_db), date.fromisoformat(AS_OF), sample)
            naive_per_case = naive_seconds / sample * 1e6
            ratio = naive_per_case / per_case
            print(f"RESULT sqlite naive {sample:,}-case sample of {size:,}: {naive_seconds:.2f} s, "
                  f"{naive_actions:,} actions, {naive_per_case:.0f} µs per case; comply {per_case:.1f} µs per case: "
                  f"{ratio:.0f}x faster")
            ok = ratio >= TARGET_RATIO
            missed |= not ok
            print(f"TARGET sqlite comply >= {TARGET_RATIO:g}x faster per case than naive ({size:,}): "
                  f"{'PASS' if ok else 'FAIL'}")
            sys.stdout.flush()
    finally:
        if not args.dir:
            shutil.rmtree(workdir, ignore_errors=True)
    return 1 if (missed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())

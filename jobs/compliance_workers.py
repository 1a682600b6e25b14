"""Settling the compliance run's batches in worker processes while this process reads and writes.

Settling is pure Python and holds the interpreter lock; reading and writing are mostly the
database's own work. On a large run (a million cases, a hundred thousand due) the two take
comparable time, so a worker process settles batch k+1 while this one writes batch k: the run
takes about the longer of the two instead of their sum.

A batch is read outside the transaction that writes it, so a case may change in between (an
administrator acts during the run). The writer therefore reads each case's version again
under its write lock and settles again, itself, every case whose version moved: what is
written is always worked out from the case as it is written over (see `fresh_outcomes`).

Workers are started with `spawn` (safe under the scheduler's threads) and know nothing of the
database: they get the programme texts once, then batches of rows, and return `CaseOutcome`s.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jobs.compliance_batches import CaseOutcome, ProgrammeOf, settle_cases
from lifecycle.domain.case import Case
from lifecycle.domain.messages import N_
from lifecycle.domain.programme import Programme
from lifecycle.errors import UsageError
from lifecycle.persistence.compliance import (
    cases_from_rows,
    current_versions,
    iter_batches,
    load_cases,
    load_rows,
    stored_definitions,
)
from lifecycle.persistence.unit_of_work import UnitOfWork
from lifecycle.programmes.catalogue import Catalogue
from lifecycle.services.app import Lifecycle

if TYPE_CHECKING:
    from concurrent.futures import Future

#: Below this many due cases the run settles in this process: starting a worker (a new
#: interpreter importing the domain) costs more than it saves.
DEFAULT_PARALLEL_FROM = 20_000
#: How often a worker checks that the run that started it is still there.
PARENT_CHECK_SECONDS = 0.5
#: Never more workers than this, whatever the machine: one writer cannot keep more busy.
MAX_WORKERS = 4


def _setting(name: str, default: int) -> int:
    text = os.environ.get(name)
    if text is None or text.strip() == "":
        return default
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise UsageError(
            N_("{name}={text}: a whole number, 0 or more (default {default})"),
            {"name": name, "text": repr(text), "default": default},
        )
    return value


def idle_cores(usable: int) -> int:
    """Processors nobody else is using now: those this process may use, less the run queue's
    one-minute average (which counts this process too). A worker on a core that is not idle
    buys no time: measured on a shared 2-core machine, it added ~25 % CPU to the run and the
    run took as long (docs/performance.md, "When a worker pays")."""
    try:
        busy = os.getloadavg()[0]
    except OSError:  # no load average on this system: assume the cores are free
        return usable
    return max(0, int(usable - busy))


def worker_count(due_cases: int) -> int:
    """How many worker processes settle a run with this many due cases (0: none, settle here).

    LIFECYCLE_COMPLY_WORKERS sets the number (0 turns workers off); by default one per idle
    processor (see `idle_cores`) beyond the one this process needs, at most MAX_WORKERS: on a
    busy machine, or a 2-core one with anything else running, none.
    LIFECYCLE_COMPLY_PARALLEL_FROM sets from how many due cases workers are used (default
    DEFAULT_PARALLEL_FROM)."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    chosen = _setting("LIFECYCLE_COMPLY_WORKERS", -1) if os.environ.get("LIFECYCLE_COMPLY_WORKERS", "").strip() else -1
    if chosen == 0 or due_cases < _setting("LIFECYCLE_COMPLY_PARALLEL_FROM", DEFAULT_PARALLEL_FROM):
        return 0
    return chosen if chosen > 0 else max(0, min(MAX_WORKERS, usable - 1, idle_cores(usable) - 1))


# -- in the worker process ------------------------------------------------------------------
_catalogue: Catalogue | None = None
_stored: dict[str, str] = {}


def _start_worker(parent: int, programmes_dir: str | None, stored: dict[str, str]) -> None:
    # The run's pid is passed, not read here: if the run was killed while this process was
    # still starting, getppid() would already name the process that adopted it.
    threading.Thread(target=_stop_with_parent, args=(parent,), daemon=True).start()
    # Ctrl-C in a terminal and systemd's stop reach the whole process group: the run decides
    # how to stop (the scheduler lets a run in progress finish), so a worker ignores them.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    global _catalogue, _stored
    _catalogue, _stored = Catalogue.load(programmes_dir), stored


def _stop_with_parent(parent: int) -> None:
    """A run killed outright (SIGKILL, OOM) cannot stop its workers, and they would wait for
    work forever: each leaves as soon as it has been handed to another parent."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _programme_of(case: Case) -> Programme:
    assert _catalogue is not None, "worker not started"
    return _catalogue.version(case.programme, case.definition_version, lambda _code, version: _stored.get(version))


def _settle_rows(rows: list[tuple[Any, ...]], as_of: date, invoked_by: str) -> list[CaseOutcome]:
    cases = cases_from_rows(rows)
    try:
        return settle_cases(cases, _programme_of, as_of, invoked_by)
    except Exception:
        # A case this worker cannot settle (a definition version stored after the run began,
        # a rule that never settles) goes back unsettled: the run settles it itself and, if
        # it fails there too, fails with the error as a run in one process would (an error
        # sent back between processes loses its details).
        outcomes: list[CaseOutcome] = []
        for case in cases:
            try:
                outcomes += settle_cases([case], _programme_of, as_of, invoked_by)
            except Exception:
                assert case.id is not None
                outcomes.append(CaseOutcome(case.id, case.programme, case.version, unsettled=True))
        return outcomes


# -- in the run's process -------------------------------------------------------------------
def settled_batches(
    app: Lifecycle, ids: Sequence[int], batch_size: int, as_of: date, invoked_by: str, workers: int
) -> Iterator[tuple[list[int], list[CaseOutcome]]]:
    """Each batch of `ids` with its outcomes, in order, settled by `workers` processes. At most
    `workers + 1` batches are read ahead, so memory stays flat however many cases are due."""
    with app.engine.connect() as reader:
        stored = stored_definitions(reader)
        reader.rollback()
    directory = str(Path(app.programmes_dir)) if app.programmes_dir else None
    # Imported here: only a large run starts workers, and every run imports this module.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(os.getpid(), directory, stored),
    )
    try:
        with app.engine.connect() as reader:
            batches = iter_batches(ids, batch_size)
            pending: deque[tuple[list[int], Future[list[CaseOutcome]]]] = deque()

            def read_ahead() -> None:
                batch = next(batches, None)
                if batch is not None:
                    rows = load_rows(reader, batch, lock=False)
                    reader.rollback()  # no read transaction held open: it would stop WAL checkpoints
                    pending.append((batch, pool.submit(_settle_rows, rows, as_of, invoked_by)))

            for _ in range(workers + 1):
                read_ahead()
            while pending:
                batch, future = pending.popleft()
                outcomes = future.result()
                read_ahead()
                yield batch, outcomes
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def fresh_outcomes(
    uow: UnitOfWork,
    outcomes: list[CaseOutcome],
    programme_of: ProgrammeOf,
    as_of: date,
    invoked_by: str,
    *,
    write: bool,
) -> list[CaseOutcome]:
    """The batch's outcomes, each worked out from the case as it is now, and by someone.

    Cases the worker sent back unsettled are settled here. When writing, inside the writing
    transaction (rows locked on PostgreSQL), so are the cases whose version moved since they
    were read."""
    if write:
        now = current_versions(uow.connection, [o.case_id for o in outcomes])
        kept = [o for o in outcomes if not o.unsettled and now.get(o.case_id) == o.version]
    else:
        kept = [o for o in outcomes if not o.unsettled]
    if len(kept) == len(outcomes):
        return outcomes
    done = {o.case_id for o in kept}
    again = settle_cases(
        load_cases(uow.connection, [o.case_id for o in outcomes if o.case_id not in done], lock=write),
        programme_of,
        as_of,
        invoked_by,
    )
    return sorted(kept + again, key=lambda o: o.case_id)

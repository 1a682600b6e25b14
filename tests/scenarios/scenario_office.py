"""Black-box scenarios: an administrator's office driving the real `lifecycle` CLI.

Every checked step runs the console script's entry point (`lifecycle.cli.main:run`,
what the `lifecycle` command calls) in a process of its own, as a person would:
arguments and environment in; exit code, stdout and stderr out. Starting Python
afresh costs about a second a command, so the process is forked from a
multiprocessing forkserver that has already imported the CLI (~0.1 s).
`LIFECYCLE_SCENARIOS_EXEC=1` runs every command as `python -m lifecycle.cli.main`
instead, and each programme's main scenario runs its audit check that way
(`fresh=True`).

Routine preparatory steps (walking a case to the state a scenario starts from)
go in-process through the services the CLI itself calls; they are written in
the same command-line words and must succeed. The office keeps a ledger of
every action that succeeded, so a scenario can check that the audit log holds
exactly one entry per action, in order, and nothing for a refused one.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from lifecycle.services.app import Lifecycle
from lifecycle.services.cases import add_case, advance


@dataclass
class Run:
    """One `lifecycle ...` run: what a person typed and what came back."""

    args: tuple[str, ...]
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def reasons(self) -> list[dict[str, Any]]:
        """The refusal's reasons (the run must have used --json)."""
        return list(self.json()["reasons"])

    def reason(self, code: str) -> dict[str, Any]:
        """The one reason with this code (e.g. `quota_full`), failing the test if absent."""
        found = [r for r in self.reasons() if r["code"] == code]
        assert len(found) == 1, f"expected one {code!r} reason in\n{self!r}"
        return found[0]

    def clauses(self) -> set[str]:
        return {r["clause"] for r in self.reasons()}

    def __repr__(self) -> str:  # what a failed assertion shows
        return f"lifecycle {' '.join(self.args)} -> exit {self.code}\n{self.out}\n{self.err}"


@dataclass
class Office:
    """One database, alice its first admin; `office(...)` runs the CLI, `prepare(...)` the services."""

    app: Lifecycle
    db_url: str
    workdir: Path
    #: (case id, trigger) of every action that wrote, in order: the audit log must match it.
    ledger: list[tuple[int, str]] = field(default_factory=list)

    def __call__(self, *args: str, user: str = "alice", fresh: bool = False) -> Run:
        """`lifecycle ARGS...` as `user`; `fresh` starts a new Python instead of forking."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("LIFECYCLE_")}
        env.update(
            LIFECYCLE_LANG="en",
            LIFECYCLE_USER=user,
            LIFECYCLE_DB=self.db_url,
            COLUMNS="250",
            NO_COLOR="1",
            PYTHONIOENCODING="utf-8",
        )
        if fresh or os.environ.get("LIFECYCLE_SCENARIOS_EXEC"):
            done = subprocess.run(
                [sys.executable, "-m", "lifecycle.cli.main", *args],
                env=env,
                cwd=self.workdir,
                capture_output=True,
                text=True,
                encoding="utf-8",
                timeout=60,
            )
            run = Run(tuple(args), done.returncode, done.stdout, done.stderr)
        else:
            run = _forked(args, env, self.workdir)
        if run.code == 0:
            self._note(args, run)
        return run

    def ok(self, *args: str) -> dict[str, Any]:
        """Run a command with --json that must succeed; its JSON."""
        run = self(*args, "--json")
        assert run.code == 0, run
        return dict(run.json())

    def refused(self, *args: str) -> Run:
        """Run a command with --json that must be refused (exit 3).

        That it wrote nothing is checked by `audit_matches_ledger`: a refused action
        is not in the ledger, so any entry it wrote would show up there.
        """
        run = self(*args, "--json")
        assert run.code == 3, run
        assert run.json()["exit_code"] == 3, run
        return run

    def prepare(self, *args: str) -> int:
        """`cases add ...` or `advance ...` in-process; must succeed. Returns the case id."""
        words, on, sets = _split(args)
        if words[:2] == ["cases", "add"]:
            code, name = words[2], _option(args, "--name")
            outcome = add_case(self.app, "alice", code, name, on, sets)
        else:
            assert words[0] == "advance", args
            outcome = advance(self.app, "alice", int(words[1]), words[2], on, sets)
        assert outcome.case.id is not None
        self.ledger.append((outcome.case.id, outcome.entry.trigger))
        return outcome.case.id

    def show(self, case_id: int, as_of: str | None = None) -> dict[str, Any]:
        args = ["cases", "show", str(case_id), "--json"]
        if as_of:
            args += ["--as-of", as_of]
        run = self(*args)
        assert run.code == 0, run
        return dict(run.json())

    def audit_matches_ledger(self, fresh: bool = False) -> None:
        """One audit entry per action, in order, and the chain verifies (two CLI runs)."""
        log = self("audit", "log", "--json", fresh=fresh)
        assert log.code == 0, log
        entries = [e for e in log.json() if e["case_id"] is not None]
        assert [(e["case_id"], e["trigger"]) for e in entries] == self.ledger
        assert all(e["clause"] for e in entries), "every entry names the clause behind it"
        verified = self("audit", "verify", "--json", fresh=fresh)
        assert verified.code == 0, verified
        assert verified.json()["ok"] is True
        assert verified.json()["entries"] == len(log.json())

    def _note(self, args: tuple[str, ...], run: Run) -> None:
        words = [a for a in args if not a.startswith("-")]
        if words[:2] == ["cases", "add"]:
            self.ledger.append((int(run.json()["id"]) if "--json" in args else _id_from(run), "create"))
        elif words[:1] == ["advance"]:
            self.ledger.append((int(words[1]), words[2]))


_FORKSERVER: Any = None
#: What the forkserver imports once: the CLI and what its commands import when they run.
_WARM = [
    "lifecycle.cli.main",
    "lifecycle.services.app",
    "lifecycle.services.cases",
    "lifecycle.services.audit",
    "lifecycle.services.setup",
    "lifecycle.services.users",
    "lifecycle.persistence.unit_of_work",
    "lifecycle.programmes.catalogue",
    "rich.console",
    "rich.table",
    "sqlalchemy.dialects.sqlite",
    "sqlalchemy.dialects.postgresql.psycopg",
    "sqlite3",
    "states",
    "rich._emoji_codes",
    "typer._click.decorators",
    "scenario_office",
]


def _forked(args: tuple[str, ...], env: dict[str, str], workdir: Path) -> Run:
    """Run the console script's entry point in a process forked from a warm forkserver."""
    global _FORKSERVER
    if _FORKSERVER is None:
        _FORKSERVER = multiprocessing.get_context("forkserver")
        _FORKSERVER.set_forkserver_preload(_WARM)
    with tempfile.TemporaryDirectory(dir=workdir) as scratch:
        out, err = Path(scratch, "stdout"), Path(scratch, "stderr")
        process = _FORKSERVER.Process(target=_console_script, args=(list(args), env, str(workdir), str(out), str(err)))
        process.start()
        process.join(60)
        assert process.exitcode is not None, f"lifecycle {' '.join(args)} did not finish"
        return Run(tuple(args), process.exitcode, out.read_text("utf-8"), err.read_text("utf-8"))


def _console_script(argv: list[str], env: dict[str, str], workdir: str, out: str, err: str) -> None:
    """In the forked process: what the `lifecycle` console script does, with its own streams."""
    os.environ.clear()
    os.environ.update(env)
    os.chdir(workdir)
    for fd, path in ((1, out), (2, err)):
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(handle, fd)
        os.close(handle)
    sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
    sys.stderr.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
    sys.argv = ["lifecycle", *argv]
    from lifecycle.cli.main import run

    try:
        run()
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    else:
        code = 0
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _split(args: tuple[str, ...]) -> tuple[list[str], date, dict[str, str]]:
    words: list[str] = []
    on: date | None = None
    sets: dict[str, str] = {}
    items = iter(args)
    for item in items:
        if item == "--set":
            key, _, value = next(items).partition("=")
            sets[key] = value
        elif item == "--on":
            on = date.fromisoformat(next(items))
        elif item == "--name":
            next(items)
        else:
            words.append(item)
    assert on is not None, f"give --on in a scenario: {args}"
    return words, on, sets


def _option(args: tuple[str, ...], name: str) -> str:
    return args[args.index(name) + 1]


def _id_from(run: Run) -> int:
    # "Case 3 opened in hitech-zone: ..." — scenarios use --json, this is the fallback.
    return int(run.out.split()[1])


def sets(**values: object) -> list[str]:
    """`sets(region="west", hitech_exports_usd="1e7")` -> ["--set", "region=west", ...]."""
    out: list[str] = []
    for key, value in values.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        out += ["--set", f"{key}={value}"]
    return out

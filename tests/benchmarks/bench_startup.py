"""Start-up time of the CLI against the interpreter's own, measured in the same run.

Three commands, each in a fresh interpreter (subprocess), interleaved round by round so that
a change in the machine's load touches all of them alike:

* `python -c pass` with the same interpreter (the reference: what any Python program pays);
* `lifecycle --help`;
* `lifecycle cases list --json` on the demo (`lifecycle demo` into a fresh file).

Two warm-up rounds (OS file cache, .pyc files), then --runs timed rounds; the medians are held
to the targets as ratios to the reference: `--help` <= 6x, `cases list --json` <= 15x. The CPU
time of each child (user + system) is reported beside the wall time: on a shared machine it
shows how much of the wall time is the command's own work. It also reports which heavy
libraries each command drags in.

    python tests/benchmarks/bench_startup.py
    python tests/benchmarks/bench_startup.py --runs 5 --warmups 1
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: Targets: the median of each command over the median of `python -c pass`, same run.
HELP_RATIO = 6.0
LIST_RATIO = 15.0
HEAVY = (
    "sqlalchemy",
    "sqlmodel",
    "pydantic",
    "rich.table",
    "textual",
    "transitions",
    "alembic",
    "yaml",
    "apscheduler",
    "typer",
)

# Runs the CLI in-process as the console script does, then lists the heavy modules it imported.
PROBE = """
import sys
sys.argv = ["lifecycle", *{args!r}]
import io, contextlib
out = io.StringIO()
try:
    with contextlib.redirect_stdout(out):
        from lifecycle.cli.main import run
        run()
except SystemExit:
    pass
heavy = {heavy!r}
print("IMPORTED " + " ".join(f"{{name}}={{'yes' if name in sys.modules else 'no'}}" for name in heavy))
print("MODULES", len(sys.modules))
"""


def lifecycle_command() -> list[str]:
    """The installed console script next to this interpreter, else PATH, else `python -c`."""
    candidate = Path(sys.executable).with_name("lifecycle")
    if candidate.exists():
        return [str(candidate)]
    found = shutil.which("lifecycle")
    if found:
        return [found]
    return [sys.executable, "-c", "from lifecycle.cli.main import run; run()"]


def timed(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system of the child) milliseconds of one run of `argv`."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read() if process.stderr else b""
    if process.stderr:
        process.stderr.close()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {process.returncode}:\n{stderr.decode(errors='replace')}")
    return elapsed * 1000, (usage.ru_utime + usage.ru_stime) * 1000


def interleaved(commands: dict[str, list[str]], runs: int, warmups: int) -> dict[str, list[tuple[float, float]]]:
    """Each command once per round, the order rotating from round to round."""
    names = list(commands)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for round_ in range(warmups + runs):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            figure = timed(commands[name])
            if round_ >= warmups:
                times[name].append(figure)
    return times


def probe(args: list[str]) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args, heavy=HEAVY)], capture_output=True, text=True, check=False
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith(("IMPORTED", "MODULES"))]
    if result.returncode != 0:
        lines.append(f"(probe failed: {result.stderr.strip().splitlines()[-1:]})")
    return lines


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min; {os.cpu_count()} cores)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="timed rounds (default 15)")
    parser.add_argument("--warmups", type=int, default=2, help="untimed rounds first (default 2)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed (default: always 0)")
    args = parser.parse_args(argv)

    def out(line: str) -> None:
        print(line, flush=True)

    out(
        f"lifecycle start-up benchmark: medians of {args.runs} interleaved rounds after {args.warmups} "
        f"warm-ups; Python {sys.version.split()[0]}; load average {load()}"
    )
    lifecycle = lifecycle_command()
    with tempfile.TemporaryDirectory(prefix="lifecycle-startup-") as tmp:
        db = str(Path(tmp) / "demo.db")
        env = {**os.environ, "LIFECYCLE_USER": "bench"}
        subprocess.run([*lifecycle, "--db", db, "demo"], check=True, capture_output=True, env=env)
        listed = subprocess.run(
            [*lifecycle, "--db", db, "cases", "list", "--json"], check=True, capture_output=True, text=True
        )
        out(f"SETUP demo in a fresh file: {len(json.loads(listed.stdout))} cases")
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "lifecycle --help": [*lifecycle, "--help"],
            "lifecycle cases list --json": [*lifecycle, "--db", db, "cases", "list", "--json"],
        }
        times = interleaved(commands, args.runs, args.warmups)
        probes = {
            "--help": probe(["--help"]),
            "cases list --json": probe(["--db", db, "cases", "list", "--json"]),
        }
    medians = {}
    for name, figures in times.items():
        wall = [w for w, _ in figures]
        cpu = [c for _, c in figures]
        medians[name] = (statistics.median(wall), statistics.median(cpu))
        out(
            f"RESULT {name}: median {medians[name][0]:.1f} ms (CPU {medians[name][1]:.1f} ms), "
            f"min {min(wall):.1f} ms, max {max(wall):.1f} ms"
        )
    for label, lines in probes.items():
        for line in lines:
            kind, _, rest = line.partition(" ")
            out(f"{kind} by {label}: {rest}")

    reference = medians["python -c pass"]
    failed = False
    for name, limit in (("lifecycle --help", HELP_RATIO), ("lifecycle cases list --json", LIST_RATIO)):
        ratio = medians[name][0] / reference[0]
        cpu_ratio = medians[name][1] / reference[1] if reference[1] else float("inf")
        verdict = "PASS" if ratio <= limit else "FAIL"
        failed |= verdict == "FAIL"
        out(
            f"TARGET {name} <= {limit:g}x python -c pass: {verdict} ({ratio:.1f}x: {medians[name][0]:.1f} ms "
            f"against {reference[0]:.1f} ms; CPU {cpu_ratio:.1f}x)"
        )
    out(f"LOAD average at the end: {load()}")
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())

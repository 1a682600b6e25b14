"""Start-up time of the CLI: `lifecycle --help`, and importing lifecycle.cli.main.

Each command runs in a fresh interpreter (subprocess), twice to warm the OS file
cache and the .pyc files, then --runs times; the median is held against the target.
It also reports which heavy libraries `--help` drags in: start-up should not pay
for SQLAlchemy, rich tables, Textual or transitions when nothing needs them.

    python tests/benchmarks/bench_startup.py
    python tests/benchmarks/bench_startup.py --runs 3 --warmups 1
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_MS = 150.0
HEAVY = (
    "sqlalchemy",
    "rich.table",
    "textual",
    "transitions",
    "alembic",
    "sqlmodel",
    "yaml",
    "apscheduler",
    "typer",
    "rich",
)

# Runs `lifecycle --help` in-process as the console script does, then lists the
# heavy modules it imported (SystemExit from --help is expected).
PROBE = """
import sys
sys.argv = ["lifecycle", "--help"]
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


def time_command(argv: list[str], runs: int, warmups: int) -> list[float]:
    times = []
    for i in range(warmups + runs):
        started = time.perf_counter()
        result = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        elapsed = time.perf_counter() - started
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} exited {result.returncode}:\n{result.stderr.decode(errors='replace')}")
        if i >= warmups:
            times.append(elapsed * 1000)
    return times


def import_times(top: int) -> list[tuple[int, str]]:
    """The slowest cumulative imports of `lifecycle --help` (python -X importtime)."""
    result = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-c",
            "import sys; sys.argv=['lifecycle','--help']\n"
            "from lifecycle.cli.main import run\ntry:\n    run()\nexcept SystemExit:\n    pass",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    rows = []
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = [p.strip() for p in line.split(":", 1)[1].split("|")]
        try:
            cumulative = int(parts[1])
        except ValueError:
            continue
        name = parts[2]
        if not name.startswith(" ") and "." not in name.strip():  # top-level packages only
            rows.append((cumulative, name.strip()))
    return sorted(rows, reverse=True)[:top]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs each (default 15)")
    parser.add_argument("--warmups", type=int, default=2, help="untimed runs first (default 2)")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when the --help target is missed (default: always 0)"
    )
    args = parser.parse_args(argv)

    def out(line: str) -> None:
        print(line, flush=True)

    out(
        f"lifecycle start-up benchmark: median of {args.runs} runs after {args.warmups} "
        f"warm-ups; Python {sys.version.split()[0]}"
    )
    baseline = time_command([sys.executable, "-c", "pass"], args.runs, args.warmups)
    help_times = time_command([*lifecycle_command(), "--help"], args.runs, args.warmups)
    import_only = time_command([sys.executable, "-c", "import lifecycle.cli.main"], args.runs, args.warmups)
    for label, times in (
        ("python -c pass (interpreter floor)", baseline),
        ("lifecycle --help", help_times),
        ("python -c 'import lifecycle.cli.main'", import_only),
    ):
        out(
            f"RESULT {label}: median {statistics.median(times):.1f} ms, min {min(times):.1f} ms, "
            f"max {max(times):.1f} ms"
        )

    probe = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY)], capture_output=True, text=True, check=False
    )
    for line in probe.stdout.splitlines():
        if line.startswith(("IMPORTED", "MODULES")):
            out(f"{line.split(' ', 1)[0]} by --help: {line.split(' ', 1)[1]}")
    if probe.returncode != 0:
        out(f"(probe failed: {probe.stderr.strip().splitlines()[-1:]})")
    slowest = import_times(8)
    if slowest:
        out(
            "SLOWEST top-level imports of --help (cumulative, -X importtime): "
            + ", ".join(f"{name} {us / 1000:.0f} ms" for us, name in slowest)
        )

    median = statistics.median(help_times)
    verdict = "PASS" if median <= TARGET_MS else "FAIL"
    out(f"TARGET lifecycle --help <= {TARGET_MS:.0f} ms: {verdict} (median {median:.1f} ms)")
    return 1 if verdict == "FAIL" and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())

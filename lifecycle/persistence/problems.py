"""What went wrong with the database, in an operator's words: cannot connect, no such database,
authentication failed, busy — instead of a driver's traceback or a misleading "run init"."""

from __future__ import annotations

from typing import Any

from lifecycle.domain.messages import N_
from lifecycle.errors import Busy, DatabaseUnavailable, LifecycleError

#: PostgreSQL error codes (SQLSTATE) a connection attempt ends with.
_NO_DATABASE = "3D000"
_AUTHENTICATION = ("28000", "28P01")


def _driver_error(error: BaseException) -> Any:
    return getattr(error, "orig", None) or error


def classify(error: BaseException, where: str) -> LifecycleError | None:
    """The operator error behind a driver error raised on the database `where`, or None when
    it is none of the known kinds."""
    original = _driver_error(error)
    text = str(original).strip()
    lowered = text.lower()
    state = getattr(original, "sqlstate", None)
    if "database is locked" in lowered or "database table is locked" in lowered:
        return Busy(
            N_(
                "busy: another writer holds the database {where} and did not finish within the wait "
                "(LIFECYCLE_SQLITE_BUSY_TIMEOUT seconds, default 30); nothing was written. Run the command again in "
                "a moment, or wait for the running import or compliance run to end (`lifecycle scheduler history` "
                "shows runs); raise the wait with LIFECYCLE_SQLITE_BUSY_TIMEOUT=120"
            ),
            {"where": where},
        )
    if "unable to open database file" in lowered:
        return DatabaseUnavailable(
            N_(
                "cannot open the SQLite database {where}: the file does not exist or is not readable and writable by "
                "you; nothing was created. Run `lifecycle init` to create one there, or give the right path with "
                "--db / LIFECYCLE_DB"
            ),
            {"where": where},
        )
    if "file is not a database" in lowered or "file is encrypted" in lowered:
        return DatabaseUnavailable(
            N_("{where} is not a SQLite database file; give the right path with --db / LIFECYCLE_DB"), {"where": where}
        )
    if state == _NO_DATABASE or ("database" in lowered and "does not exist" in lowered):
        return DatabaseUnavailable(
            N_(
                "database does not exist: the PostgreSQL server of {where} has no such database ({text}); check the "
                "name in --db / LIFECYCLE_DB, or create it (createdb) and run `lifecycle init`"
            ),
            {"where": where, "text": _first_line(text)},
        )
    if (
        state in _AUTHENTICATION
        or "authentication failed" in lowered
        or ("role" in lowered and "does not exist" in lowered)
    ):
        return DatabaseUnavailable(
            N_(
                "authentication failed: PostgreSQL refused the login of {where} ({text}); check the user and "
                "password in --db / LIFECYCLE_DB (or ~/.pgpass), see docs/operations.md"
            ),
            {"where": where, "text": _first_line(text)},
        )
    if any(
        words in lowered
        for words in (
            "connection refused",
            "could not connect",
            "connection failed",
            "could not translate host",
            "failed to resolve host",
            "timeout expired",
            "no route to host",
            "server closed the connection",
            "name or service not known",
            "network is unreachable",
        )
    ):
        return DatabaseUnavailable(
            N_(
                "cannot connect to the database server of {where} ({text}); is the server running and the host and "
                "port in --db / LIFECYCLE_DB right?"
            ),
            {"where": where, "text": _first_line(text)},
        )
    if "\x00" in text or "nul (0x00)" in lowered:
        return LifecycleError(
            N_(
                "a value holds a NUL character (U+0000), which the database cannot store; remove it from the input; "
                "nothing was written"
            )
        )
    return None


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else text

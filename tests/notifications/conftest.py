"""Real receivers for the notification tests: an aiosmtpd SMTP server and an HTTP server on
localhost, started by the tests, recording what they accept; and the CLI in a subprocess."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from notices_helpers import cli_env, free_port


@dataclass
class Mailbox:
    """What the SMTP server accepted (a message counts once the server answered 250)."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    #: Answer these codes to the next DATA commands, in order ("451 ...", "550 ..."), then 250.
    answers: list[str] = field(default_factory=list)
    #: Hold the DATA answer of these message numbers (1-based) until `release` is set.
    hold: set[int] = field(default_factory=set)
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    seen: int = 0

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages]

    def recipients(self) -> list[str]:
        return [m["To"].addresses[0].addr_spec for m in self.messages]


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.box.seen += 1
        number = self.box.seen
        if number in self.box.hold:
            self.box.held.set()
            # A client killed now never gets the answer; aiosmtpd cancels this handler when the
            # connection drops, so the message is not accepted: RFC 5321's "250 or it did not happen".
            while not self.box.release.is_set():
                await asyncio.sleep(0.05)
        if self.box.answers:
            return self.box.answers.pop(0)
        self.box.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    box = Mailbox(free_port())
    controller = Controller(_Handler(box), hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        box.release.set()
        controller.stop()


@dataclass
class Hook:
    """What the HTTP server received: each POST's path, headers and JSON body."""

    port: int
    posts: list[dict[str, Any]] = field(default_factory=list)
    #: (status, body) to answer the next POSTs with, in order; then 200 with `ok_body`.
    answers: list[tuple[int, str]] = field(default_factory=list)
    ok_body: str = '{"errcode": 0, "errmsg": "ok"}'
    #: Seconds to wait before answering the next POSTs (a time-out), in order.
    delays: list[float] = field(default_factory=list)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def hook() -> Iterator[Hook]:
    box = Hook(0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            if box.delays:
                time.sleep(box.delays.pop(0))
            status, answer = box.answers.pop(0) if box.answers else (200, box.ok_body)
            if status == 200:
                box.posts.append({"path": self.path, "headers": dict(self.headers), "json": json.loads(body)})
            data = answer.encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up waiting

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    box.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield box
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def mail_env(mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The sender's settings pointing at the test's SMTP server; retries without waiting."""
    env = {
        "LIFECYCLE_SMTP_URL": f"smtp://127.0.0.1:{mailbox.port}",
        "LIFECYCLE_MAIL_FROM": "lifecycle@office.example.org",
        "LIFECYCLE_NOTIFY_BACKOFF": "0",
        "LIFECYCLE_NOTIFY_MAX_ATTEMPTS": "3",
        "LIFECYCLE_NOTIFY_TIMEOUT": "2",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@dataclass
class Run:
    args: tuple[str, ...]
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def __repr__(self) -> str:
        return f"lifecycle {' '.join(self.args)} -> exit {self.code}\n{self.out}\n{self.err}"


Cli = Callable[..., Run]


@pytest.fixture
def run_cli(app: Any, db_url: str, tmp_path: Any) -> Cli:
    """`run_cli("notify", "send", env={...})`: the console script on the test's database."""

    def run(*args: str, env: dict[str, str] | None = None, user: str = "alice") -> Run:
        done = subprocess.run(
            [sys.executable, "-m", "lifecycle.cli.main", *args],
            env=cli_env(db_url, env, user),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
        )
        return Run(tuple(args), done.returncode, done.stdout, done.stderr)

    return run

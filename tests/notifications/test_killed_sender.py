"""A sender killed mid-batch (SIGKILL, no chance to clean up) and started again delivers every
notification exactly once: the one it was sending when killed is retried (the SMTP server had
not answered 250, so it had not accepted it), none is lost, none repeated."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from notices_helpers import cli_env, outbox_of

from lifecycle.services.read_models.notification_log import notification_log


def _sender(db_url: str, env: dict[str, str], tmp_path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "lifecycle.cli.main", "notify", "send", "--json"],
        env=cli_env(db_url, env),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_sender_killed_while_the_server_holds_a_message_and_restarted_sends_each_exactly_once(
    app, db_url, mailbox, mail_env, tmp_path
):
    outbox_of(app, 6)
    mailbox.hold = {3}  # the server holds its answer to the third message's data
    first = _sender(db_url, mail_env, tmp_path)
    try:
        assert mailbox.held.wait(60), first.communicate(timeout=5)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    assert len(mailbox.messages) == 2
    time.sleep(0.5)  # the server sees the connection drop and drops the held message
    second = _sender(db_url, mail_env, tmp_path)
    _, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert sorted(mailbox.recipients()) == sorted(f"org{n}@example.org" for n in range(1, 7))
    assert len(set(mailbox.message_ids())) == 6  # and no Message-ID twice
    log = {n["deliveries"][0]["to"]: n["deliveries"][0] for n in notification_log(app)}
    assert all(d["status"] == "sent" for d in log.values())
    interrupted = log["org3@example.org"]["attempts"]
    assert [a["outcome"] for a in interrupted] == ["interrupted", "sent"]
    assert "stopped during this attempt" in interrupted[0]["answer"]
    assert interrupted[0]["sender"] != interrupted[1]["sender"]


def test_two_senders_at_once_never_send_the_same_delivery(app, db_url, mailbox, mail_env, tmp_path):
    outbox_of(app, 10)
    senders = [_sender(db_url, mail_env, tmp_path) for _ in range(2)]
    for sender in senders:
        _, err = sender.communicate(timeout=120)
        assert sender.returncode == 0, err
    assert sorted(mailbox.recipients()) == sorted(f"org{n}@example.org" for n in range(1, 11))

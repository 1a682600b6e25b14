"""Done when: on the demo portfolio, `comply` then `notify send` delivers the due notices to a
local SMTP server, each once; a rerun sends nothing; the log shows each delivery; the same
through a webhook."""

from __future__ import annotations

from lifecycle.demo.showcase import build_demo
from lifecycle.services.contacts import set_contact
from lifecycle.services.read_models.notification_log import notification_log


def test_the_demo_portfolio_mails_its_due_notices_once_and_a_rerun_sends_nothing(app, run_cli, mailbox, mail_env):
    build_demo(app, "alice")
    assert run_cli("comply").code == 0
    sent = run_cli("notify", "send", "--json", env=mail_env)
    assert sent.code == 0, sent
    deliveries = [d for n in notification_log(app) for d in n["deliveries"]]
    assert deliveries and all(d["status"] == "sent" for d in deliveries)
    assert len(mailbox.messages) == len(deliveries) == sent.json()["counts"]["sent"]
    assert len(set(mailbox.message_ids())) == len(mailbox.messages)
    assert any("催告" in str(m["Subject"]) for m in mailbox.messages)
    assert run_cli("comply").code == 0
    again = run_cli("notify", "send", "--json", env=mail_env)
    assert again.json()["counts"] == {"sent": 0, "failed": 0, "gave_up": 0}
    assert len(mailbox.messages) == len(deliveries)
    log = run_cli("notify", "log")
    assert all(d["to"] in log.out for d in deliveries)


def test_the_demo_portfolio_posts_its_due_notices_to_a_robot_once(app, run_cli, hook):
    build_demo(app, "alice")
    with app.engine.connect() as connection:
        ids = [row[0] for row in connection.exec_driver_sql("SELECT id FROM cases ORDER BY id")]
    for case_id in ids:
        set_contact(app, "alice", case_id, email="", webhook=hook.url(f"/robot/{case_id}"), webhook_kind="dingtalk")
    assert run_cli("comply").code == 0
    sent = run_cli("notify", "send", "--json")
    assert sent.code == 0, sent
    assert sent.json()["counts"]["sent"] == len(hook.posts) > 0
    assert all(p["json"]["msgtype"] == "text" for p in hook.posts)
    assert len({p["headers"]["X-Lifecycle-Message-Id"] for p in hook.posts}) == len(hook.posts)
    assert run_cli("notify", "send", "--json").json()["counts"]["sent"] == 0

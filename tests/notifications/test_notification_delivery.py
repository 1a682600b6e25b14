"""The outbox delivered for real: an aiosmtpd server and an HTTP server on localhost receive what
the compliance run wrote, each once per recipient and channel; failures are retried and recorded."""

from __future__ import annotations

import json
from datetime import date

import pytest
from notices_helpers import bj_approved, free_port, outbox_of
from sqlalchemy import func, select

from jobs.compliance_run import run_compliance
from jobs.notify import SenderSettings, send_notifications
from lifecycle.persistence.tables import delivery_attempts, notifications
from lifecycle.services.read_models.notification_log import notification_log

NO_WAIT = SenderSettings(max_attempts=3, backoff_seconds=0, lease_seconds=60)


def test_a_reminder_is_mailed_once_with_its_year_and_reply_by_day_and_a_rerun_sends_nothing(app, mailbox, mail_env):
    case_id = bj_approved(app, name="北京市集成电路技术创新中心", email="zhang@example.org")
    report = run_compliance(app, "alice", date(2026, 4, 1))
    assert report.notices >= 1
    sent = send_notifications(app, "alice", settings=NO_WAIT)
    assert [m["To"] for m in mailbox.messages] == ["zhang@example.org"] * len(sent.sent)
    reminder = next(m for m in mailbox.messages if "催告" in str(m["Subject"]))
    body = reminder.get_content()
    assert "2025" in body and "2026-05-01" in body and "第十八条(一)" in body and "[default]" in body
    assert "北京市集成电路技术创新中心" in body and "认定管理办公室" in body
    assert "Formal reminder" in str(reminder["Subject"])
    # A rerun of both writes and sends nothing more.
    run_compliance(app, "alice", date(2026, 4, 1))
    again = send_notifications(app, "alice", settings=NO_WAIT)
    assert (again.sent, again.failed, again.gave_up) == ([], [], [])
    assert len(mailbox.messages) == len(sent.sent)
    [logged] = [n for n in notification_log(app, case_id) if n["kind"] == "reminder"]
    assert logged["reply_by"] == "2026-05-01"
    [delivery] = logged["deliveries"]
    assert (delivery["to"], delivery["status"], delivery["message_id"]) == (
        "zhang@example.org",
        "sent",
        str(reminder["Message-ID"]),
    )
    assert [a["outcome"] for a in delivery["attempts"]] == ["sent"]


def test_the_lead_times_of_a_report_notify_30_and_7_days_before_on_the_day_and_the_day_after(app, mailbox, mail_env):
    bj_approved(app, email="zhang@example.org")
    days = {date(2026, 3, 1): "-30", date(2026, 3, 24): "-7", date(2026, 3, 31): "+0", date(2026, 4, 1): "+1"}
    for day in [date(2026, 2, 28), *days, date(2026, 3, 2), date(2026, 3, 25)]:
        run_compliance(app, "alice", day)
    with app.engine.connect() as connection:
        keys = sorted(
            row[0]
            for row in connection.execute(select(notifications.c.key).where(notifications.c.kind == "obligation"))
        )
    assert [k.rsplit("|", 1)[1] for k in keys] == sorted(days.values())
    send_notifications(app, "alice", settings=NO_WAIT)
    subjects = [str(m["Subject"]) for m in mailbox.messages]
    assert any("30天后到期" in s for s in subjects) and any("in 7 day(s)" in s for s in subjects)
    assert len(subjects) == 5  # four notices and the 催告 of 2026-04-01


def test_a_notice_goes_to_each_robot_in_its_own_format(app, hook, mail_env):
    for kind, path in (
        ("wecom", "/cgi-bin/webhook/send"),
        ("dingtalk", "/robot/send"),
        ("feishu", "/open-apis/bot"),
        ("generic", "/lifecycle"),
    ):
        bj_approved(app, name=f"北京市{kind}技术创新中心", webhook=hook.url(path), webhook_kind=kind)
    hook.ok_body = '{"errcode": 0, "errmsg": "ok", "code": 0, "msg": "success"}'
    run_compliance(app, "alice", date(2026, 4, 1))
    sent = send_notifications(app, "alice", settings=NO_WAIT)
    assert not sent.failed and not sent.gave_up
    by_path: dict[str, list[dict]] = {}
    for post in hook.posts:
        by_path.setdefault(post["path"], []).append(post["json"])
    wecom = by_path["/cgi-bin/webhook/send"][0]
    assert wecom["msgtype"] == "text" and "北京市wecom技术创新中心" in wecom["text"]["content"]
    assert len(wecom["text"]["content"].encode("utf-8")) <= 2048
    assert by_path["/robot/send"][0]["msgtype"] == "text"
    assert by_path["/open-apis/bot"][0]["msg_type"] == "text" and by_path["/open-apis/bot"][0]["content"]["text"]
    generic = by_path["/lifecycle"][0]
    assert {"id", "case_id", "kind", "subject", "body"} <= set(generic)
    assert all(len(posts) == len(by_path["/lifecycle"]) for posts in by_path.values())  # each once


def test_a_server_answering_5xx_then_accepting_is_retried_and_every_attempt_recorded(app, hook, mail_env):
    case_id = bj_approved(app, webhook=hook.url(), webhook_kind="generic")
    run_compliance(app, "alice", date(2026, 4, 1))
    hook.answers = [(503, '{"error": "busy"}'), (500, "boom")]
    sent = send_notifications(app, "alice", settings=NO_WAIT, limit=None)
    reminder = next(n for n in notification_log(app, case_id) if n["kind"] == "reminder")
    attempts = reminder["deliveries"][0]["attempts"]
    outcomes = [a["outcome"] for a in attempts]
    assert outcomes[-1] == "sent" and "failed" in outcomes
    assert any("HTTP 503" in (a["answer"] or "") and "busy" in a["answer"] for a in attempts)
    assert sent.sent and len(hook.posts) == len(sent.sent)


def test_a_robot_that_keeps_refusing_is_given_up_after_the_last_attempt_with_its_answer(app, hook, mail_env):
    case_id = bj_approved(app, webhook=hook.url("/cgi-bin/webhook/send"), webhook_kind="wecom")
    run_compliance(app, "alice", date(2026, 4, 1))
    hook.ok_body = '{"errcode": 93000, "errmsg": "invalid webhook url"}'
    report = send_notifications(app, "alice", settings=NO_WAIT)
    assert report.gave_up and not report.sent
    reminder = next(n for n in notification_log(app, case_id) if n["kind"] == "reminder")
    delivery = reminder["deliveries"][0]
    assert delivery["status"] == "gave_up"
    assert [a["outcome"] for a in delivery["attempts"]] == ["failed", "failed", "gave_up"]
    assert "errcode 93000" in delivery["last_answer"]


def test_a_refused_connection_and_a_time_out_are_failures_retried_later(app, mail_env, hook, monkeypatch):
    monkeypatch.setenv("LIFECYCLE_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")  # nobody listens
    monkeypatch.setenv("LIFECYCLE_NOTIFY_TIMEOUT", "0.5")
    outbox_of(app, 1)
    with app.uow(write=True) as uow:
        from lifecycle.persistence.notifications import NoticeDraft, Recipient, insert_notices

        insert_notices(
            uow.connection,
            [
                (
                    NoticeDraft(
                        "test|slow",
                        None,
                        None,
                        "test",
                        "test",
                        "slow",
                        None,
                        None,
                        date(2026, 4, 1),
                        {"sent_at": "now"},
                    ),
                    [Recipient("webhook", hook.url(), "generic", None)],
                )
            ],
            None,
        )
        uow.commit()
    hook.delays = [2.0]
    slow = SenderSettings(max_attempts=5, backoff_seconds=3600, lease_seconds=60)
    report = send_notifications(app, "alice", settings=slow)
    assert len(report.failed) == 2 and not report.sent
    answers = sorted(entry["answer"] for entry in report.failed)
    assert any("refused the connection" in a for a in answers)
    assert any("time-out" in a for a in answers)
    # Their backoff has not passed: a second sender now tries nothing.
    assert send_notifications(app, "alice", settings=slow).failed == []


def test_a_mail_server_rejecting_the_recipient_for_good_is_given_up_at_once(app, mailbox, mail_env):
    mailbox.answers = ["550 5.1.1 mailbox unavailable"]
    outbox_of(app, 1)
    report = send_notifications(app, "alice", settings=NO_WAIT)
    assert len(report.gave_up) == 1 and "550" in report.gave_up[0]["answer"]
    with app.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(delivery_attempts)).scalar() == 1


def test_a_case_without_contact_is_recorded_as_nobody_told(app, mail_env, mailbox):
    case_id = bj_approved(app)
    run_compliance(app, "alice", date(2026, 4, 1))
    logged = notification_log(app, case_id)
    assert logged and all(n["deliveries"] == [] for n in logged)
    assert send_notifications(app, "alice", settings=NO_WAIT).sent == []


@pytest.mark.parametrize("template", ["{{ ''.__class__.__mro__[1].__subclasses__() }}", "{{ undefined_name }}"])
def test_an_office_template_that_reaches_outside_its_values_is_refused_and_the_notice_is_not_sent(
    app, mailbox, mail_env, monkeypatch, tmp_path, template
):
    (tmp_path / "reminder.zh.j2").write_text("subject\n\n" + template, encoding="utf-8")
    monkeypatch.setenv("LIFECYCLE_TEMPLATES", str(tmp_path))
    monkeypatch.setenv("LIFECYCLE_NOTIFY_LANGUAGE", "zh")
    bj_approved(app, email="zhang@example.org")
    run_compliance(app, "alice", date(2026, 4, 1))
    report = send_notifications(app, "alice", settings=SenderSettings(max_attempts=3, backoff_seconds=3600))
    assert any("reminder.zh.j2" in entry["answer"] for entry in report.failed)
    assert not any("催告" in str(m["Subject"]) for m in mailbox.messages)


def test_an_office_template_per_programme_overrides_the_shipped_one(app, mailbox, mail_env, monkeypatch, tmp_path):
    (tmp_path / "bj-tic").mkdir()
    (tmp_path / "bj-tic" / "reminder.zh.j2").write_text(
        "北京市科委催告 {{ case_name }} {{ year }}\n\n请于 {{ reply_by }} 前报送（{{ clause }}）。\n{{ signature }}",
        encoding="utf-8",
    )
    (tmp_path / "signature.zh.j2").write_text("北京市科学技术委员会 成果转化处", encoding="utf-8")
    monkeypatch.setenv("LIFECYCLE_TEMPLATES", str(tmp_path))
    monkeypatch.setenv("LIFECYCLE_NOTIFY_LANGUAGE", "zh")
    bj_approved(app, name="北京市集成电路技术创新中心", email="zhang@example.org")
    run_compliance(app, "alice", date(2026, 4, 1))
    send_notifications(app, "alice", settings=NO_WAIT)
    reminder = next(m for m in mailbox.messages if "催告" in str(m["Subject"]))
    assert str(reminder["Subject"]) == "北京市科委催告 北京市集成电路技术创新中心 2025"
    assert "成果转化处" in reminder.get_content() and "第十八条(一)" in reminder.get_content()


def test_the_log_hides_a_robots_secret_key(app, hook, mail_env):
    case_id = bj_approved(app, webhook=hook.url("/send?key=SECRET-KEY"), webhook_kind="generic")
    run_compliance(app, "alice", date(2026, 4, 1))
    send_notifications(app, "alice", settings=NO_WAIT)
    assert "SECRET-KEY" not in json.dumps(notification_log(app, case_id))


def test_a_decision_due_raised_by_the_run_is_mailed_to_the_offices_administrators_once(app, mailbox, mail_env):
    from lifecycle.services.cases import show_case
    from lifecycle.services.contacts import set_admin_contact

    case_id = bj_approved(app, email="zhang@example.org")
    set_admin_contact(app, "alice", "alice", email="alice@office.example.org")
    for day in ("2026-04-01", "2027-04-01", "2027-05-02"):
        run_compliance(app, "alice", date.fromisoformat(day))
    send_notifications(app, "alice", settings=NO_WAIT)
    to_admin = [m for m in mailbox.messages if m["To"].addresses[0].addr_spec == "alice@office.example.org"]
    assert len(to_admin) == 1
    body = to_admin[0].get_content()
    assert "待决定" in str(to_admin[0]["Subject"]) and "Decision due" in str(to_admin[0]["Subject"])
    assert "北京市集成电路技术创新中心" in body and "lifecycle decisions" in body
    assert not any("待决定" in str(m["Subject"]) for m in mailbox.messages if m not in to_admin)
    [decision] = [n for n in notification_log(app, case_id) if n["kind"] == "decision"]
    assert decision["audit_seq"] is not None and decision["deliveries"][0]["status"] == "sent"
    raised = next(e for e in show_case(app, case_id, date(2027, 5, 2))["history"] if e["seq"] == decision["audit_seq"])
    assert raised["notified"][0]["to"] == "alice@office.example.org"
    run_compliance(app, "alice", date(2027, 5, 3))  # the decision is still open: not raised, nor notified, again
    assert [n["kind"] for n in notification_log(app, case_id)].count("decision") == 1
    assert all(e["kind"] != "decision" for e in send_notifications(app, "alice", settings=NO_WAIT).sent)

"""`lifecycle contacts` and `lifecycle notify` as a person runs them: the contract's options, JSON
keys and exit codes; bad values refused with nothing written; every change audited."""

from __future__ import annotations

import pytest
from notices_helpers import bj_approved
from sqlalchemy import func, select

from lifecycle.persistence.tables import audit_log, case_contacts
from lifecycle.services.users import add_user


def _audit_count(app) -> int:
    with app.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(audit_log)).scalar())


def test_contacts_set_then_show_json_and_one_audit_entry_per_change(app, run_cli):
    case_id = bj_approved(app)
    before = _audit_count(app)
    done = run_cli(
        "contacts",
        "set",
        str(case_id),
        "--name",
        "张三",
        "--email",
        "zhang@example.org",
        "--phone",
        "010-6815 0000",
        "--webhook",
        "https://oapi.dingtalk.com/robot/send?access_token=T0KEN",
        "--webhook-kind",
        "dingtalk",
        "--json",
    )
    assert done.code == 0, done
    shown = run_cli("contacts", "show", str(case_id), "--json")
    assert shown.code == 0, shown
    assert {k: shown.json()[k] for k in ("case_id", "name", "email", "phone", "webhook_url", "webhook_kind")} == {
        "case_id": case_id,
        "name": "张三",
        "email": "zhang@example.org",
        "phone": "010-6815 0000",
        "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=T0KEN",
        "webhook_kind": "dingtalk",
    }
    assert _audit_count(app) == before + 1
    log = run_cli("audit", "log", "--case", str(case_id), "--format", "json")
    entry = log.json()[-1]
    assert entry["trigger"] == "set_contact" and entry["from_state"] == entry["to_state"] == "approved"
    assert "T0KEN" not in log.out  # the robot's key stays out of the permanent log
    # Only what is given changes; the same values again write nothing.
    assert run_cli("contacts", "set", str(case_id), "--phone", "010-6815 0000").code == 0
    assert _audit_count(app) == before + 1
    assert run_cli("contacts", "set", str(case_id), "--email", "").code == 0
    assert run_cli("contacts", "show", str(case_id), "--json").json()["email"] is None
    assert _audit_count(app) == before + 2
    # cases show carries the contact (robot key hidden).
    case = run_cli("cases", "show", str(case_id), "--json").json()
    assert case["contact"]["name"] == "张三" and "T0KEN" not in str(case["contact"])


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--email", "not-an-address"], "--email"),
        (["--email", "zhang@localhost"], "domain with a dot"),
        (["--webhook", "ftp://example.org/hook"], "https://"),
        (["--webhook", "https://example.org/hook", "--webhook-kind", "slack"], "wecom, dingtalk, feishu, generic"),
        (["--phone", "call me"], "telephone"),
        (["--webhook-kind", "wecom"], "goes with --webhook"),
        ([], "at least one of"),
    ],
)
def test_a_bad_contact_value_is_a_usage_error_naming_it_and_nothing_is_written(app, run_cli, args, words):
    case_id = bj_approved(app)
    before = _audit_count(app)
    done = run_cli("contacts", "set", str(case_id), *args, "--json")
    assert done.code == 2, done
    assert words in done.err and "Traceback" not in done.err
    assert done.json()["exit_code"] == 2
    assert _audit_count(app) == before
    with app.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(case_contacts)).scalar() == 0


def test_an_auditor_may_read_contacts_and_the_log_but_not_change_a_contact(app, run_cli):
    case_id = bj_approved(app, email="zhang@example.org")
    add_user(app, "alice", "carol", "auditor")
    refused = run_cli("contacts", "set", str(case_id), "--email", "x@example.org", user="carol")
    assert refused.code == 3, refused
    assert run_cli("contacts", "show", str(case_id), user="carol").code == 0
    log = run_cli("notify", "log", "--case", str(case_id), "--json", user="carol")
    assert log.code == 0 and log.json() == []
    assert run_cli("contacts", "set", "999", "--email", "x@example.org").code == 1


def test_comply_then_notify_send_delivers_to_a_local_smtp_server_once_and_the_log_shows_it(
    app, run_cli, mailbox, mail_env
):
    case_id = bj_approved(app, email="zhang@example.org")
    assert run_cli("comply", "--as-of", "2026-04-01").code == 0
    preview = run_cli("notify", "preview", "--as-of", "2026-04-01", "--json", env=mail_env)
    assert preview.code == 0 and preview.json() == []  # all written already
    sent = run_cli("notify", "send", "--json", env=mail_env)
    assert sent.code == 0, sent
    data = sent.json()
    assert data["counts"]["sent"] == len(mailbox.messages) >= 1
    assert {"delivery_id", "case_id", "kind", "channel", "to", "attempt", "answer"} <= set(data["sent"][0])
    again = run_cli("notify", "send", "--json", env=mail_env)
    assert again.json()["counts"] == {"sent": 0, "failed": 0, "gave_up": 0}
    log = run_cli("notify", "log", "--case", str(case_id), "--json")
    assert log.code == 0
    reminder = next(n for n in log.json() if n["kind"] == "reminder")
    assert reminder["deliveries"][0]["status"] == "sent" and reminder["deliveries"][0]["sent_at"]
    plain = run_cli("notify", "log")
    assert "zhang@example.org" in plain.out and "sent" in plain.out
    shown = run_cli("cases", "show", str(case_id))
    assert "notified: zhang@example.org sent" in shown.out


def test_notify_preview_shows_what_a_run_would_send_and_to_whom_and_writes_nothing(app, run_cli):
    case_id = bj_approved(app, email="zhang@example.org")
    preview = run_cli("notify", "preview", "--as-of", "2026-04-01", "--json")
    assert preview.code == 0, preview
    rows = preview.json()
    kinds = {(r["kind"], r["period"]) for r in rows}
    assert ("reminder", "2025") in kinds and ("obligation", "2025") in kinds
    reminder = next(r for r in rows if r["kind"] == "reminder")
    assert reminder["recipients"] == [{"channel": "email", "to": "zhang@example.org", "name": None}]
    assert "2026-05-01" in reminder["body"] and reminder["case_id"] == case_id
    assert run_cli("notify", "log", "--json").json() == []
    assert run_cli("notify", "preview", "--as-of", "2026-13-01").code == 2


def test_notify_test_checks_the_mail_configuration_and_says_what_is_missing(app, run_cli, mailbox, mail_env):
    ok = run_cli("notify", "test", "--to", "ops@example.org", "--json", env=mail_env)
    assert ok.code == 0, ok
    assert ok.json()["sent"] is True and mailbox.recipients() == ["ops@example.org"]
    missing = run_cli("notify", "test", "--to", "ops@example.org", "--json")
    assert missing.code == 1 and "LIFECYCLE_SMTP_URL" in missing.json()["answer"]
    bad = run_cli("notify", "test", "--to", "nobody", "--json", env=mail_env)
    assert bad.code == 2 and "Nothing was sent" in bad.err
    log = run_cli("notify", "log", "--json").json()
    assert [n["kind"] for n in log] == ["test", "test"]


def test_notify_test_reaches_a_robot_webhook_and_a_robot_error_code_is_a_failure(app, run_cli, hook):
    refused = run_cli("notify", "test", "--to", hook.url(), "--webhook-kind", "feishu", "--json")
    assert refused.code == 1 and "code None" in refused.json()["answer"]  # a WeCom answer is no Feishu success
    hook.ok_body = '{"code": 0, "msg": "success", "data": {}}'
    done = run_cli("notify", "test", "--to", hook.url(), "--webhook-kind", "feishu", "--json")
    assert done.code == 0, done
    hook_json = hook.posts[-1]["json"]
    assert hook_json["msg_type"] == "text" and "lifecycle" in hook_json["content"]["text"]


def test_administrators_addresses_are_kept_audited_and_listed(app, run_cli):
    done = run_cli("contacts", "admin", "alice", "--email", "alice@office.example.org", "--json")
    assert done.code == 0, done
    listed = run_cli("contacts", "admins", "--json")
    assert listed.json() == [
        {"user": "alice", "email": "alice@office.example.org", "phone": None, "webhook_url": None, "webhook_kind": None}
    ]
    log = run_cli("audit", "log", "--format", "json").json()
    assert log[-1]["trigger"] == "set_admin_contact"
    assert run_cli("contacts", "admin", "nobody", "--email", "x@example.org").code == 1


def test_an_import_file_carries_contacts_checked_like_contacts_set_and_audited(app, run_cli, tmp_path):
    good = tmp_path / "centres.csv"
    good.write_text(
        "programme,name,state,approved_on,province,category,contact_name,contact_email,contact_webhook,"
        "contact_webhook_kind\nhitech-zone,南京高新技术产业开发区,approved,1991-03-06,江苏,world-leading,王五,"
        "wang@example.org,https://open.feishu.cn/open-apis/bot/v2/hook/abc,\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "programme,name,state,approved_on,province,category,contact_email\n"
        "hitech-zone,苏州高新技术产业开发区,approved,1992-11-09,江苏,innovative-tech,wang-at-example\n",
        encoding="utf-8",
    )
    refused = run_cli("cases", "import", str(bad), "--json")
    assert refused.code == 3, refused
    assert "contact_email" in refused.err and "not an e-mail address" in refused.err
    assert run_cli("cases", "list", "--json").json() == []
    done = run_cli("cases", "import", str(good), "--json")
    assert done.code == 0, done
    case_id = done.json()["imported"][0]["id"]
    shown = run_cli("contacts", "show", str(case_id), "--json").json()
    assert (shown["name"], shown["email"], shown["webhook_kind"]) == ("王五", "wang@example.org", "feishu")
    log = run_cli("audit", "log", "--case", str(case_id), "--format", "json").json()
    assert [e["trigger"] for e in log][-1] == "set_contact"

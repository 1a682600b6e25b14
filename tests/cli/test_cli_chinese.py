"""The CLI in Chinese (LIFECYCLE_LANG=zh, or a zh_* locale) and English otherwise; JSON the same in both."""

from __future__ import annotations

import pytest


def _opened(cli) -> str:
    opened = cli("cases", "add", "bj-tic", "--name", "北京市集成电路技术创新中心", "--on", "2024-10-01", "--json")
    assert opened.code == 0, opened
    return str(opened.json()["id"])


def _refused_submit(cli, cid: str, eligible_sets: list[str], **options):
    return cli("advance", cid, "submit", "--on", "2024-10-08", *eligible_sets, "--set", "good_credit=false", **options)


def test_with_lifecycle_lang_zh_a_refused_advance_prints_chinese_reasons_with_their_clauses_and_exits_3(
    ready_cli, eligible_sets
):
    cid = _opened(ready_cli)
    refused = _refused_submit(ready_cli, cid, eligible_sets, lang="zh")
    assert refused.code == 3, refused
    assert refused.err.startswith("不予办理")
    # the trigger and the field by their labels from the definition, the clause as the source writes it
    assert "组织申报/推荐" in refused.err
    assert "信用良好" in refused.err and "第五条(一)" in refused.err
    assert "Refused" not in refused.err and "needs" not in refused.err
    assert refused.out == ""


def test_without_lifecycle_lang_the_same_refusal_reads_in_english(ready_cli, eligible_sets):
    cid = _opened(ready_cli)
    refused = _refused_submit(ready_cli, cid, eligible_sets, lang=None, locale={"LANG": "C.UTF-8"})
    assert refused.code == 3, refused
    assert refused.err.startswith("Refused: submit on case")
    assert "good credit: needs good_credit" in refused.err and "(第五条(一))" in refused.err
    assert "不予办理" not in refused.err


def test_a_chinese_locale_gives_the_chinese_interface_when_lifecycle_lang_is_unset(ready_cli, eligible_sets):
    cid = _opened(ready_cli)
    refused = _refused_submit(ready_cli, cid, eligible_sets, lang=None, locale={"LANG": "zh_CN.UTF-8"})
    assert refused.code == 3, refused
    assert refused.err.startswith("不予办理") and "第五条(一)" in refused.err
    english = _refused_submit(ready_cli, cid, eligible_sets, lang="en", locale={"LANG": "zh_CN.UTF-8"})
    assert english.err.startswith("Refused:"), english  # LIFECYCLE_LANG wins over the locale


def test_a_rule_the_policy_leaves_open_is_marked_默认_and_dates_read_as_chinese_dates(ready_cli):
    cid = _opened(ready_cli)
    early = ready_cli("advance", cid, "withdraw", "--on", "2024-09-01", lang="zh")
    assert early.code == 3, early
    assert "[默认]" in early.err and "[default]" not in early.err
    assert "2024年10月1日" in early.err and "2024年9月1日" in early.err
    assert "编制方案" in early.err  # the state by its label


def test_an_error_names_its_kind_in_chinese_and_the_json_error_stays_english(ready_cli):
    missing = ready_cli("cases", "show", "999", lang="zh")
    assert missing.code == 1, missing
    assert missing.err.startswith("未找到") and "没有事项 999" in missing.err
    as_json = ready_cli("cases", "show", "999", "--json", lang="zh")
    assert as_json.json() == {
        "error": "NotFound",
        "exit_code": 1,
        "message": "no case 999; `lifecycle cases list` shows the cases",
    }
    usage = ready_cli("advance", "1", "submit", "--set", "oops", lang="zh")
    assert usage.code == 2 and usage.err.startswith("用法错误") and "请写成" in usage.err, usage


def test_text_views_show_states_triggers_and_fields_by_their_chinese_labels(ready_cli, eligible_sets):
    cid = _opened(ready_cli)
    assert ready_cli("advance", cid, "submit", "--on", "2024-10-08", *eligible_sets, lang="zh").code == 0
    shown = ready_cli("cases", "show", cid, "--as-of", "2024-10-09", lang="zh")
    assert shown.code == 0, shown
    assert "办理记录" in shown.out and "近三年研发投入占营业收入比例" in shown.out
    assert "2024年10月8日" in shown.out and "组织申报/推荐" in shown.out
    # a field reads by its Chinese label, with the code `--set` takes beside it
    assert "History" not in shown.out and "近三年研发投入占营业收入比例 rd_ratio_3y" in shown.out
    listed = ready_cli("cases", "list", lang="zh")
    assert "项目类别" in listed.out and "2024年10月8日" in listed.out


@pytest.mark.parametrize(
    "command",
    [
        ("cases", "show", "{cid}", "--as-of", "2024-10-09", "--json"),
        ("cases", "list", "--json"),
        ("advance", "{cid}", "approve", "--on", "2024-10-09", "--json"),
        ("audit", "log", "--json"),
        ("calendar", "--as-of", "2024-10-09", "--days", "3650", "--json"),
        ("decisions", "list", "--state", "all", "--json"),
        ("comply", "--dry-run", "--as-of", "2024-10-09", "--json"),
        ("cases", "show", "999", "--json"),
    ],
)
def test_json_output_is_byte_identical_in_chinese_and_english(ready_cli, eligible_sets, command):
    cid = _opened(ready_cli)
    assert ready_cli("advance", cid, "submit", "--on", "2024-10-08", *eligible_sets).code == 0
    args = [part.format(cid=cid) for part in command]
    english = ready_cli(*args, lang="en")
    chinese = ready_cli(*args, lang="zh")
    assert english.out and english.out == chinese.out, (english, chinese)
    assert english.code == chinese.code

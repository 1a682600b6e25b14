"""The commands' help in the office's language: `--help` in Chinese with LIFECYCLE_LANG=zh or a
zh_* locale, in English otherwise."""

from __future__ import annotations

import sys

from lifecycle.cli.help_text import MESSAGES, source
from lifecycle.i18n import use_language


def test_lifecycle_help_lists_the_commands_in_chinese_when_lifecycle_lang_is_zh(cli):
    run = cli("--help", db=None, lang="zh")
    assert run.code == 0, run.err
    assert "以状态机管理认定类项目" in run.out  # the application's own description
    assert "对事项执行一项操作" in run.out  # advance, a command's docstring
    assert "事项：一个项目类别中的一项认定。" in run.out  # cases, a group's help
    assert "数据库 URL 或 SQLite 路径" in run.out  # --db, a shared option
    assert "Fire a trigger on a case" not in run.out


def test_cases_list_help_describes_the_command_and_every_option_in_chinese(cli):
    run = cli("cases", "list", "--help", db=None, lang="zh")
    assert run.code == 0, run.err
    assert "列出你能看到的事项" in run.out
    for chinese in ("只含该项目类别。", "只含该状态。", "最多这么多条。", "只在标准输出打印 JSON。"):
        assert chinese in run.out
    assert "Only this programme." not in run.out and "List the cases you see" not in run.out


def test_a_chinese_locale_gives_chinese_help_without_lifecycle_lang(cli):
    run = cli("advance", "--help", db=None, lang=None, locale={"LANG": "zh_CN.UTF-8"})
    assert run.code == 0, run.err
    assert "对事项执行一项操作" in run.out and "事项编号。" in run.out


def test_without_a_chinese_language_the_help_is_in_english_unchanged(cli):
    run = cli("cases", "list", "--help", db=None, lang=None, locale={"LANG": "en_GB.UTF-8"})
    assert run.code == 0, run.err
    assert "List the cases you see (your office's and those below it)" in run.out
    assert "Only this programme." in run.out
    assert "列出你能看到的事项" not in run.out


def test_every_help_text_of_the_commands_is_listed_for_the_catalogue():
    use_language("en")
    try:
        wanted = source()
    finally:
        use_language(None)
    assert MESSAGES.read_text(encoding="utf-8") == wanted, (
        f"{MESSAGES} drifted from the commands: run `{sys.executable} -m lifecycle.cli.help_text`, "
        "then `python -m lifecycle.i18n.catalogue` and translate"
    )


def test_the_help_sections_defaults_and_the_help_option_read_in_chinese_too(cli):
    run = cli("advance", "--help", db=None, lang="zh")
    assert run.code == 0, run.err
    assert run.out.startswith("用法：lifecycle advance")
    assert "参数:" in run.out and "选项:" in run.out and "[必填]" in run.out
    assert "显示本帮助并退出。" in run.out
    assert "Options:" not in run.out and "Show this message and exit." not in run.out
    listing = cli("cases", "list", "--help", db=None, lang="zh")
    assert "[默认：table]" in listing.out


def test_an_unknown_command_is_named_in_chinese_with_the_usage_exit_code(cli):
    run = cli("cases", "nosuch", db=None, lang="zh")
    assert run.code == 2
    assert "用法：lifecycle cases [OPTIONS] COMMAND" in run.err
    assert "运行 'lifecycle cases --help' 查看帮助。" in run.err
    assert "错误：没有命令 'nosuch'。" in run.err
    english = cli("cases", "nosuch", db=None, lang="en")
    assert english.code == 2
    assert "Usage: lifecycle cases [OPTIONS] COMMAND" in english.err
    assert "Try 'lifecycle cases --help' for help." in english.err
    assert "Error: No such command 'nosuch'." in english.err


def test_a_missing_argument_is_framed_in_chinese_while_clicks_own_message_stays_english(cli):
    run = cli("advance", db=None, lang="zh")
    assert run.code == 2
    assert "用法：lifecycle advance" in run.err and "错误：Missing argument 'case_id'." in run.err

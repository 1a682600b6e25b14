"""The tutorial's programme (docs/tutorial-new-programme.md) works as written, through `--programmes DIR`."""

from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "programmes"


def test_the_tutorial_programme_validates_and_runs_a_case_from_submission_to_approval(ready_cli) -> None:
    programmes = ["--programmes", str(EXAMPLES)]
    check = ready_cli("programmes", "check", str(EXAMPLES))
    assert check.code == 0 and "ok" in check.out and "prov-incubator" in check.out
    opened = ready_cli(
        *programmes,
        "cases",
        "add",
        "prov-incubator",
        "--name",
        "星火众创孵化器",
        "--on",
        "2025-03-10",
        "--set",
        "site_area_m2=2800",
        "--set",
        "tenants=41",
    )
    assert opened.code == 0, opened
    refused = ready_cli(*programmes, "advance", "1", "start_review", "--on", "2025-03-20")
    assert refused.code == 3 and "site_area_m2 ≥ 3,000" in refused.err and "第五条(一)" in refused.err
    assert (
        ready_cli(*programmes, "advance", "1", "start_review", "--on", "2025-03-20", "--set", "site_area_m2=3200").code
        == 0
    )
    assert ready_cli(*programmes, "advance", "1", "approve", "--on", "2025-05-06").code == 0
    early = ready_cli(*programmes, "advance", "1", "start_assessment", "--on", "2026-05-06")
    assert early.code == 3 and "not due until 2028-05-06" in early.err


def test_a_misspelt_key_is_reported_with_file_line_and_key(cli, tmp_path: Path) -> None:
    text = (EXAMPLES / "prov-incubator.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "mine"
    broken.mkdir()
    (broken / "prov-incubator.yaml").write_text(
        text.replace("choices: [pass, fail]", "choises: [pass, fail]"), encoding="utf-8"
    )
    found = cli("programmes", "check", str(broken))
    assert found.code == 1
    assert "prov-incubator.yaml:" in found.out + found.err and "choises: unknown key" in found.out + found.err


def test_a_definition_missing_a_chinese_label_is_refused_by_check_naming_file_key_and_what_to_add(
    ready_cli, tmp_path: Path
) -> None:
    text = (EXAMPLES / "prov-incubator.yaml").read_text(encoding="utf-8")
    mine = tmp_path / "mine"
    mine.mkdir()
    without = text.replace("      zh: 在孵企业不少于30家\n", "").replace("zh: 孵化场地面积(平方米), ", "")
    assert without != text
    (mine / "prov-incubator.yaml").write_text(without, encoding="utf-8")
    found = ready_cli("programmes", "check", str(mine), "--json")
    assert found.code == 1
    [result] = found.json()
    assert result["ok"] is False
    problems = result["problems"]
    assert any(
        "prov-incubator.yaml:" in p and "criteria.recognition.tenants.zh" in p and "add `zh:" in p for p in problems
    )
    assert any("fields.site_area_m2.zh" in p and "no Chinese label" in p for p in problems)
    assert len(problems) == 2
    # for use the file still loads: the office's cases keep running, the label shown in English
    opened = ready_cli(
        "--programmes",
        str(mine),
        "cases",
        "add",
        "prov-incubator",
        "--name",
        "星火众创孵化器",
        "--on",
        "2025-03-10",
        "--set",
        "site_area_m2=2800",
        "--set",
        "tenants=41",
    )
    assert opened.code == 0, opened


def test_a_choice_without_a_chinese_name_is_refused_by_check(cli, tmp_path: Path) -> None:
    text = (EXAMPLES / "prov-incubator.yaml").read_text(encoding="utf-8")
    mine = tmp_path / "mine"
    mine.mkdir()
    field = "  tenants: {type: int, min_value: 0, zh: 在孵企业数量, en: incubated companies, clause: 第五条(二)}\n"
    assert field in text
    kind = "  kind: {type: choice, choices: [public, private], zh: 性质, en: ownership, clause: 第五条}\n"
    (mine / "prov-incubator.yaml").write_text(text.replace(field, field + kind), encoding="utf-8")
    found = cli("programmes", "check", str(mine))
    assert found.code == 1
    said = found.out + found.err
    assert "fields.kind.labels.public" in said and "choice 'public' has no Chinese name" in said

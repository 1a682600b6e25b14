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

"""Definition files: a broken file is refused naming the file, the line and the key."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from lifecycle.errors import DefinitionError
from lifecycle.programmes.catalogue import Catalogue
from lifecycle.programmes.loader import load_text, parse_definition

BJ_TEXT = (Path(str(resources.files("states"))) / "bj-tic.yaml").read_text(encoding="utf-8")
ORIGIN = "broken/bj-tic.yaml"


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing `needle`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def replace_once(old: str, new: str) -> str:
    assert BJ_TEXT.count(old) == 1, old
    return BJ_TEXT.replace(old, new)


def problems(text: str) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(text, ORIGIN)
    return caught.value.problems


def test_the_shipped_definitions_load():
    catalogue = Catalogue.load()
    assert {"bj-tic", "national-tic"} <= set(catalogue.codes())
    assert len(catalogue.all()) == len(catalogue.codes())
    assert catalogue.current("bj-tic").definition.in_force.clause == "第二十条"


def test_the_unmodified_text_parses_and_its_version_is_stable():
    definition, version = parse_definition(BJ_TEXT, ORIGIN)
    assert definition.code == "bj-tic"
    assert version == Catalogue.load().current("bj-tic").version
    assert len(version) == 64


def test_comments_and_layout_do_not_change_the_version():
    reformatted = "# a new comment\n" + BJ_TEXT.replace("\n\nstates:", "\n\n\nstates:")
    assert parse_definition(reformatted, ORIGIN)[1] == parse_definition(BJ_TEXT, ORIGIN)[1]


def test_a_changed_rule_makes_a_new_version():
    changed = replace_once("validity: {years: 5,", "validity: {years: 6,")
    assert parse_definition(changed, ORIGIN)[1] != parse_definition(BJ_TEXT, ORIGIN)[1]


def test_an_unknown_key_is_refused_naming_file_line_and_key():
    text = replace_once(
        "    clause: 第七条(三)\n    by: [admin]\n    routes:\n      - {from: [submitted], to: under_review}",
        "    clause: 第七条(三)\n    by: [admin]\n    rouets: []\n    routes:\n"
        "      - {from: [submitted], to: under_review}",
    )
    found = problems(text)
    line = line_of(text, "rouets:")
    assert found == [
        f"{ORIGIN}:{line}: triggers.start_review.rouets: unknown key (a typo? see docs/programme-format.md)"
    ]


def test_an_unknown_top_level_key_is_refused():
    text = BJ_TEXT + "\nvaliditee: {years: 5}\n"
    (found,) = problems(text)
    assert found.startswith(f"{ORIGIN}:{line_of(text, 'validitee')}: validitee: unknown key")


def test_an_undeclared_destination_state_is_refused_naming_the_route():
    text = replace_once("{from: [under_review], to: rejected}", "{from: [under_review], to: rejectd}")
    (found,) = problems(text)
    assert found == (
        f"{ORIGIN}:{line_of(text, 'to: rejectd')}: triggers.reject.routes[0].to: "
        "state 'rejectd' is not declared under `states`"
    )


def test_an_undeclared_source_state_is_refused():
    text = replace_once("{from: [submitted], to: under_review}", "{from: [sumbitted], to: under_review}")
    (found,) = problems(text)
    assert f"{ORIGIN}:{line_of(text, 'sumbitted')}:" in found
    assert "triggers.start_review.routes[0].from" in found
    assert "'sumbitted'" in found


def test_an_undeclared_initial_state_is_refused():
    text = replace_once("  state: draft\n", "  state: drafts\n")
    (found,) = problems(text)
    assert found.startswith(f"{ORIGIN}:")
    assert "initial" in found and "'drafts'" in found


def test_a_bad_type_is_refused_naming_file_line_and_key():
    text = replace_once("validity: {years: 5,", "validity: {years: five,")
    (found,) = problems(text)
    assert found.startswith(f"{ORIGIN}:{line_of(text, 'years: five')}: validity.years: ")


def test_an_unknown_field_type_is_refused():
    text = replace_once("registered_in_beijing: {type: bool,", "registered_in_beijing: {type: boolean,")
    (found,) = problems(text)
    assert found.startswith(f"{ORIGIN}:{line_of(text, 'type: boolean')}: fields.registered_in_beijing")
    assert "'boolean'" in found


def test_a_date_of_the_wrong_type_is_refused():
    text = replace_once("  date: 2024-09-14\n", "  date: soon\n")
    (found,) = problems(text)
    assert found.startswith(f"{ORIGIN}:{line_of(text, 'date: soon')}: in_force.date: ")


def test_an_impossible_date_is_refused_naming_file_and_line():
    text = replace_once("  date: 2024-09-14\n", "  date: 2024-09-31\n")
    (found,) = problems(text)
    assert found.startswith(f"{ORIGIN}:{line_of(text, '2024-09-31')}")


def test_a_criterion_on_an_undeclared_field_is_refused():
    text = replace_once("require: {field: good_credit,", "require: {field: good_credits,")
    (found,) = problems(text)
    assert "criteria.eligibility.good_credit" in found and "'good_credits'" in found


def test_every_problem_is_listed_not_only_the_first():
    text = replace_once("validity: {years: 5,", "validity: {years: five,")
    text = text.replace(
        "    clause: 第十九条\n    by: [admin]\n", "    clause: 第十九条\n    by: [admin]\n    colour: red\n"
    )
    found = problems(text)
    assert len(found) == 2
    assert any("validity.years" in p for p in found)
    assert any("triggers.withdraw.colour" in p for p in found)


def test_invalid_yaml_is_refused_with_its_line():
    text = replace_once("validity: {years: 5,", "validity: {years: 5,,: [")
    (found,) = problems(text)
    assert found.startswith(f"{ORIGIN}:")
    assert "not valid YAML" in found


def test_a_non_mapping_is_refused():
    assert problems("- just\n- a list\n") == [f"{ORIGIN}: a definition is a mapping of keys (code, name, states, ...)"]


def test_load_text_builds_a_programme_from_valid_text():
    programme = load_text(BJ_TEXT, ORIGIN)
    assert programme.code == "bj-tic" and programme.origin == ORIGIN
    with pytest.raises(DefinitionError):
        load_text(replace_once("to: rejected}", "to: nowhere}"), ORIGIN)


def test_an_extra_directory_file_must_be_named_after_its_code(tmp_path):
    (tmp_path / "other.yaml").write_text(BJ_TEXT, encoding="utf-8")
    catalogue = Catalogue.load(tmp_path)
    with pytest.raises(DefinitionError) as caught:
        catalogue.current("other")
    assert "other.yaml" in str(caught.value) and "code" in str(caught.value)


def test_an_extra_directory_file_overrides_the_builtin_one(tmp_path):
    (tmp_path / "bj-tic.yaml").write_text(
        replace_once("validity: {years: 5,", "validity: {years: 6,"), encoding="utf-8"
    )
    assert Catalogue.load(tmp_path).current("bj-tic").definition.validity.years == 6


def test_every_shipped_definition_has_a_chinese_label_on_everything_a_person_sees() -> None:
    from lifecycle.domain.definition import missing_chinese_labels
    from lifecycle.programmes.catalogue import Catalogue

    catalogue = Catalogue.load()
    missing = {code: missing_chinese_labels(catalogue.current(code).definition) for code in catalogue.codes()}
    assert {code: found for code, found in missing.items() if found} == {}
    assert len(missing) == 10

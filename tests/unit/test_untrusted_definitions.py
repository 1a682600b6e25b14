"""A programme definition from a directory is untrusted input: its expressions are held to a
small grammar and tried on sample values when it loads, its naming patterns are RE2 (linear
time), and an expression that fails on real values is reported as a fault of the rule."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from lifecycle.domain.decide import decide, open_case
from lifecycle.domain.expressions import MAX_DEPTH, ExpressionError, parse_expression
from lifecycle.domain.patterns import pattern
from lifecycle.errors import DefinitionError, Refused
from lifecycle.programmes.loader import load_text

EXAMPLE = (Path(__file__).parents[2] / "docs" / "examples" / "programmes" / "prov-incubator.yaml").read_text(
    encoding="utf-8"
)
REQUIREMENT = 'require: {field: site_area_m2, op: ">=", value: 3000}'


def with_expression(expression: str) -> str:
    return EXAMPLE.replace(REQUIREMENT, f"require: {{expression: {expression!r}}}")


def test_an_expression_that_fails_on_real_values_is_reported_as_a_fault_of_the_rule_not_as_missing():
    programme = load_text(with_expression("site_area_m2 / tenants > 100"), "prov-incubator.yaml")
    case = open_case(programme, "某孵化器", date(2025, 3, 2), "admin").case
    with pytest.raises(Refused) as caught:
        decide(programme, case, "start_review", date(2025, 3, 3), "admin", {"site_area_m2": "5000", "tenants": "0"})
    broken = [r for r in caught.value.reasons if r.code == "criterion_error"]
    assert broken and "ZeroDivisionError" in broken[0].message
    assert "seen nothing" not in broken[0].message and "missing" not in broken[0].message


def test_a_missing_value_is_still_reported_as_missing():
    programme = load_text(with_expression("site_area_m2 / tenants > 100"), "prov-incubator.yaml")
    case = open_case(programme, "某孵化器", date(2025, 3, 2), "admin").case
    with pytest.raises(Refused) as caught:
        decide(programme, case, "start_review", date(2025, 3, 3), "admin", {"tenants": "40"})
    assert any(r.code == "missing_field" and "site_area_m2" in r.message for r in caught.value.reasons)


@pytest.mark.parametrize(
    "expression",
    [
        "tenants.__class__",
        "9**9**9 > 1",
        "(lambda: 1)() == 1",
        "f'{tenants}' == '1'",
        "'{}'.format(tenants) == '1'",
        "[t for t in [tenants]] == [1]",
        "'%d' % tenants == '1'",
        "tenants > '3'",
        "int(tenants) > 1",
        "tenants[0] > 1",
    ],
)
def test_an_expression_that_can_never_evaluate_is_refused_when_the_definition_loads(expression):
    with pytest.raises(DefinitionError) as caught:
        load_text(with_expression(expression), "prov-incubator.yaml")
    line = next(i for i, row in enumerate(with_expression(expression).splitlines(), 1) if "expression" in row)
    assert f"prov-incubator.yaml:{line}" in str(caught.value)


@pytest.mark.parametrize(
    "expression",
    [
        "(" * 5000 + "tenants" + ")" * 5000,
        "not " * 5000 + "tenants",
        "+".join(["tenants"] * 2000) + " > 1",
        "-" * 5000 + "tenants > 1",
    ],
)
def test_a_deeply_nested_expression_is_refused_without_a_recursion_error(expression):
    with pytest.raises(ExpressionError):
        parse_expression(expression)
    with pytest.raises(DefinitionError):
        load_text(with_expression(expression), "prov-incubator.yaml")


def test_an_expression_within_the_limits_is_accepted():
    tree = parse_expression(" and ".join(["tenants > 1"] * 10))
    assert tree is not None and MAX_DEPTH >= 5


def test_a_catastrophic_pattern_matches_in_linear_time():
    started = time.monotonic()
    assert pattern("(x+x+)+y").fullmatch("x" * 100_000) is None
    assert time.monotonic() - started < 2


def test_a_deeply_nested_condition_in_yaml_is_refused_without_a_recursion_error():
    nested = "{any_of: [" * 3000 + "{field: tenants, op: '>=', value: 1}" + "]}" * 3000
    with pytest.raises(DefinitionError):
        load_text(EXAMPLE.replace(REQUIREMENT, f"require: {nested}"), "prov-incubator.yaml")

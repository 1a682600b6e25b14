"""Naming rules (national-tic 第三十二条): a name must fit the type of its centre."""

from __future__ import annotations

from typing import Any

from lifecycle.domain.characters import hidden_character_problem
from lifecycle.domain.definition import Naming
from lifecycle.domain.messages import N_
from lifecycle.domain.patterns import pattern
from lifecycle.domain.reasons import Reason

MAX_NAME_LENGTH = 200


def name_problems(naming: Naming | None, name: str, fields: dict[str, Any]) -> list[Reason]:
    """Every way `name` (and `fields['name_en']`) breaks the programme's naming rule."""
    problems: list[Reason] = []
    hidden = hidden_character_problem(name, "name")
    if not name.strip():
        problems.append(Reason.of("invalid_field", N_("a case needs a name"), details={"field": "name"}))
    elif len(name) > MAX_NAME_LENGTH:
        problems.append(
            Reason.of(
                "invalid_field",
                N_("a name has at most {limit} characters (this one has {length})"),
                {"limit": MAX_NAME_LENGTH, "length": len(name)},
                details={"field": "name"},
            )
        )
    elif hidden:
        problems.append(Reason("invalid_field", hidden, details={"field": "name"}))
    if naming is None or not name.strip() or hidden or len(name) > MAX_NAME_LENGTH:
        return problems
    kind = fields.get(naming.by)
    rule = naming.rules.get(str(kind))
    if rule is None:
        return problems
    english = rule.en_pattern is not None and pattern(rule.en_pattern, ignore_case=True).fullmatch(name)
    if not pattern(rule.zh_pattern).fullmatch(name) and not english:
        problems.append(
            Reason.of(
                "name_rule",
                N_("name {name} does not fit a {by} {kind} centre: it must read like {example} (or {example_en})")
                if rule.en_example
                else N_("name {name} does not fit a {by} {kind} centre: it must read like {example}"),
                {
                    "name": repr(name),
                    "by": naming.by,
                    "kind": repr(kind),
                    "example": repr(rule.zh_example),
                    "example_en": repr(rule.en_example),
                },
                naming.clause,
                naming.default,
                {"name": name, "pattern": rule.zh_pattern, "example": rule.zh_example},
            )
        )
    name_en = fields.get("name_en")
    if name_en and rule.en_pattern and not pattern(rule.en_pattern, ignore_case=True).fullmatch(str(name_en)):
        problems.append(
            Reason.of(
                "name_rule",
                N_("English name {name_en} does not fit a {by} {kind} centre: it must read like {example}"),
                {"name_en": repr(name_en), "by": naming.by, "kind": repr(kind), "example": repr(rule.en_example)},
                naming.clause,
                naming.default,
                {"name_en": name_en, "pattern": rule.en_pattern, "example": rule.en_example},
            )
        )
    return problems

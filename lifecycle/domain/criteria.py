"""Eligibility criteria: declarative comparisons, tiers, and safe expressions.

Expressions are evaluated by simpleeval (an established, sandboxed evaluator),
never by eval(). A criterion reports the values it saw and the threshold it
needed, so a refusal can say exactly why.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lifecycle.domain.dates import add_years, parse_date
from lifecycle.domain.definition import Band, Condition, Criterion, FieldDef
from lifecycle.domain.expressions import ExpressionError, NameMissing, evaluate
from lifecycle.domain.messages import N_, Message, Term, message, terms
from lifecycle.domain.reasons import Reason
from lifecycle.domain.values import comparable, show

SYMBOLS = {"==": "=", "!=": "≠", ">=": "≥", ">": ">", "<=": "≤", "<": "<", "in": "in", "not_in": "not in"}
OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "in": lambda seen, allowed: seen in allowed,
    "not_in": lambda seen, allowed: seen not in allowed,
}


@dataclass
class Outcome:
    ok: bool
    missing: set[str] = field(default_factory=set)
    seen: dict[str, Any] = field(default_factory=dict)
    #: Why the condition could not be evaluated at all (a broken expression), if so.
    error: str | None = None


class Evaluator:
    """Evaluates conditions over one set of field values."""

    def __init__(self, values: Mapping[str, Any], specs: Mapping[str, FieldDef], on: date | None = None) -> None:
        self.values = values
        self.specs = specs
        #: The effective date of the action, for `since` conditions.
        self.on = on

    def term(self, name: str) -> Term:
        """A field in a message: its code in English, its `zh` label in Chinese."""
        from lifecycle.domain.messages import field_label

        spec = self.specs.get(name)
        return Term(name, field_label(spec.zh) if spec is not None and spec.zh else None)

    def _shown(self, name: str, value: Any) -> Term:
        written = show(value, self.type_of(name))
        return Term(f"{name} = {written}", f"{self.term(name).text('zh')} = {written}")

    def type_of(self, name: str) -> str | None:
        spec = self.specs.get(name)
        return spec.type if spec else None

    def describe(self, condition: Condition) -> str:
        """The requirement in words: `rd_ratio_3y ≥ 15%`."""
        if condition.field is not None:
            assert condition.op is not None
            if isinstance(condition.value, list):
                shown = ", ".join(show(v) for v in condition.value)
                return f"{condition.field} {SYMBOLS[condition.op]} [{shown}]"
            return f"{condition.field} {SYMBOLS[condition.op]} {show(condition.value, self.type_of(condition.field))}"
        if condition.expression is not None:
            return condition.expression
        if condition.since is not None:
            years = f"{condition.years} year{'s' if condition.years != 1 else ''}"
            on = f" ({self.on})" if self.on else ""
            return f"{condition.since} at least {years} before the effective date{on}"
        joiner = " or " if condition.any_of is not None else " and "
        parts = condition.any_of if condition.any_of is not None else condition.all_of or []
        return joiner.join(self.describe(part) for part in parts)

    def evaluate(self, condition: Condition) -> Outcome:
        if condition.field is not None:
            return self._compare(condition)
        if condition.expression is not None:
            return self._expression(condition.expression)
        if condition.since is not None:
            return self._since(condition.since, condition.years or 0)
        outcomes = [self.evaluate(part) for part in condition.any_of or condition.all_of or []]
        outcome = Outcome(
            ok=any(o.ok for o in outcomes) if condition.any_of is not None else all(o.ok for o in outcomes)
        )
        for part in outcomes:
            outcome.missing |= part.missing
            outcome.seen.update(part.seen)
            outcome.error = outcome.error or part.error
        return outcome

    def _compare(self, condition: Condition) -> Outcome:
        name = condition.field
        assert name is not None and condition.op is not None
        if self.values.get(name) is None:
            return Outcome(ok=False, missing={name})
        seen = self.values[name]
        expected = condition.value
        if isinstance(expected, list):
            expected_cmp: Any = [comparable(v) for v in expected]
        else:
            expected_cmp = comparable(expected)
        try:
            ok = OPERATORS[condition.op](comparable(seen), expected_cmp)
        except TypeError:
            ok = False
        return Outcome(ok=bool(ok), seen={name: seen})

    def _since(self, name: str, years: int) -> Outcome:
        seen = self.values.get(name)
        if seen is None or self.on is None:
            return Outcome(ok=False, missing={name} if seen is None else set())
        started = parse_date(str(seen))
        return Outcome(ok=add_years(started, years) <= self.on, seen={name: seen})

    def _expression(self, text: str) -> Outcome:
        names = {k: v for k, v in self.values.items() if v is not None}
        try:
            result = evaluate(text, names)
        except NameMissing:
            # A name the case does not have yet: report it as missing, not as an error.
            missing = {n for n in Condition(expression=text).fields() if self.values.get(n) is None}
            return Outcome(ok=False, missing=missing)
        except ExpressionError as error:
            # The rule itself cannot be worked out: say so, not "needs …; seen nothing".
            return Outcome(ok=False, error=str(error))
        seen = {n: self.values.get(n) for n in Condition(expression=text).fields() if n in self.values}
        return Outcome(ok=bool(result), seen=seen)

    def applies(self, criterion: Criterion) -> bool:
        if criterion.when is not None and not self.evaluate(criterion.when).ok:
            return False
        return not (criterion.unless is not None and self.evaluate(criterion.unless).ok)

    def band(self, criterion: Criterion) -> tuple[Band | None, Any]:
        assert criterion.tiers is not None
        by_value = self.values.get(criterion.tiers.by)
        if by_value is None:
            return None, None
        number = comparable(by_value)
        for band in criterion.tiers.bands:
            if band.min is not None and number < band.min:
                continue
            if band.max is not None and number >= band.max:
                continue
            return band, by_value
        return None, by_value

    def check(self, criterion: Criterion) -> Reason | None:
        """None when the criterion holds or does not apply; else the reason it fails."""
        if not self.applies(criterion):
            return None
        context: Message | None = None
        requirement = criterion.require
        if criterion.tiers is not None:
            band, by_value = self.band(criterion)
            by_name = criterion.tiers.by
            if by_value is None:
                return self._missing(criterion, {by_name})
            if band is None:
                return self._failed(
                    criterion,
                    message(N_("{value} falls in no tier"), {"value": self._shown(by_name, by_value)}),
                    {by_name: by_value},
                    None,
                )
            context = message(
                N_("for {value} ({band}): "),
                {"value": self._shown(by_name, by_value), "band": self._band_text(band, by_name)},
            )
            requirement = band.require
        assert requirement is not None
        outcome = self.evaluate(requirement)
        if outcome.ok:
            return None
        if outcome.error:
            return Reason.of(
                "criterion_error",
                N_(
                    "{criterion}: the programme's rule cannot be worked out ({error}); this is a fault of the "
                    "definition, not of your values: ask whoever maintains it to correct it "
                    "(`lifecycle programmes check` names it)"
                ),
                {"criterion": Term(criterion.en, criterion.zh), "error": outcome.error},
                clause=criterion.clause,
                default=criterion.default,
                details={"criterion": criterion.id, "error": outcome.error},
            )
        if outcome.missing and not outcome.seen:
            return self._missing(criterion, outcome.missing)
        seen = terms([self._shown(name, value) for name, value in sorted(outcome.seen.items())], "comma")
        values = {
            "context": context or "",
            "requirement": self.describe(requirement),
            "seen": seen if seen.items else Term("nothing", "无"),
            "missing": terms([self.term(name) for name in sorted(outcome.missing)], "comma"),
        }
        body = message(
            N_("{context}needs {requirement}; seen {seen}; missing {missing}")
            if outcome.missing
            else N_("{context}needs {requirement}; seen {seen}"),
            values,
        )
        return self._failed(criterion, body, outcome.seen, self.describe(requirement), missing=outcome.missing)

    def _band_text(self, band: Band, by_name: str) -> Term:
        kind = self.type_of(by_name)
        parts = []
        if band.min is not None:
            parts.append(f"≥ {show(band.min, kind)}")
        if band.max is not None:
            parts.append(f"< {show(band.max, kind)}")
        if not parts:
            return Term("every value", "任何值")
        return Term("tier " + " and ".join(parts), "档位 " + " 且 ".join(parts))

    def _missing(self, criterion: Criterion, names: set[str]) -> Reason:
        return Reason.of(
            "missing_field",
            N_("{criterion}: missing {missing}; give it with --set {field}=…"),
            {
                "criterion": Term(criterion.en, criterion.zh),
                "missing": terms([self.term(name) for name in sorted(names)], "comma"),
                "field": sorted(names)[0],
            },
            clause=criterion.clause,
            default=criterion.default,
            details={"criterion": criterion.id, "missing": sorted(names)},
        )

    def _failed(
        self,
        criterion: Criterion,
        body: Message,
        seen: dict[str, Any],
        threshold: str | None,
        missing: set[str] | None = None,
    ) -> Reason:
        return Reason.of(
            "criterion_failed",
            N_("{criterion}: {body}"),
            {"criterion": Term(criterion.en, criterion.zh), "body": body},
            clause=criterion.clause,
            default=criterion.default,
            details={
                "criterion": criterion.id,
                "seen": dict(seen),
                "threshold": threshold,
                "missing": sorted(missing or ()),
            },
        )

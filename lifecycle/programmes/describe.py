"""A programme for people: summary, full description, rules → clauses table, Mermaid diagram."""

from __future__ import annotations

from typing import Any

from lifecycle.domain.programme import Programme


def summary(programme: Programme) -> dict[str, Any]:
    d = programme.definition
    return {
        "code": d.code,
        "name_zh": d.name.zh,
        "name_en": d.name.en,
        "source": d.source.model_dump(mode="json"),
        "in_force": d.in_force.date.isoformat(),
        "version": programme.version,
    }


def describe(programme: Programme) -> dict[str, Any]:
    data = programme.definition.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["version"] = programme.version
    return data


def rules(programme: Programme) -> list[dict[str, Any]]:
    """Every rule with its clause and [default] marker, in the order a reader meets them."""
    d = programme.definition
    found: list[dict[str, Any]] = [
        {"rule": f"in force from {d.in_force.date}", "clause": d.in_force.clause, "default": d.in_force.default}
    ]
    if d.validity:
        found.append(
            {
                "rule": f"validity {d.validity.years} years from approval",
                "clause": d.validity.clause,
                "default": d.validity.default,
            }
        )
    found.append({"rule": f"cycle of {d.cycle.years} years", "clause": d.cycle.clause, "default": d.cycle.default})
    existing = d.initial.existing
    if existing is not None:
        found.append(
            {
                "rule": f"a case opened with a date before {existing.before} is an existing designation: "
                f"it opens in {existing.state} on that date",
                "clause": existing.clause,
                "default": existing.default,
            }
        )
    for group, criteria in d.criteria.items():
        for c in criteria:
            found.append({"rule": f"{group}: {c.en}", "clause": c.clause, "default": c.default})
    for name, t in d.triggers.items():
        found += _trigger_rules(d, name, t)
    if d.rounds:
        for round_id, r in d.rounds.rounds.items():
            decide = f"; decision targeted by {r.decide_by} (not a refusal)" if r.decide_by else ""
            found.append(
                {
                    "rule": f"round {round_id}: {', '.join(d.rounds.triggers)} by {r.submit_by}, later refused{decide}",
                    "clause": r.clause,
                    "default": r.default,
                }
            )
    for quota in d.quotas:
        for limit in quota.limits:
            found.append(
                {
                    "rule": f"quota {quota.id} per {' and '.join(quota.group_by)} at "
                    f"{', '.join(quota.triggers)}: {limit.limit} — {limit.en}",
                    "clause": limit.clause or quota.clause,
                    "default": limit.default or quota.default,
                }
            )
    for timer in d.timers:
        action = timer.action or _timer_action(d, timer)
        does = (
            f"raises a decision due ({timer.decision.en}), settled by {timer.trigger}"
            if timer.decision
            else f"proposes {timer.trigger} to an administrator"
            if action == "propose"
            else f"the compliance run applies {timer.trigger}"
        )
        found.append(
            {"rule": f"timer {timer.id}: {timer.en} — {does}", "clause": timer.clause, "default": timer.default}
        )
    for o in d.obligations:
        found += _obligation_rules(o)
    notices = d.notifications
    for label, leads in (
        ("a report's due day", notices.obligations),
        ("a review opening", notices.evaluations),
        ("a rectification deadline", notices.rectification),
    ):
        found.append(
            {
                "rule": f"notify the case's contact of {label}: {_leads(leads.days)}",
                "clause": leads.clause,
                "default": leads.default,
            }
        )
    if notices.reminders:
        found.append(
            {
                "rule": "notify the case's contact of each reminder (催告) when recorded, with the year "
                "concerned and the reply-by day",
                "clause": None,
                "default": notices.default,
            }
        )
    if notices.decisions:
        found.append(
            {
                "rule": "notify the office's administrators of each decision due the compliance run raises, "
                "when raised",
                "clause": None,
                "default": notices.default,
            }
        )
    found.append(
        {
            "rule": f"a notice missed on its day is still sent up to {notices.stale_after_days} days later",
            "clause": None,
            "default": notices.default,
        }
    )
    for name, g in d.grounds.items():
        found.append(
            {"rule": f"revocation ground {name}: {g.en} ({'/'.join(g.by)})", "clause": g.clause, "default": g.default}
        )
    for target in d.targets:
        found.append(
            {
                "rule": f"plan {target.kind}: {target.en} ({target.zh})",
                "clause": target.clause,
                "default": target.default,
            }
        )
    if d.naming:
        for kind, rule in d.naming.rules.items():
            found.append(
                {
                    "rule": f"name of a {kind} centre: {rule.zh_example}",
                    "clause": d.naming.clause,
                    "default": d.naming.default,
                }
            )
    return found


def _trigger_rules(d: Any, name: str, t: Any) -> list[dict[str, Any]]:
    """A trigger's rules, route by route: where it goes, its outcome, its ground, what it needs,
    its deadline."""
    found: list[dict[str, Any]] = []
    by = "/".join(t.by)
    for route in t.routes:
        when = "".join(f" [{k}={v if isinstance(v, str) else '|'.join(v)}]" for k, v in (route.when or {}).items())
        to = "(no state change)" if route.to == "$same" else route.to
        clause, default = route.clause or t.clause, route.default or t.default
        found.append(
            {"rule": f"{name}{when}: {', '.join(route.sources)} → {to} ({by})", "clause": clause, "default": default}
        )
        if route.outcome:
            found.append(
                {"rule": f"{name}{when}: {route.outcome.en} ({route.outcome.zh})", "clause": clause, "default": default}
            )
        if route.ground:
            found.append(
                {"rule": f"{name}{when}: revoked on ground {route.ground}", "clause": clause, "default": default}
            )
        for group in route.check:
            for c in d.criteria[group]:
                found.append({"rule": f"{name}{when} needs: {c.en}", "clause": c.clause, "default": c.default})
        if route.after_deadline:
            found.append(
                {
                    "rule": f"{name}{when}: still open after the case's deadline has passed",
                    "clause": clause,
                    "default": default,
                }
            )
        if route.deadline:
            found.append(
                {
                    "rule": f"{name}{when}: deadline {_span(route.deadline.years, route.deadline.days)}",
                    "clause": route.deadline.clause,
                    "default": route.deadline.default,
                }
            )
    return found


def _obligation_rules(o: Any) -> list[dict[str, Any]]:
    """An obligation's rules: when it is due, its reminder, the revocation it leads to."""
    if o.due.days_after_period is not None:
        due = f"{o.due.days_after_period} days after the end of each {o.period}"
    else:
        due = f"{o.due.month:02d}-{o.due.day:02d} of year+{o.due.year_offset}"
    found = [
        {"rule": f"obligation {o.id} ({o.en}): due {due}", "clause": o.due.clause or o.clause, "default": o.due.default}
    ]
    if o.reminder:
        found.append(
            {
                "rule": f"reminder: reply within {o.reminder.reply_days} days",
                "clause": o.reminder.clause,
                "default": o.reminder.default,
            }
        )
    if o.revocation:
        verb = "proposed to an administrator" if o.revocation.action == "propose" else "applied"
        found.append(
            {
                "rule": f"revocation ({verb}) after {o.revocation.consecutive_missing} "
                "consecutive missing reports and an unanswered reminder",
                "clause": o.revocation.clause,
                "default": o.revocation.default,
            }
        )
    return found


def _leads(days: list[int]) -> str:
    words = [
        f"{-d} days before" if d < 0 else ("on the day" if d == 0 else f"{d} day{'s' if d > 1 else ''} after")
        for d in sorted(days)
    ]
    return ", ".join(words) or "never"


def _timer_action(d: Any, timer: Any) -> str:
    """What Programme.timer_action answers for a timer that does not say (without building a machine)."""
    if timer.anchor == "valid_until":
        return "apply"
    trigger = d.triggers.get(timer.trigger)
    takes_away = trigger is not None and any(
        r.to not in ("$same", "$active") and d.states[r.to].kind == "terminal" for r in trigger.routes
    )
    return "propose" if takes_away else "apply"


def _span(years: int, days: int) -> str:
    parts = [f"{years} year{'s' if years != 1 else ''}"] if years else []
    if days or not parts:
        parts.append(f"{days} days")
    return " and ".join(parts)


def mermaid(programme: Programme) -> str:
    """The state diagram as Mermaid `stateDiagram-v2`, generated from the definition."""
    d = programme.definition
    lines = ["stateDiagram-v2"]
    for name, state in d.states.items():
        lines.append(f"    {name}: {name} {state.zh}")
    initial = [d.initial.state] if d.initial.state else sorted(set((d.initial.states or {}).values()))
    if d.initial.existing is not None and d.initial.existing.state not in initial:
        initial.append(d.initial.existing.state)
    for first in initial:
        lines.append(f"    [*] --> {first}")
    seen: set[str] = set()
    for trigger_name, trigger in d.triggers.items():
        if trigger.internal:
            continue
        for route in trigger.routes:
            when = ",".join(f"{k}={v if isinstance(v, str) else '|'.join(v)}" for k, v in (route.when or {}).items())
            label = f"{trigger_name} {when}".strip()
            for source in programme.expand(route.sources):
                targets = {"$same": [source], "$active": ["approved", "renewed"]}.get(route.to, [route.to])
                for target in targets:
                    line = f"    {source} --> {target}: {label}"
                    if line not in seen:
                        seen.add(line)
                        lines.append(line)
    for name, state in d.states.items():
        if state.kind == "terminal":
            lines.append(f"    {name} --> [*]")
    return "\n".join(lines)


def render(programme: Programme, out: Any, targets: list[Any] | None = None) -> None:
    from rich.table import Table
    from rich.text import Text

    d = programme.definition
    out.print(Text(f"{d.code} — {d.name.zh} ({d.name.en})", style="bold"))
    out.print(
        Text(
            f"{d.source.title} {d.source.number or ''}, {d.source.issuer}, "
            f"{d.source.date or ''}; version {programme.version[:12]}"
        )
    )
    states = Table("state", "中文", "kind", title="States")
    for name, s in d.states.items():
        states.add_row(name, s.zh, s.kind)
    out.print(states)
    table = Table("rule", "clause", title="Rules ([default] = the project's value, not the document's)")
    for rule in rules(programme):
        clause = (rule["clause"] or "—") + (" [default]" if rule["default"] else "")
        table.add_row(Text(rule["rule"]), Text(clause))
    out.print(table)
    if targets:
        plan = Table(title="Plan targets (designations now: cases in an active state)")
        plan.add_column("plan 规划", overflow="fold", min_width=24)
        for header in ("year", "count", "designated now", "status", "clause"):
            plan.add_column(header)
        for t in targets:
            now = "—" if t.designated is None else str(t.designated)
            status = t.status if t.remaining in (None, 0) else f"{t.status}: {t.remaining} to go"
            plan.add_row(
                Text(f"{t.zh}\n{t.en}"),
                str(t.year),
                ("> " if t.comparison == "more_than" else "") + str(t.count),
                now,
                status,
                Text((t.clause or "—") + (" [default]" if t.default else "")),
            )
        out.print(plan)
        if targets[0].designated is None:
            out.print("No database to count designations in (--db, or `lifecycle init`).")

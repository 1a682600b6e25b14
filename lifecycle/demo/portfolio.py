"""`lifecycle demo --cases N`: a realistic portfolio of N cases across every programme of the
catalogue, written in bulk, so anyone can try the product (and the compliance run) at scale.

Data-driven from the definitions, so new programmes take part without changes here:

* a few hundred *histories* per programme are lived through the domain itself (`decide` for the
  administrator's steps, `settle` for the compliance run's): designation on a day of the last
  decade (never before the programme is in force), reports filed on time or not, evaluations
  graded, rectifications accepted, the compliance run applied up to some recent day — so every
  case is a state the rules can reach, with the dates and progress the rules expect;
* N cases are stamped from those histories with their own names (fitting the programme's naming
  rule) and field values (of each field's type and bounds, meeting the criteria that require a
  value), and each gets one audit entry recording that it was brought in with its state;
* cases, and audit entries, are written with one executemany per batch on the driver's cursor;
* each case is left where the daily notice planner would have left it as of that day (its
  next notice day, from its history's), unless a notice of it is current then: that one the
  next compliance run plans and writes, as it would for a new case. A portfolio as of a day
  is one the daily runs have kept up to date, so the next run plans only what changed.

About one case in ten has something due on the as-of day: its history was last brought up to
date by a compliance run some weeks or months before (the rest were run up to that day).
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from lifecycle.demo.guard import DEMO_REASON, DemoBuilt, demo_database
from lifecycle.domain.case import Case
from lifecycle.domain.compliance import settle
from lifecycle.domain.dates import add_days, add_years
from lifecycle.domain.decide import decide, open_case
from lifecycle.domain.notices import plan_notices
from lifecycle.domain.programme import Programme
from lifecycle.domain.schedule import fulfilled, next_due, periods
from lifecycle.domain.values import InvalidValue, parse_value
from lifecycle.errors import Refused
from lifecycle.persistence.bulk import CaseRowWriter
from lifecycle.persistence.engine import use_bulk_cache
from lifecycle.persistence.notifications import save_plans
from lifecycle.persistence.repositories import EntryDraft, append_drafts, utc_now
from lifecycle.services.app import Lifecycle
from lifecycle.services.users import Actor

PLACES = [
    "北京",
    "天津",
    "河北",
    "山西",
    "内蒙古",
    "辽宁",
    "吉林",
    "黑龙江",
    "上海",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "广西",
    "海南",
    "重庆",
    "四川",
    "贵州",
    "云南",
    "西藏",
    "陕西",
    "甘肃",
    "青海",
    "宁夏",
    "新疆",
    "长三角",
    "京津冀",
    "粤港澳大湾区",
    "成渝",
]
TOPICS = [
    "集成电路",
    "人工智能",
    "生物医药",
    "智能网联汽车",
    "量子信息",
    "先进储能",
    "工业软件",
    "空天信息",
    "新能源汽车",
    "合成生物",
    "第三代半导体",
    "高速列车",
    "智能传感器",
    "稀土功能材料",
    "氢能",
    "先进计算",
    "区块链",
    "工业互联网",
    "精准医学",
    "智慧农业",
    "海洋装备",
    "新型显示",
    "机器人",
    "先进材料",
    "网络安全",
    "卫星互联网",
    "绿色建筑",
    "现代种业",
    "高端装备",
    "数字医疗",
]
#: Share of histories last settled a while before the as-of day (so that they have work due).
STALE_SHARE = 0.55
TEMPLATES_PER_PROGRAMME = 300
#: Rows per transaction: each commit writes every index page the batch dirtied, and in a
#: random-order index (names, dates) nearly every page is dirtied by any large batch, so fewer,
#: larger batches write far less (1M cases: 50 commits took 14 s, 10 took 7.5 s).
INSERT_BATCH = 100_000


@dataclass
class Template:
    """One lived history; every case stamped from it shares its adapted column values."""

    programme: Programme
    case: Case
    _row: dict[str, Any] | None = None
    _shaped: Any = None
    #: The next day a notice of the history falls due after the as-of day, when none is current
    #: on it (False: one is; None: not worked out yet).
    _notice_day: date | bool | None = None

    def row(self, writer: CaseRowWriter) -> dict[str, Any]:
        if self._row is None:
            values = {name: getattr(self.case, name) for name in writer.columns}
            self._row = writer.adapt({**values, "version": 1})
        return self._row

    def shaped(self, writer: CaseRowWriter) -> Any:
        """The template's case row as the driver takes it (id, name and time still to be written in)."""
        if self._shaped is None:
            self._shaped = writer.shape({**self.row(writer), "id": None, "name": None, "updated_at": None})
        return self._shaped

    def notice_day(self, as_of: date) -> date | None:
        """Where the notice planner would leave a case stamped from this history on `as_of`:
        its next notice day, or None when a notice is current (the planner must write it)."""
        if self._notice_day is None:
            notices, next_on = plan_notices(self.programme, self.case, as_of)
            self._notice_day = False if notices else next_on
        return None if self._notice_day is False else self._notice_day  # type: ignore[return-value]

    def names(self) -> list[str]:
        naming = self.programme.definition.naming
        kind = str(self.case.fields.get(naming.by)) if naming else None
        return _names(self.programme, kind)


# -- names and fields ---------------------------------------------------------------------
def case_name(programme: Programme, fields: dict[str, Any], rng: random.Random | _Fixed) -> str:
    """A name a person would give, fitting the programme's naming rule when it has one."""
    naming = programme.definition.naming
    rule = naming.rules.get(str(fields.get(naming.by))) if naming else None
    topic, place = rng.choice(TOPICS), rng.choice(PLACES)
    if rule is not None and "××" in rule.zh_example:
        word = topic if rule.zh_example.startswith("国家") else place
        return rule.zh_example.replace("××", word)
    title = programme.definition.name.zh
    for prefix in ("北京市", "国家"):
        if title.startswith(prefix):
            return f"{prefix}{topic}{title[len(prefix) :]}"
    return f"{place}{topic}{title}"


def _required_values(programme: Programme) -> dict[str, Any]:
    """Values the criteria require outright (`field == value`): an eligible organisation's."""
    found: dict[str, Any] = {}
    for criteria in programme.definition.criteria.values():
        for criterion in criteria:
            condition = criterion.require
            if condition is not None and condition.field and condition.op == "==":
                found.setdefault(condition.field, condition.value)
    return found


def field_values(programme: Programme, rng: random.Random, as_of: date) -> dict[str, str]:
    """Text for every field, as `--set` would give it, of the field's type and within its bounds."""
    required = _required_values(programme)
    values: dict[str, str] = {}
    for name, spec in programme.definition.fields.items():
        if name in required:
            value = required[name]
            values[name] = ("true" if value else "false") if isinstance(value, bool) else str(value)
            continue
        low = float(spec.min_value) if spec.min_value is not None else 0.0
        if spec.type == "bool":
            values[name] = "true" if rng.random() < 0.7 else "false"
        elif spec.type == "number":
            high = float(spec.max_value) if spec.max_value is not None else max(low, 1.0) * 10 + 5e9
            values[name] = str(int(rng.uniform(low, high)))
        elif spec.type == "ratio":
            high = float(spec.max_value) if spec.max_value is not None else 1.0
            values[name] = f"{rng.uniform(low, high):.3f}"
        elif spec.type == "int":
            values[name] = str(rng.randint(int(low), int(low) + 9))
        elif spec.type == "date":
            values[name] = add_days(as_of, -rng.randint(400, 3650)).isoformat()
        elif spec.type in ("choice", "ground") and spec.choices:
            values[name] = rng.choice(spec.choices)
        elif spec.type == "text" and name != "name_en":
            values[name] = rng.choice(PLACES)
    return values


def _valid(programme: Programme, raw: dict[str, str]) -> dict[str, str]:
    """Drop any generated value its field would refuse (a bound the generator did not know)."""
    kept = {}
    for name, text in raw.items():
        spec = programme.definition.fields[name]
        try:
            parse_value(spec.type, text, choices=spec.choices)
        except InvalidValue:
            continue
        kept[name] = text
    return kept


# -- histories ----------------------------------------------------------------------------
def _designation(programme: Programme) -> tuple[str, str] | None:
    """The trigger that designates (its `designate` effect) and a state it fires from."""
    for name, trigger in programme.definition.triggers.items():
        for route in trigger.routes:
            if "designate" in route.effects:
                return name, programme.expand(route.sources)[0]
    return None


def _resolutions(programme: Programme, case: Case) -> list[tuple[str, dict[str, str]]]:
    """What an administrator does to end a review or a rectification: the triggers from this
    state to another non-terminal state that no timer fires, with the parameters of each route,
    the first (the good outcome) first."""
    found = []
    for name, trigger in programme.definition.triggers.items():
        if trigger.internal or trigger.due or "admin" not in trigger.by:
            continue
        for route in programme.routes_from(trigger, case.state):
            destination = route.to
            if destination in ("$same", case.state) or (
                destination in programme.definition.states and programme.kind(destination) == "terminal"
            ):
                continue
            params = {k: (v[0] if isinstance(v, list) else v) for k, v in (route.when or {}).items()}
            found.append((name, params))
    return found


def _live(programme: Programme, case: Case, until: date, rng: random.Random, admin: str) -> Case:
    """Live the case's life up to `until`: reports, reviews, the compliance run's steps."""
    missing: set[str] = set()
    for _ in range(400):
        if programme.kind(case.state) == "terminal":
            return case
        candidates: list[tuple[date, str, Any]] = [(next_due(programme, case), "run", None)]
        options = _resolutions(programme, case)
        if options and programme.kind(case.state) == "active":
            choice = options[0] if rng.random() < 0.85 or len(options) == 1 else rng.choice(options[1:])
            # Most reviews are decided within months; some drag on past their deadlines.
            delay = rng.randint(40, 160) if rng.random() < 0.85 else rng.randint(160, 420)
            candidates.append((add_days(case.state_since, delay), "admin", choice))
        if programme.kind(case.state) == "active":
            for obligation in programme.definition.obligations:
                for period in periods(obligation, case):
                    if period.key in missing or fulfilled(case, period):
                        continue
                    if rng.random() < 0.08:
                        missing.add(period.key)
                        continue
                    day = max(
                        add_days(period.due_on, -rng.randint(5, 80)),
                        add_days(period.start, 365 if obligation.period == "year" else 92),
                        case.state_since,
                    )
                    candidates.append((day, "report", (obligation.fulfilled_by, period)))
                    break
        day, what, detail = min(candidates, key=lambda c: c[0])
        if day > until:
            return case
        if what == "run":
            settlement = settle(programme, case, day, admin)
            case = _decide_proposals(programme, settlement, until, rng)
            if case.next_due_on is not None and case.next_due_on <= day:
                return case  # something the rules refuse stays due: leave the case as it is
            continue
        trigger, values = detail if what == "admin" else (detail[0], {"year": str(detail[1].value)})
        try:
            case = decide(programme, case, trigger, day, "admin", values).case
        except Refused:
            if what != "report":
                return case  # the administrator's step does not fit: the case waits as it is
            missing.add(detail[1].key)
    return case


def _decide_proposals(programme: Programme, settlement: Any, until: date, rng: random.Random) -> Case:
    """What the office does with the run's proposals: most revocations are confirmed some weeks
    later; the others stay open, so the case is left as it is with the proposal not yet raised
    (the portfolio carries no decisions table rows: the first real run raises it)."""
    case: Case = settlement.case
    for step in settlement.steps:
        decision = step.decision
        if decision is None:
            continue
        on = add_days(decision.due_on, rng.randint(14, 90))
        if decision.to_state is not None and rng.random() < 0.75 and on <= until:
            values = {"ground": decision.ground} if decision.ground else {}
            try:
                return decide(programme, case, decision.trigger, max(on, case.state_since), "system", values).case
            except Refused:
                pass
        case = case.copy()
        case.progress.get("automatic", {}).get(decision.rule, {}).pop(decision.period, None)
        case.next_due_on = next_due(programme, case)
        return case
    return case


def templates(programme: Programme, as_of: date, rng: random.Random, count: int, admin: str) -> list[Template]:
    """Histories of the programme's cases as of `as_of`: designated ones lived through the rules,
    and applications still in their pre-designation states."""
    designation = _designation(programme)
    in_force = programme.definition.in_force.date
    earliest = max(add_years(as_of, -10), add_days(in_force, 90))
    found: list[Template] = []
    pre_states = programme.states_of_kind("pre")
    attempts = 0
    while len(found) < count and attempts < count * 5:
        attempts += 1
        raw = _valid(programme, field_values(programme, rng, as_of))
        span = max((as_of - earliest).days, 1)
        opened = add_days(earliest, rng.randint(0, span) - 60)
        opened = max(opened, in_force)
        try:
            case = open_case(programme, case_name(programme, {**raw}, rng), opened, "admin", raw).case
        except Refused:
            continue
        case.id = 0
        if programme.kind(case.state) == "active":
            # Existing designations (hitech-zone, tech-transfer) open designated: they live
            # their evaluations like any other, most brought up to date.
            lag = rng.randint(20, 600) if rng.random() < STALE_SHARE else 0
            found.append(Template(programme, _live(programme, case, add_days(as_of, -lag), rng, admin)))
            continue
        if designation is None or rng.random() < 0.12 or opened >= as_of:
            if pre_states and rng.random() < 0.5:
                case.state = rng.choice(pre_states)
            case.state_since = min(add_days(opened, rng.randint(0, 120)), as_of)
            case.next_due_on = next_due(programme, case)
        else:
            trigger, source = designation
            case.state = source
            approved_on = min(add_days(opened, rng.randint(30, 200)), as_of)
            try:
                case = decide(programme, case, trigger, approved_on, "admin").case
            except Refused:
                continue
            lag = rng.randint(20, 600) if rng.random() < STALE_SHARE else 0
            case = _live(programme, case, add_days(as_of, -lag), rng, admin)
        found.append(Template(programme, case))
    return found


# -- the bulk write -----------------------------------------------------------------------
# Each template's columns are adapted to the driver once and each case row is a copy of its
# template's with only this case's id, name and time written in; the audit entries go through
# `append_drafts`, the chain's one bulk writer (the compliance run's too).


@functools.lru_cache(maxsize=64)
def _names(programme: Programme, kind: str | None) -> list[str]:
    """Every name the generator can give in the programme (for fields whose naming kind is `kind`)."""
    naming = programme.definition.naming
    fields = {naming.by: kind} if naming else {}
    found: set[str] = set()
    for topic in TOPICS:
        for place in PLACES:
            found.add(case_name(programme, fields, _Fixed(topic, place)))
    return sorted(found)


class _Fixed:
    """Stands in for the random generator in `case_name`: the topic first, then the place."""

    def __init__(self, topic: str, place: str) -> None:
        self.values = [topic, place]

    def choice(self, _options: list[str]) -> str:
        return self.values.pop(0)


def _write_batch(uow: Any, batch: list[tuple[Template, str]], admin: Actor, seed: int, as_of: date) -> int:
    """Insert the batch's cases and one audit entry each (chained); how many have work due.

    Each row starts as a copy of its template's shaped row with only the values of this case
    written into their slots: at a million rows, building a dict per row and reordering it cost
    a fifth of the whole build."""
    connection = uow.connection
    use_bulk_cache(connection)
    cases_out = CaseRowWriter(connection)
    first_id = cases_out.next_id()
    now_case = cases_out.adapt({"updated_at": utc_now()})["updated_at"]
    case_id_at, name_at, updated_at = cases_out.slot("id"), cases_out.slot("name"), cases_out.slot("updated_at")
    case_rows, entries, due = [], [], 0
    plans: list[tuple[int, int, date]] = []
    for offset, (template, name) in enumerate(batch):
        case_id = first_id + offset
        case = template.case
        if case.next_due_on is not None and case.next_due_on <= as_of:
            due += 1
        notice_day = template.notice_day(as_of)
        if notice_day is not None:
            plans.append((case_id, 1, notice_day))
        case_row = template.shaped(cases_out).copy()
        case_row[case_id_at] = case_id
        case_row[name_at] = name
        case_row[updated_at] = now_case
        case_rows.append(case_row)
        entries.append(
            EntryDraft(
                case_id,
                case.programme,
                "demo_import",
                None,
                case.state,
                case.state_since,
                admin.name,
                admin.role,
                DEMO_REASON,
                None,
                {
                    "approved_on": case.approved_on.isoformat() if case.approved_on else None,
                    "demo": True,
                    "name": name,
                    "seed": seed,
                },
            )
        )
    cases_out.write(case_rows)
    append_drafts(connection, entries)
    save_plans(connection, plans)
    cases_out.ids_given()
    return due


def build_portfolio(
    app: Lifecycle, acting: str, total: int, seed: int = 0, as_of: date | None = None, progress: Any = None
) -> DemoBuilt:
    """Add `total` cases across every programme of the catalogue, in bulk; returns counts."""
    from lifecycle.services.clock import today

    as_of = as_of or today()
    admin = demo_database(app, acting, "lifecycle demo --cases")
    rng = random.Random(seed)
    library: dict[str, list[Template]] = {}
    with app.database_uow(write=True) as uow:
        for programme in app.catalogue.all():
            found = templates(programme, as_of, rng, TEMPLATES_PER_PROGRAMME, admin.name)
            if found:
                library[programme.code] = found
                uow.definitions.ensure(programme.code, programme.version, app.catalogue.text(programme.code), programme)
        uow.commit()
    codes = sorted(library)
    written = due = 0
    while written < total:
        size = min(INSERT_BATCH, total - written)
        batch = []
        for index in range(written, written + size):
            template = rng.choice(library[codes[index % len(codes)]])
            batch.append((template, rng.choice(template.names())))
        with app.database_uow(write=True) as uow:
            due += _write_batch(uow, batch, admin, seed, as_of)
            uow.commit()
        written += size
        if progress:
            progress(written, total)
    with app.database_uow(write=True) as uow:
        use_bulk_cache(uow.connection, on=False)
    with app.database_uow() as uow:
        counts = uow.cases.count_by_programme_state()
    return DemoBuilt(
        app.url,
        written,
        [{"programme": p, "state": s, "cases": n} for p, s, n in counts],
        as_of=as_of.isoformat(),
        seed=seed,
        due_on_as_of=due,
    )

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
* cases, and audit entries, are written with one executemany per batch on the driver's cursor.

About one case in ten has something due on the as-of day: its history was last brought up to
date by a compliance run some weeks or months before (the rest were run up to that day).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from lifecycle.domain.case import Case
from lifecycle.domain.compliance import settle
from lifecycle.domain.dates import add_days, add_years
from lifecycle.domain.decide import decide, open_case
from lifecycle.domain.programme import Programme
from lifecycle.domain.schedule import fulfilled, next_due, periods
from lifecycle.domain.values import InvalidValue, parse_value
from lifecycle.errors import Refused
from lifecycle.persistence.compliance import EntryDraft, append_entries
from lifecycle.persistence.hot_path import prepare
from lifecycle.persistence.repositories import CASE_COLUMNS, utc_now
from lifecycle.persistence.tables import cases
from lifecycle.services.app import Lifecycle
from lifecycle.services.setup import init_database
from lifecycle.services.users import require_admin

PLACES = ["北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽",
          "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州",
          "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆", "长三角", "京津冀", "粤港澳大湾区", "成渝"]
TOPICS = ["集成电路", "人工智能", "生物医药", "智能网联汽车", "量子信息", "先进储能", "工业软件", "空天信息",
          "新能源汽车", "合成生物", "第三代半导体", "高速列车", "智能传感器", "稀土功能材料", "氢能",
          "先进计算", "区块链", "工业互联网", "精准医学", "智慧农业", "海洋装备", "新型显示", "机器人",
          "先进材料", "网络安全", "卫星互联网", "绿色建筑", "现代种业", "高端装备", "数字医疗"]
#: Share of histories last settled a while before the as-of day (so that they have work due).
STALE_SHARE = 0.5
TEMPLATES_PER_PROGRAMME = 300
INSERT_BATCH = 20_000
_INSERT_CASE = cases.insert()


@dataclass
class Template:
    case: Case
    kind_value: str | None


# -- names and fields ---------------------------------------------------------------------
def case_name(programme: Programme, fields: dict[str, Any], rng: random.Random) -> str:
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
            return f"{prefix}{topic}{title[len(prefix):]}"
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
                    destination in programme.definition.states and programme.kind(destination) == "terminal"):
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
            candidates.append((add_days(case.state_since, rng.randint(40, 160)), "admin", choice))
        if programme.kind(case.state) == "active":
            for obligation in programme.definition.obligations:
                for period in periods(obligation, case):
                    if period.key in missing or fulfilled(case, period):
                        continue
                    if rng.random() < 0.08:
                        missing.add(period.key)
                        continue
                    day = max(add_days(period.due_on, -rng.randint(5, 80)), add_days(period.start, 365 if
                              obligation.period == "year" else 92), case.state_since)
                    candidates.append((day, "report", (obligation.fulfilled_by, period)))
                    break
        day, what, detail = min(candidates, key=lambda c: c[0])
        if day > until:
            return case
        if what == "run":
            case = settle(programme, case, day, admin).case
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
        kind = programme.definition.naming.by if programme.definition.naming else None
        found.append(Template(case, str(case.fields.get(kind)) if kind else None))
    return found


# -- the bulk write -----------------------------------------------------------------------
def _stamped(programmes: list[Programme], library: dict[str, list[Template]], total: int,
             rng: random.Random) -> Iterator[tuple[Programme, Case]]:
    for index in range(total):
        programme = programmes[index % len(programmes)]
        template = rng.choice(library[programme.code])
        case = template.case.copy()
        fields = dict(case.fields)
        case.name = case_name(programme, fields, rng)
        yield programme, case


def build_portfolio(app: Lifecycle, acting: str, total: int, seed: int = 0, as_of: date | None = None,
                    progress: Any = None) -> dict[str, Any]:
    """Add `total` cases across every programme of the catalogue, in bulk; returns counts."""
    from lifecycle.services.clock import today

    as_of = as_of or today()
    init_database(app, acting)
    with app.uow() as uow:
        admin = require_admin(uow, acting, "building the demo portfolio")
    rng = random.Random(seed)
    programmes = app.catalogue.all()
    library = {}
    with app.uow(write=True) as uow:
        for programme in programmes:
            library[programme.code] = templates(programme, as_of, rng, TEMPLATES_PER_PROGRAMME, admin.name)
            uow.definitions.ensure(programme.code, programme.version, app.catalogue.text(programme.code))
        uow.commit()
    programmes = [p for p in programmes if library[p.code]]
    stamped = _stamped(programmes, library, total, rng)
    written = due = 0
    while written < total:
        batch = [next(stamped) for _ in range(min(INSERT_BATCH, total - written))]
        with app.uow(write=True) as uow:
            first_id = int(uow.connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM cases").scalar() or 0) + 1
            now = utc_now()
            rows, entries = [], []
            for offset, (programme, case) in enumerate(batch):
                case.id, case.version = first_id + offset, 1
                row = {name: getattr(case, name) for name in CASE_COLUMNS}
                row.update(id=case.id, version=1, updated_at=now)
                rows.append(row)
                if case.next_due_on is not None and case.next_due_on <= as_of:
                    due += 1
                entries.append(EntryDraft(
                    case.id, case.programme, "demo_import", None, case.state, case.state_since, admin.name,
                    admin.role, "demo portfolio (lifecycle demo --cases)", None,
                    {"name": case.name, "approved_on": case.approved_on.isoformat() if case.approved_on else None,
                     "seed": seed}))
            prepare(uow.connection, _INSERT_CASE).run_many(uow.connection, rows)
            if uow.connection.dialect.name == "postgresql":  # ids given explicitly: move the sequence on
                uow.connection.exec_driver_sql(
                    "SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT max(id) FROM cases))")
            append_entries(uow.connection, entries)
            uow.commit()
        written += len(batch)
        if progress:
            progress(written, total)
    with app.uow() as uow:
        counts = uow.cases.count_by_programme_state()
    return {"database": app.url, "created": written, "due_on_as_of": due, "as_of": as_of.isoformat(),
            "seed": seed, "by_state": [{"programme": p, "state": s, "cases": n} for p, s, n in counts]}

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

import functools
import hashlib
import json
import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from lifecycle.domain.audit import AuditEntry, compute_hash, utc_text
from lifecycle.domain.case import Case
from lifecycle.domain.compliance import settle
from lifecycle.domain.dates import add_days, add_years
from lifecycle.domain.decide import decide, open_case
from lifecycle.domain.programme import Programme
from lifecycle.domain.schedule import fulfilled, next_due, periods
from lifecycle.domain.values import InvalidValue, parse_value
from lifecycle.errors import Refused
from lifecycle.persistence.engine import use_bulk_cache
from lifecycle.persistence.hot_path import prepare
from lifecycle.persistence.repositories import _INSERT_ENTRY, _MOVE_HEAD, CASE_COLUMNS, AuditRepository, utc_now
from lifecycle.persistence.tables import ROOT_OFFICE, cases
from lifecycle.services.app import Lifecycle
from lifecycle.services.setup import init_database
from lifecycle.services.users import Actor, require_admin

PLACES = ["北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽",
          "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州",
          "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆", "长三角", "京津冀", "粤港澳大湾区", "成渝"]
TOPICS = ["集成电路", "人工智能", "生物医药", "智能网联汽车", "量子信息", "先进储能", "工业软件", "空天信息",
          "新能源汽车", "合成生物", "第三代半导体", "高速列车", "智能传感器", "稀土功能材料", "氢能",
          "先进计算", "区块链", "工业互联网", "精准医学", "智慧农业", "海洋装备", "新型显示", "机器人",
          "先进材料", "网络安全", "卫星互联网", "绿色建筑", "现代种业", "高端装备", "数字医疗"]
#: Share of histories last settled a while before the as-of day (so that they have work due).
STALE_SHARE = 0.55
TEMPLATES_PER_PROGRAMME = 300
#: Rows per transaction: each commit writes every index page the batch dirtied, and in a
#: random-order index (names, dates) nearly every page is dirtied by any large batch, so fewer,
#: larger batches write far less (1M cases: 50 commits took 14 s, 10 took 7.5 s).
INSERT_BATCH = 100_000
_INSERT_CASE = cases.insert()


@dataclass
class Template:
    """One lived history; every case stamped from it shares its adapted column values."""

    programme: Programme
    case: Case
    _row: dict[str, Any] | None = None
    _shaped: Any = None

    def row(self, writer: Any) -> dict[str, Any]:
        if self._row is None:
            values = {name: getattr(self.case, name) for name in CASE_COLUMNS}
            self._row = writer.adapt({**values, "version": 1})
        return self._row

    def shaped(self, writer: Any) -> Any:
        """The template's case row as the driver takes it (id, name and time still to be written in)."""
        if self._shaped is None:
            self._shaped = writer.shape({**self.row(writer), "id": None, "name": None, "updated_at": None})
        return self._shaped

    def names(self) -> list[str]:
        naming = self.programme.definition.naming
        kind = str(self.case.fields.get(naming.by)) if naming else None
        return _names(self.programme, kind)

    def payload_param(self, writer: Any, text: str) -> Any:
        # SQLite takes the JSON text as it is; PostgreSQL's driver wants it wrapped.
        if "payload" in writer.compiled.adapters and writer.connection.dialect.name != "sqlite":
            return writer.compiled.adapters["payload"](json.loads(text))
        return text


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
# A million rows leave no room for per-row work beyond the unavoidable: each template's columns
# are adapted to the driver once, each audit entry's canonical text is filled into a template
# (checked against `canonical` once per batch), and rows go to the driver's executemany.
_ENTRY_TEXT = ('{{"actor":{actor},"case_id":{case_id},"clause":null,"effective_on":"{effective_on}",'
               '"from_state":null,"payload":{payload},"prev_hash":"{prev_hash}","programme":{programme},'
               '"reason":{reason},"recorded_at":"{recorded_at}","role":{role},"seq":{seq},'
               '"to_state":{to_state},"trigger":"demo_import"}}')
REASON = "demo portfolio (lifecycle demo --cases)"


@functools.lru_cache(maxsize=65536)
def _text(value: Any) -> str:
    """JSON text of a string (names repeat: a few thousand distinct ones per programme)."""
    return json.dumps(value, ensure_ascii=False)


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


class _Writer:
    """Adapts values once and writes rows with the driver's executemany, as tuples in the
    statement's order where the driver is positional (SQLite), else as dicts (psycopg)."""

    def __init__(self, connection: Any, statement: Any) -> None:
        self.compiled = prepare(connection, statement)
        self.connection = connection
        self.positions = self.compiled.positions

    def adapt(self, values: dict[str, Any]) -> dict[str, Any]:
        return {k: (self.compiled.adapters[k](v) if k in self.compiled.adapters else v) for k, v in values.items()}

    def shape(self, row: dict[str, Any]) -> Any:
        """A row as the driver takes it."""
        return row if self.positions is None else [row[name] for name in self.positions]

    def slot(self, name: str) -> int | str:
        """Where `name` goes in a shaped row."""
        return name if self.positions is None else list(self.positions).index(name)

    def write(self, rows: list[Any]) -> None:
        if rows:
            self.connection.connection.dbapi_connection.cursor().executemany(self.compiled.sql, rows)


def _write_batch(uow: Any, batch: list[tuple[Template, str]], admin: Actor, seed: int, as_of: date) -> int:
    """Insert the batch's cases and one audit entry each (chained); how many have work due.

    Each row starts as a copy of its template's shaped row (or a fixed one) with only the
    values of this case written into their slots: at a million rows, building a dict per row
    and reordering it cost a fifth of the whole build."""
    connection = uow.connection
    use_bulk_cache(connection)
    first_id = int(connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM cases").scalar() or 0) + 1
    cases_out, entries_out = _Writer(connection, _INSERT_CASE), _Writer(connection, _INSERT_ENTRY)
    seq, prev_hash = AuditRepository(connection).head(lock=True)
    now = utc_now()
    now_case = cases_out.adapt({"updated_at": now})["updated_at"]
    recorded_text = utc_text(now)
    fixed = {"actor": _text(admin.name), "role": _text(admin.role), "reason": _text(REASON)}
    case_id_at, name_at, updated_at = cases_out.slot("id"), cases_out.slot("name"), cases_out.slot("updated_at")
    entry_base = entries_out.shape({
        **entries_out.adapt({"recorded_at": now}), "trigger": "demo_import", "from_state": None, "actor": admin.name,
        "role": admin.role, "reason": REASON, "clause": None, "seq": None, "case_id": None, "programme": None,
        "to_state": None, "effective_on": None, "payload": None, "prev_hash": None, "hash": None,
        "office": ROOT_OFFICE})
    slots = {name: entries_out.slot(name) for name in (
        "seq", "case_id", "programme", "to_state", "effective_on", "payload", "prev_hash", "hash")}
    case_rows, entry_rows, due = [], [], 0
    for offset, (template, name) in enumerate(batch):
        case_id, seq = first_id + offset, seq + 1
        case = template.case
        if case.next_due_on is not None and case.next_due_on <= as_of:
            due += 1
        case_row = template.shaped(cases_out).copy()
        case_row[case_id_at] = case_id
        case_row[name_at] = name
        case_row[updated_at] = now_case
        case_rows.append(case_row)
        payload_text = (f'{{"approved_on":{_text(case.approved_on.isoformat() if case.approved_on else None)},'
                        f'"name":{_text(name)},"seed":{seed}}}')
        canonical_text = _ENTRY_TEXT.format(
            case_id=case_id, effective_on=case.state_since.isoformat(), payload=payload_text, prev_hash=prev_hash,
            programme=_text(case.programme), recorded_at=recorded_text, seq=seq, to_state=_text(case.state),
            **fixed)
        digest = hashlib.sha256(canonical_text.encode("utf-8")).hexdigest()
        if offset == 0:  # the template must say exactly what `canonical` says, or the chain breaks
            entry = AuditEntry(seq, case_id, case.programme, "demo_import", None, case.state, case.state_since,
                               now, admin.name, admin.role, REASON, None, json.loads(payload_text), prev_hash)
            if compute_hash(entry) != digest:
                raise RuntimeError("the bulk audit entry text differs from the canonical encoding")
        entry_row = entry_base.copy()
        entry_row[slots["seq"]] = seq
        entry_row[slots["case_id"]] = case_id
        entry_row[slots["programme"]] = case.programme
        entry_row[slots["to_state"]] = case.state
        entry_row[slots["effective_on"]] = template.row(cases_out)["state_since"]
        entry_row[slots["payload"]] = template.payload_param(entries_out, payload_text)
        entry_row[slots["prev_hash"]] = prev_hash
        entry_row[slots["hash"]] = digest
        entry_rows.append(entry_row)
        prev_hash = digest
    cases_out.write(case_rows)
    entries_out.write(entry_rows)
    prepare(connection, _MOVE_HEAD).run(connection, {"seq": seq, "hash": prev_hash})
    if connection.dialect.name == "postgresql":  # ids given explicitly: move the sequence on
        connection.exec_driver_sql("SELECT setval(pg_get_serial_sequence('cases', 'id'), "
                                   "(SELECT max(id) FROM cases))")
    return due


def build_portfolio(app: Lifecycle, acting: str, total: int, seed: int = 0, as_of: date | None = None,
                    progress: Any = None) -> dict[str, Any]:
    """Add `total` cases across every programme of the catalogue, in bulk; returns counts."""
    from lifecycle.services.clock import today

    as_of = as_of or today()
    init_database(app, acting)
    with app.uow() as uow:
        admin = require_admin(uow, acting, "building the demo portfolio")
    rng = random.Random(seed)
    library: dict[str, list[Template]] = {}
    with app.uow(write=True) as uow:
        for programme in app.catalogue.all():
            found = templates(programme, as_of, rng, TEMPLATES_PER_PROGRAMME, admin.name)
            if found:
                library[programme.code] = found
                uow.definitions.ensure(programme.code, programme.version, app.catalogue.text(programme.code),
                                       programme)
        uow.commit()
    codes = sorted(library)
    written = due = 0
    while written < total:
        size = min(INSERT_BATCH, total - written)
        batch = []
        for index in range(written, written + size):
            template = rng.choice(library[codes[index % len(codes)]])
            batch.append((template, rng.choice(template.names())))
        with app.uow(write=True) as uow:
            due += _write_batch(uow, batch, admin, seed, as_of)
            uow.commit()
        written += size
        if progress:
            progress(written, total)
    with app.uow(write=True) as uow:
        use_bulk_cache(uow.connection, on=False)
    with app.uow() as uow:
        counts = uow.cases.count_by_programme_state()
    return {"database": app.url, "created": written, "due_on_as_of": due, "as_of": as_of.isoformat(),
            "seed": seed, "by_state": [{"programme": p, "state": s, "cases": n} for p, s, n in counts]}

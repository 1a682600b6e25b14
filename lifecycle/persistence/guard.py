"""PostgreSQL: the database functions every write of a case goes through, and row-level security.

No login but the owner may INSERT into `audit_log`, UPDATE `cases` or move `audit_head`
(`roles.py` grants none of it). A login changes cases only by calling `lifecycle_write`, a
SECURITY DEFINER function with a fixed `search_path`, which in one statement:

- takes the actor from the session's login (an entry naming anybody else is refused; only a
  login in the system group records the compliance run's `system`);
- refuses a case outside the login's office and the offices below it;
- checks each move (trigger, from state, to state, role) against the legal moves of the
  definition version the case records (`programme_moves`, written once per version by
  `lifecycle_define`), and that the entries chain from the stored state to the new one;
- writes the case and appends the entries to the hash chain under the head's lock, working
  out each hash from the same canonical text Python's `compute_hash` hashes.

The installer (a superuser, or the owner of the tables or the schema) writes through the same
function, acting under the claimed name as on SQLite (docs/adr/0004); the rules of moves hold
for it too. Row-level security shows a login the cases and entries of its offices; a table
with an `office` or a `case_id` column gets its policy by being named in `OFFICE_TABLES` or
`CASE_TABLES` (decisions, notifications: init applies them if the table exists).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, text

#: Tables whose rows carry their office: a login reads the rows of its offices.
OFFICE_TABLES = ("cases", "audit_log")
#: Tables whose rows belong to a case: a login reads (and writes, where `roles.WRITES` lets it)
#: the rows of the cases it reads. A notification of no case (an administrator's) is read by all.
CASE_TABLES = ("decisions", "notifications", "automatic_actions", "case_contacts", "notice_plans")
#: Tables whose rows belong to a row of another table (column, parent table): a login reads the
#: rows whose parent it reads (a notice's deliveries, a delivery's attempts).
CHILD_TABLES = {
    "notification_deliveries": ("notification_id", "notifications"),
    "notification_attempts": ("delivery_id", "notification_deliveries"),
}
#: Administrators' own addresses: read and written for the users of the login's offices.
USER_TABLES = {"admin_contacts": "user_name"}
#: Entries that record something about a case without moving it (its state stays): a decision
#: due raised, a decision dismissed, a contact set. They may come without the case's change.
NOTE_TRIGGERS = ("decision_due", "dismiss_decision", "set_contact")
#: Entries of no case a login may record (its own addresses); the installer records the others
#: (users, offices).
CASELESS_TRIGGERS = ("set_admin_contact",)
#: SQLSTATEs the functions raise, mapped to the product's errors (`writes.py`).
REFUSED_STATE = "LC403"
CONFLICT_STATE = "LC409"
#: The chain head row is gone (deleted outside lifecycle): the audit log is broken.
HEAD_MISSING_STATE = "LC410"

_SESSION_ROLE = """
CREATE OR REPLACE FUNCTION lifecycle_session_role() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT CASE
    WHEN r.rolsuper
      OR pg_has_role(session_user, (SELECT c.relowner FROM pg_class c
                                    WHERE c.oid = to_regclass('audit_log')), 'MEMBER')
      OR pg_has_role(session_user, (SELECT n.nspowner FROM pg_namespace n
                                    WHERE n.nspname = current_schema()), 'MEMBER')
    THEN 'installer'
    ELSE (SELECT g.role FROM group_roles g JOIN pg_roles gr ON gr.rolname = g.group_name
          WHERE pg_has_role(session_user, gr.oid, 'MEMBER')
          ORDER BY array_position(ARRAY['admin', 'system', 'auditor'], g.role::text) LIMIT 1)
  END
  FROM pg_roles r WHERE r.rolname = session_user
$$"""

#: The offices whose rows the session's login reads: its office (users table) and those below
#: it; every office for the scheduler host's login (in the system group, not a user), which runs
#: the compliance rules of the whole database; none for anyone else.
_VISIBLE_OFFICES = """
CREATE OR REPLACE FUNCTION lifecycle_visible_offices() RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT CASE
    WHEN EXISTS (SELECT 1 FROM users u WHERE u.name = session_user) THEN
      (SELECT coalesce(array_agg(o.code::text), '{{}}') FROM offices o
       WHERE starts_with(o.path, (SELECT p.path FROM offices p JOIN users u ON u.office = p.code
                                  WHERE u.name = session_user)))
    WHEN lifecycle_session_role() = 'system' THEN
      (SELECT coalesce(array_agg(o.code::text), '{{}}') FROM offices o)
    ELSE '{{}}'::text[]
  END
$$"""

#: Any case's office, for a login told why a case is out of its reach (the id and the office's
#: code are all it learns).
_CASE_OFFICE = """
CREATE OR REPLACE FUNCTION lifecycle_case_office(p_id integer) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT office::text FROM cases WHERE id = p_id
$$"""

#: The chain's links (number, previous hash, hash) of every entry, also of those a login may
#: not read: enough to check that its own entries are linked into an unbroken chain.
_CHAIN_LINKS = """
CREATE OR REPLACE FUNCTION lifecycle_chain_links() RETURNS TABLE(seq bigint, prev_hash text, hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT a.seq, a.prev_hash::text, a.hash::text FROM audit_log a ORDER BY a.seq
$$"""

#: Lock cases (in id order) for the rest of the transaction and read their versions: what
#: SELECT ... FOR UPDATE did, which needs the UPDATE right on cases no login holds any more.
_LOCK_CASES = """
CREATE OR REPLACE FUNCTION lifecycle_lock_cases(p_ids integer[]) RETURNS TABLE(id integer, version integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
  v_role text := lifecycle_session_role();
  v_scope text[];
BEGIN
  IF v_role IS NULL OR v_role = 'auditor' THEN
    RAISE EXCEPTION 'database user % may only read', session_user USING ERRCODE = '{refused}';
  END IF;
  IF v_role <> 'installer' THEN
    v_scope := lifecycle_visible_offices();
  END IF;
  RETURN QUERY SELECT c.id, c.version FROM cases c
    WHERE c.id = ANY (p_ids) AND (v_scope IS NULL OR c.office = ANY (v_scope))
    ORDER BY c.id FOR UPDATE;
END $$"""

#: A definition version's legal moves, recorded once with the version itself.
_DEFINE = """
CREATE OR REPLACE FUNCTION lifecycle_define(p_version text, p_code text, p_content text, p_moves jsonb)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
  v_role text := lifecycle_session_role();
  v_stored text;
BEGIN
  IF v_role IS NULL OR v_role = 'auditor' THEN
    RAISE EXCEPTION 'database user % may not record programme definitions', session_user
      USING ERRCODE = '{refused}';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('lifecycle_define:' || p_version));
  IF EXISTS (SELECT 1 FROM programme_moves WHERE version = p_version) THEN
    RETURN false;
  END IF;
  SELECT content INTO v_stored FROM programme_definitions WHERE version = p_version;
  IF v_stored IS NULL THEN
    INSERT INTO programme_definitions (version, code, content, recorded_at)
    VALUES (p_version, p_code, p_content, clock_timestamp() AT TIME ZONE 'UTC');
  ELSIF v_stored <> p_content THEN
    RAISE EXCEPTION 'version % is stored with another text', p_version USING ERRCODE = '{refused}';
  END IF;
  INSERT INTO programme_moves (version, trigger, from_state, to_state, roles)
  SELECT p_version, m->>'trigger', m->>'from_state', m->>'to_state', m->>'roles'
  FROM jsonb_array_elements(p_moves) AS m;
  RETURN true;
END $$"""

#: Every write of cases and their entries (see the module's docstring). `p_cases`: a list of
#: {{"id": existing id or null for a new case, "expected_version": the version read,
#:   "row": the case's columns, "next_due_only": true to store only the next due day}};
#: `p_entries`: a list of entries, each naming its case by "case" (an index into p_cases) or
#: "case_id", with "payload_text", the payload's canonical JSON text.
#: Returns {{"ids": [case ids], "versions": [new versions], "entries": [[seq, hash, recorded_at]]}}.
_WRITE = """
CREATE OR REPLACE FUNCTION lifecycle_write(p_cases jsonb, p_entries jsonb) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
  v_login text := session_user;
  v_role text := lifecycle_session_role();
  v_scope text[];
  v_ids integer[] := '{{}}';
  v_versions integer[] := '{{}}';
  v_states text[] := '{{}}';
  v_defs text[] := '{{}}';
  v_new boolean[] := '{{}}';
  v_counts integer[] := '{{}}';
  v_item jsonb;
  v_row jsonb;
  v_stored cases%ROWTYPE;
  v_case_id integer;
  v_index integer;
  v_n integer := 0;
  v_entry jsonb;
  v_from text;
  v_to text;
  v_trigger text;
  v_actor text;
  v_entry_role text;
  v_office text;
  v_programme text;
  v_def text;
  v_seq bigint;
  v_prev text;
  v_now timestamp := clock_timestamp() AT TIME ZONE 'UTC';
  v_now_text text;
  v_text text;
  v_hash text;
  v_done jsonb := '[]';
  v_locked boolean := false;
BEGIN
  IF v_role IS NULL OR v_role = 'auditor' THEN
    RAISE EXCEPTION 'database user % (%) may only read: changing cases needs an admin''s login',
      v_login, coalesce(v_role, 'in no lifecycle role') USING ERRCODE = '{refused}';
  END IF;
  IF v_role <> 'installer' THEN
    v_scope := lifecycle_visible_offices();
  END IF;
  v_now_text := to_char(v_now, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');

  -- The cases: each read (locked), checked against the login's offices, written.
  FOR v_item IN SELECT value FROM jsonb_array_elements(p_cases) LOOP
    v_n := v_n + 1;
    v_row := v_item->'row';
    v_counts := v_counts || 0;
    IF v_item->>'id' IS NULL THEN
      v_office := v_row->>'office';
      IF NOT EXISTS (SELECT 1 FROM offices WHERE code = v_office) THEN
        RAISE EXCEPTION 'office % does not exist', v_office USING ERRCODE = '{refused}';
      END IF;
      IF v_scope IS NOT NULL AND NOT (v_office = ANY (v_scope)) THEN
        RAISE EXCEPTION 'database user % may not open a case in office %: it acts for its own office '
          'and those below it', v_login, v_office USING ERRCODE = '{refused}';
      END IF;
      IF NOT EXISTS (SELECT 1 FROM programme_definitions
                     WHERE version = v_row->>'definition_version' AND code = v_row->>'programme') THEN
        RAISE EXCEPTION 'programme % has no stored version %', v_row->>'programme',
          v_row->>'definition_version' USING ERRCODE = '{refused}';
      END IF;
      v_case_id := nextval(pg_get_serial_sequence('cases', 'id'))::integer;
      INSERT INTO cases (id, programme, name, state, state_since, fields, approved_on, valid_until,
                         cycle, cycle_start, deadline_on, progress, definition_version, version,
                         created_on, updated_at, next_due_on, office)
      SELECT v_case_id, r.programme, r.name, r.state, r.state_since, r.fields, r.approved_on,
             r.valid_until, r.cycle, r.cycle_start, r.deadline_on, r.progress, r.definition_version,
             1, r.created_on, v_now, r.next_due_on, v_office
      FROM jsonb_populate_record(NULL::cases, v_row) r;
      v_ids := v_ids || v_case_id;
      v_versions := v_versions || 1;
      v_states := v_states || NULL::text;
      v_defs := v_defs || (v_row->>'definition_version');
      v_new := v_new || true;
    ELSE
      v_case_id := (v_item->>'id')::integer;
      SELECT * INTO v_stored FROM cases WHERE id = v_case_id FOR UPDATE;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'no case %', v_case_id USING ERRCODE = '{refused}';
      END IF;
      IF v_scope IS NOT NULL AND NOT (v_stored.office = ANY (v_scope)) THEN
        RAISE EXCEPTION 'case % belongs to office %, outside the offices of database user %',
          v_case_id, v_stored.office, v_login USING ERRCODE = '{refused}';
      END IF;
      IF v_stored.version <> (v_item->>'expected_version')::integer THEN
        RAISE EXCEPTION 'case % is at version %, not %', v_case_id, v_stored.version,
          v_item->>'expected_version' USING ERRCODE = '{conflict}';
      END IF;
      IF coalesce((v_item->>'next_due_only')::boolean, false) THEN
        UPDATE cases SET next_due_on = (v_row->>'next_due_on')::date WHERE id = v_case_id;
        v_ids := v_ids || v_case_id;
        v_versions := v_versions || v_stored.version;
        v_states := v_states || v_stored.state::text;
        v_defs := v_defs || v_stored.definition_version::text;
        v_new := v_new || false;
        CONTINUE;
      END IF;
      v_ids := v_ids || v_case_id;
      v_versions := v_versions || v_stored.version;
      v_states := v_states || v_stored.state::text;
      v_defs := v_defs || v_stored.definition_version::text;
      v_new := v_new || false;
      -- What a change may write: never the office, the programme, the name or the day opened.
      UPDATE cases c SET state = r.state, state_since = r.state_since, fields = r.fields,
             approved_on = r.approved_on, valid_until = r.valid_until, cycle = r.cycle,
             cycle_start = r.cycle_start, deadline_on = r.deadline_on, progress = r.progress,
             definition_version = r.definition_version, next_due_on = r.next_due_on,
             updated_at = v_now
      FROM jsonb_populate_record(NULL::cases, v_row) r WHERE c.id = v_case_id;
    END IF;
  END LOOP;

  -- The entries: each a legal move of its case, chained from the stored state, appended.
  FOR v_entry IN SELECT value FROM jsonb_array_elements(p_entries) LOOP
    v_actor := v_entry->>'actor';
    v_entry_role := v_entry->>'role';
    IF v_role <> 'installer' AND NOT ((v_actor = v_login AND v_entry_role = v_role)
        OR (v_actor = 'system' AND v_entry_role = 'system' AND v_role = 'system')) THEN
      RAISE EXCEPTION 'this connection is the database user % (%): its audit entries name %, not % (%)',
        v_login, v_role, v_login, v_actor, v_entry_role USING ERRCODE = '{refused}';
    END IF;
    v_trigger := v_entry->>'trigger';
    v_from := v_entry->>'from_state';
    v_to := v_entry->>'to_state';
    IF v_entry ? 'case' THEN
      v_index := (v_entry->>'case')::integer + 1;
    ELSE
      v_index := array_position(v_ids, (v_entry->>'case_id')::integer);
    END IF;
    IF v_index IS NULL AND v_entry->>'case_id' IS NULL THEN
      -- An entry of no case: the installer's (users, offices), or an administrator's own addresses.
      IF v_role <> 'installer' AND NOT (v_trigger = ANY ({caseless}) AND v_entry_role = 'admin') THEN
        RAISE EXCEPTION 'an entry of no case (%) is recorded by the installer', v_trigger
          USING ERRCODE = '{refused}';
      END IF;
      v_case_id := NULL;
      IF v_role = 'installer' THEN
        v_office := coalesce(v_entry->>'office', 'ROOT');
      ELSE
        SELECT u.office INTO v_office FROM users u WHERE u.name = v_login;
        v_office := coalesce(v_office, 'ROOT');
      END IF;
      v_programme := v_entry->>'programme';
    ELSIF v_index IS NULL THEN
      -- A note on a case whose row does not change: it keeps the case's state.
      v_case_id := (v_entry->>'case_id')::integer;
      SELECT * INTO v_stored FROM cases WHERE id = v_case_id;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'no case %', v_case_id USING ERRCODE = '{refused}';
      END IF;
      IF v_scope IS NOT NULL AND NOT (v_stored.office = ANY (v_scope)) THEN
        RAISE EXCEPTION 'case % belongs to office %, outside the offices of database user %',
          v_case_id, v_stored.office, v_login USING ERRCODE = '{refused}';
      END IF;
      IF NOT (v_trigger = ANY ({notes})) OR v_entry_role NOT IN ('admin', 'system')
          OR v_from IS DISTINCT FROM v_stored.state::text OR v_to IS DISTINCT FROM v_stored.state::text THEN
        RAISE EXCEPTION 'an entry of case % (% from % to %) comes without the case''s change: only a note '
          'that keeps its state (%) may', v_case_id, v_trigger, coalesce(v_from, '(none)'), coalesce(v_to, '(none)'),
          v_stored.state USING ERRCODE = '{refused}';
      END IF;
      v_office := v_stored.office;
      v_programme := v_stored.programme;
    ELSE
      v_case_id := v_ids[v_index];
      v_def := v_defs[v_index];
      SELECT office, programme INTO v_office, v_programme FROM cases WHERE id = v_case_id;
      IF v_from IS DISTINCT FROM v_states[v_index] AND NOT (v_new[v_index] AND v_trigger = 'import') THEN
        RAISE EXCEPTION 'case %: % from % does not follow its recorded state %', v_case_id, v_trigger,
          coalesce(v_from, '(none)'), coalesce(v_states[v_index], '(new)') USING ERRCODE = '{refused}';
      END IF;
      IF v_trigger = 'import' THEN
        IF NOT v_new[v_index] OR NOT (v_role IN ('admin', 'installer') AND v_entry_role = 'admin') THEN
          RAISE EXCEPTION 'case %: imported history is recorded by an admin, with the case it opens', v_case_id
            USING ERRCODE = '{refused}';
        END IF;
      ELSIF v_trigger = 'migrate' THEN
        IF v_entry_role <> 'admin' OR NOT EXISTS (
            SELECT 1 FROM programme_moves m JOIN cases c ON c.definition_version = m.version
            WHERE c.id = v_case_id AND m.trigger = '$state' AND m.to_state = v_to) THEN
          RAISE EXCEPTION 'case %: migrating to state % of its new version is not a legal move', v_case_id, v_to
            USING ERRCODE = '{refused}';
        END IF;
        SELECT definition_version INTO v_def FROM cases WHERE id = v_case_id;
        v_defs[v_index] := v_def;
      ELSIF v_trigger = ANY ({notes}) THEN
        IF v_to IS DISTINCT FROM v_from OR v_entry_role NOT IN ('admin', 'system') THEN
          RAISE EXCEPTION 'case %: % keeps the case in its state (%), it does not move it to %', v_case_id,
            v_trigger, coalesce(v_from, '(none)'), coalesce(v_to, '(none)') USING ERRCODE = '{refused}';
        END IF;
      ELSIF v_trigger = 'correct' THEN
        -- A correction voids an earlier entry of the case: it returns the case to the state that
        -- entry moved it from (or leaves it where it is, for an entry that moved nothing).
        IF v_entry_role <> 'admin' OR NOT EXISTS (
            SELECT 1 FROM audit_log a
            WHERE a.seq = ((v_entry->>'payload_text')::jsonb->>'voids')::bigint AND a.case_id = v_case_id
              AND a.trigger <> 'correct' AND a.from_state IS NOT NULL
              AND (a.from_state = v_to OR (a.from_state = a.to_state AND v_to = v_from))) THEN
          RAISE EXCEPTION 'case %: a correction returns the case to the state before the entry it voids, '
            'by an admin', v_case_id USING ERRCODE = '{refused}';
        END IF;
      ELSIF NOT EXISTS (
          SELECT 1 FROM programme_moves m
          WHERE m.version = v_def AND m.trigger = v_trigger AND m.from_state IS NOT DISTINCT FROM v_from
            AND m.to_state = v_to AND (v_entry_role = ANY (string_to_array(m.roles, ','))
              -- An administrator confirming a decision due records the move the run proposed.
              OR (v_entry_role = 'admin' AND EXISTS (
                SELECT 1 FROM decisions d
                WHERE d.id = ((v_entry->>'payload_text')::jsonb->>'decision_id')::integer
                  AND d.case_id = v_case_id AND d.state = 'open' AND d.trigger = v_trigger
                  AND d.from_state = v_from AND d.to_state IS NOT DISTINCT FROM v_to)))) THEN
        RAISE EXCEPTION 'case %: % from % to % by % is not a move programme % allows (version %)',
          v_case_id, v_trigger, coalesce(v_from, '(new)'), v_to, v_entry_role, v_programme, left(v_def, 12)
          USING ERRCODE = '{refused}';
      END IF;
      v_states[v_index] := v_to;
      v_counts[v_index] := v_counts[v_index] + 1;
    END IF;
    IF NOT v_locked THEN
      SELECT h.seq, h.hash INTO v_seq, v_prev FROM audit_head h WHERE h.id = 1 FOR UPDATE;
      IF NOT FOUND THEN
        -- The head row was deleted outside lifecycle: appending would hide removed entries.
        RAISE EXCEPTION 'the recorded chain head (table audit_head, row 1) is missing'
          USING ERRCODE = '{head_missing}';
      END IF;
      v_locked := true;
    END IF;
    v_seq := v_seq + 1;
    -- The canonical text of `lifecycle.domain.audit.canonical`: keys sorted, no spaces, strings
    -- escaped as Python's json does with ensure_ascii=False (to_json's escaping is the same).
    v_text := '{{"actor":' || to_json(v_actor)::text
      || ',"case_id":' || coalesce(v_case_id::text, 'null')
      || ',"clause":' || coalesce(to_json(v_entry->>'clause')::text, 'null')
      || ',"effective_on":' || to_json(to_char((v_entry->>'effective_on')::date, 'YYYY-MM-DD'))::text
      || ',"from_state":' || coalesce(to_json(v_from)::text, 'null')
      || ',"payload":' || (v_entry->>'payload_text')
      || ',"prev_hash":' || to_json(v_prev)::text
      || ',"programme":' || coalesce(to_json(v_programme)::text, 'null')
      || ',"reason":' || coalesce(to_json(v_entry->>'reason')::text, 'null')
      || ',"recorded_at":' || to_json(v_now_text)::text
      || ',"role":' || to_json(v_entry_role)::text
      || ',"seq":' || v_seq::text
      || ',"to_state":' || coalesce(to_json(v_to)::text, 'null')
      || ',"trigger":' || to_json(v_trigger)::text || '}}';
    v_hash := encode(sha256(convert_to(v_text, 'UTF8')), 'hex');
    INSERT INTO audit_log (seq, case_id, programme, trigger, from_state, to_state, effective_on,
                           recorded_at, actor, role, reason, clause, payload, prev_hash, hash, office)
    VALUES (v_seq, v_case_id, v_programme, v_trigger, v_from, v_to, (v_entry->>'effective_on')::date,
            v_now, v_actor, v_entry_role, v_entry->>'reason', v_entry->>'clause',
            (v_entry->>'payload_text')::json, v_prev, v_hash, v_office);
    v_done := v_done || jsonb_build_array(jsonb_build_array(v_seq, v_hash, v_prev, v_now_text));
    v_prev := v_hash;
  END LOOP;
  IF v_locked THEN
    UPDATE audit_head SET seq = v_seq, hash = v_prev WHERE id = 1;
  END IF;

  -- Every changed case ends in the state its entries lead to, one version per entry.
  FOR v_index IN 1 .. coalesce(array_length(v_ids, 1), 0) LOOP
    v_item := p_cases->(v_index - 1);
    IF coalesce((v_item->>'next_due_only')::boolean, false) THEN
      CONTINUE;
    END IF;
    IF v_counts[v_index] = 0 THEN
      RAISE EXCEPTION 'case % would change without an audit entry', v_ids[v_index] USING ERRCODE = '{refused}';
    END IF;
    IF v_states[v_index] IS DISTINCT FROM (v_item->'row'->>'state') THEN
      RAISE EXCEPTION 'case %: its entries lead to %, not to the state written (%)', v_ids[v_index],
        v_states[v_index], v_item->'row'->>'state' USING ERRCODE = '{refused}';
    END IF;
    IF NOT v_new[v_index] THEN
      IF v_defs[v_index] IS DISTINCT FROM (v_item->'row'->>'definition_version') THEN
        RAISE EXCEPTION 'case %: its definition version changes only by a migration', v_ids[v_index]
          USING ERRCODE = '{refused}';
      END IF;
      v_versions[v_index] := v_versions[v_index] + v_counts[v_index];
      UPDATE cases SET version = v_versions[v_index] WHERE id = v_ids[v_index];
    END IF;
  END LOOP;
  RETURN jsonb_build_object('ids', to_jsonb(v_ids), 'versions', to_jsonb(v_versions), 'entries', v_done);
END $$"""


def _policies(connection: Connection, table: str, condition: str, *, writable: bool = False) -> list[str]:
    """Row-level security on `table`: rows are read where `condition` holds; with `writable`
    (rows a group may write, like the compliance run's actions), written only where it holds
    too. The owner, who writes through the functions, is not subject to it."""
    if connection.execute(text("SELECT to_regclass(:t)"), {"t": table}).scalar() is None:
        return []
    scope = f"FOR ALL USING ({condition}) WITH CHECK ({condition})" if writable else f"FOR SELECT USING ({condition})"
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS office_scope ON {table}",
        f"CREATE POLICY office_scope ON {table} {scope}",
    ]


def install_guard(connection: Connection, schema: str, groups: dict[str, str]) -> None:
    """Create (or replace) the functions and policies in `schema`, and let the groups call
    the functions. Run by init, as the installer, after the migrations."""
    from psycopg import sql

    # The only name put into the functions' text: the schema of their fixed search_path, quoted
    # as an identifier by the driver; inside, current_schema() is that schema.
    quoted = sql.Identifier(schema).as_string(None)
    names = {
        "schema": quoted,
        "refused": REFUSED_STATE,
        "conflict": CONFLICT_STATE,
        "head_missing": HEAD_MISSING_STATE,
        "notes": _text_array(NOTE_TRIGGERS),
        "caseless": _text_array(CASELESS_TRIGGERS),
    }
    raw = connection.connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        for template in (_SESSION_ROLE, _VISIBLE_OFFICES, _CASE_OFFICE, _CHAIN_LINKS, _LOCK_CASES, _DEFINE, _WRITE):
            cursor.execute(template.format(**names).encode())
        # Table names below are the module's constants, never user text.
        mine = "office IN (SELECT unnest(lifecycle_visible_offices()))"
        statements = [s for table in OFFICE_TABLES for s in _policies(connection, table, mine)]
        statements += [
            s
            for table in CASE_TABLES
            if _has_column(connection, table, "case_id")
            for s in _policies(connection, table, "case_id IS NULL OR case_id IN (SELECT id FROM cases)", writable=True)
        ]
        statements += [
            s
            for table, (column, parent) in CHILD_TABLES.items()
            if _has_column(connection, table, column)
            for s in _policies(connection, table, f"{column} IN (SELECT id FROM {parent})", writable=True)
        ]
        statements += [
            s
            for table, column in USER_TABLES.items()
            if _has_column(connection, table, column)
            for s in _policies(connection, table, f"{column} IN (SELECT name FROM users WHERE {mine})", writable=True)
        ]
        for statement in statements:
            cursor.execute(statement.encode())
        everyone = sql.SQL(", ").join(sql.Identifier(g) for g in groups.values())
        for function in (
            "lifecycle_session_role()",
            "lifecycle_visible_offices()",
            "lifecycle_case_office(integer)",
            "lifecycle_chain_links()",
            "lifecycle_lock_cases(integer[])",
            "lifecycle_define(text, text, text, jsonb)",
            "lifecycle_write(jsonb, jsonb)",
        ):
            cursor.execute(sql.SQL("REVOKE ALL ON FUNCTION {} FROM PUBLIC").format(sql.SQL(function)))
            cursor.execute(sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(sql.SQL(function), everyone))
    finally:
        cursor.close()


def _text_array(values: tuple[str, ...]) -> str:
    """An SQL text array of the module's constants (plain words, checked here)."""
    assert all(v.replace("_", "").isalnum() for v in values)
    return "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]::text[]"


def _has_column(connection: Connection, table: str, column: str) -> bool:
    return (
        connection.execute(
            text(
                "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name = :t AND column_name = :c"
            ),
            {"t": table, "c": column},
        ).first()
        is not None
    )


def moves_of(programme: Any) -> list[dict[str, Any]]:
    """The legal moves of a programme version, as `programme_moves` keeps them: opening a case
    (`create`, from no state) in each initial state, every route of every trigger from each of
    its source states, and each state (`$state`) a migration may map a case to."""
    definition = programme.definition
    initial = definition.initial
    starts = [initial.state] if initial.state else sorted(set((initial.states or {}).values()))
    # Designations made before the policy (`initial.existing`) are opened in their own state.
    if initial.existing is not None and initial.existing.state not in starts:
        starts.append(initial.existing.state)
    moves = [{"trigger": "create", "from_state": None, "to_state": s, "roles": "admin"} for s in starts]
    seen: set[tuple[str, str, str, str]] = set()
    for name, trigger in definition.triggers.items():
        roles = ",".join(trigger.by)
        for route in trigger.routes:
            for source in programme.expand(route.sources):
                for dest, _conditions in programme._destinations(route, source):
                    key = (name, source, dest or source, roles)
                    if key not in seen:
                        seen.add(key)
                        moves.append(
                            {"trigger": name, "from_state": source, "to_state": dest or source, "roles": roles}
                        )
    moves += [{"trigger": "$state", "from_state": None, "to_state": s, "roles": ""} for s in definition.states]
    return moves


def define(connection: Connection, programme: Any, content: str) -> bool:
    """Record a definition version and its legal moves (PostgreSQL), once; True if recorded now."""
    import json

    result = connection.execute(
        text("SELECT lifecycle_define(:version, :code, :content, CAST(:moves AS jsonb))"),
        {
            "version": programme.version,
            "code": programme.code,
            "content": content,
            "moves": json.dumps(moves_of(programme)),
        },
    ).scalar()
    return bool(result)


def stored_without_moves(connection: Connection) -> list[tuple[str, str]]:
    """(version, text) of stored definition versions whose moves are not recorded yet (a
    database made before 0008): init records them."""
    return [
        (v, c)
        for v, c in connection.execute(
            text(
                "SELECT d.version, d.content FROM programme_definitions d WHERE NOT EXISTS "
                "(SELECT 1 FROM programme_moves m WHERE m.version = d.version) ORDER BY d.version"
            )
        )
    ]


def record_stored_moves(connection: Connection, load: Callable[[str, str], Any]) -> None:
    """Record the legal moves of definition versions stored before the database checked them
    (0008); `load(text, version)` reads a stored text as a programme."""
    for version, content in stored_without_moves(connection):
        programme = load(content, version)
        if programme.version == version:
            define(connection, programme, content)

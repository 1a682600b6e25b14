"""The first screen: cases by programme × state, what is overdue and what falls due soon.

Every number is a cell of a table: choosing it (enter or a click) opens the case
list filtered to exactly the cases it counts.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from lifecycle.services.filters import CaseFilter
from lifecycle.services.read_models.worklist import HORIZONS, Overview, horizon_filter
from lifecycle.tui.footer import Footer
from lifecycle.tui.loading import SlowLoading
from lifecycle.tui.text import joined, literal, named
from lifecycle.tui.words import N_, _

#: Words the services give as codes, shown in the user's language: a run's outcome, a plan
#: target's status, a role.
CODES = (
    N_("completed"),
    N_("failed"),
    N_("running"),
    N_("interrupted"),
    N_("declined"),
    N_("baseline"),
    N_("unknown"),
    N_("met"),
    N_("missed"),
    N_("open"),
    N_("admin"),
    N_("auditor"),
)


class DashboardScreen(Screen[None]):
    HELP = "dashboard"
    AUTO_FOCUS = "#states"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reload", N_("Reload")),
        Binding("enter", "drill", N_("Show cases"), show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.slow = SlowLoading()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="heading", classes="title")
        yield Static("", id="role-note", classes="note")
        with Horizontal(id="dash-tables"):
            yield DataTable(id="states", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="due", cursor_type="cell", zebra_stripes=True)
        # The plan's counts (国家技术转移机构: 420 in 2020, 500 by 2025), shown only when the
        # register holds cases of a programme that carries them.
        yield DataTable(id="targets", cursor_type="row", zebra_stripes=True)
        # The ministry's view: the cases of each office seen, rolled up the tree (shown when
        # the viewer sees more than one office).
        yield DataTable(id="offices", cursor_type="row", zebra_stripes=True)
        yield Static(id="compliance", classes="note")
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Dashboard")
        states = self.query_one("#states", DataTable)
        # Widths set up front, from the definitions: the rows arrive from a worker after the
        # first paint, and a programme code or a state's two names must never be cut.
        app: Any = self.app
        programmes = app.lifecycle.catalogue.all()
        code_width = max([cell_len(_("programme")), *(cell_len(p.code) for p in programmes)])
        state_width = max(
            [
                cell_len(_("state 状态")),
                *(cell_len(named(s.zh, s.en)) for p in programmes for s in p.definition.states.values()),
            ]
        )
        states.add_column(_("programme"), width=code_width)
        states.add_column(_("state 状态"), width=state_width)
        states.add_column(_("cases"))
        due = self.query_one("#due", DataTable)
        due.add_column(_("programme"), width=code_width)
        due.add_columns(_("overdue"), *[_("≤{days}d").format(days=days) for days in HORIZONS], _("all"))
        targets = self.query_one("#targets", DataTable)
        targets.add_column(_("programme"), width=18)
        targets.add_columns(_("designated now"), _("plan"), _("status"), _("clause"), _("the plan's words 规划"))
        targets.display = False
        offices = self.query_one("#offices", DataTable)
        offices.add_column("office 单位", width=34)
        offices.add_columns("cases", "with sub-offices", "overdue")
        offices.display = False

    def on_screen_resume(self) -> None:
        # Each time the dashboard comes back (after acting on cases, after a compliance run
        # from another terminal), its numbers are read again: the first time too.
        self.action_reload()

    def action_reload(self) -> None:
        app: Any = self.app
        self.query_one("#heading", Static).update(
            joined(_("Dashboard · as of {day} · ").format(day=app.today.isoformat()), literal(app.user))
        )
        for table in self.query(DataTable):
            self.slow.start(table)
        self.load()

    @work(thread=True, exclusive=True, group="dashboard")
    def load(self) -> None:
        from lifecycle.services.decisions import acting_as
        from lifecycle.services.read_models.worklist import overview

        app: Any = self.app
        try:
            actor, refusal = acting_as(app.lifecycle, app.user)
            data = overview(app.lifecycle, app.today)
            labels = {p.code: p for p in app.lifecycle.catalogue.all()}
            compliance = last_compliance_text(app.lifecycle) + decisions_due_text(app.lifecycle)
        except Exception as error:
            app.call_from_thread(self.failed, error)
            return
        app.call_from_thread(self.show, actor, refusal, data, labels, compliance)

    def failed(self, error: Exception) -> None:
        for table in self.query(DataTable):
            self.slow.stop(table)
        self.query_one("#compliance", Static).update(
            literal(_("Could not load: {error}").format(error=error), "bold red")
        )

    def show(
        self, actor: Any, refusal: str | None, data: Overview, programmes: dict[str, Any], compliance: str
    ) -> None:
        app: Any = self.app
        app.acting(actor, refusal)
        self.query_one("#heading", Static).update(
            joined(
                _("Dashboard · as of {day} · ").format(day=data.as_of.isoformat()),
                literal(app.user),
                f" ({_(app.role) if app.role else _('cannot act')})",
            )
        )
        self.query_one("#role-note", Static).update(literal(app.read_only_reason() or ""))
        states = self.query_one("#states", DataTable)
        states.clear()
        for code, counts in sorted(data.by_state.items()):
            programme = programmes.get(code)
            for state, count in counts.items():
                definition = programme.definition.states.get(state) if programme else None
                label = named(definition.zh, definition.en) if definition else state
                states.add_row(literal(code), literal(label), count, key=f"{code}\t{state}")
        due = self.query_one("#due", DataTable)
        due.clear()
        for code in sorted(data.by_state):
            total = sum(data.by_state[code].values())
            due.add_row(
                literal(code),
                data.overdue.get(code, 0),
                *[data.due_within[days].get(code, 0) for days in HORIZONS],
                total,
                key=code,
            )
        targets = self.query_one("#targets", DataTable)
        targets.clear()
        for index, target in enumerate(data.targets):
            plan = f"{'>' if target.comparison == 'more_than' else ''}{target.count} ({target.year})"
            status = (
                _(target.status)
                if not target.remaining
                else _("{status}: {remaining} to go").format(status=_(target.status), remaining=target.remaining)
            )
            clause = (target.clause or "—") + (" [default]" if target.default else "")
            targets.add_row(
                literal(target.programme),
                target.designated,
                literal(plan),
                literal(status),
                literal(clause),
                literal(target.zh),
                key=f"{target.programme}\t{index}",
            )
        targets.display = bool(data.targets)
        offices = self.query_one("#offices", DataTable)
        offices.clear()
        for row in data.by_office:
            offices.add_row(
                literal("  " * row["level"] + f"{row['code']} {row['name']}"),
                row["cases"],
                row["cases_with_sub_offices"],
                row["overdue_with_sub_offices"],
                key=row["code"],
            )
        offices.display = bool(data.by_office)
        for table in (states, due, targets, offices):
            self.slow.stop(table)
        # One line per part (the last run, the decisions due): a newline is a line break, not `\x0a`.
        self.query_one("#compliance", Static).update(Text("\n").join(literal(line) for line in compliance.split("\n")))

    # -- drilling down -------------------------------------------------------------
    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "targets" and event.row_key.value is not None:
            code = event.row_key.value.split("\t")[0]
            self.app_cases(CaseFilter(programme=code), _("{programme}: all cases").format(programme=code))
            return
        if event.data_table.id != "states" or event.row_key.value is None:
            return
        code, state = event.row_key.value.split("\t")
        self.app_cases(
            CaseFilter(programme=code, state=state), _("{programme} in {state}").format(programme=code, state=state)
        )

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        if event.data_table.id != "due" or event.cell_key.row_key.value is None:
            return
        code = event.cell_key.row_key.value
        column = event.coordinate.column
        app: Any = self.app
        if column == 1:
            due_from, due_before = horizon_filter(app.today, None)
            self.app_cases(
                CaseFilter(programme=code, due_from=due_from, due_before=due_before),
                _("{programme}: overdue").format(programme=code),
            )
        elif 2 <= column < 2 + len(HORIZONS):
            days = HORIZONS[column - 2]
            due_from, due_before = horizon_filter(app.today, days)
            self.app_cases(
                CaseFilter(programme=code, due_from=due_from, due_before=due_before),
                _("{programme}: due within {days} days").format(programme=code, days=days),
            )
        else:
            self.app_cases(CaseFilter(programme=code), _("{programme}: all cases").format(programme=code))

    def action_drill(self) -> None:
        focused = self.focused
        if isinstance(focused, DataTable):
            focused.action_select_cursor()

    def app_cases(self, criteria: CaseFilter, title: str) -> None:
        app: Any = self.app
        app.open_cases(criteria, title)


def decisions_due_text(lifecycle: Any) -> str:
    """How many decisions due wait for an administrator, by programme (k opens them)."""
    from lifecycle.services.decisions_due import open_counts

    counts = open_counts(lifecycle)
    if not counts:
        return "\n" + _("Decisions due: none open.")
    by = ", ".join(f"{code} {n}" for code, n in sorted(counts.items()))
    return "\n" + _("Decisions due: {count} open ({by}) — k lists them.").format(
        count=f"{sum(counts.values()):,}", by=by
    )


def last_compliance_text(lifecycle: Any) -> str:
    """The last compliance run and what it did, from the runs the database records."""
    from lifecycle.services.read_models.compliance_runs import run_history

    runs = run_history(lifecycle, 1)
    if not runs:
        return _("Compliance runs: none yet (p previews what one would do).")
    run = runs[0]
    counts = run.counts or {}
    started = (run.started_at or "")[:16].replace("T", " ")
    what = (
        _("{actions} action(s) on {cases} case(s), {refused} refused").format(
            actions=f"{counts.get('actions', 0):,}",
            cases=f"{counts.get('cases_changed', 0):,}",
            refused=f"{counts.get('refused', 0):,}",
        )
        if counts
        else ""
    )
    by_rule = ", ".join(f"{rule} {n}" for rule, n in (counts.get("by_rule") or {}).items())
    text = _("Last compliance run #{id}: {outcome}, as of {day}, started {started} UTC by {user} ({source})").format(
        id=run.id, outcome=_(run.outcome), day=run.as_of, started=started, user=run.invoked_by, source=run.source
    )
    if what:
        text += f": {what}"
    if by_rule:
        text += f" — {by_rule}"
    if run.error:
        text += f". {run.error}"
    return text + "."

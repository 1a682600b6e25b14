"""All cases, one page at a time from SQL: filters, sort, the next thing due for each."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Select, Static
from textual.worker import get_current_worker

from lifecycle.services.filters import CaseFilter
from lifecycle.services.read_models.worklist import PAGE_SIZE, CaseLine, Page
from lifecycle.tui.fitting import Column, FittedTable
from lifecycle.tui.footer import Footer
from lifecycle.tui.loading import SlowLoading
from lifecycle.tui.text import joined, literal, named, named_text
from lifecycle.tui.words import N_, _

SORT_CHOICES = [
    (N_("next due"), "next_due"),
    (N_("name"), "name"),
    (N_("last change"), "last_change"),
    (N_("number"), "id"),
]
#: What an administrator scans for first is kept first: in 80 columns the number, the name,
#: the next due day and the programme; the rest is on the line under the table.
COLUMNS = [
    Column("id", "#", 0),
    Column("name", N_("name 名称"), 1),
    Column("programme", N_("programme"), 3),
    Column("state", N_("state 状态"), 4),
    Column("due", N_("next due"), 2),
    Column("trigger", N_("due for"), 5),
    Column("province", N_("province"), 6),
    Column("since", N_("since"), 7),
]


#: The heading of the list without a filter.
ALL = N_("all cases")


class CaseListScreen(Screen[None]):
    HELP = "case-list"
    AUTO_FOCUS = "#cases"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", N_("Search")),
        Binding("n,pagedown", "next_page", N_("Next page")),
        Binding("b,pageup", "previous_page", N_("Prev page")),
        Binding("r", "reload", N_("Reload")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self, criteria: CaseFilter, title: str | None = None) -> None:
        super().__init__()
        self.slow = SlowLoading()
        self.criteria = criteria
        self.heading = title or ALL
        self.sort = "next_due"
        self.start = 0
        self.page: Page | None = None
        self.lines: dict[str, CaseLine] = {}

    def compose(self) -> ComposeResult:
        app: Any = self.app
        codes = app.lifecycle.catalogue.codes()
        yield Header()
        yield Static(id="heading", classes="title")
        with Horizontal(classes="filters"):
            yield Select(
                [(code, code) for code in codes],
                prompt=_("programme"),
                id="programme",
                value=self.criteria.programme or Select.NULL,
                compact=True,
            )
            yield Select(
                self._state_options(self.criteria.programme),
                prompt=_("state"),
                id="state",
                value=self.criteria.state or Select.NULL,
                compact=True,
            )
            yield Input(self.criteria.province or "", placeholder=_("province"), id="province", compact=True)
            yield Input(self.criteria.text or "", placeholder=_("name contains  (/)"), id="text", compact=True)
            yield Select(
                [(_(label), value) for label, value in SORT_CHOICES],
                value=self.sort,
                allow_blank=False,
                id="sort",
                compact=True,
            )
        yield DataTable(id="cases", cursor_type="row", zebra_stripes=True)
        yield Static(id="case-detail", classes="detail")
        yield Static(id="pager")
        yield Footer()

    def _state_options(self, code: str | None) -> list[tuple[str, str]]:
        app: Any = self.app
        programmes = [app.lifecycle.catalogue.current(code)] if code else app.lifecycle.catalogue.all()
        options: dict[str, str] = {}
        for programme in programmes:
            for name, state in programme.definition.states.items():
                options.setdefault(name, named(state.zh, state.en) if code else name)
        return [(label, name) for name, label in options.items()]

    def on_mount(self) -> None:
        self.title = _("Cases")
        self.fitted = FittedTable(self.query_one("#cases", DataTable), COLUMNS)
        self._heading()
        self.reload()

    def on_resize(self, event: Any) -> None:
        self.call_after_refresh(self.fitted.refit)

    # -- filters --------------------------------------------------------------------
    def on_select_changed(self, event: Select.Changed) -> None:
        value = None if event.value is Select.NULL else str(event.value)
        if event.select.id == "programme" and value != self.criteria.programme:
            state = self.query_one("#state", Select)
            self.criteria = replace(self.criteria, programme=value, state=None)
            with self.prevent(Select.Changed):
                state.set_options(self._state_options(value))
        elif event.select.id == "state" and value != self.criteria.state:
            self.criteria = replace(self.criteria, state=value)
        elif event.select.id == "sort" and value and value != self.sort:
            self.sort = value
        else:
            return
        self.start = 0
        self.reload()

    def on_input_changed(self, event: Input.Changed) -> None:
        value = event.value.strip() or None
        if event.input.id == "text" and value != self.criteria.text:
            self.criteria = replace(self.criteria, text=value)
        elif event.input.id == "province" and value != self.criteria.province:
            self.criteria = replace(self.criteria, province=value)
        else:
            return
        self.start = 0
        self.reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#cases", DataTable).focus()

    def action_focus_search(self) -> None:
        self.query_one("#text", Input).focus()

    # -- paging ---------------------------------------------------------------------
    def action_next_page(self) -> None:
        page = self.page
        if page is not None and (page.last < page.total or (page.total < 0 and page.lines)):
            self.start += PAGE_SIZE
            self.reload()

    def action_previous_page(self) -> None:
        if self.start > 0:
            self.start = max(0, self.start - PAGE_SIZE)
            self.reload()

    def action_reload(self) -> None:
        self.reload()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()

    def reload(self) -> None:
        self.slow.start(self.query_one("#cases", DataTable))
        self.load(self.criteria, self.sort, self.start)

    @work(thread=True, exclusive=True, group="case-list")
    def load(self, criteria: CaseFilter, sort: str, offset: int) -> None:
        from lifecycle.services.read_models.worklist import find_cases

        app: Any = self.app
        try:
            page = find_cases(app.lifecycle, criteria, sort=sort, offset=offset, count=False)
        except Exception as error:
            if not get_current_worker().is_cancelled:
                app.call_from_thread(self.failed, error)
            return
        if not get_current_worker().is_cancelled:
            app.call_from_thread(self.show, page)
        if page.total < 0 and not get_current_worker().is_cancelled:
            self.count(criteria, page)

    @work(thread=True, exclusive=True, group="case-count")
    def count(self, criteria: CaseFilter, page: Page) -> None:
        """The pager's total, after the page is on screen (counting may scan every case)."""
        from lifecycle.services.read_models.worklist import count_cases

        app: Any = self.app
        try:
            total = count_cases(app.lifecycle, criteria)
        except Exception as error:
            app.call_from_thread(self.failed, error)
            return
        if not get_current_worker().is_cancelled:
            app.call_from_thread(self.counted, page, total)

    def counted(self, page: Page, total: int) -> None:
        if self.page is page:
            self.page = replace(page, total=total)
            self._pager()

    def failed(self, error: Exception) -> None:
        self.slow.stop(self.query_one("#cases", DataTable))
        self.query_one("#pager", Static).update(literal(str(error), "bold red"))

    def show(self, page: Page) -> None:
        app: Any = self.app
        self.page = page
        table = self.query_one("#cases", DataTable)
        self.lines = {str(line.id): line for line in page.lines}
        rows = []
        for line in page.lines:
            due, trigger = Text("—"), Text("")
            if line.next_due is not None:
                late = line.next_due.on < app.today
                due = Text(line.next_due.on.isoformat(), "bold red" if late else "")
                trigger = Text(line.next_due.trigger, "dim")
            rows.append(
                (
                    str(line.id),
                    {
                        "id": line.id,
                        "name": literal(line.name),
                        "programme": literal(line.programme),
                        "state": named_text(line.state_zh, line.state_en),
                        "due": due,
                        "trigger": trigger,
                        "province": literal(line.province or ""),
                        "since": line.state_since.isoformat(),
                    },
                )
            )
        self.fitted.show(rows)
        self.slow.stop(table)
        if not page.lines:
            self.query_one("#case-detail", Static).update("")
        self._heading()
        self._pager()

    def _heading(self) -> None:
        """What the list shows: every filter in force (or all cases), and the sort."""
        app: Any = self.app
        parts = describe_filter(self.criteria, app.today, app.lifecycle.catalogue)
        heading = joined(
            (_("Cases · "), "bold"),
            literal(" · ".join(parts) if parts else _(ALL), "bold yellow" if parts else "bold"),
        )
        if self.heading != ALL and not parts:
            heading.append(f" ({self.heading})")
        sort = _(dict((v, k) for k, v in SORT_CHOICES)[self.sort])
        heading.append(" · " + _("sorted by {sort}").format(sort=sort))
        self.query_one("#heading", Static).update(heading)
        self.sub_title = " · ".join(parts) if parts else _(ALL)  # in the header bar too

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        line = self.lines.get(str(event.row_key.value))
        if line is not None:
            self.query_one("#case-detail", Static).update(line_detail(line, self.app))

    def _pager(self) -> None:
        page = self.page
        if page is None:
            return
        if page.total == 0:
            pager = _("No case matches these filters.")
        else:
            total = f"{page.total:,}" if page.total >= 0 else _("… (counting)")
            pager = _("{first}–{last} of {total}  ·  n/PgDn next page  ·  b/PgUp previous  ·  enter opens").format(
                first=page.offset + 1, last=page.last, total=total
            )
        self.query_one("#pager", Static).update(pager)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """A click on a column's header sorts by it, where the list can sort by it."""
        sort = {"id": "id", "name": "name", "due": "next_due"}.get(str(event.column_key.value))
        if sort is not None:
            self.query_one("#sort", Select).value = sort

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            app: Any = self.app
            app.open_case(int(event.row_key.value))


def describe_filter(criteria: CaseFilter, today: Any, catalogue: Any) -> list[str]:
    """The filters in force, in words: national-tic · 绩效评估 performance evaluation · overdue."""
    parts = []
    if criteria.programme:
        parts.append(criteria.programme)
    if criteria.state:
        state = None
        if criteria.programme:
            state = catalogue.current(criteria.programme).definition.states.get(criteria.state)
        parts.append(named(state.zh, state.en) if state else _("state {state}").format(state=criteria.state))
    if criteria.province:
        parts.append(_("province {province}").format(province=criteria.province))
    if criteria.text:
        parts.append(_("name contains {text}").format(text=criteria.text))
    if criteria.due_from is None and criteria.due_before is not None:
        parts.append(
            _("overdue") if criteria.due_before == today else _("due before {day}").format(day=criteria.due_before)
        )
    elif criteria.due_from is not None and criteria.due_before is not None:
        last = criteria.due_before.fromordinal(criteria.due_before.toordinal() - 1)
        parts.append(_("due {first} to {last}").format(first=criteria.due_from, last=last))
    elif criteria.due_from is not None:
        parts.append(_("due from {day}").format(day=criteria.due_from))
    return parts


def line_detail(line: CaseLine, app: Any) -> Text:
    """The highlighted case in full, on the line under the table (what the columns leave out)."""
    text = joined(
        (f"#{line.id} ", "bold"),
        literal(line.name, "bold"),
        " · ",
        literal(line.programme),
        " · ",
        named_text(line.state_zh, line.state_en),
        (" " + _("since") + " ", "dim"),
        line.state_since.isoformat(),
    )
    if line.province:
        text.append(" · ", "dim")
        text.append(line.province)
    if line.next_due is not None:
        late = line.next_due.on < app.today
        text.append("\n" + _("next due") + " ", "dim")
        text.append(line.next_due.on.isoformat(), "bold red" if late else "bold")
        text.append(f" {line.next_due.trigger}: {line.next_due.rule}")
        if late:
            text.append("  (" + _("overdue") + ")", "red")
    else:
        text.append("\n" + _("nothing due"), "dim")
    return text

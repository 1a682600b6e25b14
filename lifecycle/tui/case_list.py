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
from textual.widgets import DataTable, Footer, Header, Input, Select, Static
from textual.worker import get_current_worker

from lifecycle.persistence.case_search import CaseFilter
from lifecycle.services.read_models.worklist import PAGE_SIZE, Page
from lifecycle.tui.loading import SlowLoading
from lifecycle.tui.text import joined, literal

SORT_CHOICES = [("next due", "next_due"), ("name", "name"), ("last change", "last_change"),
                ("number", "id")]


class CaseListScreen(Screen[None]):
    AUTO_FOCUS = "#cases"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", "Search"),
        Binding("n,pagedown", "next_page", "Next page"),
        Binding("b,pageup", "previous_page", "Prev page"),
        Binding("r", "reload", "Reload"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, criteria: CaseFilter, title: str | None = None) -> None:
        super().__init__()
        self.slow = SlowLoading()
        self.criteria = criteria
        self.heading = title or "all cases"
        self.sort = "next_due"
        self.start = 0
        self.page: Page | None = None

    def compose(self) -> ComposeResult:
        app: Any = self.app
        codes = app.lifecycle.catalogue.codes()
        yield Header()
        yield Static(id="heading", classes="title")
        with Horizontal(classes="filters"):
            yield Select([(code, code) for code in codes], prompt="programme", id="programme",
                         value=self.criteria.programme or Select.NULL, compact=True)
            yield Select(self._state_options(self.criteria.programme), prompt="state", id="state",
                         value=self.criteria.state or Select.NULL, compact=True)
            yield Input(self.criteria.province or "", placeholder="province", id="province", compact=True)
            yield Input(self.criteria.text or "", placeholder="name contains  (/)", id="text", compact=True)
            yield Select(SORT_CHOICES, value=self.sort, allow_blank=False, id="sort", compact=True)
        yield DataTable(id="cases", cursor_type="row", zebra_stripes=True)
        yield Static(id="pager")
        yield Footer()

    def _state_options(self, code: str | None) -> list[tuple[str, str]]:
        app: Any = self.app
        programmes = [app.lifecycle.catalogue.current(code)] if code else app.lifecycle.catalogue.all()
        options: dict[str, str] = {}
        for programme in programmes:
            for name, state in programme.definition.states.items():
                options.setdefault(name, f"{state.zh} {state.en}" if code else name)
        return [(label, name) for name, label in options.items()]

    def on_mount(self) -> None:
        self.title = "Cases"
        table = self.query_one("#cases", DataTable)
        # What an administrator scans for first comes first: narrow terminals cut the right.
        table.add_column("#", key="id")
        table.add_column("name 名称", key="name")
        table.add_column("state 状态", key="state")
        table.add_column("next due", key="due")
        table.add_column("programme", key="programme")
        table.add_column("province", key="province")
        table.add_column("since", key="since")
        self.reload()

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
        table.clear()
        for line in page.lines:
            due = Text("—")
            if line.next_due is not None:
                late = line.next_due.on < app.today
                due = joined((line.next_due.on.isoformat(), "bold red" if late else ""), " ",
                             (line.next_due.trigger, "dim"))
            table.add_row(line.id, literal(line.name), joined((line.state_zh, "bold"), " ", line.state_en),
                          due, literal(line.programme), literal(line.province or ""),
                          line.state_since.isoformat(), key=str(line.id))
        self.slow.stop(table)
        self.query_one("#heading", Static).update(joined(
            "Cases · ", literal(self.heading), f" · sorted by {dict((v, k) for k, v in SORT_CHOICES)[self.sort]}"))
        self._pager()

    def _pager(self) -> None:
        page = self.page
        if page is None:
            return
        if page.total == 0:
            pager = "No case matches these filters."
        else:
            total = f"{page.total:,}" if page.total >= 0 else "… (counting)"
            pager = (f"{page.offset + 1}–{page.last} of {total}"
                     "  ·  n/PgDn next page  ·  b/PgUp previous  ·  enter opens")
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

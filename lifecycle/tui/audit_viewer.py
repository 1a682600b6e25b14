"""The audit log: filters (case, programme, actor, date range), the chain's verification
status, and export of exactly the filtered view to a CSV or JSON-lines file."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Select, Static
from textual.worker import get_current_worker

from lifecycle.persistence.repositories import AuditFilter
from lifecycle.services.read_models.audit_views import EXPORT_FORMATS, AuditPage
from lifecycle.tui.loading import SlowLoading
from lifecycle.tui.text import joined, literal

PAGE = 100


class AuditScreen(Screen[None]):
    AUTO_FOCUS = "#entries"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n,pagedown", "next_page", "Next page"),
        Binding("b,pageup", "previous_page", "Prev page"),
        Binding("v", "verify", "Verify chain"),
        Binding("x", "export", "Export view"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, case_id: int | None = None) -> None:
        super().__init__()
        self.slow = SlowLoading()
        self.initial_case = case_id
        self.start = 0
        self.page: AuditPage | None = None
        self.where = AuditFilter(case_id=case_id)
        self.filter_problem: str | None = None

    def compose(self) -> ComposeResult:
        app: Any = self.app
        yield Header()
        yield Static("Audit log", id="heading", classes="title")
        with Horizontal(classes="filters"):
            yield Input(str(self.initial_case or ""), placeholder="case #", id="case", type="integer",
                        compact=True)
            yield Select([(c, c) for c in app.lifecycle.catalogue.codes()], prompt="programme",
                         id="programme", compact=True)
            yield Input(placeholder="actor", id="actor", compact=True)
            yield Input(placeholder="since YYYY-MM-DD", id="since", compact=True)
            yield Input(placeholder="until YYYY-MM-DD", id="until", compact=True)
        yield Static("Chain: not verified yet (v verifies)", id="chain", classes="note")
        yield DataTable(id="entries", cursor_type="row", zebra_stripes=True)
        yield Static(id="pager")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Audit log"
        self.query_one("#entries", DataTable).add_columns(
            "#", "case", "programme", "effective", "trigger", "from → to", "actor", "clause", "reason")
        self.reload()
        self.action_verify()

    # -- filters ------------------------------------------------------------------------
    def _read_filters(self) -> AuditFilter | None:
        from lifecycle.domain.dates import parse_date

        def text(widget_id: str) -> str | None:
            return self.query_one(f"#{widget_id}", Input).value.strip() or None

        programme = self.query_one("#programme", Select).value
        case = text("case")
        days = {}
        for name in ("since", "until"):
            value = text(name)
            try:
                days[name] = parse_date(value) if value else None
            except ValueError as error:
                self.filter_problem = f"{name}: {error}"
                return None
        self.filter_problem = None
        return AuditFilter(case_id=int(case) if case and case.isdigit() else None,
                           programme=None if programme is Select.NULL else str(programme),
                           actor=text("actor"), since=days["since"], until=days["until"])

    def on_input_changed(self, event: Input.Changed) -> None:
        self._filters_changed()

    def on_select_changed(self, event: Select.Changed) -> None:
        self._filters_changed()

    def _filters_changed(self) -> None:
        where = self._read_filters()
        if where is None:
            self.query_one("#pager", Static).update(literal(self.filter_problem, "bold red"))
            return
        if where != self.where:
            self.where, self.start = where, 0
            self.reload()

    # -- paging -------------------------------------------------------------------------
    def action_next_page(self) -> None:
        if self.page is not None and self.start + len(self.page.entries) < self.page.total:
            self.start += PAGE
            self.reload()

    def action_previous_page(self) -> None:
        if self.start:
            self.start = max(0, self.start - PAGE)
            self.reload()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()

    def reload(self) -> None:
        self.slow.start(self.query_one("#entries", DataTable))
        self.load(self.where, self.start)

    @work(thread=True, exclusive=True, group="audit-page")
    def load(self, where: AuditFilter, offset: int) -> None:
        from lifecycle.services.read_models.audit_views import audit_page

        app: Any = self.app
        try:
            page = audit_page(app.lifecycle, where, offset=offset, limit=PAGE)
        except Exception as error:
            if not get_current_worker().is_cancelled:
                app.call_from_thread(self.failed, error)
            return
        if not get_current_worker().is_cancelled:
            app.call_from_thread(self.show, page)

    def failed(self, error: Exception) -> None:
        self.slow.stop(self.query_one("#entries", DataTable))
        self.query_one("#pager", Static).update(literal(str(error), "bold red"))

    def show(self, page: AuditPage) -> None:
        self.page = page
        table = self.query_one("#entries", DataTable)
        table.clear()
        for e in page.entries:
            table.add_row(e.seq, e.case_id or "", literal(e.programme or ""), e.effective_on.isoformat(),
                          literal(e.trigger), literal(f"{e.from_state or '∅'} → {e.to_state or '∅'}"),
                          literal(f"{e.actor} ({e.role})"), literal(e.clause or ""), literal(e.reason or ""),
                          key=str(e.seq))
        self.slow.stop(table)
        if page.total == 0:
            pager = "No entry matches these filters."
        else:
            pager = (f"{page.offset + 1}–{page.offset + len(page.entries)} of {page.total:,}, newest first"
                     "  ·  n/b pages  ·  x exports this view")
        self.query_one("#pager", Static).update(pager)

    # -- the chain ----------------------------------------------------------------------
    def action_verify(self) -> None:
        self.query_one("#chain", Static).update(Text("Chain: verifying…", style="dim"))
        self.verify()

    @work(thread=True, exclusive=True, group="audit-verify")
    def verify(self) -> None:
        from lifecycle.services.audit import verify_log

        app: Any = self.app
        try:
            result = verify_log(app.lifecycle)
        except Exception as error:
            app.call_from_thread(self.chain, Text(f"Chain: could not verify: {error}", style="bold red"))
            return
        if result.ok:
            text = Text(f"Chain verifies: {result.entries:,} entries, head #{result.head_seq} "
                        f"{result.head_hash[:16]}…", style="green")
        else:
            text = Text(f"Chain BROKEN at entry {result.first_bad}: {result.problem}", style="bold red")
        app.call_from_thread(self.chain, text)

    def chain(self, text: Text) -> None:
        self.query_one("#chain", Static).update(text)

    # -- export -------------------------------------------------------------------------
    def action_export(self) -> None:
        self.app.push_screen(ExportScreen(self.where))


class ExportScreen(ModalScreen[None]):
    """Where to write the filtered view, and as what."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, where: AuditFilter) -> None:
        super().__init__()
        self.where = where

    def compose(self) -> ComposeResult:
        app: Any = self.app
        with Vertical(id="form"):
            yield Static("Export the filtered audit log (oldest first)", classes="title")
            yield Static(literal(describe(self.where)), classes="note")
            yield Label("Format")
            yield Select([(f, f) for f in EXPORT_FORMATS], value="csv", allow_blank=False, id="format")
            yield Label("File")
            yield Input(str(Path.cwd() / f"audit-{app.today.isoformat()}.csv"), id="path")
            yield Static("", id="outcome", classes="block")
            with Horizontal(classes="buttons"):
                yield Button("Export", id="export", variant="primary")
                yield Button("Close", id="close")

    def on_select_changed(self, event: Select.Changed) -> None:
        path = self.query_one("#path", Input)
        stem = Path(path.value)
        path.value = str(stem.with_suffix(f".{event.value}"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.export()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "export":
            self.export()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def export(self) -> None:
        path = Path(self.query_one("#path", Input).value.strip()).expanduser()
        fmt = str(self.query_one("#format", Select).value)
        self.query_one("#outcome", Static).update(Text("Writing…", style="dim"))
        self.write(path, fmt)

    @work(thread=True, exclusive=True, group="audit-export")
    def write(self, path: Path, fmt: str) -> None:
        from lifecycle.services.read_models.audit_views import export_entries

        app: Any = self.app
        try:
            count = export_entries(app.lifecycle, self.where, path, fmt)
        except Exception as error:
            app.call_from_thread(self.done, Text(str(error), style="bold red"))
            return
        app.call_from_thread(self.done, joined((f"Wrote {count:,} entries to ", "green"), literal(str(path))))

    def done(self, text: Text) -> None:
        self.query_one("#outcome", Static).update(text)


def describe(where: AuditFilter) -> str:
    parts = [f"{name.replace('_id', '')} {value}" for name, value in vars(where).items() if value is not None]
    return "Filters: " + (", ".join(parts) if parts else "none (the whole log)")

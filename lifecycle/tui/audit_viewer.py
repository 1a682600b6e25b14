"""The audit log: filters (case, programme, actor, date range), the chain's verification
status, and export of exactly the filtered view to a CSV or JSON-lines file."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Header, Input, Label, ProgressBar, Select, Static
from textual.worker import Worker, get_current_worker

from lifecycle.domain.audit import AuditEntry
from lifecycle.services.audit_export import EXPORT_FORMATS
from lifecycle.services.filters import AuditFilter
from lifecycle.services.read_models.audit_views import AuditPage
from lifecycle.tui.fitting import Column, FittedTable
from lifecycle.tui.footer import Footer
from lifecycle.tui.loading import SlowLoading
from lifecycle.tui.text import joined, literal
from lifecycle.tui.words import N_, _

PAGE = 100
#: Kept first in a narrow terminal: which entry, when, what; the highlighted entry is shown in
#: full under the table (clause, reason, payload), whatever the width.
COLUMNS = [
    Column("seq", "#", 0),
    Column("case", N_("case"), 1),
    Column("programme", N_("programme"), 7),
    Column("effective", N_("effective"), 2),
    Column("trigger", N_("trigger"), 3),
    Column("move", N_("from → to"), 4),
    Column("actor", N_("actor"), 6),
    Column("clause", N_("clause"), 5),
    Column("reason", N_("reason"), 8),
]


class AuditScreen(Screen[None]):
    HELP = "audit"
    AUTO_FOCUS = "#entries"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n,pagedown", "next_page", N_("Next page")),
        Binding("b,pageup", "previous_page", N_("Prev page")),
        Binding("v", "verify", N_("Verify chain")),
        Binding("x", "export", N_("Export view")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self, case_id: int | None = None) -> None:
        super().__init__()
        self.slow = SlowLoading()
        self.initial_case = case_id
        self.start = 0
        self.page: AuditPage | None = None
        self.where = AuditFilter(case_id=case_id)
        self.filter_problem: str | None = None
        self.entries: dict[str, AuditEntry] = {}

    def compose(self) -> ComposeResult:
        app: Any = self.app
        yield Header()
        yield Static(describe_heading(self.where), id="heading", classes="title")
        with Horizontal(classes="filters"):
            yield Input(str(self.initial_case or ""), placeholder=_("case #"), id="case", type="integer", compact=True)
            yield Select(
                [(c, c) for c in app.lifecycle.catalogue.codes()], prompt=_("programme"), id="programme", compact=True
            )
            yield Input(placeholder=_("actor"), id="actor", compact=True)
            yield Input(placeholder=_("since YYYY-MM-DD"), id="since", compact=True)
            yield Input(placeholder=_("until YYYY-MM-DD"), id="until", compact=True)
        yield Static(_("Chain: not verified yet (v verifies)"), id="chain", classes="note")
        yield DataTable(id="entries", cursor_type="row", zebra_stripes=True)
        yield VerticalScroll(Static(id="entry-detail", classes="block"), id="entry-box", classes="detail-box")
        yield Static(id="pager")
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Audit log")
        self.sub_title = heading_words(self.where)
        self.fitted = FittedTable(self.query_one("#entries", DataTable), COLUMNS)
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
                self.filter_problem = f"{_(name)}: {error}"
                return None
        self.filter_problem = None
        return AuditFilter(
            case_id=int(case) if case and case.isdigit() else None,
            programme=None if programme is Select.NULL else str(programme),
            actor=text("actor"),
            since=days["since"],
            until=days["until"],
        )

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
            self.query_one("#heading", Static).update(describe_heading(where))
            self.sub_title = heading_words(where)
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
        self.entries = {str(e.seq): e for e in page.entries}
        self.fitted.show(
            [
                (
                    str(e.seq),
                    {
                        "seq": e.seq,
                        "case": e.case_id or "",
                        "programme": literal(e.programme or ""),
                        "effective": e.effective_on.isoformat(),
                        "trigger": literal(e.trigger),
                        "move": literal(f"{e.from_state or '∅'} → {e.to_state or '∅'}"),
                        "actor": literal(f"{e.actor} ({e.role})"),
                        "clause": literal(e.clause or ""),
                        "reason": literal(e.reason or ""),
                    },
                )
                for e in page.entries
            ]
        )
        if not page.entries:
            self.query_one("#entry-detail", Static).update("")
        self.slow.stop(table)
        if page.total == 0:
            pager = _("No entry matches these filters.")
        else:
            pager = _("{first}–{last} of {total}, newest first  ·  n/b pages  ·  x exports this view").format(
                first=page.offset + 1, last=page.offset + len(page.entries), total=f"{page.total:,}"
            )
        self.query_one("#pager", Static).update(pager)

    def on_resize(self, event: Any) -> None:
        self.call_after_refresh(self.fitted.refit)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        entry = self.entries.get(str(event.row_key.value))
        if entry is not None:
            self.query_one("#entry-detail", Static).update(entry_text(entry))

    # -- the chain ----------------------------------------------------------------------
    def action_verify(self) -> None:
        self.query_one("#chain", Static).update(Text(_("Chain: verifying…"), style="dim"))
        self.verify()

    @work(thread=True, exclusive=True, group="audit-verify")
    def verify(self) -> None:
        from lifecycle.services.audit import verify_log

        app: Any = self.app
        try:
            result = verify_log(app.lifecycle)
        except Exception as error:
            app.call_from_thread(
                self.chain, Text(_("Chain: could not verify: {error}").format(error=error), style="bold red")
            )
            return
        if result.ok:
            text = Text(
                _("Chain verifies: {count} entries, head #{seq} {hash}…").format(
                    count=f"{result.entries:,}", seq=result.head_seq, hash=result.head_hash[:16]
                ),
                style="green",
            )
        else:
            text = Text(
                _("Chain BROKEN at entry {seq}: {problem}").format(seq=result.first_bad, problem=result.problem),
                style="bold red",
            )
        app.call_from_thread(self.chain, text)

    def chain(self, text: Text) -> None:
        self.query_one("#chain", Static).update(text)

    # -- export -------------------------------------------------------------------------
    def action_export(self) -> None:
        self.app.push_screen(ExportScreen(self.where, self.page.total if self.page else None))


class ExportScreen(ModalScreen[None]):
    """Where to write the filtered view, and as what; the writing shows its progress and can be
    cancelled (esc or Cancel), leaving no file behind."""

    HELP = "export"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel / close")),
        Binding("f1,question_mark", "app.help", N_("Help")),
    ]

    def __init__(self, where: AuditFilter, total: int | None = None) -> None:
        super().__init__()
        self.where = where
        self.total = total
        self.writing: Worker[None] | None = None

    def compose(self) -> ComposeResult:
        app: Any = self.app
        with Vertical(id="form"):
            yield Static(_("Export the filtered audit log (oldest first)"), classes="title")
            yield Static(literal(describe(self.where)), classes="note")
            yield Label(_("Format"))
            yield Select([(f, f) for f in EXPORT_FORMATS], value="csv", allow_blank=False, id="format")
            yield Label(_("File"))
            yield Input(str(Path.cwd() / f"audit-{app.today.isoformat()}.csv"), id="path")
            yield ProgressBar(total=self.total, id="progress", show_eta=False)
            yield Static("", id="outcome", classes="block")
            with Horizontal(classes="buttons"):
                yield Button(_("Export"), id="export", variant="primary")
                yield Button(_("Close"), id="close")

    def on_mount(self) -> None:
        self.query_one("#progress", ProgressBar).display = False

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
            self.action_cancel()

    def action_cancel(self) -> None:
        """While writing: stop, nothing is left behind; else close."""
        if self.writing is not None and self.writing.is_running:
            self.writing.cancel()
            return
        self.dismiss(None)

    def export(self) -> None:
        if self.writing is not None and self.writing.is_running:
            return
        path = Path(self.query_one("#path", Input).value.strip()).expanduser()
        fmt = str(self.query_one("#format", Select).value)
        self.query_one("#outcome", Static).update(Text(_("Writing… esc cancels"), style="dim"))
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=self.total, progress=0)
        bar.display = True
        self.query_one("#close", Button).label = _("Cancel")
        self.query_one("#export", Button).disabled = True
        self.writing = self.write(path, fmt)

    @work(thread=True, exclusive=True, group="audit-export")
    def write(self, path: Path, fmt: str) -> None:
        from lifecycle.services.audit_export import export_entries

        app: Any = self.app
        worker = get_current_worker()

        def progress(count: int) -> None:
            if worker.is_cancelled:
                raise ExportCancelled
            app.call_from_thread(self.progressed, count)

        try:
            count = export_entries(app.lifecycle, self.where, path, fmt, progress=progress)
        except ExportCancelled:
            app.call_from_thread(
                self.done, Text(_("Cancelled: nothing was written to {path}.").format(path=path), style="yellow")
            )
            return
        except Exception as error:
            app.call_from_thread(self.done, Text(str(error), style="bold red"))
            return
        app.call_from_thread(
            self.done,
            joined((_("Wrote {count} entries to ").format(count=f"{count:,}"), "green"), literal(str(path))),
            count,
        )

    def progressed(self, count: int) -> None:
        self.query_one("#progress", ProgressBar).update(progress=count)
        words = (
            _("Writing… {count} of {total} entries; esc cancels").format(count=f"{count:,}", total=f"{self.total:,}")
            if self.total is not None
            else _("Writing… {count} entries; esc cancels").format(count=f"{count:,}")
        )
        self.query_one("#outcome", Static).update(Text(words, style="dim"))

    def done(self, text: Text, count: int | None = None) -> None:
        bar = self.query_one("#progress", ProgressBar)
        if count is not None:
            bar.update(total=max(count, 1), progress=max(count, 1))
        else:
            bar.display = False
        self.query_one("#outcome", Static).update(text)
        self.query_one("#close", Button).label = _("Close")
        self.query_one("#export", Button).disabled = False


class ExportCancelled(Exception):
    """The person cancelled the export: it stops and leaves no file."""


#: The filters by name, as the heading and the export name them.
FILTER_NAMES = {
    "case_id": N_("case"),
    "programme": N_("programme"),
    "actor": N_("actor"),
    "since": N_("since"),
    "until": N_("until"),
}


def _parts(where: AuditFilter) -> list[str]:
    return [f"{_(FILTER_NAMES.get(name, name))} {value}" for name, value in vars(where).items() if value is not None]


def describe(where: AuditFilter) -> str:
    parts = _parts(where)
    return _("Filters: ") + (", ".join(parts) if parts else _("none (the whole log)"))


def heading_words(where: AuditFilter) -> str:
    """The filters in force (or the whole log), for the header bar."""
    parts = _parts(where)
    return " · ".join(parts) + " · " + _("newest first") if parts else _("the whole log, newest first")


def describe_heading(where: AuditFilter) -> Text:
    """The heading names every filter in force, so a filtered view is never taken for the log."""
    parts = _parts(where)
    if not parts:
        return joined((_("Audit log · "), "bold"), _("the whole log, newest first"))
    return joined((_("Audit log · "), "bold"), literal(" · ".join(parts), "bold yellow"), " · " + _("newest first"))


def entry_text(e: AuditEntry) -> Text:
    """One entry in full: the clause and the reason are never cut, whatever the width."""
    import json

    text = joined(
        (f"#{e.seq}", "bold"),
        "  " + _("case {case}").format(case=e.case_id or "—") + "  ",
        literal(e.programme or ""),
        ("  " + _("effective") + " ", "dim"),
        e.effective_on.isoformat(),
        ("  " + _("recorded") + " ", "dim"),
        e.recorded_at.isoformat(sep=" ", timespec="seconds"),
        " UTC\n",
        literal(e.trigger, "bold"),
        "  ",
        literal(f"{e.from_state or '∅'} → {e.to_state or '∅'}"),
        ("  " + _("by") + " ", "dim"),
        literal(f"{e.actor} ({e.role})"),
        ("\n" + _("clause") + " ", "dim"),
        literal(e.clause or _("none")),
    )
    if e.reason:
        text.append("\n" + _("reason") + " ", "dim")
        text.append(e.reason)
    payload = {k: v for k, v in e.payload.items() if v is not None}
    if payload:
        text.append("\n" + _("recorded values") + " ", "dim")
        text.append(json.dumps(payload, ensure_ascii=False, sort_keys=True))
    return text

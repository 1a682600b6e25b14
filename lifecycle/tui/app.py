"""The application: who is acting, on which database, as of which day; the screens and keys
every screen shares (footer bindings, command palette, light/dark theme)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from lifecycle.services.app import Lifecycle
from lifecycle.services.clock import today
from lifecycle.services.filters import CaseFilter
from lifecycle.tui.palette import CaseFinder
from lifecycle.tui.words import N_, _

DARK, LIGHT = "textual-dark", "textual-light"


class LifecycleTUI(App[None]):
    """`lifecycle tui`. `on` fixes "today" (tests, snapshots); by default it is today in China."""

    TITLE = "lifecycle"
    CSS_PATH = "lifecycle.tcss"
    #: Below 110 columns the dashboard's tables stack instead of standing side by side.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012 (Textual types it a list)
    #: Below 30 lines forms drop their spacing, so the outcome of a review stays on screen.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]  # noqa: RUF012
    COMMANDS: ClassVar[set[Any]] = App.COMMANDS | {CaseFinder}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "dashboard", N_("Dashboard")),
        Binding("c", "cases", N_("Cases")),
        Binding("a", "audit", N_("Audit")),
        Binding("p", "preview", N_("Compliance preview")),
        Binding("k", "decisions", N_("Decisions due")),
        Binding("t", "toggle_theme", N_("Light/dark")),
        Binding("question_mark,f1", "help", N_("Help"), key_display="?"),
        Binding("q", "quit", N_("Quit")),
    ]

    def __init__(self, lifecycle: Lifecycle, user: str, *, on: date | None = None) -> None:
        super().__init__()
        self.lifecycle = lifecycle
        self.user = user
        self.fixed_day = on
        #: The acting user's role, looked up by the dashboard's first load (None: may not act).
        self.role: str | None = None
        self.role_known = False
        self.refusal: str | None = None

    @property
    def today(self) -> date:
        return self.fixed_day or today()

    def acting(self, actor: Any, refusal: str | None) -> None:
        """Who acts (on PostgreSQL: the database user connected), as the services resolve it."""
        self.role_known = True
        self.role = actor.role if actor is not None else None
        self.refusal = refusal
        if actor is not None:
            self.user = actor.name

    def read_only_reason(self) -> str | None:
        """Why this user may not act, in the words the CLI uses; None for an admin."""
        if not self.role_known or self.role == "admin":
            return None
        if self.role is None:
            return _("{refusal}. You can read everything; acting is refused.").format(refusal=self.refusal)
        return _(
            "{user} is an {role}: an {role} may only read. Every case, its history and the log are "
            "open to you; acting needs an admin."
        ).format(user=self.user, role=_(self.role))

    def on_mount(self) -> None:
        from lifecycle.tui.dashboard import DashboardScreen

        self.theme = DARK
        self.push_screen(DashboardScreen())

    # -- navigation -----------------------------------------------------------
    def _switch_to(self, screen: Screen[Any]) -> None:
        """Go to a top-level screen: back to the dashboard, then this one on top."""
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.push_screen(screen)

    def action_dashboard(self) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()

    def action_cases(self, criteria: CaseFilter | None = None, title: str | None = None) -> None:
        from lifecycle.tui.case_list import CaseListScreen

        self._switch_to(CaseListScreen(criteria or CaseFilter(), title))

    def open_cases(self, criteria: CaseFilter, title: str) -> None:
        """The case list filtered the way a dashboard number counted them."""
        from lifecycle.tui.case_list import CaseListScreen

        self.push_screen(CaseListScreen(criteria, title))

    def open_case(self, case_id: int) -> None:
        from lifecycle.tui.case_detail import CaseDetailScreen

        self.push_screen(CaseDetailScreen(case_id))

    def action_audit(self, case_id: int | None = None) -> None:
        from lifecycle.tui.audit_viewer import AuditScreen

        self._switch_to(AuditScreen(case_id=case_id))

    def action_preview(self) -> None:
        from lifecycle.tui.compliance_preview import CompliancePreviewScreen

        self._switch_to(CompliancePreviewScreen())

    def action_help(self) -> None:
        """Help for the screen at hand (each screen names its text in HELP), in the user's language."""
        from lifecycle.tui.help import HelpScreen

        topic = getattr(self.screen, "HELP", None)
        if topic is not None and not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(topic))

    def action_decisions(self) -> None:
        from lifecycle.tui.decisions_due import DecisionsDueScreen

        self._switch_to(DecisionsDueScreen())

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(_("Dashboard"), _("Cases by programme and state, overdue, due soon"), self.action_dashboard)
        yield SystemCommand(_("Cases"), _("All cases, filtered, sorted and paged"), self.action_cases)
        yield SystemCommand(_("Audit log"), _("The log with filters, chain verification and export"), self.action_audit)
        yield SystemCommand(
            _("Compliance preview"),
            _("What a compliance run would do today or on a chosen date (dry run, nothing written)"),
            self.action_preview,
        )
        yield SystemCommand(
            _("Decisions due"),
            _("What the compliance run proposes for an administrator to confirm with the decision's number or dismiss"),
            self.action_decisions,
        )
        yield SystemCommand(
            _("Overdue cases"),
            _("Cases with a dated rule past due"),
            lambda: self.action_cases(CaseFilter(due_before=self.today), _("overdue")),
        )
        yield SystemCommand(
            _("Help for this screen"),
            _("What this screen is for, its keys, what each action does (?)"),
            self.action_help,
        )
        yield SystemCommand(
            _("Toggle light/dark theme"), _("Switch between the light and dark theme"), self.action_toggle_theme
        )

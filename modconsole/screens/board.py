"""The queue board: one view per queue with its count, "all" and "my claims".

Pages from the backend (the first page on opening, the next near the end of the table), so a
queue of a million cases opens like one of ten.

Live updates: a background thread keeps a long-poll open on `backend.changes()` (the server's
`GET /changes`; in-process polling of the store with the local backend). The cases it brings
are looked at at once: a new open urgent case rings the bell and shows an alert without
waiting for a refresh. Any change marks the board stale, and the next one-second tick fetches
the visible page and the counts again (at most once a second however busy the stream is).
With nothing changing, the board is fetched again every `IDLE_REFRESH_S` seconds anyway, for
what no case event announces (a claim's lease running out, a case crossing its SLA). SLA
clocks tick every second on screen.

While another screen is on top (a case being worked, the appeals list), the board keeps
watching for urgent cases — the alert must reach the moderator wherever they are — but fetches
only those, not the counts and rows it is not showing (counting a million cases every few
seconds would compete with the screen in use); it catches up when it is shown again.
"""

from __future__ import annotations

import threading
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from modconsole.errors import ModconsoleError
from modconsole.schemas import CasePublic, QueueCount

from ..widgets.queue_table import PAGE, QueueTable
from .case import CaseScreen
from .dialogs import TextPrompt
from .feedback import attempt, report

IDLE_REFRESH_S = 5
LIVE_WAIT_S = 15.0
LIVE_RETRY_S = 2.0


class BoardScreen(Screen[None]):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("enter", "open_case", "Open"),
        Binding("c", "claim", "Claim"),
        Binding("r", "release", "Release"),
        Binding("n", "note", "Note"),
        Binding("e", "escalate", "Escalate"),
        Binding("d", "dismiss_case", "Dismiss"),
        Binding("h", "hide", "Hide"),
        Binding("s", "sanction", "Sanction", show=False),
        Binding("m", "message", "Message", show=False),
        Binding("slash", "filter", "Filter"),
        Binding("A", "appeals", "Appeals"),
        Binding("S", "shift", "Shift"),
        Binding("D", "deletions", "Deletion requests"),
        Binding("tab", "next_view", "Next view", show=False),
        Binding("question_mark", "help", "Help"),
    ]

    DEFAULT_CSS = """
    BoardScreen #views { width: 28; border-right: solid $accent; }
    BoardScreen #title { padding: 0 1; background: $boost; text-style: bold; }
    BoardScreen #filter { display: none; }
    BoardScreen #filter.visible { display: block; }
    """

    def __init__(self, backend: Any) -> None:
        super().__init__()
        self.backend = backend
        self.view = "all"
        self.member_filter: str | None = None
        self.seen_urgent: set[int] | None = None
        self.counts: list[QueueCount] = []
        self._ticks = 0
        self._stale = False
        self._behind = False  # refreshed while another screen was on top: counts and rows are old
        self._live_stop = threading.Event()
        self.me = backend.whoami

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield OptionList(id="views")
            with Vertical():
                yield Static(id="title", markup=False)
                yield Input(placeholder="member id (empty: everyone)", id="filter")
                yield QueueTable(id="cases")
        yield Footer()

    #: board actions offered only to some roles (hidden, and inert, for the others; the backend
    #: refuses them anyway): the clinical team decides deletion requests and has no appeals.
    ROLE_ACTIONS = {"deletions": frozenset({"clinical"}), "appeals": frozenset({"moderator", "senior", "admin"}),
                    "shift": frozenset({"senior", "admin"}),
                    "sanction": frozenset({"moderator", "senior", "admin"}), "message": frozenset({"moderator", "senior", "admin"})}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        roles = self.ROLE_ACTIONS.get(action)
        return roles is None or self.me.role in roles

    def on_mount(self) -> None:
        self.refresh_board()
        self.query_one(QueueTable).focus()
        self.set_interval(1.0, self._tick)
        threading.Thread(target=self._follow_changes, name="board-live", daemon=True).start()

    def on_unmount(self) -> None:
        self._live_stop.set()

    @property
    def table(self) -> QueueTable:
        return self.query_one(QueueTable)

    # --- fetching ----------------------------------------------------------------------------

    def _fetch(self, offset: int, limit: int) -> list[CasePublic]:
        queue = None if self.view in ("all", "mine") else self.view
        return self.backend.queue_list(queue=queue, member=self.member_filter, limit=limit, offset=offset,
                                       mine=self.view == "mine")

    def _gather(self, full: bool) -> tuple[list[QueueCount] | None, list[CasePublic] | None, set[int]]:
        """What the board shows: counts and the loaded rows of the view (when `full`), and the
        open urgent ids (always: they drive the alert)."""
        counts = self.backend.queue_counts() if full else None
        cases = self._fetch(0, min(max(PAGE, len(self.table.cases)), 500)) if full else None
        urgent = {c.id for c in self.backend.queue_list(queue="urgent", state="open", limit=20)}
        return counts, cases, urgent

    def refresh_board(self) -> None:
        """Fetch and show now (after an action or a change of view)."""
        try:
            self._apply(*self._gather(True))
        except ModconsoleError as exc:
            report(self.app, exc, "error")

    @work(thread=True, exclusive=True, group="board-refresh")
    def _refresh_in_background(self, full: bool = True) -> None:
        """A refresh off the UI thread (counts over a million cases take ~100 ms)."""
        try:
            gathered = self._gather(full)
        except ModconsoleError as exc:
            self.app.call_from_thread(report, self.app, exc, "error")
            return
        self.app.call_from_thread(self._apply, *gathered)

    @property
    def _shown(self) -> bool:
        """On screen: the current screen, or under a dialog (Textual's `is_current` also says
        yes for the screen right under a full screen such as a case)."""
        stack = self.app.screen_stack
        return stack[-1] is self or (stack[-1].is_modal and len(stack) > 1 and stack[-2] is self)

    def on_screen_resume(self) -> None:
        if self._behind:  # shown again after refreshes that fetched only the urgent cases
            self._behind = False
            self._refresh_in_background()

    def _follow_changes(self) -> None:
        """The live thread: long-polls the backend for changed cases until the board goes away.
        A daemon thread, not a Textual worker, so that quitting never waits on an open poll.
        Errors are left to the periodic refresh to report; the poll retries after a pause."""
        cursor: int | None = None
        while not self._live_stop.is_set():
            try:
                result = self.backend.changes(since=cursor, wait=0.0 if cursor is None else LIVE_WAIT_S)
            except Exception:  # noqa: BLE001 - a server away, a network error: try again shortly
                self._live_stop.wait(LIVE_RETRY_S)
                continue
            if self._live_stop.is_set():
                return
            if cursor is not None and result.cases:
                try:
                    self.app.call_from_thread(self._on_changes, result.cases)
                except RuntimeError:  # the app is gone
                    return
            cursor = result.cursor

    def _on_changes(self, changed: list[CasePublic]) -> None:
        self._alert_urgent({c.id for c in changed if c.queue == "urgent" and c.state == "open"})
        self._stale = True

    def _apply(self, counts: list[QueueCount] | None, cases: list[CasePublic] | None, urgent: set[int]) -> None:
        if self._live_stop.is_set() or not self.is_attached:
            return  # a refresh that lands while the console is closing: nothing left to show it in
        if counts is not None and counts != self.counts:
            self.counts = counts
            self._show_views()
        if cases is not None:
            self.table.show_cases(cases, self.app.now())  # type: ignore[attr-defined]
            self._title()
        self._alert_urgent(urgent)

    def _alert_urgent(self, urgent: set[int]) -> None:
        """Bell and an alert for open urgent cases not seen before (none on the first look)."""
        if self.seen_urgent is not None and urgent - self.seen_urgent:
            new = sorted(urgent - self.seen_urgent)
            self.app.bell()
            self.app.notify(f"New urgent case{'s' if len(new) > 1 else ''}: {', '.join(map(str, new))}",
                            title="URGENT", severity="error", timeout=15, markup=False)
        self.seen_urgent = (self.seen_urgent or set()) | urgent

    def _show_views(self) -> None:
        views = self.query_one("#views", OptionList)
        total = sum(c.open for c in self.counts)
        breached = sum(c.breached for c in self.counts)
        options = [Option(Text(f"all  {total}" + (f"  {breached}!" if breached else "")), id="all"),
                   Option(Text("my claims"), id="mine")]
        for c in self.counts:
            label = Text(f"{c.queue:<14}{c.open:>6}")
            if c.breached:
                label.append(f" {c.breached}!", style="bold red")
            options.append(Option(label, id=c.queue))
        highlighted = views.highlighted
        views.clear_options()
        views.add_options(options)
        ids = [o.id for o in options]
        views.highlighted = ids.index(self.view) if self.view in ids else (highlighted or 0)

    def _title(self) -> None:
        who = self.me
        text = Text(f"{self.view}", style="bold")
        text.append(f"  — {len(self.table.cases)} shown")
        if self.member_filter:
            text.append(f"  — member {self.member_filter}")
        text.append(f"   {who.name} ({who.role})", style="dim")
        self.query_one("#title", Static).update(text)

    def _tick(self) -> None:
        self.table.tick(self.app.now())  # type: ignore[attr-defined]
        self._ticks += 1
        if self._stale or self._ticks % IDLE_REFRESH_S == 0:
            self._stale = False
            full = self._shown
            self._behind = self._behind or not full
            self._refresh_in_background(full)

    # --- navigation ------------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#views")
    def view_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id and event.option.id != self.view:
            self.view = event.option.id
            self.table.show_cases([])
            self.refresh_board()
            self.table.focus()

    def show_view(self, view: str) -> None:
        self.view = view
        self.table.show_cases([])
        self.refresh_board()
        self.table.focus()

    def action_next_view(self) -> None:
        ids = ["all", "mine"] + [c.queue for c in self.counts]
        self.view = ids[(ids.index(self.view) + 1) % len(ids)] if self.view in ids else "all"
        self.table.show_cases([])
        self.refresh_board()

    def action_cursor_down(self) -> None:
        self.table.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.table.action_cursor_up()

    @on(DataTable.RowHighlighted, "#cases")
    def maybe_load_more(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= len(self.table.cases) - 10 and len(self.table.cases) % PAGE == 0 and self.table.cases:
            try:
                more = self._fetch(len(self.table.cases), PAGE)
            except ModconsoleError:
                return
            self.table.append_cases(more, self.app.now())  # type: ignore[attr-defined]

    @on(DataTable.RowSelected, "#cases")
    def row_selected(self, _: DataTable.RowSelected) -> None:
        self.action_open_case()

    def action_open_case(self) -> None:
        case = self.table.current_case
        if case is None:
            return
        if case.queue == "deletion":  # decided on its own screen, with the member's risk beside it
            from .deletion import DeletionScreen

            self.app.push_screen(DeletionScreen(self.backend, case.id), lambda _: self.refresh_board())
            return
        self.app.push_screen(CaseScreen(self.backend, case.id), lambda _: self.refresh_board())

    def action_appeals(self) -> None:
        from .appeals import AppealsScreen

        self.app.push_screen(AppealsScreen(self.backend), lambda _: self.refresh_board())

    def action_shift(self) -> None:
        from .shift import ShiftScreen

        self.app.push_screen(ShiftScreen(self.backend), lambda _: self.refresh_board())

    def action_deletions(self) -> None:
        from .deletion import DeletionsScreen

        self.app.push_screen(DeletionsScreen(self.backend), lambda _: self.refresh_board())

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.add_class("visible")
        box.focus()

    @on(Input.Submitted, "#filter")
    def filter_set(self, event: Input.Submitted) -> None:
        self.member_filter = event.value.strip() or None
        event.input.remove_class("visible")
        self.table.show_cases([])
        self.refresh_board()
        self.table.focus()

    def action_help(self) -> None:
        lists = "D deletion requests" if self.me.role == "clinical" else "A appeals"
        self.app.notify(
            "j/k or arrows move, Enter opens (and claims) a case, c claim, r release, n note, e escalate, "
            f"d dismiss, h hide or remove, / filter by member, Tab next view, {lists}, Ctrl+P commands, q quit.",
            title="Keys", timeout=12, markup=False,
        )

    # --- actions from the board work on the highlighted case, through the case screen's rules ---

    def _case_action(self, action: str) -> None:
        case = self.table.current_case
        if case is None:
            return
        if case.queue == "deletion":
            self.action_open_case()
            self.app.notify("A deletion request is decided on its own screen: a approve, d decline, m contacted, "
                            "t close for a while.", markup=False)
            return
        screen = CaseScreen(self.backend, case.id)
        self.app.push_screen(screen, lambda _: self.refresh_board())
        self.call_after_refresh(getattr(screen, f"action_{action}"))

    def action_claim(self) -> None:
        case = self.table.current_case
        if case is None:
            return
        attempt(self.app, lambda: self.backend.case_claim(case.id), f"Case {case.id} is yours for 15 minutes", "warning")
        self.refresh_board()

    def action_release(self) -> None:
        case = self.table.current_case
        if case is None:
            return
        attempt(self.app, lambda: self.backend.case_release(case.id), f"Case {case.id} released", "warning")
        self.refresh_board()

    def action_note(self) -> None:
        case = self.table.current_case
        if case is None:
            return

        def save(text: str | None) -> None:
            if text:
                attempt(self.app, lambda: self.backend.case_note(case.id, text), f"Note added to case {case.id}")

        self.app.push_screen(TextPrompt(f"Note on case {case.id} (staff only)"), save)

    def action_escalate(self) -> None:
        self._case_action("escalate")

    def action_dismiss_case(self) -> None:
        self._case_action("dismiss_case")

    def action_hide(self) -> None:
        self._case_action("hide")

    def action_sanction(self) -> None:
        self._case_action("sanction")

    def action_message(self) -> None:
        self._case_action("message")

"""The shift dashboard (seniors, admins): how the queues went over the last hours, who holds
what now, and the handover notes from one shift to the next.

One row a queue (the queues the role sees, in the board's order, then any other queue with cases
in the window): its open depth at each hour mark of the window as a block-character chart
(oldest left, now right), the depth now, the SLA breaches over the same marks and now (red
when there are any). The two charts of a row share one scale, so breaches read as the part of
the depth that is late. Below, each staff member holding cases now, with the case ids and their
queues; beside it, the latest handover notes, newest first; `n` writes one (it is staff text,
still shown literally through `as_text`, never as markup).

`r` reloads now; the screen also reloads itself every 30 s in a thread worker. A role that may
not see the dashboard (a moderator, the clinical team) gets the service layer's Forbidden as an
error notification and the screen closes itself; any other failure on opening is shown on the
screen and `r` retries. A failed periodic reload keeps what is shown and says so in the title.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from modconsole.errors import Forbidden, ModconsoleError
from modconsole.safetext import as_text
from modconsole.schemas import ShiftDashboard

from .dialogs import TextPrompt
from .feedback import attempt, report

HOURS = 12
REFRESH_EVERY_S = 30.0
BARS = "▁▂▃▄▅▆▇█"
ZERO = "·"


def chart(values: list[int], top: int, style: str = "") -> Text:
    """A bar a value, scaled to `top`: a dim dot for zero, at least the lowest bar for any
    non-zero value (one case in a queue of hundreds must still show)."""
    text = Text()
    top = max(top, 1)
    for v in values:
        if v <= 0:
            text.append(ZERO, style="dim")
        else:
            text.append(BARS[max(0, min(len(BARS) - 1, round(v / top * len(BARS)) - 1))], style=style)
    return text


def _utc(t: datetime) -> datetime:
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


class ShiftScreen(Screen[None]):
    BINDINGS = [
        Binding("escape,q", "leave", "Back"),
        Binding("r", "reload", "Reload"),
        Binding("n", "handover", "Handover note"),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]
    DEFAULT_CSS = """
    ShiftScreen #title { padding: 0 1; background: $boost; text-style: bold; }
    ShiftScreen .section { padding: 0 1; text-style: bold underline; }
    ShiftScreen #queues { height: auto; max-height: 14; margin-bottom: 1; }
    ShiftScreen #lower { height: 1fr; }
    ShiftScreen #holding { width: 2fr; }
    ShiftScreen #holders { height: 1fr; }
    ShiftScreen #handover { width: 3fr; border-left: solid $accent; }
    ShiftScreen #notes { height: 1fr; }
    ShiftScreen .note-head { padding: 0 1; color: $text-muted; }
    ShiftScreen .note { padding: 0 1 1 3; }
    """
    QUEUE_COLUMNS = ("queue", f"open, last {HOURS} h", "open now", f"breached, last {HOURS} h", "breached now")
    HOLDER_COLUMNS = ("staff", "cases", "holding now")

    def __init__(self, backend: Any, hours: int = HOURS) -> None:
        super().__init__()
        self.backend = backend
        self.hours = hours
        self.dashboard: ShiftDashboard | None = None
        self.error: str | None = None
        self._generation = 0  # a background reload older than the last shown one is dropped

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="title", markup=False)
        yield Static("Queues", classes="section", markup=False)
        yield DataTable(id="queues", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="lower"):
            with Vertical(id="holding"):
                yield Static("Holding now", classes="section", markup=False)
                yield DataTable(id="holders", cursor_type="row", zebra_stripes=True)
            with Vertical(id="handover"):
                yield Static("Handover notes (newest first; n writes one)", classes="section", markup=False)
                yield VerticalScroll(id="notes")
        yield Footer()

    def on_mount(self) -> None:
        queues = self.query_one("#queues", DataTable)
        queues.add_column(Text(self.QUEUE_COLUMNS[0], style="bold"), key="queue")
        queues.add_column(Text(self.QUEUE_COLUMNS[1], style="bold"), key="open_chart")
        queues.add_column(Text(self.QUEUE_COLUMNS[2], style="bold"), key="open")
        queues.add_column(Text(self.QUEUE_COLUMNS[3], style="bold"), key="breached_chart")
        queues.add_column(Text(self.QUEUE_COLUMNS[4], style="bold"), key="breached")
        holders = self.query_one("#holders", DataTable)
        for col in self.HOLDER_COLUMNS:
            holders.add_column(Text(col, style="bold"), key=col)
        queues.focus()
        if self.reload(first=True):
            self.set_interval(REFRESH_EVERY_S, self._reload_in_background)

    # --- fetching ------------------------------------------------------------------------------

    def reload(self, *, first: bool = False) -> bool:
        """Fetch and show now. On opening, a Forbidden closes the screen (after saying why)."""
        self._generation += 1
        try:
            dashboard, order = self._gather()
        except Forbidden as exc:
            report(self.app, exc, "error")
            if first:
                self.dismiss(None)
                return False
            self._failed(exc.message)
            return True
        except ModconsoleError as exc:
            report(self.app, exc, "error")
            self._failed(exc.message)
            return True
        self._show(dashboard, order)
        return True

    def _gather(self) -> tuple[ShiftDashboard, list[str]]:
        """The dashboard, and the queues the role sees in the board's order (urgent first), so
        that a queue with nothing in the window still shows, at zero."""
        dashboard = self.backend.shift_dashboard(hours=self.hours)
        try:
            order = [c.queue for c in self.backend.queue_counts()]
        except ModconsoleError:
            order = []
        return dashboard, order

    @work(thread=True, exclusive=True, group="shift-refresh")
    def _reload_in_background(self) -> None:
        generation = self._generation
        try:
            dashboard, order = self._gather()
        except ModconsoleError as exc:
            self.app.call_from_thread(self._failed_in_background, generation, exc)
            return
        self.app.call_from_thread(self._show_in_background, generation, dashboard, order)

    def _show_in_background(self, generation: int, dashboard: ShiftDashboard, order: list[str]) -> None:
        if generation == self._generation and self.is_attached:
            self._show(dashboard, order)

    def _failed_in_background(self, generation: int, exc: ModconsoleError) -> None:
        if generation == self._generation and self.is_attached:
            self._failed(exc.message)

    def action_reload(self) -> None:
        self.reload()

    # --- showing -------------------------------------------------------------------------------

    def _failed(self, message: str) -> None:
        self.error = message
        self._title()

    def _title(self) -> None:
        d = self.dashboard
        title = Text("Shift", style="bold")
        if d is not None:
            start, at = _utc(d.hours[0]), _utc(d.at)
            title.append(f"   {at:%Y-%m-%d %H:%M}Z", style="bold")
            title.append(f"   last {len(d.hours) - 1} h, since {start:%m-%d %H:%M}Z; hourly marks, oldest left",
                         style="dim")
        if self.error:
            title.append("   could not reload: ", style="bold red").append_text(
                as_text(self.error, style="red", keep_newlines=False))
            title.append(" (r retries)", style="dim")
        self.query_one("#title", Static).update(title)

    def _show(self, d: ShiftDashboard, order: list[str]) -> None:
        self.dashboard = d
        self.error = None
        self._title()
        self._show_queues(d, order)
        self._show_holders(d)
        self._show_notes(d)

    def _show_queues(self, d: ShiftDashboard, order: list[str]) -> None:
        table = self.query_one("#queues", DataTable)
        row = table.cursor_row
        table.clear()
        zeros = {"open": [0] * len(d.hours), "breached": [0] * len(d.hours)}
        for queue in [*order, *(q for q in d.series if q not in order)]:
            values = d.series.get(queue, zeros)
            opened, breached = values.get("open", []), values.get("breached", [])
            top = max([*opened, *breached, 1])
            now_open = opened[-1] if opened else 0
            now_breached = breached[-1] if breached else 0
            table.add_row(
                as_text(queue, style="bold", keep_newlines=False),
                chart(opened, top, "cyan"),
                Text(str(now_open), style="bold" if now_open else "dim", justify="right"),
                chart(breached, top, "red"),
                Text(str(now_breached), style="bold red" if now_breached else "green", justify="right"),
                key=queue,
            )
        if not table.row_count:
            table.add_row(Text("no open case in the window", style="dim"), Text(""), Text(""), Text(""), Text(""),
                          key="-")
        if table.row_count:
            table.move_cursor(row=min(max(row, 0), table.row_count - 1))

    def _show_holders(self, d: ShiftDashboard) -> None:
        table = self.query_one("#holders", DataTable)
        row = table.cursor_row
        table.clear()
        for name, held in d.holders.items():
            cases = Text()
            for i, h in enumerate(held):
                if i:
                    cases.append(", ")
                cases.append(str(h.get("case", "?")), style="bold")
                cases.append(" (").append_text(as_text(str(h.get("queue", "?")), keep_newlines=False)).append(")")
            table.add_row(as_text(name, style="bold", keep_newlines=False), cases, Text(str(len(held)), justify="right"),
                          key=name)
        if not d.holders:
            table.add_row(Text("nobody holds a case", style="dim"), Text(""), Text(""), key="-")
        if table.row_count:
            table.move_cursor(row=min(max(row, 0), table.row_count - 1))

    def _show_notes(self, d: ShiftDashboard) -> None:
        widgets: list[Static] = []
        for n in d.notes:
            head = Text(f"{_utc(n.at):%Y-%m-%d %H:%M}Z  ").append_text(as_text(n.author, style="bold", keep_newlines=False))
            widgets.append(Static(head, classes="note-head", markup=False))
            widgets.append(Static(as_text(n.body), classes="note", markup=False))
        if not d.notes:
            widgets.append(Static(Text("No handover note yet. n writes one for the next shift.", style="dim"),
                                  classes="note", markup=False))
        notes = self.query_one("#notes", VerticalScroll)
        notes.remove_children()
        notes.mount_all(widgets)

    # --- acting --------------------------------------------------------------------------------

    def action_handover(self) -> None:
        def save(text: str | None) -> None:
            if not text:
                return
            if attempt(self.app, lambda: self.backend.shift_handover(text), "Handover note left for the next shift"):
                self.reload()

        self.app.push_screen(TextPrompt("Handover note for the next shift (staff only)",
                                        "what is open, what to watch, who needs a call back"), save)

    def action_cursor_down(self) -> None:
        focused = self.focused
        if isinstance(focused, DataTable):
            focused.action_cursor_down()

    def action_cursor_up(self) -> None:
        focused = self.focused
        if isinstance(focused, DataTable):
            focused.action_cursor_up()

    def action_leave(self) -> None:
        self.dismiss(None)

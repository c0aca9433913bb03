"""A list of items to work through, fetched from the backend a page at a time: the appeals list
and the clinical team's deletion queue.

Oldest first; the next page is fetched when the cursor comes within `NEAR_END` rows of the end
of what is loaded, so tens of thousands of items open like ten. Tab cycles the states, `g`
fetches again (the first page, or as many as are loaded up to `REFETCH_AT_MOST`, keeping the
cursor on its item), Enter opens the highlighted item and the list is fetched again on coming
back. A subclass says what it lists: `TABLE_ID`, `COLUMNS`, `STATES`, `PAGE`, and the hooks
`fetch`, `add_row`, `heading` and `open_item`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from modconsole.errors import ModconsoleError

from .feedback import report

T = TypeVar("T")

REFETCH_AT_MOST = 500  # a refresh fetches again what is loaded, up to this
NEAR_END = 10  # rows before the end of what is loaded at which the next page is fetched


class PagedListScreen(Screen[None], Generic[T]):
    BINDINGS = [
        Binding("escape,q", "leave", "Back"),
        Binding("enter", "open_item", "Open"),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("tab", "next_state", "Pending/decided/all"),
        Binding("g", "refresh_list", "Refresh"),
    ]
    DEFAULT_CSS = """
    PagedListScreen #title { padding: 0 1; background: $boost; text-style: bold; }
    PagedListScreen DataTable { height: 1fr; }
    """
    TABLE_ID = "items"
    COLUMNS: tuple[str, ...] = ()
    STATES: tuple[str, ...] = ("all",)
    PAGE = 100  # items fetched at a time

    def __init__(self, backend: Any, state: str = "pending") -> None:
        super().__init__()
        self.backend = backend
        self.state = state
        self.items: list[T] = []
        self.more = False  # the last fetch filled its page: there may be more after it

    # --- what a subclass says -------------------------------------------------------------------

    def fetch(self, limit: int, after: T | None) -> list[T]:
        """At most `limit` items of `self.state`, oldest first, after `after` when given."""
        raise NotImplementedError

    def add_row(self, item: T, now: datetime) -> None:
        raise NotImplementedError

    def heading(self) -> Text:
        raise NotImplementedError

    def open_item(self, item: T) -> None:
        raise NotImplementedError

    # --- the list -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="title", markup=False)
        yield DataTable(id=self.TABLE_ID, cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.table
        for col in self.COLUMNS:
            table.add_column(Text(col, style="bold"), key=col)
        self.refresh_list()
        table.focus()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one(f"#{self.TABLE_ID}", DataTable)

    @property
    def shown(self) -> str:
        """"N" or "N shown, more below", for the title."""
        return f"{len(self.items)}{' shown, more below' if self.more else ''}"

    def refresh_list(self) -> None:
        """Fetch the first page again (or as many as are loaded, up to REFETCH_AT_MOST) and show it."""
        current = self.current
        want = min(max(self.PAGE, len(self.items)), REFETCH_AT_MOST)
        try:
            self.items = self.fetch(want, None)
            self.more = len(self.items) >= want
        except ModconsoleError as exc:
            report(self.app, exc, "error")
            self.items, self.more = [], False
        table = self.table
        table.clear()
        self._add_rows(self.items)
        if current is not None:
            for i, item in enumerate(self.items):
                if item.id == current.id:  # type: ignore[attr-defined]
                    table.move_cursor(row=i)
        self._show_title()

    def _add_rows(self, items: list[T]) -> None:
        now = now_of(self.app)
        for item in items:
            self.add_row(item, now)

    def _show_title(self) -> None:
        self.query_one("#title", Static).update(self.heading())

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The next page, when the cursor comes near the end of what is loaded."""
        if not self.more or not self.items or event.cursor_row < len(self.items) - NEAR_END:
            return
        try:
            page = self.fetch(self.PAGE, self.items[-1])
        except ModconsoleError as exc:
            report(self.app, exc, "warning")  # the list stays as it is
            return
        self.more = len(page) >= self.PAGE
        known = {item.id for item in self.items}  # type: ignore[attr-defined]
        page = [item for item in page if item.id not in known]  # type: ignore[attr-defined]  # a case come in meanwhile can shift a keyset page
        self.items += page
        self._add_rows(page)
        self._show_title()

    def on_data_table_row_selected(self, _: DataTable.RowSelected) -> None:
        self.action_open_item()

    @property
    def current(self) -> T | None:
        table = self.table
        row = table.cursor_row if table.row_count else -1
        return self.items[row] if 0 <= row < len(self.items) else None

    def show_state(self, state: str) -> None:
        self.state = state
        self.items = []
        self.table.clear()
        self.refresh_list()

    def action_next_state(self) -> None:
        self.show_state(self.STATES[(self.STATES.index(self.state) + 1) % len(self.STATES)])

    def action_refresh_list(self) -> None:
        self.refresh_list()

    def action_cursor_down(self) -> None:
        self.table.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.table.action_cursor_up()

    def action_open_item(self) -> None:
        item = self.current
        if item is not None:
            self.open_item(item)

    def action_leave(self) -> None:
        self.dismiss(None)


def now_of(app: Any) -> datetime:
    """The app's clock (a fixed one in tests and snapshots), or the system's."""
    now = getattr(app, "now", None)
    return now() if callable(now) else datetime.now(UTC)

"""The queue board's table: pages of cases fetched from the backend, never a whole queue.

Rows are keyed by case id; every cell is a `Text` (DataTable would parse a `str` as markup).
The first page is fetched when the view opens; the next one when the cursor nears the end.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual.widgets import DataTable

from modconsole.safetext import as_text
from modconsole.schemas import CasePublic

PAGE = 100
COLUMNS = ("sev", "queue", "SLA", "state", "subject", "member", "held by", "signals")


def sla_text(case: CasePublic, now: datetime) -> Text:
    if case.state == "resolved":
        return Text("done", style="dim")
    seconds = int((case.sla_due_at - now).total_seconds())
    sign = "-" if seconds < 0 else ""
    s = abs(seconds)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    label = f"{sign}{h}h{m:02d}" if h else f"{sign}{m}m{sec:02d}s"
    if seconds < 0:
        return Text(f"{label} BREACHED", style="bold white on red")
    return Text(label, style="bold yellow" if seconds < 300 else "")


def signal_summary(case: CasePublic) -> Text:
    parts = [f"{s.category}:{s.detail or s.source}" for s in case.signals[:3]]
    extra = len(case.signals) - 3
    return as_text("; ".join(parts) + (f" (+{extra})" if extra > 0 else ""), keep_newlines=False)


SEVERITY_STYLE = {4: "bold white on dark_red", 3: "bold red", 2: "yellow", 1: "dim"}


def row_cells(case: CasePublic, now: datetime) -> list[Text]:
    return [
        Text(str(case.priority), style=SEVERITY_STYLE.get(case.priority, "")),
        Text(case.queue),
        sla_text(case, now),
        Text(case.state + (f"→{case.escalated_to}" if case.escalated_to and case.state != "resolved" else "")),
        as_text(f"{case.subject_type} {case.subject_id}", keep_newlines=False),
        as_text(case.member or "-", keep_newlines=False),
        as_text(case.claimed_by or "", keep_newlines=False),
        signal_summary(case),
    ]


class QueueTable(DataTable[Text]):
    """Cases of one view; `cases` holds what is loaded, in board order."""

    DEFAULT_CSS = """
    QueueTable { height: 1fr; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self.cases: list[CasePublic] = []

    def on_mount(self) -> None:
        for col in COLUMNS:
            self.add_column(Text(col, style="bold"), key=col)

    def show_cases(self, cases: list[CasePublic], now: datetime | None = None) -> None:
        """Replace the rows, keeping the cursor on the same case when it is still listed.
        Nothing is redrawn when the page is what is already shown (the board refreshes often)."""
        now = now or datetime.now(UTC)
        if cases == self.cases and self.row_count == len(cases):
            return
        current = self.current_case
        self.cases = list(cases)
        self.clear()
        for case in self.cases:
            self.add_row(*row_cells(case, now), key=str(case.id))
        if current is not None:
            for i, case in enumerate(self.cases):
                if case.id == current.id:
                    self.move_cursor(row=i)
                    break

    def append_cases(self, cases: list[CasePublic], now: datetime | None = None) -> None:
        now = now or datetime.now(UTC)
        known = {c.id for c in self.cases}
        for case in cases:
            if case.id not in known:
                self.cases.append(case)
                self.add_row(*row_cells(case, now), key=str(case.id))

    @property
    def current_case(self) -> CasePublic | None:
        if not self.cases or self.cursor_row < 0 or self.cursor_row >= len(self.cases):
            return None
        return self.cases[self.cursor_row]

    def tick(self, now: datetime) -> None:
        """Refresh the SLA clocks in place."""
        for case in self.cases:
            try:
                self.update_cell(str(case.id), "SLA", sla_text(case, now))
            except Exception:  # noqa: BLE001 - a row removed between refreshes
                continue

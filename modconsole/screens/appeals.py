"""Appeals (EU DSA Art. 20): the list of appeals, and one appeal to decide.

The list (`A` on the board) shows, oldest first, what each appeal contests, the member, who
decided first (who may not decide the appeal) and how long it has waited; Tab cycles pending,
upheld, reversed and all. It is fetched a page at a time (the next page when the cursor nears
the end), so tens of thousands of pending appeals open like ten. Opening one shows the member's appeal text (untrusted: literal,
through MemberText), the contested sanction with the statement of reasons the member got, or
the contested content as it stands, and lets the user uphold (`u`) or reverse (`r`) with a
reason, which is sent to the member. Refusals (the first decider, a moderator reversing a
sanction, a claim held by someone else) come back from the service layer as worded there, and
change nothing.

Opened from the list, the appeal screen claims the appeal's case like the case screen does
(renewed while open, released on leaving); opened from the case screen, it leaves the lease to it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from modconsole.errors import ModconsoleError
from modconsole.safetext import as_text
from modconsole.schemas import AppealPublic, CaseDetail

from ..widgets.member_text import MemberText
from .dialogs import TextPrompt
from .feedback import report
from .lease import RENEW_EVERY_S, Lease
from .listing import PagedListScreen, now_of

STATES = ("pending", "upheld", "reversed", "all")
PAGE = 100  # appeals fetched at a time


def age(since: datetime | None, now: datetime) -> str:
    """How long ago, short: 45m, 5h10, 3d04h."""
    if since is None:
        return "?"
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    minutes = max(0, int((now - since).total_seconds() // 60))
    days, rem = divmod(minutes, 24 * 60)
    hours, mins = divmod(rem, 60)
    if days:
        return f"{days}d{hours:02d}h"
    return f"{hours}h{mins:02d}" if hours else f"{mins}m"


def contested(a: AppealPublic) -> Text:
    """What an appeal contests, in a few words."""
    if a.contests == "sanction" and a.sanction is not None:
        s = a.sanction
        span = "permanent" if s.ends_at is None and s.kind == "ban" else ("" if s.ends_at is None else f"until {s.ends_at:%m-%d}")
        state = " (lifted)" if s.lifted_at else ""
        return Text(f"sanction #{s.id} {s.kind} {span}{state}".replace("  ", " "))
    if a.contests == "content" and a.content:
        return Text("removal of ").append_text(as_text(a.content, keep_newlines=False)).append(
            f" (case {a.content_case})" if a.content_case else "")
    return Text("nothing found (unknown reference)", style="yellow")


class AppealsScreen(PagedListScreen[AppealPublic]):
    TABLE_ID = "appeals"
    COLUMNS = ("case", "appeal", "contests", "member", "decided first by", "age", "state")
    STATES = STATES
    PAGE = PAGE

    def fetch(self, limit: int, after: AppealPublic | None) -> list[AppealPublic]:
        return self.backend.appeal_list(self.state, limit=limit, after=after.appeal if after else None)  # type: ignore[no-any-return]

    def add_row(self, a: AppealPublic, now: datetime) -> None:
        state = a.state if a.state == "pending" else f"{a.state} by {a.decided_by or '?'}"
        self.table.add_row(
            Text(str(a.id)), as_text(a.appeal, keep_newlines=False), contested(a), as_text(a.member, keep_newlines=False),
            as_text(a.first_decided_by or "-", keep_newlines=False), Text(age(a.created_at, now)), Text(state),
            key=str(a.id),
        )

    def heading(self) -> Text:
        title = Text(f"Appeals: {self.state} ({self.shown})", style="bold")
        title.append("   oldest first; Enter opens one, Tab switches pending/decided/all", style="dim")
        return title

    def open_item(self, appeal: AppealPublic) -> None:
        self.app.push_screen(AppealScreen(self.backend, appeal.id), lambda _: self.refresh_list())


class AppealScreen(Screen[bool]):
    """One appeal; dismisses with True once it is decided here."""

    BINDINGS = [
        Binding("escape,q", "leave", "Back"),
        Binding("u", "uphold", "Uphold"),
        Binding("r", "reverse", "Reverse"),
    ]
    DEFAULT_CSS = """
    AppealScreen #status { padding: 0 1; background: $boost; }
    AppealScreen .section { margin-top: 1; padding: 0 1; text-style: bold underline; }
    AppealScreen .line { padding: 0 1; }
    AppealScreen .statement { margin: 0 1; padding: 0 1; border: round $primary; height: auto; }
    """

    def __init__(self, backend: Any, case_id: int, *, claim: bool = True) -> None:
        super().__init__()
        self.backend = backend
        self.case_id = case_id
        self.claim = claim
        self.lease = Lease(self)
        self.appeal: AppealPublic | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="status", markup=False)
        yield VerticalScroll(id="body")
        yield Footer()

    def on_mount(self) -> None:
        if self.claim:
            self.lease.take()
            self.set_interval(RENEW_EVERY_S, self.lease.renew)
        self.reload()

    # --- showing ----------------------------------------------------------------------------------

    def reload(self) -> None:
        try:
            self.appeal = self.backend.appeal_show(self.case_id)
        except ModconsoleError as exc:
            report(self.app, exc, "error")
            self.lease.give_back()
            self.dismiss(False)
            return
        content_case: CaseDetail | None = None
        if self.appeal.contests == "content" and self.appeal.content_case:
            try:
                content_case = self.backend.case_show(self.appeal.content_case)
            except ModconsoleError as exc:
                report(self.app, exc, "warning")
        self._show(self.appeal, content_case)

    def _show(self, a: AppealPublic, content_case: CaseDetail | None) -> None:
        status = Text(f"Appeal case {a.id}  ", style="bold").append_text(as_text(a.appeal, keep_newlines=False))
        status.append(" by member ").append_text(as_text(a.member, style="bold", keep_newlines=False))
        status.append(f"   {a.state}", style="bold yellow" if a.state == "pending" else "bold green")
        status.append(f"   waiting {age(a.created_at, now_of(self.app))}" if a.state == "pending" else "")
        if a.first_decided_by:
            status.append("   decided first by ").append_text(as_text(a.first_decided_by, style="bold", keep_newlines=False))
            status.append(" (may not decide the appeal)", style="dim")
        if self.lease.holding:
            status.append("   you hold it", style="bold green")
        elif self.lease.held_by:
            status.append("   held by ").append_text(as_text(self.lease.held_by, style="bold red", keep_newlines=False))
        self.query_one("#status", Static).update(status)

        w: list[Any] = []

        def section(title: str) -> None:
            w.append(Static(title, classes="section", markup=False))

        def line(text: Text) -> None:
            w.append(Static(text, classes="line", markup=False))

        section("The member's appeal")
        w.append(MemberText(a.body if a.body else "(no text)", classes="line"))
        section("What it contests")
        line(contested(a))
        if a.contests == "sanction" and a.sanction is not None:
            s = a.sanction
            facts = Text(f"#{s.id} {s.kind}", style="bold")
            facts.append(f" from {s.starts_at:%Y-%m-%d %H:%M}Z")
            facts.append(f" until {s.ends_at:%Y-%m-%d %H:%M}Z" if s.ends_at else (" permanent" if s.kind == "ban" else ""))
            facts.append(f"   rule {s.rule or '?'}   decided by {s.decided_by or '?'}", style="cyan")
            if s.case_id:
                facts.append(f"   case {s.case_id}")
            line(facts)
            line(Text("reason for the record: ", style="dim").append_text(as_text(s.reason)))
            if s.lifted_at:
                line(Text(f"lifted {s.lifted_at:%Y-%m-%d %H:%M}Z: ", style="yellow").append_text(as_text(s.lift_reason or "")))
            section("Statement of reasons the member received")
            w.append(Static(as_text(s.statement or "(none recorded)"), classes="statement", markup=False))
        elif a.contests == "content":
            c = content_case.content if content_case is not None else None
            if content_case is not None:
                case = content_case.case
                line(Text(f"case {case.id}: {case.resolution or case.state}", style="bold")
                     .append(f" ({case.queue})   decided by {a.first_decided_by or '?'}", style="cyan"))
            if c is not None:
                head = Text(f"{c.kind or 'content'} ", style="bold").append_text(as_text(c.id, keep_newlines=False))
                head.append(f"   now {c.visibility}", style="bold red" if c.visibility != "visible" else "green")
                line(head)
                w.append(MemberText(c.body if c.body is not None else "(the body is not in the console)", classes="line"))
        else:
            line(Text("The appeal names nothing of this member's that the console can find: it can only be upheld, "
                      "with a reason the member will read.", style="yellow"))
        if a.state != "pending":
            section("Decision")
            line(Text(f"{a.state} by {a.decided_by or '?'}" + (f" on {a.decided_at:%Y-%m-%d %H:%M}Z" if a.decided_at else "") + ": ")
                 .append_text(as_text(a.decision_reason or "")))
        else:
            section("Decide")
            undo = {"sanction": ", which lifts the sanction (a senior's decision)",
                    "content": ", which makes the content visible again"}.get(a.contests, "")
            line(Text(f"u upholds the decision, r reverses it{undo}. Either asks for a reason, which the member reads.",
                      style="dim"))
        body = self.query_one("#body", VerticalScroll)
        body.remove_children()
        body.mount_all(w)

    # --- deciding ----------------------------------------------------------------------------------

    def _decide(self, decision: str) -> None:
        a = self.appeal
        if a is None:
            return
        if a.state != "pending":
            self.app.notify(f"Appeal {a.appeal} was already decided: {a.state}.", severity="warning", markup=False)
            return
        verb = "Uphold" if decision == "uphold" else "Reverse"

        def with_reason(reason: str | None) -> None:
            if not reason:
                return
            try:
                done = self.backend.appeal_decide(self.case_id, decision, reason)
            except ModconsoleError as exc:
                report(self.app, exc, "error")
                self.reload()
                return
            what = ""
            if done.state == "reversed":
                what = {"sanction": f"; sanction #{done.sanction.id if done.sanction else '?'} is lifted",
                        "content": f"; {done.content} is visible again"}.get(done.contests, "")
            self.app.notify(f"Appeal {done.appeal} {done.state}{what}. The member is told, with your reason.", markup=False)
            self.lease.holding = False  # deciding resolved the case and released it
            self.dismiss(True)

        self.app.push_screen(TextPrompt(f"{verb} appeal {a.appeal} (case {a.id}): your reason, which the member will read"),
                             with_reason)

    def action_uphold(self) -> None:
        self._decide("uphold")

    def action_reverse(self) -> None:
        self._decide("reverse")

    def action_leave(self) -> None:
        self.lease.give_back()
        self.dismiss(False)

"""Deletion requests, for the clinical team (SPEC §5): the list to decide, and one request.

The list (`D` on the clinical board, or the palette) shows, oldest first, each request's scope,
member, age and state, with a red marker when the member has an open urgent or self-harm case
or a suicidal self-assessment: the member asking to leave may be at risk. Tab cycles pending
(with contacted), approved, declined, closed and all. It is fetched a page at a time (the next
page when the cursor nears the end), so thousands of requests open like ten.

Opening one (or opening a `deletion` case from the board) shows the request, the member's note
(untrusted: literal, through MemberText), and beside it the member's recent risk cases (Enter
opens one) and self-assessments. The decisions, each with a reason:
- `a` approve: for `account` and `data`, a confirmation dialog says in plain words that this
  erases the member's data irreversibly and asks for the member id typed out; then the proof
  (nothing of the member's personal data left) is shown. For `temporary_close`, it closes the
  account until reopened;
- `d` decline (the team's reason; the platform is only told it was declined);
- `m` mark contacted (the request stays open);
- `t` close temporarily, until a date or until reopened (`o` reopens);
- `i` shows the member's contact details through the vault's audited path (a reason first);
- `p` verifies an erasure again (the stored proof, and a new search for strings you give).
Refusals and errors come back as the service layer worded them and change nothing.

The request's case is claimed while the screen is open (renewed, released on leaving), so two
clinicians do not decide the same request at once; the decision resolves and releases it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from modconsole.errors import ModconsoleError
from modconsole.safetext import as_text, visible
from modconsole.schemas import DeletionPublic, SelfAssessmentPublic

from ..widgets.member_text import MemberText
from ..widgets.queue_table import signal_summary
from .appeals import age
from .dialogs import TextPrompt
from .feedback import attempt, report
from .lease import RENEW_EVERY_S, Lease
from .listing import PagedListScreen, now_of
from .vault import ask_contact_details

STATES = ("pending", "approved", "declined", "closed", "all")
ERASING = ("account", "data")
SCOPE_WORDS = {"account": "delete the account", "data": "erase the member's data",
               "temporary_close": "close the account for a while"}
PAGE = 50  # requests fetched at a time (each comes with its member's risk cases and self-assessments)
DECIDING = ("approve", "decline", "contacted", "close_temporarily")


def _v(text: str | None) -> str:
    """A platform-given id or word, for a label or a notification: literal, on one line."""
    return visible(text, keep_newlines=False)


def _when(at: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return f"{at:{fmt}}Z" if at is not None else "?"


def risk_marker(d: DeletionPublic) -> Text:
    """Why this member may be at risk, in a few words (red), or a dim word when nothing is known."""
    open_cases = [c for c in d.risk_cases if c.state != "resolved"]
    suicidal = [a for a in d.self_assessments if a.suicidal]
    parts = []
    if open_cases:
        queues = "/".join(sorted({c.queue for c in open_cases}))
        parts.append(f"{len(open_cases)} open {queues} case{'s' if len(open_cases) > 1 else ''}")
    if suicidal:
        parts.append("suicidal self-assessment")
    if parts:
        return Text("! " + ", ".join(parts), style="bold red")
    recent = len(d.risk_cases)
    return Text(f"{recent} resolved risk case{'s' if recent > 1 else ''}" if recent else "-", style="dim")


def at_risk(d: DeletionPublic) -> bool:
    return any(c.state != "resolved" for c in d.risk_cases) or any(a.suicidal for a in d.self_assessments)


HINT_ON_SCREEN = "Reach them before deciding: i shows their contact details, m marks the request contacted."
HINT_IN_DIALOG = "Consider reaching them first: Escape, then i shows their contact details."


def risk_sentence(d: DeletionPublic, hint: str | None = HINT_ON_SCREEN) -> Text:
    """The banner over a request whose member may be at risk (with what to do, while it is open)."""
    text = Text("This member may be at risk: ", style="bold")
    open_cases = [c for c in d.risk_cases if c.state != "resolved"]
    bits = [f"{c.queue} case {c.id} open since {_when(c.created_at, '%m-%d %H:%M')}" for c in open_cases]
    bits += [assessment_words(a) for a in d.self_assessments if a.suicidal][:2]
    text.append("; ".join(bits) + ".")
    if hint:
        text.append(" " + hint)
    return text


def assessment_words(a: SelfAssessmentPublic) -> str:
    """'suicidal self-assessment (PHQ-9, score 24) on 11-26 07:00Z'"""
    facts = ", ".join(x for x in (_v(a.instrument), f"score {a.score:g}" if a.score is not None else None) if x)
    return f"suicidal self-assessment{f' ({facts})' if facts else ''} on {_when(a.created_at, '%m-%d %H:%M')}"


def closure_words(closed_until: str, *, short: bool = False) -> str:
    """'until reopened', or 'until 2026-12-03 12:05Z' ('until 12-03' when short)."""
    if closed_until == "until reopened":
        return closed_until
    try:
        at = datetime.fromisoformat(closed_until)
    except ValueError:
        return f"until {_v(closed_until)}"
    return f"until {at:%m-%d}" if short else f"until {at:%Y-%m-%d %H:%M}Z"


def parse_until(value: str, now: datetime) -> datetime | None:
    """An end for a temporary closure: empty (until reopened), 7d / 48h / 2w from now, or an ISO
    date or time (UTC unless an offset is given). Raises ValueError with a sentence."""
    value = value.strip()
    if not value:
        return None
    rel = re.fullmatch(r"(\d+)\s*([hdw])", value.lower())
    if rel:
        n, unit = int(rel.group(1)), rel.group(2)
        if n <= 0:
            raise ValueError("the closure needs a duration above zero")
        return now + {"h": timedelta(hours=n), "d": timedelta(days=n), "w": timedelta(weeks=n)}[unit]
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not a date: {visible(value, keep_newlines=False)!r} (2026-12-24, 2026-12-24 18:00, 7d, 48h or 2w)") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    if at <= now:
        raise ValueError(f"{at:%Y-%m-%d %H:%M}Z is not in the future")
    return at


def erasure_summary(erasure: dict[str, Any]) -> Text:
    """What an erasure removed and its proof, for the detail screen and the proof dialog."""
    text = Text()
    at = erasure.get("at")
    text.append(f"Erased at {str(at)[:16].replace('T', ' ')}Z.\n" if at else "Erased.\n", style="bold")
    removed = erasure.get("removed") or {}
    text.append("Removed: " + (", ".join(f"{k} {v}" for k, v in removed.items()) or "nothing was left to remove") + ".\n")
    text.append_text(proof_line(erasure.get("proof") or {}, "Proof at erasure"))
    return text


def proof_line(proof: dict[str, Any], label: str) -> Text:
    text = Text(f"{label}: ", style="bold")
    if proof.get("clean"):
        text.append("CLEAN", style="bold green")
        checks = proof.get("checks")
        text.append(f" — {checks} searches of every text column" if checks is not None else " — every text column searched")
        files = proof.get("file_hits") or {}
        text.append(" and the database files" if files else "")
        text.append(" found nothing of the member's personal data.")
    else:
        text.append("NOT CLEAN", style="bold white on red")
        found = proof.get("found") or {}
        files = {k: v for k, v in (proof.get("file_hits") or {}).items() if v}
        if found:
            text.append(" — still found in " + "; ".join(f"{place} ×{n}" for place, n in found.items()))
        if files:
            text.append(" — in the database files " + "; ".join(f"{name} ×{n}" for name, n in files.items()))
        text.append(".")
    if proof.get("checkpoint_busy"):
        text.append(" (another reader kept the database file from being fully compacted: verify again later)", style="yellow")
    return text


def verify_summary(result: dict[str, Any]) -> Text:
    text = Text(f"Request {result.get('request')} of member ", style="bold")
    text.append_text(as_text(str(result.get("member")), style="bold", keep_newlines=False))
    text.append(f": {result.get('state')}; erased: {'yes' if result.get('erased') else 'no'}; "
                f"pseudonymised: {'yes' if result.get('pseudonymised') else 'no'}.\n")
    if result.get("proof_at_erasure"):
        at = str(result.get("erased_at") or "?")[:16].replace("T", " ")
        text.append_text(proof_line(result["proof_at_erasure"], f"Proof at erasure ({at}Z)"))
        text.append("\n")
    if "search_now" in result:
        text.append_text(proof_line(result["search_now"], "Search now"))
        text.append("\n")
    text.append("CLEAN: nothing of the member's personal data left." if result.get("clean") else "NOT CLEAN.",
                style="bold green" if result.get("clean") else "bold white on red")
    return text


# --- dialogs ---------------------------------------------------------------------------------------


class EraseDialog(ModalScreen[str | None]):
    """The confirmation of an erasure: plain words, the risk, a reason, and the member id typed
    out. Returns the reason, or None (nothing is erased)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    EraseDialog { align: center middle; }
    EraseDialog Label { width: 1fr; }
    EraseDialog > Vertical { width: 96; height: auto; border: thick $error; padding: 1 2; background: $surface; }
    EraseDialog .title { text-style: bold; color: $error; }
    EraseDialog .para { margin-top: 1; }
    EraseDialog .risk { margin-top: 1; color: $error; text-style: bold; }
    EraseDialog Input { margin-bottom: 0; }
    EraseDialog #erase-error { color: $error; height: auto; }
    EraseDialog .hint { color: $text-muted; }
    """

    def __init__(self, d: DeletionPublic) -> None:
        super().__init__()
        self.d = d
        member = d.member
        # a member id that cannot be typed (controls, bidi) is confirmed with the word ERASE
        self.expected = member if visible(member, keep_newlines=False) == member and member.strip() == member else "ERASE"

    def compose(self) -> ComposeResult:
        d = self.d
        who = as_text(d.member, style="bold", keep_newlines=False).append(" (").append_text(
            as_text(d.handle or "no handle", keep_newlines=False)).append(")")
        told = "delete the account" if d.scope == "account" else "erase the account's data"
        words = Text(f"Approving request {_v(d.request)} ({d.scope}) erases member ").append_text(who)
        words.append(" now, for good. This cannot be undone.", style="bold")
        words.append(" Their email, real name and phone are deleted from the vault; the text of everything they "
                     "wrote, their self-assessments, and every mention of them in notes, messages and others' posts "
                     "are erased. The audit trail is kept, with the member pseudonymised. "
                     f"The platform is told to {told}.")
        with Vertical():
            yield Label(Text("Erase this member's data — irreversible"), classes="title", markup=False)
            yield Static(words, classes="para", markup=False)
            if at_risk(d):
                yield Static(risk_sentence(d, HINT_IN_DIALOG), classes="risk", markup=False)
            yield Label("Your reason (for the audit log; the member's data are scrubbed from it):", classes="para", markup=False)
            yield Input(placeholder="e.g. spoke with the member on 11-26, request confirmed, no current risk", id="erase-reason")
            confirm = Text("To confirm, type ")
            confirm.append("the member id " if self.expected != "ERASE" else "the word ")
            confirm.append(self.expected, style="bold reverse")
            confirm.append(":")
            yield Label(confirm, classes="para", markup=False)
            yield Input(placeholder=self.expected, id="erase-confirm")
            yield Static("", id="erase-error", markup=False)
            yield Label("Enter erases once both are filled in; Escape cancels and nothing is erased.", classes="hint",
                        markup=False)

    def on_mount(self) -> None:
        self.query_one("#erase-reason", Input).focus()

    @on(Input.Submitted, "#erase-reason")
    def _reason_done(self) -> None:
        self.query_one("#erase-confirm", Input).focus()

    @on(Input.Submitted, "#erase-confirm")
    def _confirmed(self) -> None:
        reason = self.query_one("#erase-reason", Input).value.strip()
        typed = self.query_one("#erase-confirm", Input).value.strip()
        error = self.query_one("#erase-error", Static)
        if not reason:
            error.update("Write the reason first.")
            self.query_one("#erase-reason", Input).focus()
            return
        if typed != self.expected:
            error.update(Text("That is not ").append(self.expected, style="bold").append(": nothing is erased. "
                                                                                         "Type it exactly, or press Escape."))
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)


class CloseDialog(ModalScreen[tuple[datetime | None, str] | None]):
    """A temporary closure: until when (optional) and why. Returns (until, reason) or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    CloseDialog { align: center middle; }
    CloseDialog Label { width: 1fr; }
    CloseDialog > Vertical { width: 90; height: auto; border: thick $accent; padding: 1 2; background: $surface; }
    CloseDialog .para { margin-top: 1; }
    CloseDialog #close-error { color: $error; height: auto; }
    CloseDialog .hint { color: $text-muted; }
    """

    def __init__(self, d: DeletionPublic, now: datetime) -> None:
        super().__init__()
        self.d = d
        self.now = now

    def compose(self) -> ComposeResult:
        d = self.d
        title = Text("Close the account of member ", style="bold").append_text(
            as_text(d.member, style="bold", keep_newlines=False)).append(" for a while", style="bold")
        with Vertical():
            yield Label(title, markup=False)
            yield Static(f"They cannot log in until the end you give (or until reopened with o). Nothing is erased; "
                         f"the request ({_v(d.request)}) is closed.", classes="para", markup=False)
            yield Label("Until (UTC): 2026-12-24, 2026-12-24 18:00, or 7d, 48h, 2w from now; empty: until reopened",
                        classes="para", markup=False)
            yield Input(placeholder="empty: until reopened", id="close-until")
            yield Label("Your reason (for the team and the audit log):", classes="para", markup=False)
            yield Input(placeholder="e.g. the member asked for a break; check in on the 24th", id="close-reason")
            yield Static("", id="close-error", markup=False)
            yield Label("Enter closes once the reason is filled in; Escape cancels.", classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#close-until", Input).focus()

    @on(Input.Submitted, "#close-until")
    def _until_done(self) -> None:
        try:
            parse_until(self.query_one("#close-until", Input).value, self.now)
        except ValueError as exc:
            self.query_one("#close-error", Static).update(str(exc))
            return
        self.query_one("#close-error", Static).update("")
        self.query_one("#close-reason", Input).focus()

    @on(Input.Submitted, "#close-reason")
    def _done(self) -> None:
        error = self.query_one("#close-error", Static)
        try:
            until = parse_until(self.query_one("#close-until", Input).value, self.now)
        except ValueError as exc:
            error.update(str(exc))
            self.query_one("#close-until", Input).focus()
            return
        reason = self.query_one("#close-reason", Input).value.strip()
        if not reason:
            error.update("Write the reason, or press Escape.")
            return
        self.dismiss((until, reason))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ProofDialog(ModalScreen[None]):
    """An erasure's outcome and proof (or a verification's); Escape or Enter closes."""

    BINDINGS = [Binding("escape,enter,q", "close", "Close")]
    DEFAULT_CSS = """
    ProofDialog { align: center middle; }
    ProofDialog Label { width: 1fr; }
    ProofDialog > Vertical { width: 96; height: auto; border: thick $success; padding: 1 2; background: $surface; }
    ProofDialog #proof { margin: 1 0; }
    ProofDialog .hint { color: $text-muted; }
    """

    def __init__(self, title: str, body: Text) -> None:
        super().__init__()
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.title_text, style="bold"), markup=False)
            yield Static(self.body, id="proof", markup=False)
            yield Label("Enter or Escape closes.", classes="hint", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)


# --- the list ---------------------------------------------------------------------------------------


class DeletionsScreen(PagedListScreen[DeletionPublic]):
    TABLE_ID = "deletions"
    COLUMNS = ("case", "request", "scope", "member", "age", "state", "risk")
    STATES = STATES
    PAGE = PAGE

    def fetch(self, limit: int, after: DeletionPublic | None) -> list[DeletionPublic]:
        return self.backend.deletion_list(self.state, limit=limit, after=after.request if after else None)  # type: ignore[no-any-return]

    def add_row(self, d: DeletionPublic, now: datetime) -> None:
        member = as_text(d.member, keep_newlines=False).append(" (").append_text(
            as_text(d.handle or "no handle", keep_newlines=False)).append(")")
        state = Text(d.state, style="yellow" if d.state == "contacted" else "")
        if d.state not in ("pending", "contacted"):
            state.append(f" by {d.decided_by or '?'}", style="dim")
        if d.closed_until:
            state.append(f", account closed {closure_words(d.closed_until, short=True)}", style="yellow")
        self.table.add_row(Text(str(d.id)), as_text(d.request, keep_newlines=False), Text(d.scope), member,
                           Text(age(d.created_at, now)), state, risk_marker(d), key=str(d.id))

    def heading(self) -> Text:
        title = Text(f"Deletion requests: {self.state}" + (" and contacted" if self.state == "pending" else "")
                     + f" ({self.shown})", style="bold")
        flagged = sum(1 for d in self.items if at_risk(d))
        if flagged:
            title.append(f"   {flagged} from a member who may be at risk" + (" (of those shown)" if self.more else ""),
                         style="bold red")
        title.append("   oldest first; Enter opens one, Tab switches pending/decided/all", style="dim")
        return title

    def open_item(self, d: DeletionPublic) -> None:
        self.app.push_screen(DeletionScreen(self.backend, d.id), lambda _: self.refresh_list())


# --- one request ------------------------------------------------------------------------------------


class DeletionScreen(Screen[bool]):
    """One request, the member's risk beside it, and the decisions. Dismisses with whether
    anything was decided here."""

    BINDINGS = [
        Binding("escape,q", "leave", "Back"),
        Binding("a", "approve", "Approve"),
        Binding("d", "decline", "Decline"),
        Binding("m", "contacted", "Mark contacted"),
        Binding("t", "close_temporarily", "Close for a while"),
        Binding("o", "reopen", "Reopen account"),
        Binding("i", "contact_details", "Contact details"),
        Binding("p", "verify", "Verify erasure"),
        Binding("g", "refresh", "Refresh", show=False),
    ]
    DEFAULT_CSS = """
    DeletionScreen #status { padding: 0 1; background: $boost; }
    DeletionScreen #risk-banner { padding: 0 1; background: $error 30%; display: none; }
    DeletionScreen #risk-banner.shown { display: block; }
    DeletionScreen #request { width: 3fr; }
    DeletionScreen #risk { width: 2fr; border-left: solid $accent; }
    DeletionScreen .section { margin-top: 1; padding: 0 1; text-style: bold underline; }
    DeletionScreen .line { padding: 0 1; }
    DeletionScreen .note { margin: 0 1; padding: 0 1; border: round $primary; height: auto; }
    DeletionScreen .risk-cases { height: auto; max-height: 12; border: none; padding: 0 1; }
    """

    def __init__(self, backend: Any, case_id: int, *, claim: bool = True) -> None:
        super().__init__()
        self.backend = backend
        self.case_id = case_id
        self.claim = claim
        self.lease = Lease(self)
        self.decided = False
        self.detail: DeletionPublic | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="status", markup=False)
        yield Static(id="risk-banner", markup=False)
        with Horizontal():
            yield VerticalScroll(id="request")
            yield VerticalScroll(id="risk")
        yield Footer()

    def on_mount(self) -> None:
        if self.claim:
            self.lease.take()
            self.set_interval(RENEW_EVERY_S, self.lease.renew)
        self.reload()

    @property
    def pending(self) -> bool:
        return self.detail is not None and self.detail.state in ("pending", "contacted")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in DECIDING:
            return self.pending
        if action == "reopen":
            return self.detail is not None and self.detail.closed_until is not None
        if action == "verify":
            return self.detail is not None and (self.detail.erasure is not None or self.detail.state == "approved")
        return True

    # --- showing ---------------------------------------------------------------------------------

    def reload(self) -> None:
        try:
            self.detail = self.backend.deletion_show(self.case_id)
        except ModconsoleError as exc:
            report(self.app, exc, "error")
            self.lease.give_back()
            self.dismiss(self.decided)
            return
        self._show(self.detail)
        self.refresh_bindings()

    def _status(self, d: DeletionPublic) -> Text:
        status = Text(f"Deletion request {_v(d.request)} (case {d.id})  ", style="bold")
        status.append(SCOPE_WORDS.get(d.scope, d.scope), style="bold")
        status.append("  member ").append_text(as_text(d.member, style="bold", keep_newlines=False))
        status.append(" (").append_text(as_text(d.handle or "no handle", keep_newlines=False)).append(")")
        status.append(f"   {d.state}", style="bold yellow" if d.state in ("pending", "contacted") else "bold green")
        if d.state in ("pending", "contacted"):
            status.append(f"   waiting {age(d.created_at, now_of(self.app))}")
        if self.lease.holding:
            status.append("   you hold it", style="bold green")
        elif self.lease.held_by:
            status.append("   held by ").append_text(as_text(self.lease.held_by, style="bold red", keep_newlines=False))
        return status

    def _show(self, d: DeletionPublic) -> None:
        self.query_one("#status", Static).update(self._status(d))
        banner = self.query_one("#risk-banner", Static)
        banner.set_class(at_risk(d), "shown")
        banner.update(risk_sentence(d, HINT_ON_SCREEN if self.pending else None) if at_risk(d) else "")

        w: list[Any] = []

        def section(title: str) -> None:
            w.append(Static(title, classes="section", markup=False))

        def line(text: Text) -> None:
            w.append(Static(text, classes="line", markup=False))

        section("The request")
        line(Text(f"{d.scope}: ", style="bold").append(SCOPE_WORDS.get(d.scope, d.scope))
             .append(f"   received {_when(d.created_at)}", style="dim"))
        section("The member wrote")
        if d.note:
            w.append(MemberText(d.note, classes="note"))
        else:
            line(Text("(no note)" if not d.erasure else "(erased)", style="dim"))
        if d.closed_until:
            section("Closure")
            line(Text(f"The account is closed {closure_words(d.closed_until)}: the member cannot log in. ", style="yellow")
                 .append("o reopens it now.", style="dim"))
        if d.state not in ("pending", "contacted") or d.decided_by:
            section("Contacted" if d.state == "contacted" else "Decision")
            decided = Text(f"{d.state} by {d.decided_by or '?'} on {_when(d.decided_at)}")
            if d.decision_reason:
                decided.append(": ").append_text(as_text(d.decision_reason))
            elif d.state == "approved" and d.scope in ERASING:
                decided.append(" (the reason is in the audit log, scrubbed of the member's data)", style="dim")
            line(decided)
        if d.erasure:
            section("Erasure")
            line(erasure_summary(d.erasure))
        if self.pending:
            section("Decide")
            approve = ("a approves: ERASES the member's data for good (you confirm by typing the member id)"
                       if d.scope in ERASING else "a approves: closes the account until reopened")
            line(Text(approve + ".\nd declines, m marks contacted (stays open), t closes the account for a while; "
                      "each asks for a reason.\ni shows the member's contact details (audited, with a reason).",
                      style="dim"))

        r: list[Any] = []
        r.append(Static("Risk cases (urgent, self-harm)", classes="section", markup=False))
        if d.risk_cases:
            options = []
            for c in d.risk_cases:
                label = Text(f"case {c.id} {c.queue} {c.state}", style="bold red" if c.state != "resolved" else "")
                label.append(f"  priority {c.priority}  {_when(c.created_at, '%m-%d %H:%M')}", style="dim")
                if c.resolution:
                    label.append(f"  {c.resolution}", style="dim")
                label.append("\n  ").append_text(signal_summary(c))
                options.append(Option(label, id=str(c.id)))
            r.append(OptionList(*options, classes="risk-cases", markup=False))
            r.append(Static(Text("Enter on a case opens it.", style="dim"), classes="line", markup=False))
        else:
            r.append(Static(Text("none open or recent", style="dim"), classes="line", markup=False))
        r.append(Static("Self-assessments", classes="section", markup=False))
        if not d.self_assessments:
            r.append(Static(Text("none" if not d.erasure else "none (erased with the member's data)", style="dim"),
                            classes="line", markup=False))
        assessments = Text()
        for a in d.self_assessments:
            assessments.append(f"{_when(a.created_at, '%Y-%m-%d %H:%M')}" + (f"  {_v(a.instrument)}" if a.instrument else ""))
            assessments.append(f"  score {a.score:g}" if a.score is not None else "  no score")
            if a.suicidal:
                assessments.append("  SUICIDAL", style="bold red")
            assessments.append("\n")
        assessments.rstrip()
        if assessments:
            r.append(Static(assessments, classes="line", markup=False))

        for container, widgets in (("#request", w), ("#risk", r)):
            scroll = self.query_one(container, VerticalScroll)
            scroll.remove_children()
            scroll.mount_all(widgets)

    @on(OptionList.OptionSelected, ".risk-cases")
    def _open_risk_case(self, event: OptionList.OptionSelected) -> None:
        from .case import CaseScreen

        if event.option.id:
            # to read beside the request: not claimed (c claims it there, when the case is the team's)
            self.app.push_screen(CaseScreen(self.backend, int(event.option.id), claim=False), lambda _: self.reload())

    def action_refresh(self) -> None:
        self.reload()

    # --- deciding ----------------------------------------------------------------------------------

    def _ready(self) -> DeletionPublic | None:
        d = self.detail
        if d is None:
            return None
        if not self.pending:
            self.app.notify(f"Request {_v(d.request)} was already decided: {d.state}.", severity="warning", markup=False)
            return None
        return d

    def _decide(self, decision: str, reason: str, until: datetime | None = None) -> DeletionPublic | None:
        try:
            done: DeletionPublic = self.backend.deletion_decide(self.case_id, decision, reason, until)
        except ModconsoleError as exc:
            report(self.app, exc, "error")
            self.reload()
            return None
        self.decided = True
        if done.state != "contacted":
            self.lease.holding = False  # the decision resolved the case and released it
        self.reload()
        return done

    def action_approve(self) -> None:
        d = self._ready()
        if d is None:
            return
        if d.scope not in ERASING:
            def close(reason: str | None) -> None:
                if reason and self._decide("approve", reason) is not None:
                    self.app.notify(f"Request {_v(d.request)} approved: member {_v(d.member)}'s account is closed "
                                    "until reopened.", markup=False)

            self.app.push_screen(TextPrompt(
                f"Approve request {_v(d.request)}: close member {_v(d.member)}'s account until "
                "reopened (no login; nothing is erased). Your reason, for the record:"), close)
            return

        def erase(reason: str | None) -> None:
            if not reason:
                self.app.notify("Nothing was erased.", markup=False)
                return
            done = self._decide("approve", reason)
            if done is None:
                return
            if done.erasure:
                clean = (done.erasure.get("proof") or {}).get("clean")
                self.app.push_screen(ProofDialog(f"Member {_v(done.member)} erased "
                                                 f"({'proof clean' if clean else 'PROOF NOT CLEAN'})",
                                                 erasure_summary(done.erasure)))
            else:
                self.app.notify(f"Request {_v(done.request)}: {done.state}.", markup=False)

        self.app.push_screen(EraseDialog(d), erase)

    def action_decline(self) -> None:
        d = self._ready()
        if d is None:
            return

        def decline(reason: str | None) -> None:
            if reason and self._decide("decline", reason) is not None:
                self.app.notify(f"Request {_v(d.request)} declined. The platform is told it was declined, not why: "
                                "the team contacts the member.", markup=False)

        self.app.push_screen(TextPrompt(
            f"Decline request {_v(d.request)} ({SCOPE_WORDS.get(d.scope, d.scope)}) of member "
            f"{_v(d.member)}: why? (kept for the team; the platform is only told it was declined)"),
            decline)

    def action_contacted(self) -> None:
        d = self._ready()
        if d is None:
            return

        def contacted(reason: str | None) -> None:
            if reason and self._decide("contacted", reason) is not None:
                self.app.notify(f"Request {_v(d.request)} marked contacted; it stays open.", markup=False)

        self.app.push_screen(TextPrompt(
            f"Mark request {_v(d.request)} contacted: how was member {_v(d.member)} reached, "
            "what was agreed? (for the team; the request stays open)"), contacted)

    def action_close_temporarily(self) -> None:
        d = self._ready()
        if d is None:
            return

        def close(answer: tuple[datetime | None, str] | None) -> None:
            if answer is None:
                return
            until, reason = answer
            if self._decide("close_temporarily", reason, until) is not None:
                end = f"until {until:%Y-%m-%d %H:%M}Z" if until else "until reopened"
                self.app.notify(f"Member {_v(d.member)}'s account is closed {end}.", markup=False)

        self.app.push_screen(CloseDialog(d, now_of(self.app)), close)

    def action_reopen(self) -> None:
        d = self.detail
        if d is None or not d.closed_until:
            return

        def reopen(reason: str | None) -> None:
            if reason and attempt(self.app, lambda: self.backend.deletion_reopen(d.member, reason),
                                  f"Member {_v(d.member)} can log in again."):
                self.reload()

        self.app.push_screen(TextPrompt(
            f"Reopen member {_v(d.member)}'s account now (they can log in again): why?"), reopen)

    def action_contact_details(self) -> None:
        if self.detail is not None:
            ask_contact_details(self.app, self.backend, self.detail.member, f"deletion request {_v(self.detail.request)}")

    def action_verify(self) -> None:
        d = self.detail
        if d is None:
            return

        def verify(extra: str | None) -> None:
            if extra is None:
                return
            strings = [s.strip() for s in extra.split(",") if s.strip()]
            try:
                result = self.backend.deletion_verify(self.case_id, strings or None)
            except ModconsoleError as exc:
                report(self.app, exc, "error")
                return
            self.app.push_screen(ProofDialog(f"Erasure of request {_v(d.request)}: verification", verify_summary(result)))

        self.app.push_screen(TextPrompt(
            "Verify the erasure: the proof kept when it ran, and a new search of the whole store for any strings you "
            "give here (comma-separated, e.g. an email from the member's letter; empty: the stored proof only)",
            required=False), verify)

    def action_leave(self) -> None:
        self.lease.give_back()
        self.dismiss(self.decided)

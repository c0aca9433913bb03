"""The case view: the content in its context, signals, reports (never the reporter), notes, history.

Opening a case claims it, or shows who holds it; the lease is renewed while the case stays
open on screen and released on leaving. Every action goes through the Backend, so refusals
(Forbidden, ClaimHeld…) come back as the service layer worded them.

An `evasion` case also shows the linked profiles (same device) with their sanctions in force,
and `v` confirms the evasion (a senior's decision: permanent bans on every linked profile).
An `appeal` case opens the appeal (`a`): the member's text, what it contests, uphold/reverse.

For the clinical team, on an urgent or self-harm case (or one escalated to them), `i` shows the
member's contact details through the vault's audited path, after a written reason (see
screens/vault.py). Clinical staff never sanction or message members: those keys are not
offered to them (the service layer refuses them anyway).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from modconsole.errors import ClaimHeld, ModconsoleError
from modconsole.safetext import as_text
from modconsole.schemas import CaseDetail, ContentPublic, MemberPublic, SanctionPublic

from ..widgets.member_text import MemberText
from .dialogs import ChoicePrompt, TextPrompt
from .feedback import attempt, report
from .lease import RENEW_EVERY_S

SUGGESTED_TEMPLATE = {"pii": "pii_notice", "harassment": "harassment_coaching", "urgent": "check_in", "self_harm": "check_in"}


def content_header(c: ContentPublic) -> Text:
    head = Text(f"{c.kind or 'content'} {c.id}", style="bold")
    head.append(" by ")
    head.append_text(as_text(f"{c.author or '?'} ({c.author_handle or 'no handle'})", keep_newlines=False))
    if c.recipient:
        head.append(" to ")
        head.append_text(as_text(c.recipient, keep_newlines=False))
    if c.wall_of:
        head.append(" on the wall of ")
        head.append_text(as_text(c.wall_of, keep_newlines=False))
    if c.created_at:
        head.append(f"  {c.created_at:%Y-%m-%d %H:%M}", style="dim")
    if c.visibility != "visible":
        head.append(f"  [{c.visibility}]", style="bold red")
    return head


class CaseScreen(Screen[None]):
    BINDINGS = [
        Binding("escape,q", "leave", "Back"),
        Binding("c", "claim", "Claim"),
        Binding("r", "release", "Release"),
        Binding("n", "note", "Note"),
        Binding("e", "escalate", "Escalate"),
        Binding("d", "dismiss_case", "Dismiss"),
        Binding("h", "hide", "Hide/remove"),
        Binding("p", "member", "Member"),
        Binding("s", "sanction", "Sanction"),
        Binding("m", "message", "Message"),
        Binding("v", "confirm_evasion", "Confirm evasion"),
        Binding("a", "appeal", "Appeal"),
        Binding("i", "contact_details", "Contact details"),
    ]
    #: actions offered only on cases of one queue
    QUEUE_ACTIONS = {"confirm_evasion": "evasion", "appeal": "appeal"}
    #: actions offered only to some roles
    ROLE_ACTIONS = {"sanction": frozenset({"moderator", "senior", "admin"}),
                    "message": frozenset({"moderator", "senior", "admin"}),
                    "contact_details": frozenset({"clinical"})}
    RISK_QUEUES = frozenset({"urgent", "self_harm"})

    DEFAULT_CSS = """
    CaseScreen #status { padding: 0 1; background: $boost; }
    CaseScreen .line { padding: 0 1; }
    """

    def __init__(self, backend: Any, case_id: int, *, claim: bool = True) -> None:
        """`claim=False` opens the case to read (e.g. a risk case beside a deletion request);
        `c` still claims it."""
        super().__init__()
        self.backend = backend
        self.case_id = case_id
        self.claim_on_open = claim
        self.detail: CaseDetail | None = None
        self.linked: list[tuple[MemberPublic, list[SanctionPublic]]] = []
        self.holding = False
        try:
            self.role: str | None = backend.whoami.role
        except ModconsoleError:
            self.role = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="status", markup=False)
        yield VerticalScroll(id="body")
        yield Footer()

    def on_mount(self) -> None:
        if self.claim_on_open:
            self.action_claim(quiet=True)
        else:
            self.reload()
        self.set_interval(RENEW_EVERY_S, self._renew)

    # --- data ---------------------------------------------------------------------------------

    def reload(self) -> None:
        try:
            self.detail = self.backend.case_show(self.case_id)
        except ModconsoleError as exc:
            report(self.app, exc, "error")
            self.dismiss(None)
            return
        self.linked = self._linked_profiles()
        self._render_detail()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        roles = self.ROLE_ACTIONS.get(action)
        if roles is not None and self.role not in roles:
            return False
        if action == "contact_details":
            c = self.detail.case if self.detail is not None else None
            return c is not None and self._member_id() is not None and (
                c.queue in self.RISK_QUEUES or c.escalated_to == "clinical")
        queue = self.QUEUE_ACTIONS.get(action)
        if queue is None:
            return True
        return self.detail is not None and self.detail.case.queue == queue

    def _linked_profiles(self) -> list[tuple[MemberPublic, list[SanctionPublic]]]:
        """On an evasion case: the profiles sharing the member's device, with what is in force on each."""
        member = self._member_id()
        if self.detail is None or self.detail.case.queue != "evasion" or not member:
            return []
        try:
            linked = self.backend.member_show(member).linked
            return [(m, self.backend.member_status(m.id).in_force) for m in linked[:20]]
        except ModconsoleError as exc:
            report(self.app, exc, "warning")
            return []

    def _status(self) -> Text:
        assert self.detail is not None
        c = self.detail.case
        text = Text(f"Case {c.id}  ", style="bold")
        text.append(f"{c.queue}  priority {c.priority}  {c.state}", style="bold")
        if c.escalated_to and c.state != "resolved":
            text.append(f" (escalated to {c.escalated_to})", style="bold magenta")
        text.append(f"   SLA due {c.sla_due_at:%H:%M:%S}Z")
        if c.breached:
            text.append("  BREACHED", style="bold white on red")
        if c.claimed_by:
            text.append("   held by ")
            text.append_text(as_text(c.claimed_by, style="bold green" if self.holding else "bold red", keep_newlines=False))
        return text

    def _render_detail(self) -> None:
        """A few widgets, not one per line: member text in MemberText, the rest in Statics of Text."""
        assert self.detail is not None
        d = self.detail
        self.query_one("#status", Static).update(self._status())
        body = self.query_one("#body", VerticalScroll)
        body.remove_children()
        widgets: list[Any] = []
        block = Text()
        started = False

        def section(title: str) -> None:
            nonlocal started
            block.append(("\n" if started else "") + title + "\n", style="bold underline")
            started = True

        def line(text: Text) -> None:
            block.append_text(text)
            block.append("\n")

        def flush() -> None:
            nonlocal block
            block.rstrip()
            if block:
                widgets.append(Static(block, classes="line", markup=False))
            block = Text()

        if d.subject_member:
            m = d.subject_member
            section("Member")
            line(as_text(f"{m.id}  {m.handle or '(no handle)'}  language {m.language or '?'}", keep_newlines=False))
        if d.case.queue == "evasion":
            section("Linked profiles (same device)")
            if not self.linked:
                line(Text("none found", style="dim"))
            for m, in_force in self.linked:
                text = as_text(f"{m.id}  {m.handle or '(no handle)'}", keep_newlines=False)
                for x in in_force:
                    until = f"until {x.ends_at:%Y-%m-%d %H:%M}Z" if x.ends_at else "permanent"
                    text.append(f"   #{x.id} {x.kind} {until}", style="bold red" if x.kind in ("ban", "mute") else "")
                if not in_force:
                    text.append("   nothing in force", style="dim")
                line(text)
            if any(x.kind in ("ban", "mute") for _, in_force in self.linked for x in in_force):
                line(Text("v confirms the evasion: this profile and every linked one are banned permanently (a senior decides).",
                          style="dim"))
            else:
                line(Text("No linked profile has a ban or mute in force now: there is no evasion to confirm.", style="yellow"))
        if d.content:
            section("Content")
            line(content_header(d.content))
            flush()
            spans = [s.span for s in d.case.signals if s.span and s.content_id == d.content.id]
            if d.content.body is None:
                line(Text("(the content has not reached the console yet)", style="dim italic"))
            else:
                widgets.append(MemberText(d.content.body, spans, classes="line content-body"))
        if d.context:
            section("Context" if d.content and d.content.kind != "message" else "Conversation")
            for item in d.context:
                line(content_header(item))
                flush()
                widgets.append(MemberText(item.body, classes="line"))
        section("Signals")
        for s in d.case.signals:
            line(Text(f"{s.category} ", style="bold").append(f"({s.source}, severity {s.severity}) ")
                 .append_text(as_text(s.detail or "", keep_newlines=False)))
        if d.reports:
            section("Reports (the reporter is never shown)")
            for r in d.reports:
                line(Text(f"{r.reason}: ", style="bold").append_text(as_text(r.note or "(no note)")))
        for label, items in d.extra.items():
            section(label.replace("_", " ").capitalize())
            for item in items:
                facts = ", ".join(f"{k}={v}" for k, v in item.items() if k in ("scope", "state", "sanction_ref", "case_ref") and v)
                line(as_text(item.get("body") or item.get("note") or "").append(f"  {facts}", style="dim"))
            if label == "appeals" and d.case.queue == "appeal":
                line(Text("a opens the appeal: what it contests, the statement of reasons; uphold or reverse it there.", style="dim"))
        section("Notes")
        if not d.notes:
            line(Text("none yet — n adds one", style="dim"))
        for n in d.notes:
            line(Text(f"{n.created_at:%m-%d %H:%M} {n.author}: ", style="bold").append_text(as_text(n.body)))
        section("History")
        for e in d.history:
            detail = " ".join(f"{k}={v}" for k, v in (e.detail or {}).items())
            line(Text(f"{e.at:%m-%d %H:%M:%S}  {e.actor or 'system'}  {e.action}  {detail}"))
        flush()
        body.mount_all(widgets)

    # --- claim lease -------------------------------------------------------------------------------

    def action_claim(self, quiet: bool = False) -> None:
        try:
            self.backend.case_claim(self.case_id)
            self.holding = True
            if not quiet:
                self.app.notify(f"You hold case {self.case_id} for 15 minutes.", markup=False)
        except ClaimHeld as held:
            self.holding = False
            self.app.notify(held.message, title="Held by someone else", severity="warning", markup=False)
        except ModconsoleError as exc:
            self.holding = False
            if not quiet or exc.status != 409:
                report(self.app, exc, "warning")
        self.reload()

    def _renew(self) -> None:
        if self.holding:
            try:
                self.backend.case_claim(self.case_id)
            except ModconsoleError as exc:
                self.holding = False
                self.app.notify(exc.message, title="Lease lost", severity="error", markup=False)
                self.reload()

    def action_release(self) -> None:
        if self._call(lambda: self.backend.case_release(self.case_id), "Released"):
            self.holding = False
            self.reload()

    def release_on_leave(self) -> None:
        if self.holding and self.detail is not None and self.detail.case.state != "resolved":
            try:
                self.backend.case_release(self.case_id)
            except ModconsoleError:
                pass
        self.holding = False

    def action_leave(self) -> None:
        self.release_on_leave()
        self.dismiss(None)

    # --- actions -----------------------------------------------------------------------------------

    def _call(self, fn: Callable[[], object], done: str) -> bool:
        return attempt(self.app, fn, done)

    def action_note(self) -> None:
        def save(text: str | None) -> None:
            if text and self._call(lambda: self.backend.case_note(self.case_id, text), "Note added"):
                self.reload()

        self.app.push_screen(TextPrompt(f"Note on case {self.case_id} (staff only)", "what you saw, did, or hand over"), save)

    def action_escalate(self) -> None:
        def with_target(to: str | None) -> None:
            if not to:
                return

            def with_reason(reason: str | None) -> None:
                if reason and self._call(lambda: self.backend.case_escalate(self.case_id, to, reason), f"Escalated to {to}"):
                    self.holding = False
                    self.reload()

            self.app.push_screen(TextPrompt(f"Why escalate case {self.case_id} to {to}?"), with_reason)

        self.app.push_screen(ChoicePrompt("Escalate to", [("senior", "a senior moderator"), ("clinical", "the clinical team")]), with_target)

    def _resolve(self, action: str, reason: str | None) -> None:
        if self._call(lambda: self.backend.case_resolve(self.case_id, action, reason), f"Case {self.case_id}: {action}"):
            self.holding = False
            self.dismiss(None)

    def action_dismiss_case(self) -> None:
        self.app.push_screen(
            TextPrompt(f"Dismiss case {self.case_id}: no violation. Reason (optional)", required=False),
            lambda reason: None if reason is None else self._resolve("dismiss", reason or None),
        )

    def action_hide(self) -> None:
        def with_action(action: str | None) -> None:
            if action:
                self.app.push_screen(
                    TextPrompt(f"{action.capitalize()} the content of case {self.case_id}: which house rule?"),
                    lambda reason: None if reason is None else self._resolve(action, reason),
                )

        self.app.push_screen(
            ChoicePrompt("Content", [("hide", "hide it (can be restored)"), ("remove", "remove it")]), with_action
        )

    # --- member ---------------------------------------------------------------------------------------

    def _member_id(self) -> str | None:
        if self.detail is None:
            return None
        c = self.detail.case
        return c.member or (c.subject_id if c.subject_type == "member" else None)

    def action_member(self) -> None:
        from .member import MemberScreen

        member = self._member_id()
        if member:
            self.app.push_screen(MemberScreen(self.backend, member, self.case_id))

    def action_sanction(self) -> None:
        from .sanction import SanctionDialog

        member = self._member_id()
        if not member:
            self.app.notify("This case names no member to sanction.", severity="warning", markup=False)
            return
        self.app.push_screen(SanctionDialog(self.backend, member, self.case_id), lambda applied: self.reload() if applied else None)

    def action_confirm_evasion(self) -> None:
        if self.detail is None or self.detail.case.queue != "evasion":
            self.app.notify("Only a ban-evasion case can be confirmed as evasion.", severity="warning", markup=False)
            return

        def banned_for_good(in_force: list[SanctionPublic]) -> bool:
            return any(x.kind == "ban" and x.ends_at is None for x in in_force)

        names = ", ".join([self._member_id() or "?"] + [m.id for m, f in self.linked if not banned_for_good(f)])
        already_banned = [m.id for m, f in self.linked if banned_for_good(f)]

        def confirm(reason: str | None) -> None:
            if not reason:
                return
            try:
                bans = self.backend.evasion_confirm(self.case_id, reason)
            except ModconsoleError as exc:
                report(self.app, exc, "error")
                self.reload()
                return
            listed = ", ".join(f"#{b.id} on {b.member}" for b in bans) or "none new"
            already = already_banned + [x for x in names.split(", ") if x not in {b.member for b in bans}]
            also = f" Already banned for good: {', '.join(already)}." if already else ""
            self.app.notify(f"Evasion confirmed on case {self.case_id}. Permanent bans: {listed}.{also}",
                            title="Evasion confirmed", timeout=12, markup=False)
            self.holding = False
            self.dismiss(None)

        self.app.push_screen(
            TextPrompt(f"Confirm ban evasion (case {self.case_id}): {names} will be banned permanently"
                       + (f" ({', '.join(already_banned)} already is)" if already_banned else "")
                       + ". Reason, for the record:", "e.g. same device as the banned profile, same writing"),
            confirm,
        )

    def action_appeal(self) -> None:
        from .appeals import AppealScreen

        if self.detail is None or self.detail.case.queue != "appeal":
            self.app.notify("This case is not an appeal.", severity="warning", markup=False)
            return

        def done(decided: bool | None) -> None:
            if decided:
                self.holding = False
                self.dismiss(None)
            else:
                self.reload()

        self.app.push_screen(AppealScreen(self.backend, self.case_id, claim=False), done)

    def action_contact_details(self) -> None:
        from .vault import ask_contact_details

        member = self._member_id()
        if member and self.check_action("contact_details", ()):
            ask_contact_details(self.app, self.backend, member, f"case {self.case_id}, {self.detail.case.queue if self.detail else '?'}")

    def action_message(self) -> None:
        from .message import MessageDialog

        member = self._member_id()
        if not member or self.detail is None:
            self.app.notify("This case names no member to write to.", severity="warning", markup=False)
            return
        m = self.detail.subject_member
        suggested = SUGGESTED_TEMPLATE.get(self.detail.case.queue, "warning")
        self.app.push_screen(
            MessageDialog(self.backend, member, m.handle if m else None, m.language if m else None, self.case_id, suggested),
            lambda sent: self.reload() if sent else None,
        )

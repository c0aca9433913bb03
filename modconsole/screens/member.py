"""The member panel: content, cases, sanctions (in force and past), notes, linked accounts, and
the ladder's suggested next step. Never registration data.

Sanctions in force are a list: `l` lifts the highlighted one (a senior's decision; a moderator
is told why not and nothing changes), asking for the reason first. Each sanction shows the
house rule it rests on and who decided it.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from modconsole.errors import ModconsoleError
from modconsole.safetext import as_text
from modconsole.schemas import MemberDetail, SanctionPublic

from ..widgets.member_text import MemberText
from .dialogs import TextPrompt
from .feedback import attempt, report


def sanction_line(s: SanctionPublic, *, past: bool = False) -> Text:
    """One sanction for staff: kind, span, rule, who decided, the reason for the record."""
    text = Text(f"#{s.id} {s.kind}", style="bold")
    if s.other_member:
        text.append(" with ")
        text.append_text(as_text(s.other_member, keep_newlines=False))
    if past:
        text.append(f" from {s.starts_at:%Y-%m-%d}")
        if s.lifted_at:
            text.append(f", lifted {s.lifted_at:%Y-%m-%d %H:%M}Z", style="yellow")
        elif s.ends_at:
            text.append(f", ended {s.ends_at:%Y-%m-%d %H:%M}Z")
    else:
        text.append(f" until {s.ends_at:%Y-%m-%d %H:%M}Z" if s.ends_at else (" permanent" if s.kind == "ban" else " no end date"))
    text.append(f"  rule {s.rule or '?'}, by {s.decided_by or '?'}", style="cyan")
    if s.extends:
        text.append(f"  (evasion: extends #{s.extends})", style="magenta")
    text.append("  — ")
    text.append_text(as_text(s.reason))
    if past and s.lift_reason:
        text.append("  lifted because: ", style="dim").append_text(as_text(s.lift_reason))
    return text


class MemberScreen(Screen[None]):
    BINDINGS = [Binding("escape,q", "leave", "Back"), Binding("s", "sanction", "Sanction"),
                Binding("l", "lift", "Lift sanction (senior)")]
    DEFAULT_CSS = """
    MemberScreen .section { margin-top: 1; padding: 0 1; text-style: bold; color: $accent; }
    MemberScreen .line { padding: 0 1; }
    MemberScreen .in-force { height: auto; max-height: 12; border: none; padding: 0 1; }
    MemberScreen #suggestion { padding: 0 1; background: $boost; text-style: bold; }
    """

    def __init__(self, backend: Any, member_id: str, case_id: int | None = None) -> None:
        super().__init__()
        self.backend = backend
        self.member_id = member_id
        self.case_id = case_id
        self.detail: MemberDetail | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="suggestion", markup=False)
        yield VerticalScroll(id="body")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        try:
            self.detail = self.backend.member_show(self.member_id)
        except ModconsoleError as exc:
            report(self.app, exc, "error")
            self.dismiss(None)
            return
        d = self.detail
        head = Text("Member ", style="bold").append_text(as_text(f"{d.member.id} ({d.member.handle or 'no handle'})", keep_newlines=False))
        head.append(f"   suggested next step: {d.suggested_next}", style="bold yellow")
        head.append(f" — {d.suggestion_reason}", style="dim")
        self.query_one("#suggestion", Static).update(head)
        body = self.query_one("#body", VerticalScroll)
        body.remove_children()
        w: list[Any] = []

        def section(title: str) -> None:
            w.append(Static(title, classes="section", markup=False))

        def line(text: Text) -> None:
            w.append(Static(text, classes="line", markup=False))

        section("Sanctions in force")
        if not d.sanctions_in_force:
            line(Text("none", style="dim"))
        else:
            w.append(OptionList(*[Option(sanction_line(s), id=str(s.id)) for s in d.sanctions_in_force],
                                classes="in-force", markup=False))
        if d.sanctions_past:
            section("Past sanctions")
            for s in d.sanctions_past:
                line(sanction_line(s, past=True))
        section(f"Cases ({len(d.cases)})")
        for c in d.cases:
            line(Text(f"{c.id}  {c.queue}  {c.state}  priority {c.priority}  ").append_text(as_text(f"{c.subject_type} {c.subject_id}", keep_newlines=False)))
        section(f"Content ({d.content_total}, latest {len(d.content)})")
        for item in d.content:
            line(Text(f"{item.kind} {item.id} [{item.visibility}]", style="dim"))
            w.append(MemberText(item.body, classes="line"))
        if d.linked:
            section("Linked accounts (same device)")
            for x in d.linked:
                line(as_text(f"{x.id} ({x.handle or 'no handle'})", keep_newlines=False))
        section("Notes")
        if not d.notes:
            line(Text("none", style="dim"))
        for n in d.notes:
            line(Text(f"{n.created_at:%m-%d %H:%M} {n.author}: ", style="bold").append_text(as_text(n.body)))
        body.mount_all(w)
        if d.sanctions_in_force:
            self.call_after_refresh(self._focus_in_force)

    @property
    def in_force_list(self) -> OptionList | None:
        """The list of sanctions in force (the newest one: the body is rebuilt on every reload, and
        the old list may linger until it is pruned; hence a class, not an id)."""
        lists = list(self.query("OptionList.in-force").results(OptionList))
        return lists[-1] if lists else None

    def _focus_in_force(self) -> None:
        in_force = self.in_force_list
        if in_force is not None:
            in_force.focus()
            if in_force.highlighted is None:
                in_force.highlighted = 0

    @property
    def selected_sanction(self) -> SanctionPublic | None:
        """The highlighted sanction in force (the only one, when there is one)."""
        if self.detail is None or not self.detail.sanctions_in_force:
            return None
        in_force = self.in_force_list
        index = in_force.highlighted if in_force is not None and in_force.highlighted is not None else 0
        return self.detail.sanctions_in_force[index] if index < len(self.detail.sanctions_in_force) else None

    def action_leave(self) -> None:
        self.dismiss(None)

    def action_sanction(self) -> None:
        from .sanction import SanctionDialog

        # the ladder's suggestion ("mute (e.g. 72 hours)", "ban (temporary, e.g. 7 days)"…) preselects the kind
        suggested = (self.detail.suggested_next if self.detail is not None else "").split(" ", 1)
        self.app.push_screen(SanctionDialog(self.backend, self.member_id, self.case_id, kind=suggested[0] or None,
                                            duration="7d" if "7 days" in suggested[-1] else None),
                             lambda applied: self.reload() if applied else None)

    def action_lift(self) -> None:
        target = self.selected_sanction
        if target is None:
            self.app.notify("No sanction in force to lift.", severity="warning", markup=False)
            return

        def lift(reason: str | None) -> None:
            if reason and attempt(self.app, lambda: self.backend.sanction_lift(target.id, reason),
                                  f"Sanction #{target.id} ({target.kind}) lifted; the member is told it was reviewed."):
                self.reload()

        self.app.push_screen(
            TextPrompt(f"Lift sanction #{target.id} ({target.kind}) of {self.member_id}: why? (for the record; "
                       "the member is told a moderator reviewed it)"),
            lift,
        )

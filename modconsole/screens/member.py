"""The member panel: content, cases, sanctions (in force and past), notes, linked accounts, and
the ladder's suggested next step. Never registration data."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from modconsole.errors import ModconsoleError
from modconsole.safetext import as_text
from modconsole.schemas import MemberDetail

from ..widgets.member_text import MemberText
from .feedback import report


class MemberScreen(Screen[None]):
    BINDINGS = [Binding("escape,q", "leave", "Back"), Binding("s", "sanction", "Sanction")]
    DEFAULT_CSS = """
    MemberScreen .section { margin-top: 1; padding: 0 1; text-style: bold; color: $accent; }
    MemberScreen .line { padding: 0 1; }
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
        for s in d.sanctions_in_force:
            until = f"until {s.ends_at:%Y-%m-%d %H:%M}Z" if s.ends_at else "no end date"
            line(Text(f"#{s.id} {s.kind} {until}" + (f" with {s.other_member}" if s.other_member else "") + ": ").append_text(as_text(s.reason)))
        if d.sanctions_past:
            section("Past sanctions")
            for s in d.sanctions_past:
                line(Text(f"#{s.id} {s.kind} from {s.starts_at:%Y-%m-%d}: ").append_text(as_text(s.reason)))
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

    def action_leave(self) -> None:
        self.dismiss(None)

    def action_sanction(self) -> None:
        from .sanction import SanctionDialog

        self.app.push_screen(SanctionDialog(self.backend, self.member_id, self.case_id), lambda applied: self.reload() if applied else None)

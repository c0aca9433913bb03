"""The sanction dialog: kind, duration preset, the other member of a no-contact order, a reason
from the house rules, and a preview of the statement of reasons the member will get.

What the service layer refuses (a moderator's permanent ban, a no-contact order without a
senior) comes back as a clear error in the dialog, and nothing changes.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from modconsole.errors import ModconsoleError
from modconsole.rules import house_rules
from modconsole.safetext import as_text

from .feedback import report

KINDS = [("warning", "warning"), ("comment_mute", "comment-mute"), ("mute", "mute"), ("ban", "ban"), ("no_contact", "no-contact order")]
DURATIONS = [("24h", "24 h"), ("72h", "72 h"), ("7d", "7 days"), ("30d", "30 days"), ("permanent", "permanent")]
NO_DURATION = {"warning", "no_contact"}


def statement(kind: str, duration: str, rule: str, facts: str, other: str | None) -> str:
    """The statement of reasons as the member will read it (never the reporter's identity)."""
    what = {"warning": "a warning", "comment_mute": "a comment-mute", "mute": "a mute", "ban": "a ban",
            "no_contact": "a no-contact order"}[kind]
    if kind in NO_DURATION:
        span = "until it is lifted" if kind == "no_contact" else "no restriction, recorded on your account"
    else:
        span = "permanent" if duration == "permanent" else f"for {dict(DURATIONS)[duration]}"
    lines = [f"Decision: {what}" + (f" with member {other}" if other else "") + ".",
             f"Facts: {facts or 'the content or behaviour reviewed by a moderator.'}",
             f"Rule: {rule}",
             f"Duration: {span}.",
             "How to appeal: reply to this message or use 'Contest a decision' in your account; "
             "a different moderator will review it."]
    return "\n".join(lines)


class SanctionDialog(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "apply", "Apply")]
    DEFAULT_CSS = """
    SanctionDialog { align: center middle; }
    SanctionDialog > VerticalScroll { width: 100; height: 90%; border: thick $accent; padding: 0 2; background: $surface; }
    SanctionDialog RadioSet { width: 1fr; height: auto; }
    SanctionDialog #preview { border: round $primary; padding: 0 1; height: auto; }
    SanctionDialog #other { display: none; }
    SanctionDialog #other.visible { display: block; }
    SanctionDialog Horizontal { height: auto; }
    SanctionDialog Vertical { height: auto; width: 1fr; }
    """

    def __init__(self, backend: Any, member_id: str, case_id: int | None = None) -> None:
        super().__init__()
        self.backend = backend
        self.member_id = member_id
        self.case_id = case_id
        self.rules = house_rules()

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Label(Text("Sanction member ").append_text(as_text(self.member_id, keep_newlines=False))
                        .append(f" (case {self.case_id})" if self.case_id else ""))
            with Horizontal():
                with Vertical():
                    yield Label("Kind")
                    with RadioSet(id="kind"):
                        for i, (value, label) in enumerate(KINDS):
                            yield RadioButton(label, value=i == 0, id=f"kind-{value}")
                with Vertical():
                    yield Label("Duration")
                    with RadioSet(id="duration"):
                        for i, (value, label) in enumerate(DURATIONS):
                            yield RadioButton(label, value=i == 1, id=f"dur-{value}")
            yield Input(placeholder="the other member's id (no-contact order)", id="other")
            yield Label("Reason (house rule)")
            with RadioSet(id="rule"):
                for i, rule in enumerate(self.rules):
                    yield RadioButton(rule["en"], value=i == 0, id=f"rule-{rule['id']}")
            yield Input(placeholder="facts, in a sentence (optional; no reporter names)", id="facts")
            yield Label("What the member will read")
            yield Static(id="preview", markup=False)
            with Horizontal():
                yield Button("Apply (ctrl+s)", variant="error", id="apply")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#kind", RadioSet).focus()
        self._update()

    def _choice(self, radio_id: str, prefix: str) -> str:
        pressed = self.query_one(f"#{radio_id}", RadioSet).pressed_button
        return (pressed.id or "").removeprefix(prefix) if pressed is not None else ""

    @property
    def kind(self) -> str:
        return self._choice("kind", "kind-")

    @property
    def duration(self) -> str:
        return self._choice("duration", "dur-")

    @property
    def rule(self) -> dict[str, str]:
        rid = self._choice("rule", "rule-")
        return next((r for r in self.rules if r["id"] == rid), self.rules[0])

    @on(RadioSet.Changed)
    @on(Input.Changed)
    def _update(self, _: object = None) -> None:
        other = self.query_one("#other", Input)
        other.set_class(self.kind == "no_contact", "visible")
        text = statement(self.kind or "warning", self.duration or "72h", self.rule["en"],
                         self.query_one("#facts", Input).value.strip(), other.value.strip() or None)
        self.query_one("#preview", Static).update(as_text(text))

    @on(Button.Pressed, "#apply")
    def action_apply(self) -> None:
        kind = self.kind
        facts = self.query_one("#facts", Input).value.strip()
        other = self.query_one("#other", Input).value.strip() or None
        reason = f"{self.rule['id']}: {self.rule['en']}" + (f" — {facts}" if facts else "")
        try:
            s = self.backend.sanction_apply(
                member=self.member_id, kind=kind, duration=None if kind in NO_DURATION else self.duration,
                reason=reason, other=other if kind == "no_contact" else None, case_id=self.case_id,
            )
        except ModconsoleError as exc:
            report(self.app, exc, "error")
            return
        self.app.notify(f"Sanction {s.id}: {s.kind} applied to {s.member}", markup=False)
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)

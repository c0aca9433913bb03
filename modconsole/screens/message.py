"""Message the member: a template in their language, previewed, or your own words; to the outbox."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from modconsole.errors import ModconsoleError
from modconsole.rules import message_templates, render_template
from modconsole.safetext import as_text

from .feedback import report

LABELS = {"warning": "warning", "pii_notice": "personal-details notice", "harassment_coaching": "harassment coaching",
          "check_in": "safety check-in"}


class MessageDialog(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "send", "Send")]
    DEFAULT_CSS = """
    MessageDialog { align: center middle; }
    MessageDialog > VerticalScroll { width: 100; height: 80%; border: thick $accent; padding: 0 2; background: $surface; }
    MessageDialog RadioSet { height: auto; width: 1fr; }
    MessageDialog #preview { border: round $primary; padding: 0 1; height: auto; }
    MessageDialog Horizontal { height: auto; }
    """

    def __init__(self, backend: Any, member_id: str, handle: str | None, language: str | None, case_id: int | None,
                 suggested: str = "warning") -> None:
        super().__init__()
        self.suggested = suggested if suggested in message_templates() else "warning"
        self.backend = backend
        self.member_id = member_id
        self.handle = handle
        self.language = language
        self.case_id = case_id

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Label(Text("Message to ").append_text(as_text(f"{self.member_id} ({self.handle or 'no handle'})", keep_newlines=False))
                        .append(f" — language {self.language or 'en'}"))
            with RadioSet(id="template"):
                for key in message_templates():
                    yield RadioButton(LABELS.get(key, key), value=key == self.suggested, id=f"tpl-{key}")
            yield Input(placeholder="or your own words (replaces the template)", id="own")
            yield Label("What the member will read")
            yield Static(id="preview", markup=False)
            with Horizontal():
                yield Button("Send (ctrl+s)", variant="primary", id="send")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#template", RadioSet).focus()
        self._update()

    @property
    def template(self) -> str:
        pressed = self.query_one("#template", RadioSet).pressed_button
        return (pressed.id or "").removeprefix("tpl-") if pressed is not None else next(iter(message_templates()))

    @on(RadioSet.Changed)
    @on(Input.Changed)
    def _update(self, _: object = None) -> None:
        own = self.query_one("#own", Input).value.strip()
        text = own or render_template(self.template, self.language, self.handle)
        self.query_one("#preview", Static).update(as_text(text))

    @on(Button.Pressed, "#send")
    def action_send(self) -> None:
        own = self.query_one("#own", Input).value.strip() or None
        try:
            outbox_id = self.backend.member_message(self.member_id, template=None if own else self.template, body=own,
                                                    case_id=self.case_id)
        except ModconsoleError as exc:
            report(self.app, exc, "error")
            return
        self.app.notify(f"Message queued for {self.member_id} (outbox {outbox_id})", markup=False)
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)

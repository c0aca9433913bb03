"""Contact details, only through the registration vault's audited path (SPEC §1, §5).

The clinical team may reveal a member's email, real name and phone when the member's safety
needs it, with a written reason: `ask_contact_details` asks for the reason (a TextPrompt), then
calls `backend.vault_show`, which records the reading (who, which member, the reason; never the
data) in the audit log, and refuses every role but clinical and admin (refusals audited too).

What comes back is shown in a dialog as untrusted text (the platform sent it; literal, controls
made visible) and kept nowhere else: not on the calling screen, not in a notification (the app
keeps those), not in a log. Closing the dialog drops it; seeing it again is a new, audited read.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from modconsole.errors import ModconsoleError
from modconsole.safetext import as_text, visible
from modconsole.schemas import VaultRecord

from .dialogs import TextPrompt
from .feedback import report

FIELDS = (("email", "email"), ("real name", "real_name"), ("phone", "phone"))


class ContactDetails(ModalScreen[None]):
    """A vault record on screen while the dialog is open; Escape or Enter closes it."""

    BINDINGS = [Binding("escape,enter,q", "close", "Close")]
    DEFAULT_CSS = """
    ContactDetails { align: center middle; }
    ContactDetails Label { width: 1fr; }
    ContactDetails > Vertical { width: 80; height: auto; border: thick $warning; padding: 1 2; background: $surface; }
    ContactDetails #details { margin: 1 0; }
    ContactDetails .hint { color: $text-muted; }
    """

    def __init__(self, record: VaultRecord) -> None:
        super().__init__()
        self._record: VaultRecord | None = record

    def compose(self) -> ComposeResult:
        record = self._record
        assert record is not None
        title = Text("Contact details of member ", style="bold").append_text(
            as_text(record.member, style="bold", keep_newlines=False))
        details = Text()
        if not any(getattr(record, attr) for _, attr in FIELDS):
            details.append("The vault holds nothing for this member (never given, or erased).\n", style="yellow")
        for label, attr in FIELDS:
            value = getattr(record, attr)
            details.append(f"{label:<10} ", style="bold")
            details.append_text(as_text(value, keep_newlines=False) if value else Text("—", style="dim"))
            details.append("\n")
        details.rstrip()
        with Vertical():
            yield Label(title, markup=False)
            yield Static(details, id="details", markup=False)
            yield Label("This reading is in the audit log with your reason. The console keeps none of it: "
                        "Escape closes; seeing it again is a new reading.", classes="hint", markup=False)

    def action_close(self) -> None:
        self._record = None
        self.dismiss(None)


def ask_contact_details(app: Any, backend: Any, member_id: str, about: str) -> None:
    """Ask for the reason, read the vault, show the record (or the refusal)."""

    def with_reason(reason: str | None) -> None:
        if not reason:
            return
        try:
            record = backend.vault_show(member_id, reason)
        except ModconsoleError as exc:
            report(app, exc, "error")
            return
        app.push_screen(ContactDetails(record))

    app.push_screen(
        TextPrompt(f"Contact details of member {visible(member_id, keep_newlines=False)} ({about}). "
                   "Why do you need them? Your reason goes to the audit log with your name.",
                   "e.g. the member may be in danger; calling to check they are safe"),
        with_reason,
    )

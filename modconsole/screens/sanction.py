"""The sanction dialog: kind, duration preset, the other member of a no-contact order, the house
rule the sanction rests on, a note for the record, and a preview of the statement of reasons.

The preview is the real statement: the dialog asks `backend.sanction_preview` (the same checks
as applying, nothing applied) whenever the kind, the duration, the rule or the other member
changes, and shows what the member would read, in their language. What the service layer
refuses (a moderator's permanent ban, a no-contact order without a senior, no rule chosen, an
unknown member) shows in the preview area instead; applying then is refused the same way and
changes nothing. The preview is one short read, so it stays on the UI thread like the other
dialogs' calls; typing the other member's id is debounced.

The rule is preselected only when the backend names one for the case (offensive → respect,
pii → privacy…); otherwise the moderator chooses it. The note for the record is kept with the
sanction for staff; the member reads the statement, never the note.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from modconsole.errors import ModconsoleError
from modconsole.rules import house_rules
from modconsole.safetext import as_text
from modconsole.schemas import SanctionPublic

from .feedback import report

KINDS = [("warning", "warning"), ("comment_mute", "comment-mute"), ("mute", "mute"), ("ban", "ban"), ("no_contact", "no-contact order")]
DURATIONS = [("24h", "24 h"), ("72h", "72 h"), ("7d", "7 days"), ("30d", "30 days"), ("permanent", "permanent")]
NO_DURATION = {"warning", "no_contact"}
TYPING_DEBOUNCE_S = 0.3


class SanctionDialog(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "apply", "Apply")]
    DEFAULT_CSS = """
    SanctionDialog { align: center middle; }
    SanctionDialog > VerticalScroll { width: 100; height: 90%; border: thick $accent; padding: 0 2; background: $surface; }
    SanctionDialog RadioSet { width: 1fr; height: auto; }
    SanctionDialog #preview { border: round $primary; padding: 0 1; height: auto; }
    SanctionDialog #preview.refused { border: round $error; }
    SanctionDialog #other { display: none; }
    SanctionDialog #other.visible { display: block; }
    SanctionDialog Horizontal { height: auto; }
    SanctionDialog Vertical { height: auto; width: 1fr; }
    """

    def __init__(self, backend: Any, member_id: str, case_id: int | None = None, kind: str | None = None,
                 duration: str | None = None) -> None:
        """`kind`, `duration`: where to start from (the ladder's suggestion); a warning, 72 h by default."""
        super().__init__()
        self.backend = backend
        self.member_id = member_id
        self.case_id = case_id
        self.start_kind = kind if kind in dict(KINDS) else "warning"
        self.start_duration = duration if duration in dict(DURATIONS) and duration != "permanent" else "72h"
        self.rules = house_rules()
        self.previewed: SanctionPublic | None = None
        self.refusal: ModconsoleError | None = None
        self._typing: Timer | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Label(Text("Sanction member ").append_text(as_text(self.member_id, keep_newlines=False))
                        .append(f" (case {self.case_id})" if self.case_id else ""))
            with Horizontal():
                with Vertical():
                    yield Label("Kind")
                    with RadioSet(id="kind"):
                        for value, label in KINDS:
                            yield RadioButton(label, value=value == self.start_kind, id=f"kind-{value}")
                with Vertical():
                    yield Label("Duration")
                    with RadioSet(id="duration"):
                        for value, label in DURATIONS:
                            yield RadioButton(label, value=value == self.start_duration, id=f"dur-{value}")
            yield Input(placeholder="the other member's id (no-contact order)", id="other")
            yield Label("House rule it rests on (the member is told which)")
            with RadioSet(id="rule"):
                for rule in self.rules:
                    yield RadioButton(f"{rule['id']}: {rule['en']}", id=f"rule-{rule['id']}")
            yield Input(placeholder="note for the record: the facts, in a sentence (staff only; no reporter names)", id="facts")
            yield Label("What the member will read (the statement of reasons)")
            yield Static(id="preview", markup=False)
            with Horizontal():
                yield Button("Apply (ctrl+s)", variant="error", id="apply")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#kind", RadioSet).focus()
        self._preselect_rule()
        self.refresh_preview()

    def _preselect_rule(self) -> None:
        """Press the rule the backend would choose for this case, if it names one."""
        if self.case_id is None:
            return
        try:
            chosen = self.backend.sanction_preview(member=self.member_id, kind="warning", duration=None,
                                                   reason="(rule for this case)", case_id=self.case_id).rule
        except ModconsoleError:
            return
        if chosen and any(r["id"] == chosen for r in self.rules):
            self.query_one(f"#rule-{chosen}", RadioButton).value = True

    def _choice(self, radio_id: str, prefix: str) -> str:
        pressed = self.query_one(f"#{radio_id}", RadioSet).pressed_button
        return (pressed.id or "").removeprefix(prefix) if pressed is not None else ""

    @property
    def kind(self) -> str:
        return self._choice("kind", "kind-") or "warning"

    @property
    def duration(self) -> str | None:
        return None if self.kind in NO_DURATION else (self._choice("duration", "dur-") or "72h")

    @property
    def rule(self) -> str | None:
        return self._choice("rule", "rule-") or None

    @property
    def other(self) -> str | None:
        return (self.query_one("#other", Input).value.strip() or None) if self.kind == "no_contact" else None

    def _args(self) -> dict[str, Any]:
        facts = self.query_one("#facts", Input).value.strip()
        rule = self.rule
        rule_en = next((r["en"] for r in self.rules if r["id"] == rule), "")
        return {"member": self.member_id, "kind": self.kind, "duration": self.duration,
                "reason": f"{rule or '(no rule)'}: {facts or rule_en}", "other": self.other,
                "case_id": self.case_id, "rule": rule}

    # --- the preview ----------------------------------------------------------------------------

    @on(RadioSet.Changed)
    def _choice_changed(self, _: RadioSet.Changed) -> None:
        self.refresh_preview()

    @on(Input.Changed, "#other")
    def _other_typed(self, _: Input.Changed) -> None:
        if self._typing is not None:
            self._typing.stop()
        self._typing = self.set_timer(TYPING_DEBOUNCE_S, self.refresh_preview)

    def refresh_preview(self) -> None:
        """Ask the backend for the statement the member would read, or why it would be refused."""
        kind = self.kind
        self.query_one("#other", Input).set_class(kind == "no_contact", "visible")
        self.query_one("#duration", RadioSet).disabled = kind in NO_DURATION
        preview = self.query_one("#preview", Static)
        self.previewed, self.refusal = None, None
        if self.rule is None:
            preview.update(Text("Choose the house rule this sanction rests on.", style="bold yellow"))
            preview.add_class("refused")
            return
        if kind == "no_contact" and not self.other:
            preview.update(Text("Type the other member's id: a no-contact order binds two members.", style="bold yellow"))
            preview.add_class("refused")
            return
        try:
            self.previewed = self.backend.sanction_preview(**self._args())
        except ModconsoleError as exc:
            self.refusal = exc
            preview.update(Text(f"{exc.title}: ", style="bold red").append_text(as_text(exc.message))
                           .append("\nNothing would be applied as it stands.", style="italic"))
            preview.add_class("refused")
            return
        preview.remove_class("refused")
        preview.update(as_text(self.previewed.statement or "(no statement)"))

    # --- applying -------------------------------------------------------------------------------

    @on(Button.Pressed, "#apply")
    def action_apply(self) -> None:
        if self.rule is None:
            self.app.notify("Choose the house rule this sanction rests on.", severity="warning", markup=False)
            return
        try:
            s = self.backend.sanction_apply(**self._args())
        except ModconsoleError as exc:
            report(self.app, exc, "error")
            return
        until = "permanent" if s.ends_at is None and s.kind == "ban" else (f"until {s.ends_at:%Y-%m-%d %H:%M}Z" if s.ends_at else "")
        self.app.notify(f"Sanction #{s.id}: {s.kind} {until} applied to {s.member} (rule {s.rule}); "
                        "the statement of reasons is on its way to the member.", markup=False)
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)

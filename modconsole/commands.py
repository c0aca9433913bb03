"""The command palette's commands (Ctrl+P): they depend on the screen in front."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from textual.app import SystemCommand
from textual.screen import Screen

from .screens.appeals import AppealScreen, AppealsScreen
from .screens.board import BoardScreen
from .screens.case import CaseScreen
from .screens.member import MemberScreen

CASE_COMMANDS = [
    ("claim", "Claim this case", "Take (or renew) the 15-minute lease"),
    ("release", "Release this case", "Give it back to its queue"),
    ("note", "Add a note", "Staff only; how a shift hands over"),
    ("escalate", "Escalate", "To a senior or to the clinical team, with a reason"),
    ("dismiss_case", "Dismiss", "No violation"),
    ("hide", "Hide or remove the content", "With the house rule it broke"),
    ("member", "Member panel", "History, sanctions, linked accounts, the ladder's suggestion"),
    ("sanction", "Sanction the member", "Warning, comment-mute, mute, ban, no-contact order"),
    ("message", "Message the member", "A template in their language, or your own words, to the outbox"),
    ("confirm_evasion", "Confirm ban evasion", "Senior: every linked profile is banned permanently"),
    ("appeal", "Open the appeal", "The member's appeal, what it contests; uphold or reverse"),
]


def screen_commands(screen: Screen[Any]) -> Iterable[SystemCommand]:
    if isinstance(screen, BoardScreen):
        views = ["all", "mine"] + [c.queue for c in screen.counts]
        for view in views:
            label = {"all": "all queues", "mine": "my claims"}.get(view, f"the {view} queue")
            yield SystemCommand(f"Show {label}", f"Switch the board to {label}", partial(screen.show_view, view))
        yield SystemCommand("Open the highlighted case", "Claims it and shows it in context", screen.action_open_case)
        yield SystemCommand("Filter by member", "Only the cases about one member", screen.action_filter)
        yield SystemCommand("Refresh the board", "Fetch counts and cases now", screen.refresh_board)
        yield SystemCommand("Appeals", "Members contesting a sanction or a removal (DSA Art. 20)", screen.action_appeals)
    elif isinstance(screen, CaseScreen):
        for action, title, help_text in CASE_COMMANDS:
            if screen.check_action(action, ()):
                yield SystemCommand(title, help_text, getattr(screen, f"action_{action}"))
    elif isinstance(screen, MemberScreen):
        yield SystemCommand("Sanction this member", "Warning, comment-mute, mute, ban, no-contact order", screen.action_sanction)
        yield SystemCommand("Lift the highlighted sanction", "Senior: with a reason for the record", screen.action_lift)
    elif isinstance(screen, AppealsScreen):
        yield SystemCommand("Open the highlighted appeal", "The member's text, what it contests", screen.action_open_appeal)
        for state in ("pending", "upheld", "reversed", "all"):
            yield SystemCommand(f"Show {state} appeals", f"List the {state} appeals", partial(_show_appeals, screen, state))
    elif isinstance(screen, AppealScreen):
        yield SystemCommand("Uphold the decision", "With a reason the member reads", screen.action_uphold)
        yield SystemCommand("Reverse the decision", "Lifts the sanction (senior) or restores the content", screen.action_reverse)


def _show_appeals(screen: AppealsScreen, state: str) -> None:
    screen.state = state
    screen.refresh_list()

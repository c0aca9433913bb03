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
from .screens.deletion import DeletionScreen, DeletionsScreen
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
    ("contact_details", "Show contact details", "Clinical: the member's email, name, phone from the vault, with a reason (audited)"),
]

DELETION_COMMANDS = [
    ("approve", "Approve the request", "Account or data: ERASES the member for good, after a typed confirmation; "
                                       "temporary close: closes the account"),
    ("decline", "Decline the request", "With a reason for the team; the platform is only told it was declined"),
    ("contacted", "Mark the request contacted", "You reached the member; the request stays open"),
    ("close_temporarily", "Close the account for a while", "No login until a date, or until reopened"),
    ("reopen", "Reopen the account", "End the temporary closure now, with a reason"),
    ("contact_details", "Show contact details", "The member's email, name, phone from the vault, with a reason (audited)"),
    ("verify", "Verify the erasure", "The proof kept when it ran, and a new search of the store"),
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
        if screen.check_action("appeals", ()):
            yield SystemCommand("Appeals", "Members contesting a sanction or a removal (DSA Art. 20)", screen.action_appeals)
        if screen.check_action("shift", ()):
            yield SystemCommand("Shift dashboard", "Queue depths and breaches over the last 12 h, who holds what, "
                                "handover notes", screen.action_shift)
        if screen.check_action("deletions", ()):
            yield SystemCommand("Deletion requests", "Account deletion, data erasure, temporary closure, with the "
                                "member's risk beside each", screen.action_deletions)
    elif isinstance(screen, CaseScreen):
        for action, title, help_text in CASE_COMMANDS:
            if screen.check_action(action, ()):
                yield SystemCommand(title, help_text, getattr(screen, f"action_{action}"))
    elif isinstance(screen, MemberScreen):
        yield SystemCommand("Sanction this member", "Warning, comment-mute, mute, ban, no-contact order", screen.action_sanction)
        yield SystemCommand("Lift the highlighted sanction", "Senior: with a reason for the record", screen.action_lift)
    elif isinstance(screen, AppealsScreen):
        yield SystemCommand("Open the highlighted appeal", "The member's text, what it contests", screen.action_open_item)
        for state in ("pending", "upheld", "reversed", "all"):
            yield SystemCommand(f"Show {state} appeals", f"List the {state} appeals", partial(screen.show_state, state))
    elif isinstance(screen, DeletionsScreen):
        yield SystemCommand("Open the highlighted request", "The member's note, their risk, the decisions", screen.action_open_item)
        for state in ("pending", "approved", "declined", "closed", "all"):
            yield SystemCommand(f"Show {state} deletion requests", f"List the {state} requests", partial(screen.show_state, state))
    elif isinstance(screen, DeletionScreen):
        for action, title, help_text in DELETION_COMMANDS:
            if screen.check_action(action, ()):
                yield SystemCommand(title, help_text, getattr(screen, f"action_{action}"))
    elif isinstance(screen, AppealScreen):
        yield SystemCommand("Uphold the decision", "With a reason the member reads", screen.action_uphold)
        yield SystemCommand("Reverse the decision", "Lifts the sanction (senior) or restores the content", screen.action_reverse)


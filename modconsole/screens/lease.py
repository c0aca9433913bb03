"""The lease a screen holds on the case it shows (an appeal's, a deletion request's): taken on
opening, renewed every `RENEW_EVERY_S` while the screen is up, given back on leaving, so that no
two staff work the same item and one left open by someone who went away comes back by itself."""

from __future__ import annotations

from typing import Any

from modconsole.errors import ClaimHeld, ModconsoleError

from .feedback import report

RENEW_EVERY_S = 300.0  # well inside the 15-minute lease


class Lease:
    def __init__(self, screen: Any) -> None:
        self.screen = screen  # its app, backend and case_id, read when used
        self.holding = False
        self.held_by: str | None = None  # someone else holding the case

    def take(self) -> None:
        """Claim the case; when someone else holds it, say who (and remember it for the status line)."""
        try:
            self.screen.backend.case_claim(self.screen.case_id)
            self.holding, self.held_by = True, None
        except ClaimHeld as held:
            self.held_by = held.holder
            self.screen.app.notify(held.message, title="Held by someone else", severity="warning", markup=False)
        except ModconsoleError as exc:
            if exc.status != 409:  # a decided item's case is resolved: nothing to hold
                report(self.screen.app, exc, "warning")

    def renew(self) -> None:
        if self.holding:
            try:
                self.screen.backend.case_claim(self.screen.case_id)
            except ModconsoleError as exc:
                self.holding = False
                self.screen.app.notify(exc.message, title="Lease lost", severity="error", markup=False)

    def give_back(self) -> None:
        if self.holding:
            try:
                self.screen.backend.case_release(self.screen.case_id)
            except ModconsoleError:
                pass
        self.holding = False

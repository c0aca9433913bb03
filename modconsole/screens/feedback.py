"""How every screen reports the outcome of a backend call: one wording, never markup."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from modconsole.errors import ModconsoleError


def report(app: Any, exc: ModconsoleError, severity: str = "error") -> None:
    """Show a product error as the service layer worded it (Forbidden, ClaimHeld…)."""
    app.notify(exc.message, title=exc.title, severity=severity, markup=False)


def attempt(app: Any, action: Callable[[], object], done: str | None = None, severity: str = "error") -> bool:
    """Run a backend call; on success say `done` (if any), on a product error report it.
    Returns whether it succeeded."""
    try:
        action()
    except ModconsoleError as exc:
        report(app, exc, severity)
        return False
    if done:
        app.notify(done, markup=False)
    return True


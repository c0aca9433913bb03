"""How every screen reports the outcome of a backend call: one wording, never markup."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from modconsole.errors import ModconsoleError

T = TypeVar("T")


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


def next_page(app: Any, loaded: list[T], size: int, fetch: Callable[[T], list[T]]) -> tuple[list[T], bool] | None:
    """The page after the last loaded item (`fetch(last)`), without the items already loaded (a
    case that came in meanwhile can shift a keyset page), and whether more may follow; None when
    the fetch failed (reported as a warning: the list stays as it is)."""
    try:
        page = fetch(loaded[-1])
    except ModconsoleError as exc:
        report(app, exc, "warning")
        return None
    known = {item.id for item in loaded}  # type: ignore[attr-defined]
    return [item for item in page if item.id not in known], len(page) >= size  # type: ignore[attr-defined]

"""The errors every layer speaks.

The domain raises them, the local backend passes them through, the server maps them to HTTP
statuses and the remote backend maps the statuses back, so a caller sees the same error
whichever backend it uses.
"""

from __future__ import annotations


class ModconsoleError(Exception):
    """Base of every error the product raises on purpose; `message` says what was wrong."""

    title = "Error"
    status = 400

    def __init__(self, message: str, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if title is not None:
            self.title = title

    def __str__(self) -> str:
        return self.message


class NotFound(ModconsoleError):
    title = "Not found"
    status = 404


class Forbidden(ModconsoleError):
    """The acting staff member's role does not allow the action; nothing was changed."""

    title = "Forbidden"
    status = 403


class Conflict(ModconsoleError):
    title = "Conflict"
    status = 409


class ClaimHeld(Conflict):
    """The case is held by someone else; `holder` names them and `expires_at` ends the lease."""

    title = "Case held"

    def __init__(self, message: str, holder: str, expires_at: str | None = None) -> None:
        super().__init__(message)
        self.holder = holder
        self.expires_at = expires_at


class InvalidInput(ModconsoleError):
    title = "Invalid input"
    status = 422


class Unauthenticated(ModconsoleError):
    title = "Not authenticated"
    status = 401


class Unavailable(ModconsoleError):
    title = "Unavailable"
    status = 503


class StoreBusy(Unavailable):
    """Another program holds the SQLite store's write lock past the busy timeout; nothing was changed."""

    title = "Store busy"

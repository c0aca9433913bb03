"""The gate every HTTP request passes before the app sees it: authenticate first, then bound
the body, and slow down whoever keeps failing to authenticate.

Order, for every route but the public ones (`PUBLIC_PATHS`):

1. The bearer token is checked from the headers alone. A request without a valid token is
   answered 401 (one wording for every kind of bad token, `tokens.BAD_TOKEN`) and its body is
   never read, let alone parsed; FastAPI's own order (body parameters are resolved before or
   beside dependencies) no longer matters. The actor is handed to the routes in
   `scope["state"]["actor"]` (`deps.current_actor` takes it from there).
2. The body is bounded (`body_limit`): a Content-Length over the route's limit is answered 413
   before anything is read; otherwise the bytes are counted as they stream in (chunked bodies
   too, whatever the Content-Length said), and the request is answered 413 as soon as the
   count passes the limit.
3. Failed authentications are counted per client address (`FailedLogins`): past
   `FAILURES_PER_WINDOW` failures in a window of `WINDOW_S` seconds, the address's further
   failures are answered 429 with `Retry-After` until its window ends. Requests with a valid
   token are never limited. Behind a reverse proxy every client has the proxy's address:
   then the limit is the proxy's, and the proxy should do its own.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from modconsole.domain import tokens
from modconsole.domain.service import Services
from modconsole.errors import ModconsoleError, Unauthenticated

from .errors import PayloadTooLarge, TooManyFailures, error_body

PUBLIC_PATHS = frozenset({"/healthz", "/openapi.json"})

MiB = 1024 * 1024
DEFAULT_BODY_LIMIT = 1 * MiB
# Routes that take more than a small JSON object: a batch of events, a bulk sanction file (up
# to 10,000 rows). Everything else is one small object, far below 1 MiB (a note is at most
# 20,000 characters, 120 kB even if every one is escaped).
BODY_LIMITS: dict[tuple[str, str], int] = {
    ("POST", "/events"): 16 * MiB,
    ("POST", "/sanctions/bulk"): 16 * MiB,
}

FAILURES_PER_WINDOW = 10
WINDOW_S = 60
MAX_TRACKED = 10_000


def body_limit(method: str, path: str) -> int:
    """The most bytes a request body may have on that route."""
    return BODY_LIMITS.get((method, path.rstrip("/") or "/"), DEFAULT_BODY_LIMIT)


# --- failed authentications ------------------------------------------------------------------


@dataclass
class _Window:
    start: datetime
    failures: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    written: int = 0  # failures already counted in an audit entry
    tripped: bool = False


@dataclass
class Verdict:
    limited: bool
    retry_after: int
    entries: list[dict[str, Any]]  # audit entries to write: action, address, detail


class FailedLogins:
    """Failed authentications per client address, in fixed windows of `window_s` seconds that
    start at an address's first failure. The clock is the caller's (`now` arguments): the
    server passes the store's, so tests drive time.

    What reaches the audit log (append-only: entries are never updated), at most two entries
    per address and window, whatever the number of tries:

    - `auth.failed` at the first failure of a window (failures 1, its kind), carrying the count
      of the address's previous window that no entry has told yet (`previous_window_failures`);
    - `auth.limited` when the address trips the limit (the failures of the window so far, by
      kind, and when the window ends).

    Failures after the trip are answered 429 and counted, not written one by one; their count
    is written with the address's next window, or by `flush` (at server shutdown, and for
    windows dropped when more than `max_tracked` addresses are tracked). Every entry names the
    address (`target_type` "address") and never a token.
    """

    def __init__(self, limit: int = FAILURES_PER_WINDOW, window_s: int = WINDOW_S, max_tracked: int = MAX_TRACKED) -> None:
        self.limit = limit
        self.window = timedelta(seconds=window_s)
        self.max_tracked = max_tracked
        self._windows: dict[str, _Window] = {}

    def failure(self, address: str, kind: str, now: datetime) -> Verdict:
        """Count one failed authentication from `address`; say whether it is over the limit."""
        entries: list[dict[str, Any]] = []
        win = self._windows.get(address)
        if win is not None and now >= win.start + self.window:
            earlier = win.failures - win.written
            win = None
        else:
            earlier = 0
        if win is None:
            if len(self._windows) >= self.max_tracked:
                entries += self._evict(now)
            win = self._windows[address] = _Window(start=now)
            detail: dict[str, Any] = {"address": address, "failures": 1, "kind": kind, "window_s": int(self.window.total_seconds())}
            if earlier:
                detail["previous_window_failures"] = earlier
            entries.append({"action": "auth.failed", "address": address, "detail": detail})
            win.written = 1
        win.failures += 1
        win.kinds[kind] += 1
        if win.failures <= self.limit:
            return Verdict(False, 0, entries)
        ends = win.start + self.window
        if not win.tripped:
            win.tripped = True
            entries.append({"action": "auth.limited", "address": address, "detail": {
                "address": address, "failures": win.failures, "kinds": dict(win.kinds), "limit": self.limit,
                "until": ends.isoformat()}})
            win.written = win.failures
        return Verdict(True, max(1, math.ceil((ends - now).total_seconds())), entries)

    def flush(self) -> list[dict[str, Any]]:
        """Entries for every failure no entry has told yet (`auth.failed`, aggregated); forgets them."""
        entries = [self._unreported(a, w) for a, w in self._windows.items() if w.failures > w.written]
        self._windows.clear()
        return entries

    def _evict(self, now: datetime) -> list[dict[str, Any]]:
        ended = [a for a, w in self._windows.items() if now >= w.start + self.window]
        if not ended:  # all live: drop the oldest half
            ended = sorted(self._windows, key=lambda a: self._windows[a].start)[: max(1, len(self._windows) // 2)]
        entries = [self._unreported(a, self._windows[a]) for a in ended if self._windows[a].failures > self._windows[a].written]
        for a in ended:
            del self._windows[a]
        return entries

    def _unreported(self, address: str, win: _Window) -> dict[str, Any]:
        return {"action": "auth.failed", "address": address, "detail": {
            "address": address, "failures": win.failures - win.written, "kinds": dict(win.kinds),
            "window_start": win.start.isoformat(), "aggregated": True}}


def write_entries(svc: Services, entries: list[dict[str, Any]]) -> None:
    """Append the failed-authentication entries (no staff member: `system`, outcome refused)."""
    if not entries:
        return
    from modconsole.domain import audit

    with svc.store.write_conn() as conn:
        svc.store.lock_audit_chain(conn)
        for e in entries:
            audit.append(conn, at=svc.now(), staff_id=None, staff_name="system", role="system", action=e["action"],
                         outcome="refused", target_type="address", target_id=e["address"][:160], detail=e["detail"])


# --- the gate ----------------------------------------------------------------------------------


class _TooLarge(Exception):
    """Raised from `receive` when the body passes its limit; the gate answers 413."""


class Gate:
    """ASGI middleware: see the module's docstring."""

    def __init__(self, app: ASGIApp, services: Services, failures: FailedLogins | None = None) -> None:
        self.app = app
        self.services = services
        self.failures = failures or FailedLogins()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, self._lifespan_receive(receive), send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        if scope["path"] not in PUBLIC_PATHS:
            try:
                actor = tokens.authenticate(self.services, _bearer(headers.get("authorization")))
            except Unauthenticated as exc:
                await self._refused(scope, send, exc)
                return
            except ModconsoleError as exc:  # the store is unreachable: 503, as the routes would say
                await _answer(send, exc.status, error_body(exc))
                return
            scope.setdefault("state", {})["actor"] = actor
        limit = body_limit(scope["method"], scope["path"])
        too_large = PayloadTooLarge(f"a request body on {scope['method']} {scope['path']} is at most {_size(limit)}")
        declared = headers.get("content-length")
        if declared is not None and (not declared.strip().isdigit() or int(declared) > limit):
            await _answer(send, 413, error_body(too_large), close=True)
            return
        await self._bounded(scope, receive, send, limit, too_large)

    async def _bounded(self, scope: Scope, receive: Receive, send: Send, limit: int, too_large: PayloadTooLarge) -> None:
        seen = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if seen > limit:  # whatever the app made of our signal (body parsing says 400): dropped
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except Exception:
            if seen <= limit:
                raise
        if seen > limit and not started:
            await _answer(send, 413, error_body(too_large), close=True)

    async def _refused(self, scope: Scope, send: Send, exc: Unauthenticated) -> None:
        from starlette.concurrency import run_in_threadpool

        client = scope.get("client")
        address = str(client[0]) if client else "unknown"
        verdict = self.failures.failure(address, getattr(exc, "kind", "unknown"), self.services.now())
        if verdict.entries:
            try:
                await run_in_threadpool(write_entries, self.services, verdict.entries)
            except ModconsoleError:  # the store is busy or away: the refusal stands all the same
                pass
        if verdict.limited:
            limited = TooManyFailures(f"too many failed authentications from this address: retry in {verdict.retry_after} s")
            await _answer(send, 429, error_body(limited), {"retry-after": str(verdict.retry_after)}, close=True)
            return
        await _answer(send, 401, error_body(exc), {"www-authenticate": "Bearer"}, close=_has_body(scope))

    def _lifespan_receive(self, receive: Receive) -> Receive:
        """At shutdown, write what the failure counter has not told yet."""

        async def wrapped() -> Message:
            message = await receive()
            if message["type"] == "lifespan.shutdown":
                try:
                    write_entries(self.services, self.failures.flush())
                except Exception:  # noqa: BLE001 - shutting down: never block it
                    pass
            return message

        return wrapped


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _bearer(value: str | None) -> str | None:
    return value[7:].strip() if value and value[:7].lower() == "bearer " else None


def _has_body(scope: Scope) -> bool:
    headers = _headers(scope)
    return "transfer-encoding" in headers or headers.get("content-length", "0").strip() not in ("", "0")


def _size(limit: int) -> str:
    return f"{limit // MiB} MiB" if limit % MiB == 0 else f"{limit} bytes"


async def _answer(send: Send, status: int, body: dict[str, Any], headers: dict[str, str] | None = None,
                  close: bool = False) -> None:
    """A JSON answer. `close`: the body of the request was not read, so the connection cannot
    carry another request: say so, and the server closes it."""
    raw = json.dumps(body).encode()
    head = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    head += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    if close:
        head.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": raw})

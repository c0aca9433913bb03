"""RemoteBackend: the Backend protocol over `modconsole serve`, with httpx.

HTTP statuses come back as the same errors the local backend raises (404 NotFound, 403
Forbidden, 409 ClaimHeld naming the holder or Conflict, 422 InvalidInput, 401
Unauthenticated, 413/5xx Unavailable), so the console and the CLI handle one set.
"""

from __future__ import annotations

from datetime import datetime
from typing import IO, Any
from urllib.parse import quote

import httpx
from pydantic import TypeAdapter, ValidationError

from modconsole.errors import (
    ClaimHeld,
    Conflict,
    Forbidden,
    InvalidInput,
    ModconsoleError,
    NotFound,
    Unauthenticated,
    Unavailable,
)
from modconsole.schemas import (
    AppealPublic,
    AuditEntryPublic,
    AuditKeyRotation,
    AuditVerifyResult,
    BulkResult,
    BulkRow,
    CaseDetail,
    CasePublic,
    Changes,
    ClaimResult,
    DeletionPublic,
    EffectiveStatus,
    HandoverPublic,
    IngestResult,
    LexiconTermPublic,
    MemberDetail,
    NotePublic,
    OutboxItem,
    QueueCount,
    SanctionPublic,
    ShiftDashboard,
    StaffPublic,
    VaultRecord,
)

BY_STATUS: dict[int, type[ModconsoleError]] = {
    401: Unauthenticated, 403: Forbidden, 404: NotFound, 409: Conflict, 422: InvalidInput, 413: Unavailable,
}
INGEST_CHUNK_BYTES = 4 * 1024 * 1024


class RemoteBackend:
    SUPPORTS_LIVE_UPDATES = False

    def __init__(self, base_url: str, token: str, *, timeout: float = 30.0, transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.client = httpx.Client(base_url=self.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout,
                                   transport=transport)
        self._whoami: StaffPublic | None = None

    def close(self) -> None:
        self.client.close()

    # --- plumbing ---------------------------------------------------------------------------------

    def _call(self, method: str, path: str, *, model: Any = None, **kwargs: Any) -> Any:
        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise Unavailable(f"cannot reach the modconsole server at {self.base_url}: {exc}") from exc
        if response.status_code >= 400:
            raise _error(response)
        if response.status_code == 204 or (model is None and not response.content):
            return None
        try:
            body = response.json()
        except ValueError:  # a proxy's HTML page, a plain-text answer, an empty 200
            raise Unavailable(f"{_what(response)}, not JSON: is {self.base_url} a modconsole server?") from None
        if model is None:
            return body
        try:
            return TypeAdapter(model).validate_python(body)
        except ValidationError:
            raise Unavailable(f"{_what(response)} with JSON that is not the answer modconsole expects: "
                              f"is {self.base_url} a modconsole server of this version?") from None

    # --- the protocol -------------------------------------------------------------------------------

    @property
    def whoami(self) -> StaffPublic:
        if self._whoami is None:
            self._whoami = self._call("GET", "/whoami", model=StaffPublic)
        return self._whoami

    def queue_list(self, *, queue: str | None = None, state: str | None = None, member: str | None = None,
                   limit: int = 50, offset: int = 0, mine: bool = False) -> list[CasePublic]:
        params = {k: v for k, v in {"queue": queue, "state": state, "member": member}.items() if v is not None}
        params |= {"limit": limit, "offset": offset, "mine": mine}
        return self._call("GET", "/queue", params=params, model=list[CasePublic])  # type: ignore[no-any-return]

    def queue_counts(self) -> list[QueueCount]:
        return self._call("GET", "/queue/counts", model=list[QueueCount])  # type: ignore[no-any-return]

    def changes(self, since: int | None = None, wait: float = 0.0) -> Changes:
        params: dict[str, Any] = {"wait": wait}
        if since is not None:
            params["since"] = since
        return self._call("GET", "/changes", params=params, model=Changes, timeout=wait + 30)  # type: ignore[no-any-return]

    def case_show(self, case_id: int) -> CaseDetail:
        return self._call("GET", f"/cases/{case_id}", model=CaseDetail)  # type: ignore[no-any-return]

    def case_claim(self, case_id: int, *, force: bool = False) -> ClaimResult:
        return self._call("POST", f"/cases/{case_id}/claim", params={"force": force}, model=ClaimResult)  # type: ignore[no-any-return]

    def case_release(self, case_id: int) -> None:
        self._call("POST", f"/cases/{case_id}/release")

    def case_note(self, case_id: int, body: str) -> NotePublic:
        return self._call("POST", f"/cases/{case_id}/notes", json={"body": body}, model=NotePublic)  # type: ignore[no-any-return]

    def case_resolve(self, case_id: int, action: str, reason: str | None = None) -> CasePublic:
        return self._call("POST", f"/cases/{case_id}/resolve", json={"action": action, "reason": reason}, model=CasePublic)  # type: ignore[no-any-return]

    def case_escalate(self, case_id: int, to: str, reason: str) -> CasePublic:
        return self._call("POST", f"/cases/{case_id}/escalate", json={"to": to, "reason": reason}, model=CasePublic)  # type: ignore[no-any-return]

    def ingest(self, stream: IO[bytes], progress: Any = None) -> IngestResult:
        """Posts the file in chunks of whole lines; line numbers are those of the file."""
        total = IngestResult()
        offset = 0
        chunk: list[bytes] = []
        size = 0
        for line in stream:
            if progress is not None:
                progress(len(line))
            chunk.append(line)
            size += len(line)
            if size >= INGEST_CHUNK_BYTES:
                _merge(total, self._post_events(chunk), offset)
                offset += len(chunk)
                chunk, size = [], 0
        if chunk:
            _merge(total, self._post_events(chunk), offset)
        return total

    def _post_events(self, lines: list[bytes]) -> IngestResult:
        return self._call("POST", "/events", content=b"".join(lines), headers={"Content-Type": "application/x-ndjson"},  # type: ignore[no-any-return]
                          model=IngestResult)

    def staff_add(self, name: str, role: str) -> StaffPublic:
        return self._call("POST", "/staff", json={"name": name, "role": role}, model=StaffPublic)  # type: ignore[no-any-return]

    def staff_role(self, name: str, role: str) -> StaffPublic:
        return self._call("PUT", f"/staff/{quote(name, safe='')}/role", json={"role": role}, model=StaffPublic)  # type: ignore[no-any-return]

    def staff_active(self, name: str, active: bool) -> StaffPublic:
        return self._call("PUT", f"/staff/{quote(name, safe='')}/active", json={"active": active}, model=StaffPublic)  # type: ignore[no-any-return]

    def staff_list(self) -> list[StaffPublic]:
        return self._call("GET", "/staff", model=list[StaffPublic])  # type: ignore[no-any-return]

    def staff_token(self, name: str, days: int = 90) -> str:
        return str(self._call("POST", f"/staff/{quote(name, safe='')}/token", params={"days": days})["token"])

    def staff_token_revoke(self, name: str) -> int:
        return int(self._call("DELETE", f"/staff/{quote(name, safe='')}/tokens")["revoked"])

    def audit_list(self, *, limit: int = 100, before: int | None = None) -> list[AuditEntryPublic]:
        params: dict[str, Any] = {"limit": limit}
        if before is not None:
            params["before"] = before
        return self._call("GET", "/audit", params=params, model=list[AuditEntryPublic])  # type: ignore[no-any-return]

    def audit_verify(self, anchor_entries: int | None = None, anchor_head: str | None = None) -> AuditVerifyResult:
        params: dict[str, Any] = {}
        if anchor_entries is not None and anchor_head is not None:
            params = {"anchor_entries": anchor_entries, "anchor_head": anchor_head}
        return self._call("GET", "/audit/verify", params=params, model=AuditVerifyResult)  # type: ignore[no-any-return]

    def audit_rotate_key(self) -> AuditKeyRotation:
        return self._call("POST", "/audit/rotate-key", model=AuditKeyRotation)  # type: ignore[no-any-return]

    def lexicon_list(self) -> list[LexiconTermPublic]:
        return self._call("GET", "/lexicon", model=list[LexiconTermPublic])  # type: ignore[no-any-return]

    def lexicon_add(self, term: str, category: str, lang: str, severity: int = 2) -> LexiconTermPublic:
        body = {"term": term, "category": category, "lang": lang, "severity": severity}
        return self._call("POST", "/lexicon", json=body, model=LexiconTermPublic)  # type: ignore[no-any-return]

    def lexicon_remove(self, term: str, lang: str | None = None) -> int:
        params = {"lang": lang} if lang else {}
        return int(self._call("DELETE", f"/lexicon/{quote(term, safe='')}", params=params)["removed"])

    def policy_show(self) -> dict[str, int | str]:
        return dict(self._call("GET", "/policy"))

    def policy_set(self, key: str, value: str) -> dict[str, int | str]:
        return dict(self._call("PUT", f"/policy/{key}", json={"value": value}))

    def member_show(self, member_id: str) -> MemberDetail:
        return self._call("GET", f"/members/{quote(member_id, safe='')}", model=MemberDetail)  # type: ignore[no-any-return]

    def member_message(self, member_id: str, *, template: str | None = None, body: str | None = None,
                       case_id: int | None = None) -> int:
        payload = {"template": template, "body": body, "case_id": case_id}
        return int(self._call("POST", f"/members/{quote(member_id, safe='')}/messages", json=payload)["outbox_id"])

    def member_status(self, member_id: str, at: datetime | None = None, with_member: str | None = None) -> EffectiveStatus:
        return self._call("GET", f"/members/{quote(member_id, safe='')}/status", params=_status_params(at, with_member),  # type: ignore[no-any-return]
                          model=EffectiveStatus)

    def outbox(self, after: int = 0, limit: int = 100) -> list[OutboxItem]:
        return self._call("GET", "/outbox", params={"after": after, "limit": limit}, model=list[OutboxItem])  # type: ignore[no-any-return]

    def outbox_ack(self, ids: list[int]) -> int:
        return int(self._call("POST", "/outbox/ack", json={"ids": ids})["acknowledged"])

    def sanction_apply(self, *, member: str, kind: str, duration: str | None, reason: str,
                       other: str | None = None, case_id: int | None = None, rule: str | None = None) -> SanctionPublic:
        payload = {"member": member, "kind": kind, "duration": duration, "reason": reason, "other": other, "case_id": case_id,
                   "rule": rule}
        return self._call("POST", "/sanctions", json=payload, model=SanctionPublic)  # type: ignore[no-any-return]

    def sanction_preview(self, *, member: str, kind: str, duration: str | None, reason: str,
                         other: str | None = None, case_id: int | None = None, rule: str | None = None) -> SanctionPublic:
        payload = {"member": member, "kind": kind, "duration": duration, "reason": reason, "other": other, "case_id": case_id,
                   "rule": rule}
        return self._call("POST", "/sanctions/preview", json=payload, model=SanctionPublic)  # type: ignore[no-any-return]

    def sanction_bulk(self, rows: list[BulkRow], dry_run: bool = False) -> BulkResult:
        body = {"rows": [r.model_dump(mode="json") for r in rows], "dry_run": dry_run}
        return self._call("POST", "/sanctions/bulk", json=body, model=BulkResult, timeout=300)  # type: ignore[no-any-return]

    def sanction_lift(self, sanction_id: int, reason: str) -> SanctionPublic:
        return self._call("POST", f"/sanctions/{sanction_id}/lift", json={"reason": reason}, model=SanctionPublic)  # type: ignore[no-any-return]

    def evasion_confirm(self, case_id: int, reason: str) -> list[SanctionPublic]:
        return self._call("POST", f"/cases/{case_id}/confirm-evasion", json={"reason": reason},  # type: ignore[no-any-return]
                          model=list[SanctionPublic])

    def deletion_list(self, state: str = "pending", limit: int = 0, after: str | None = None) -> list[DeletionPublic]:
        params: dict[str, Any] = {"state": state, "limit": limit}
        if after is not None:
            params["after"] = after
        return self._call("GET", "/deletions", params=params, model=list[DeletionPublic])  # type: ignore[no-any-return]

    def deletion_show(self, case_id: int) -> DeletionPublic:
        return self._call("GET", f"/deletions/{case_id}", model=DeletionPublic)  # type: ignore[no-any-return]

    def deletion_decide(self, case_id: int, decision: str, reason: str, until: datetime | None = None) -> DeletionPublic:
        body = {"decision": decision, "reason": reason, "until": until.isoformat() if until else None}
        return self._call("POST", f"/deletions/{case_id}/decide", json=body, model=DeletionPublic)  # type: ignore[no-any-return]

    def deletion_reopen(self, member_id: str, reason: str) -> int:
        return int(self._call("POST", f"/members/{quote(member_id, safe='')}/reopen", json={"reason": reason})["reopened"])

    def deletion_verify(self, case_id: int, extra: list[str] | None = None) -> dict[str, Any]:
        return self._call("POST", f"/deletions/{case_id}/verify", json={"search": extra or []})  # type: ignore[no-any-return]

    def vault_show(self, member_id: str, reason: str) -> VaultRecord:
        return self._call("POST", f"/members/{quote(member_id, safe='')}/vault", json={"reason": reason},  # type: ignore[no-any-return]
                          model=VaultRecord)

    def report_sor(self, since: datetime, until: datetime) -> list[dict[str, Any]]:
        return self._call("GET", "/reports/sor", params={"since": since.isoformat(), "until": until.isoformat()}, timeout=300)  # type: ignore[no-any-return]

    def report_transparency(self, since: datetime, until: datetime) -> dict[str, Any]:
        return self._call("GET", "/reports/transparency", params={"since": since.isoformat(), "until": until.isoformat()},  # type: ignore[no-any-return]
                          timeout=300)

    def shift_dashboard(self, hours: int = 12) -> ShiftDashboard:
        return self._call("GET", "/shift", params={"hours": hours}, model=ShiftDashboard)  # type: ignore[no-any-return]

    def shift_handover(self, body: str) -> HandoverPublic:
        return self._call("POST", "/shift/handover", json={"body": body}, model=HandoverPublic)  # type: ignore[no-any-return]

    def appeal_list(self, state: str = "pending", limit: int = 200, after: str | None = None) -> list[AppealPublic]:
        params: dict[str, Any] = {"state": state, "limit": limit}
        if after is not None:
            params["after"] = after
        return self._call("GET", "/appeals", params=params, model=list[AppealPublic])  # type: ignore[no-any-return]

    def appeal_show(self, case_id: int) -> AppealPublic:
        return self._call("GET", f"/appeals/{case_id}", model=AppealPublic)  # type: ignore[no-any-return]

    def appeal_decide(self, case_id: int, decision: str, reason: str) -> AppealPublic:
        return self._call("POST", f"/appeals/{case_id}/decide", json={"decision": decision, "reason": reason},  # type: ignore[no-any-return]
                          model=AppealPublic)


def _what(response: httpx.Response) -> str:
    """`GET http://host/path answered HTTP 502 (text/html, 1234 bytes)`: for messages."""
    kind = response.headers.get("content-type", "no content type").split(";")[0].strip()[:60]
    return f"{response.request.method} {response.request.url} answered HTTP {response.status_code} ({kind}, {len(response.content)} bytes)"


def _error(response: httpx.Response) -> ModconsoleError:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not ("message" in body or "detail" in body):
        # not one of the server's answers (a proxy's error page, a plain-text 500): say where and what
        return BY_STATUS.get(response.status_code, Unavailable)(f"{_what(response)}, not a modconsole answer")
    message = body.get("message")
    if message is None and response.status_code == 422 and isinstance(body.get("detail"), list):  # FastAPI's own validation errors
        message = "; ".join(f"{'.'.join(map(str, d.get('loc', [])))}: {d.get('msg')}" for d in body["detail"] if isinstance(d, dict))
    message = str(message or f"HTTP {response.status_code} from the server")
    if response.status_code == 409 and body.get("error") == "ClaimHeld":
        return ClaimHeld(message, str(body.get("holder")), body.get("expires_at"))
    return BY_STATUS.get(response.status_code, Unavailable)(message)


def _merge(total: IngestResult, part: IngestResult, offset: int) -> None:
    total.events += part.events
    total.duplicates += part.duplicates
    total.cases_opened += part.cases_opened
    total.cases_joined += part.cases_joined
    for t, n in part.by_type.items():
        total.by_type[t] = total.by_type.get(t, 0) + n
    total.rejected.extend(r.model_copy(update={"line": r.line + offset}) for r in part.rejected)


__all__ = ["RemoteBackend"]


def _status_params(at: datetime | None, with_member: str | None) -> dict[str, str]:
    params = {}
    if at is not None:
        params["at"] = at.isoformat()
    if with_member is not None:
        params["with"] = with_member
    return params

"""The objects the Backend speaks: plain pydantic models, no table objects cross it.

Times are aware UTC datetimes; `model_dump(mode="json")` gives the CLI's and API's JSON.
Nothing here ever carries a reporter's identity or registration data (only `VaultRecord`,
returned by the audited vault path, carries the latter).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class StaffPublic(BaseModel):
    id: int
    name: str
    role: str
    active: bool
    created_at: datetime


class SignalPublic(BaseModel):
    id: int
    source: str
    category: str
    severity: int
    detail: str | None = None
    content_id: str | None = None
    span: tuple[int, int] | None = None
    created_at: datetime


class CasePublic(BaseModel):
    id: int
    queue: str
    state: str
    priority: int
    subject_type: str
    subject_id: str
    member: str | None
    signals: list[SignalPublic] = Field(default_factory=list)
    created_at: datetime
    sla_due_at: datetime
    breached: bool = False
    claimed_by: str | None = None
    claim_expires_at: datetime | None = None
    escalated_to: str | None = None
    resolution: str | None = None


class ContentPublic(BaseModel):
    id: str
    kind: str | None
    author: str | None
    author_handle: str | None = None
    body: str | None
    created_at: datetime | None
    recipient: str | None = None
    thread: str | None = None
    parent: str | None = None
    wall_of: str | None = None
    visibility: str = "visible"
    placeholder: bool = False


class ReportPublic(BaseModel):
    """A report as moderators see it: reason and note, never who reported."""

    id: str
    reason: str
    note: str | None
    created_at: datetime | None


class NotePublic(BaseModel):
    id: int
    author: str
    body: str
    created_at: datetime


class CaseEventPublic(BaseModel):
    at: datetime
    actor: str | None
    action: str
    detail: dict[str, Any] | None = None


class MemberPublic(BaseModel):
    id: str
    handle: str | None
    created_at: datetime | None
    language: str | None
    placeholder: bool = False


class CaseDetail(BaseModel):
    case: CasePublic
    subject_member: MemberPublic | None = None
    content: ContentPublic | None = None
    context: list[ContentPublic] = Field(default_factory=list)
    reports: list[ReportPublic] = Field(default_factory=list)
    notes: list[NotePublic] = Field(default_factory=list)
    history: list[CaseEventPublic] = Field(default_factory=list)
    extra: dict[str, Any] = Field(default_factory=dict)  # the request or question behind a case


class ClaimResult(BaseModel):
    case_id: int
    claimed_by: str
    expires_at: datetime


class QueueCount(BaseModel):
    queue: str
    open: int
    breached: int


class RejectedLine(BaseModel):
    line: int
    error: str


class IngestResult(BaseModel):
    events: int = 0
    by_type: dict[str, int] = Field(default_factory=dict)
    duplicates: int = 0
    cases_opened: int = 0
    cases_joined: int = 0
    rejected: list[RejectedLine] = Field(default_factory=list)


class AuditEntryPublic(BaseModel):
    id: int
    at: datetime
    staff: str
    role: str
    action: str
    target_type: str | None
    target_id: str | None
    outcome: str
    detail: dict[str, Any] | None
    reason: str | None
    hash: str


class AuditVerifyResult(BaseModel):
    ok: bool
    entries: int
    head: str
    first_bad_id: int | None = None
    problem: str | None = None
    erased_reasons: int = 0  # reasons blanked by erasures (their digests still chain)
    anchor_ok: bool | None = None  # an anchor given: the recorded head is still in the log


class AuditKeyRotation(BaseModel):
    """A rotated audit key: the id it retired and the one now signing (never the secrets)."""

    retired: str
    current: str


class LexiconTermPublic(BaseModel):
    term: str
    category: str
    lang: str
    severity: int
    source: str  # "default" (shipped data file) or "custom" (added by an admin)


class SanctionPublic(BaseModel):
    """A sanction as staff see it. `statement` is the statement of reasons sent to the member
    (decision, facts, rule, duration, how to appeal; never who reported)."""

    id: int
    member: str
    kind: str
    other_member: str | None
    starts_at: datetime
    ends_at: datetime | None
    reason: str
    case_id: int | None
    lifted_at: datetime | None = None
    rule: str | None = None
    statement: str | None = None
    decided_by: str | None = None
    lift_reason: str | None = None
    extends: int | None = None  # evasion: the sanction this one extends to a linked profile


class EnforcedSanction(BaseModel):
    """A sanction as the platform account sees it (SPEC §1, §6): what it enforces and what it
    needs to refer to it (the sanction id, which its `appeal` events name), and the statement
    of reasons the member was sent. Never staff text: no reason, no lift reason, no case id,
    no name of who decided."""

    id: int
    member: str
    kind: str
    other_member: str | None
    starts_at: datetime
    ends_at: datetime | None
    lifted_at: datetime | None = None
    rule: str | None = None  # the house rule's id, named in the statement too
    statement: str | None = None
    extends: int | None = None  # evasion: the sanction this one extends to a linked profile


class AppealPublic(BaseModel):
    """An appeal (EU DSA Art. 20) with what it contests and who decided first (who must not
    decide the appeal). `id` is the appeal's case id, which `appeal decide` takes."""

    id: int
    appeal: str  # the platform's appeal id
    member: str
    state: str  # pending | upheld | reversed
    created_at: datetime | None
    body: str | None
    contests: str  # "sanction" | "content" | "unknown"
    sanction: SanctionPublic | None = None
    content: str | None = None  # the content id whose hiding or removal is contested
    content_case: int | None = None
    first_decided_by: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None


class MemberDetail(BaseModel):
    """A member's history for moderators: never registration data, never who reported them."""

    member: MemberPublic
    content: list[ContentPublic] = Field(default_factory=list)
    content_total: int = 0
    cases: list[CasePublic] = Field(default_factory=list)
    sanctions_in_force: list[SanctionPublic] = Field(default_factory=list)
    sanctions_past: list[SanctionPublic] = Field(default_factory=list)
    notes: list[NotePublic] = Field(default_factory=list)
    linked: list[MemberPublic] = Field(default_factory=list)
    suggested_next: str = "warning"
    suggestion_reason: str = ""


class EffectiveStatus(BaseModel):
    """A member's effective status at an instant (SPEC §4), derived from the sanctions in force."""

    member: str
    at: datetime
    can_login: bool
    can_post: bool
    can_comment: bool
    can_message: bool | None = None  # with `with_member` only
    with_member: str | None = None
    # staff see each sanction whole; the platform account gets EnforcedSanction (no staff text)
    in_force: list[SanctionPublic | EnforcedSanction] = []
    closed: bool = False  # a temporary closure (clinical team) is in force: cannot log in


class OutboxItem(BaseModel):
    id: int
    kind: str
    member: str | None
    content: str | None
    payload: dict[str, Any] | None
    created_at: datetime


class Changes(BaseModel):
    """What changed since a cursor: the cases touched (at most 100), newest state."""

    cursor: int
    cases: list[CasePublic] = Field(default_factory=list)


class VaultRecord(BaseModel):
    """Registration data, read through the vault's audited path only (clinical, admin)."""

    member: str
    email: str | None
    real_name: str | None
    phone: str | None


class SelfAssessmentPublic(BaseModel):
    instrument: str | None
    score: float | None
    suicidal: bool
    created_at: datetime | None


class DeletionPublic(BaseModel):
    """A deletion request with what the clinical team needs beside it. `id` is its case id."""

    id: int
    request: str
    member: str
    handle: str | None
    scope: str  # account | data | temporary_close
    note: str | None
    created_at: datetime | None
    state: str  # pending | contacted | approved | declined | closed
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None
    risk_cases: list[CasePublic] = Field(default_factory=list)
    self_assessments: list[SelfAssessmentPublic] = Field(default_factory=list)
    closed_until: str | None = None  # an ISO time, or "until reopened"
    erasure: dict[str, Any] | None = None  # what was removed, and the proof


class BulkRow(BaseModel):
    """One row of a bulk sanction file and what became of it: would_apply (dry run), applied,
    already_applied (an earlier run), duplicate_row (the same row twice in the file), error,
    or not_applied (the row was fine but another row failed, so nothing was applied)."""

    line: int
    member: str | None = None
    kind: str | None = None
    duration: str | None = None
    reason: str | None = None
    other: str | None = None
    case: int | None = None
    status: str = "pending"
    error: str | None = None
    rule: str | None = None
    sanction_id: int | None = None


class BulkResult(BaseModel):
    dry_run: bool
    rows: list[BulkRow]
    applied: int = 0
    already_applied: int = 0
    errors: int = 0


class HandoverPublic(BaseModel):
    id: int
    author: str
    at: datetime
    body: str


class ShiftDashboard(BaseModel):
    """Queue depths and SLA breaches at each hour mark of the window (oldest first, the last
    mark is now), who holds which cases, and the latest handover notes (newest first)."""

    at: datetime
    hours: list[datetime]
    series: dict[str, dict[str, list[int]]]  # queue -> {"open": [...], "breached": [...]}
    holders: dict[str, list[dict[str, Any]]]  # staff name -> [{"case": id, "queue": q}]
    notes: list[HandoverPublic]

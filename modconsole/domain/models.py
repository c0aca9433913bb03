"""The store's tables (SQLModel).

Members and content are keyed by the platform's own ids (strings), so ingest needs no id
lookups and every interface names them as the platform does. Everything the console creates
(cases, signals, sanctions, notes, audit entries…) has an integer id.

All times are aware UTC datetimes (SQLModel refuses naive ones).
Registration data (email, real name, phone) live in `Registration`, which only
`domain.vault` reads or writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

QUEUES = (
    "urgent",
    "self_harm",
    "offensive",
    "harassment",
    "pii",
    "evasion",
    "ask_moderator",
    "deletion",
    "appeal",
)
CASE_STATES = ("open", "claimed", "escalated", "resolved")
ROLES = ("moderator", "senior", "clinical", "admin", "platform")
CONTENT_KINDS = ("post", "comment", "brick", "message", "profile")


class Staff(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=64)
    role: str = Field(max_length=16)
    active: bool = True
    created_at: datetime


class Member(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=128)  # the platform's id
    handle: str | None = Field(default=None, max_length=256)
    created_at: datetime | None = None
    device: str | None = Field(default=None, index=True, max_length=256)
    language: str | None = Field(default=None, max_length=16)
    placeholder: bool = False  # referenced before its own `member` event arrived
    pseudonymised: bool = False
    extra: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class Registration(SQLModel, table=True):
    """The registration vault: read and written only by `domain.vault`."""

    member_id: str = Field(primary_key=True, foreign_key="member.id", max_length=128)
    email: str | None = None
    real_name: str | None = None
    phone: str | None = None


class Content(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=128)  # the platform's id
    kind: str | None = Field(default=None, max_length=16)
    author_id: str | None = Field(default=None, foreign_key="member.id", index=True, max_length=128)
    body: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime | None = None
    recipient_id: str | None = Field(default=None, foreign_key="member.id", max_length=128)
    thread: str | None = Field(default=None, max_length=128)
    parent_id: str | None = Field(default=None, max_length=128)
    wall_of: str | None = Field(default=None, max_length=128)
    visibility: str = Field(default="visible", max_length=16)  # visible | hidden | removed | pending_edit
    placeholder: bool = False
    extra: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    edited_at: datetime | None = None  # the platform's time of the newest edit taken

    __table_args__ = (Index("ix_content_conversation", "author_id", "recipient_id", "created_at"),)


class ProcessedEvent(SQLModel, table=True):
    """Idempotence of ingest: one row per (type, id) already applied."""

    __tablename__ = "processed_event"

    type: str = Field(primary_key=True, max_length=32)
    key: str = Field(primary_key=True, max_length=300)
    applied_at: datetime


class Report(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=128)
    reporter_id: str | None = Field(default=None, foreign_key="member.id", max_length=128)  # never shown to staff
    content_id: str | None = Field(default=None, foreign_key="content.id", max_length=128)
    member_id: str | None = Field(default=None, foreign_key="member.id", max_length=128)
    reason: str = Field(max_length=32)
    note: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime | None = None
    case_id: int | None = Field(default=None, foreign_key="moderation_case.id", index=True)
    extra: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class SelfAssessment(SQLModel, table=True):
    __tablename__ = "self_assessment"
    id: str = Field(primary_key=True, max_length=128)
    member_id: str = Field(foreign_key="member.id", index=True, max_length=128)
    instrument: str | None = Field(default=None, max_length=64)
    score: float | None = None
    suicidal: bool = False
    created_at: datetime | None = None
    extra: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class Question(SQLModel, table=True):
    """An `ask_moderator` event."""

    id: str = Field(primary_key=True, max_length=128)
    member_id: str = Field(foreign_key="member.id", index=True, max_length=128)
    body: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime | None = None
    case_id: int | None = Field(default=None, foreign_key="moderation_case.id")
    extra: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class DeletionRequest(SQLModel, table=True):
    __tablename__ = "deletion_request"
    id: str = Field(primary_key=True, max_length=128)
    member_id: str = Field(foreign_key="member.id", index=True, max_length=128)
    scope: str = Field(max_length=32)  # account | data | temporary_close
    note: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime | None = None
    state: str = Field(default="pending", max_length=16)
    case_id: int | None = Field(default=None, foreign_key="moderation_case.id", index=True)
    extra: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    decision: str | None = Field(default=None, max_length=16)  # upheld | reversed
    decided_by: int | None = Field(default=None, foreign_key="staff.id")
    decided_at: datetime | None = None
    decision_reason: str | None = Field(default=None, sa_column=Column(Text))

    # the clinical team's list: a state's requests, oldest first, a page at a time
    __table_args__ = (Index("ix_deletion_request_state_created", "state", "created_at", "id"),)


class Closure(SQLModel, table=True):
    """A temporary closure of an account (a deletion request decided by the clinical team):
    the member cannot log in from `starts_at` until `ends_at` (None: until reopened) or until
    `reopened_at`. Effective status reads it like a sanction, at any instant."""

    id: int | None = Field(default=None, primary_key=True)
    member_id: str = Field(foreign_key="member.id", index=True, max_length=128)
    request_id: str | None = Field(default=None, max_length=128)
    starts_at: datetime
    ends_at: datetime | None = None
    reopened_at: datetime | None = None
    created_by: int | None = Field(default=None, foreign_key="staff.id")
    reopened_by: int | None = Field(default=None, foreign_key="staff.id")


class Erasure(SQLModel, table=True):
    """An approved erasure and its proof: what was removed (counts per place) and what the
    search of the whole store (and, on SQLite, of the database file and its WAL) found after.
    Holds counts and kinds, never the erased strings."""

    id: int | None = Field(default=None, primary_key=True)
    member_id: str = Field(foreign_key="member.id", index=True, max_length=128)
    request_id: str | None = Field(default=None, max_length=128)
    at: datetime
    by: int | None = Field(default=None, foreign_key="staff.id")
    removed: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    proof: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class HandoverNote(SQLModel, table=True):
    """A note from one shift to the next (seniors, admins): staff text, never member text."""

    __tablename__ = "handover_note"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    at: datetime = Field(index=True)
    body: str = Field(sa_column=Column(Text, nullable=False))


class Appeal(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=128)
    member_id: str = Field(foreign_key="member.id", index=True, max_length=128)
    sanction_ref: str | None = Field(default=None, max_length=128)
    case_ref: str | None = Field(default=None, max_length=128)
    body: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime | None = None
    state: str = Field(default="pending", max_length=16)
    case_id: int | None = Field(default=None, foreign_key="moderation_case.id", index=True)
    extra: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    decision: str | None = Field(default=None, max_length=16)  # upheld | reversed
    decided_by: int | None = Field(default=None, foreign_key="staff.id")
    decided_at: datetime | None = None
    decision_reason: str | None = Field(default=None, sa_column=Column(Text))

    # the appeals list: a state's appeals, oldest first, a page at a time
    __table_args__ = (Index("ix_appeal_state_created", "state", "created_at", "id"),)


class Block(SQLModel, table=True):
    blocker_id: str = Field(primary_key=True, foreign_key="member.id", max_length=128)
    blocked_id: str = Field(primary_key=True, foreign_key="member.id", max_length=128)
    created_at: datetime | None = None
    active: bool = True


class Case(SQLModel, table=True):
    """One subject (a content item or a member), its signals, queue, priority and SLA.

    `state` stores open / escalated / resolved; "claimed" is derived from a lease that has
    not expired (`claimed_by` and `claim_expires_at`), so an abandoned claim needs no job.
    `open_key` is set while the case is unresolved and unique, which makes "one open case per
    subject" a database guarantee.
    """

    __tablename__ = "moderation_case"

    id: int | None = Field(default=None, primary_key=True)
    queue: str = Field(max_length=16)
    state: str = Field(default="open", max_length=16)
    active: bool = True  # not resolved
    priority: int = 1  # 1..4, 4 = urgent
    subject_type: str = Field(max_length=16)  # content | member
    subject_id: str = Field(max_length=128)
    member_id: str | None = Field(default=None, foreign_key="member.id", index=True, max_length=128)
    open_key: str | None = Field(default=None, unique=True, max_length=300)
    created_at: datetime
    updated_at: datetime
    sla_due_at: datetime
    escalated_to: str | None = Field(default=None, max_length=16)
    claimed_by: int | None = Field(default=None, foreign_key="staff.id")
    claim_expires_at: datetime | None = None
    resolved_at: datetime | None = None
    resolution: str | None = Field(default=None, max_length=32)
    signal_count: int = 0
    # The board's summary of the most severe signals (ids, categories, lexicon terms — never
    # member text), kept here so a page of the board is one indexed query.
    top_signals: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))

    __table_args__ = (
        Index("ix_case_queue_breach", "queue", "active", "sla_due_at"),
        Index("ix_case_queue_rank", "queue", "active", "priority", "sla_due_at"),
        Index("ix_case_all_breach", "active", "sla_due_at"),
        Index("ix_case_all_rank", "active", "priority", "sla_due_at"),
        Index("ix_case_subject", "subject_type", "subject_id"),
        # the shift dashboard's range counts: per queue, the unresolved cases opened after an
        # hour mark, and the cases resolved after one (see domain/shift.py)
        Index("ix_case_shift", "queue", "resolved_at", "created_at", "sla_due_at"),
        # the live claims (the shift dashboard's "holding now"): a range of unexpired leases
        Index("ix_case_claim_expires", "claim_expires_at"),
    )


class Signal(SQLModel, table=True):
    """Why a case exists: a lexicon hit, a report, a self-assessment, the harassment rule…

    `detail` is a short machine summary (the lexicon term, the report reason, a pii kind); the
    matched text itself is kept as offsets into the content body plus `matched`, which erasure
    scrubs.
    """

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="moderation_case.id", index=True)
    source: str = Field(max_length=32)  # lexicon | pii | report | self_assessment | harassment | …
    category: str = Field(max_length=16)  # the queue it feeds
    severity: int = 1
    detail: str | None = Field(default=None, max_length=200)
    content_id: str | None = Field(default=None, max_length=128)
    span_start: int | None = None
    span_end: int | None = None
    matched: str | None = Field(default=None, max_length=400)
    ref: str | None = Field(default=None, max_length=160)  # e.g. "report:r1"
    created_at: datetime


class CaseEvent(SQLModel, table=True):
    """A case's history: opened, joined, claimed, released, noted, escalated, resolved…"""

    __tablename__ = "case_event"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="moderation_case.id", index=True)
    at: datetime
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    action: str = Field(max_length=32)
    detail: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class CaseNote(SQLModel, table=True):
    __tablename__ = "case_note"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="moderation_case.id", index=True)
    staff_id: int = Field(foreign_key="staff.id")
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime


class Claim(SQLModel, table=True):
    """Every lease taken on a case, kept as history; the live lease is on `Case`."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="moderation_case.id", index=True)
    staff_id: int = Field(foreign_key="staff.id")
    claimed_at: datetime
    expires_at: datetime
    released_at: datetime | None = None


class Sanction(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    member_id: str = Field(foreign_key="member.id", index=True, max_length=128)
    kind: str = Field(max_length=16)  # warning | comment_mute | mute | ban | no_contact
    other_member_id: str | None = Field(default=None, foreign_key="member.id", max_length=128)
    starts_at: datetime
    ends_at: datetime | None = None  # None = permanent / until lifted
    reason: str = Field(sa_column=Column(Text, nullable=False))
    rule: str | None = Field(default=None, max_length=32)  # the house rule's id (data/house_rules.json)
    statement: str | None = Field(default=None, sa_column=Column(Text))
    extends_id: int | None = Field(default=None, foreign_key="sanction.id")  # evasion: the sanction it extends
    case_id: int | None = Field(default=None, foreign_key="moderation_case.id")
    created_by: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime
    lifted_at: datetime | None = None
    lifted_by: int | None = Field(default=None, foreign_key="staff.id")
    lift_reason: str | None = Field(default=None, sa_column=Column(Text))


class NoContactOrder(SQLModel, table=True):
    """Binds two members both ways; stored with member_a < member_b for one lookup."""

    __tablename__ = "no_contact_order"

    id: int | None = Field(default=None, primary_key=True)
    member_a: str = Field(foreign_key="member.id", max_length=128)
    member_b: str = Field(foreign_key="member.id", max_length=128)
    sanction_id: int | None = Field(default=None, foreign_key="sanction.id")
    starts_at: datetime
    lifted_at: datetime | None = None

    __table_args__ = (Index("ix_nco_pair", "member_a", "member_b"),)


class HarassmentPair(SQLModel, table=True):
    """The harassment rule's running count: messages sender→recipient since the last reply."""

    __tablename__ = "harassment_pair"

    sender_id: str = Field(primary_key=True, max_length=128)
    recipient_id: str = Field(primary_key=True, max_length=128)
    unanswered: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None
    flagged: bool = False  # a case was opened for this run of unanswered messages


class Outbox(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)  # message | content | sanction (see platform.py)
    member_id: str | None = Field(default=None, foreign_key="member.id", index=True, max_length=128)
    content_id: str | None = Field(default=None, max_length=128)
    payload: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime
    acked_at: datetime | None = None


class AuditEntry(SQLModel, table=True):
    """One action or refused attempt; chained by hash (see `domain.audit`).

    Carries ids, never member text or registration data. `reason` (staff-written) is kept
    outside the hash, which covers its digest instead, so erasure can blank it and the chain
    still verifies.
    """

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    staff_id: int | None = None
    staff_name: str = Field(max_length=64)
    role: str = Field(max_length=16)
    action: str = Field(max_length=48)
    target_type: str | None = Field(default=None, max_length=32)
    target_id: str | None = Field(default=None, max_length=160)
    outcome: str = Field(max_length=16)  # ok | refused
    detail: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    reason: str | None = Field(default=None, sa_column=Column(Text))
    reason_digest: str | None = Field(default=None, max_length=64)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)
    key_id: str | None = Field(default=None, max_length=32)  # the audit key that signed it; None: legacy, unkeyed


class StoreMeta(SQLModel, table=True):
    """Facts about the store itself: `store_id` names its audit key file (domain/audit_key.py)."""

    __tablename__ = "store_meta"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=256)


class LexiconChange(SQLModel, table=True):
    """Admins' edits on top of the shipped lexicon data files (add or remove a term)."""

    __tablename__ = "lexicon_change"

    id: int | None = Field(default=None, primary_key=True)
    term: str = Field(max_length=200)
    lang: str = Field(max_length=8)
    category: str | None = Field(default=None, max_length=16)
    severity: int | None = None
    op: str = Field(max_length=8)  # add | remove
    created_at: datetime
    created_by: int | None = Field(default=None, foreign_key="staff.id")

    __table_args__ = (UniqueConstraint("term", "lang", name="uq_lexicon_change_term_lang"),)


class PolicySetting(SQLModel, table=True):
    __tablename__ = "policy_setting"
    key: str = Field(primary_key=True, max_length=64)
    value: Any = Field(sa_column=Column(JSON))


class ApiToken(SQLModel, table=True):
    """A bearer token for the API: stored as its SHA-256, with an expiry; revocable."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

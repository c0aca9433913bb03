"""Ingest: the platform's events (SPEC §2) into the store, in batches, idempotently.

The file is streamed line by line (constant memory whatever its size) and committed in batches
of `policy.ingest_batch` events, each batch one transaction with one audit entry. An event
already applied (same type and id; for block/unblock the pair and time) is counted as a
duplicate and changes nothing, so an interrupted run can simply be run again. A malformed line
is reported with its number and skipped. References to members or content not seen yet create
placeholders, filled in when their own event arrives.

Edits. A `content` event that carries `edited_at` (an ISO 8601 time, validated like the other
times: a line whose `edited_at` is not one is rejected, naming the field) is an edit of that
content: its idempotence key is the id and the edit's time (kept as type "content_edit"), so
the same edit twice is a duplicate and a newer edit is applied. An edit replaces the body, sets
`content.edited_at` and runs the detector again on the new body (its signals join the open case
of the content, if any). Content waiting for an edit after the personal-details notice
(visibility "pending_edit", see `messages.send`) is shown again when the new body has no
personal details left: visibility "visible" and an outbox row (kind "content", action "show")
for the platform; hidden or removed content stays as it is. An edit no newer than the one
stored, or an original arriving after one of its edits, is superseded: it changes nothing and
is counted with the duplicates. An edit of content not seen yet stores it, as edited.

What feeds which queue:
- content: the detector (self_harm, offensive, pii lexicons), on creation and on every edit;
  messages also feed the harassment rule, kept incrementally per sender→recipient pair;
- content breaching a no-contact order (SPEC §4) → harassment, severity 3, one signal per order
  on the content: the author X and a member Y are under an order in force at the content's
  `created_at` (an edit: at its `edited_at`) and the content is a message to Y, is on Y's wall,
  replies to or comments on content by Y (parent in the same batch or stored), or mentions Y.
  Both members are bound, whoever asked for the order. A mention is "@" (or the fullwidth
  "＠") not preceded by a letter, digit or "_" (so an e-mail address is not one), then Y's
  handle compared without regard to case (casefolded), not followed by a letter, digit or "_"
  nor by "." or "-" and a letter or digit (so "@lune." and "@lune," mention "lune", "@lune.fr"
  and "@lune_2" do not). Y's stored handle and any handle given to Y in the same batch count.
  An edit is checked for mentions only: where it was posted does not change with an edit;
- report: urgent_help → urgent, offensive → offensive, harassment → harassment, other →
  offensive at the lowest severity; the reporter is stored and never shown;
- self_assessment with suicidal=true → urgent (others are stored only);
- ask_moderator → ask_moderator; deletion_request → deletion; appeal → appeal;
- member with a device fingerprint shared by a banned or muted member → evasion.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import IO, Any

from sqlalchemy import bindparam, insert, or_, select, tuple_, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import aliased
from sqlmodel import Session

from modconsole.schemas import IngestResult, RejectedLine

from . import vault
from .auth import Actor
from .casework import SignalDraft, appeal_scope, apply_signals, chunks
from .clock import parse_time
from .events import Event, EventError, parse_line
from .models import (
    Appeal,
    Block,
    Case,
    Content,
    DeletionRequest,
    HarassmentPair,
    Member,
    NoContactOrder,
    Outbox,
    ProcessedEvent,
    Question,
    Report,
    Sanction,
    SelfAssessment,
)
from .policy import Policy
from .service import Services

REPORT_ROUTES = {"urgent_help": ("urgent", 4), "offensive": ("offensive", 2), "harassment": ("harassment", 2), "other": ("offensive", 1)}
MAX_HITS_PER_CATEGORY = 5
RETRIES = 3
EDIT_TYPE = "content_edit"  # the ProcessedEvent type of an edit (key: content id and edit time)
ORDER_SCAN = 500  # no-contact orders in force read whole per batch; past that, only the authors' orders
ORDER_CHUNK = 2000  # authors per query then (twice as many parameters)

Progress = Callable[[int], None]


@dataclass
class _Batch:
    """Everything one batch will write, gathered before the first statement."""

    now: datetime
    members_new: dict[str, dict[str, Any]] = field(default_factory=dict)
    members_fill: list[dict[str, Any]] = field(default_factory=list)
    content_new: dict[str, dict[str, Any]] = field(default_factory=dict)
    content_fill: list[dict[str, Any]] = field(default_factory=list)
    registrations: list[dict[str, Any]] = field(default_factory=list)
    drafts: list[SignalDraft] = field(default_factory=list)
    linked: list[tuple[Any, dict[str, Any], str | None]] = field(default_factory=list)  # (model, row, open key)
    blocks: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    devices: dict[str, str] = field(default_factory=dict)  # member -> device (this batch's member events)
    processed: list[dict[str, Any]] = field(default_factory=list)
    # content to check against no-contact orders: (content id, author, time, body, recipient, wall_of, parent);
    # an edit has no recipient, wall or parent (only its mentions are checked)
    contacts: list[tuple[str, str, datetime, str, str | None, str | None, str | None]] = field(default_factory=list)
    edits: dict[str, dict[str, Any]] = field(default_factory=dict)  # stored content id -> its state, as edited
    outbox: list[dict[str, Any]] = field(default_factory=list)


class _Known:
    """Which members and content exist (and whether as placeholders), loaded per batch."""

    def __init__(self) -> None:
        self.members: dict[str, bool] = {}  # id -> placeholder
        self.content: dict[str, tuple[str | None, bool]] = {}  # id -> (author, placeholder)


def ingest_file(svc: Services, actor: Actor, stream: IO[bytes], progress: Progress | None = None) -> IngestResult:
    """Ingest a JSONL byte stream. Returns the counts of SPEC §9; raises Forbidden before reading."""
    svc.check(actor, "ingest")
    return ingest_lines(svc, actor, _numbered(stream, progress))


def _numbered(stream: IO[bytes], progress: Progress | None) -> Iterator[tuple[int, bytes]]:
    for number, raw in enumerate(stream, start=1):
        if progress is not None:
            progress(len(raw))
        yield number, raw


def ingest_lines(svc: Services, actor: Actor, lines: Iterable[tuple[int, bytes | str]]) -> IngestResult:
    """Ingest numbered raw lines (also used by the API for one event or a batch)."""
    svc.check(actor, "ingest")
    policy = svc.policy()
    result = IngestResult()
    pending: list[tuple[int, Event]] = []
    for number, raw in lines:
        try:
            event = _as_edit(parse_line(raw))
        except EventError as exc:
            result.rejected.append(RejectedLine(line=number, error=str(exc)))
            continue
        if event is None:
            continue
        pending.append((number, event))
        if len(pending) >= policy.ingest_batch:
            _commit(svc, actor, pending, policy, result)
            pending = []
    if pending:
        _commit(svc, actor, pending, policy, result)
    return result


def _as_edit(event: Event | None) -> Event | None:
    """A content event carrying `edited_at` becomes an edit (see the module docstring).

    events.py keeps unknown fields in `extra`; `edited_at` is taken out of it, validated like the
    other times, and put in `data`. A null `edited_at` is no edit. Raises EventError naming it."""
    if event is None or event.type != "content" or not event.extra or "edited_at" not in event.extra:
        return event
    extra = dict(event.extra)
    raw = extra.pop("edited_at")
    event.extra = extra or None
    if raw is None:
        return event
    try:
        at = parse_time(raw)
    except (ValueError, TypeError, OverflowError):
        raise EventError(f"content event: 'edited_at' is not an ISO 8601 time: {str(raw)[:40]!r}") from None
    event.data["edited_at"] = at
    event.key = f"{event.data['id']}|{at.isoformat()}"
    return event


def _ptype(ev: Event) -> str:
    """The type an event's idempotence key is kept under."""
    return EDIT_TYPE if "edited_at" in ev.data else ev.type  # only _as_edit puts it there


def _commit(svc: Services, actor: Actor, events: list[tuple[int, Event]], policy: Policy, result: IngestResult) -> None:
    """Apply one batch in one transaction, retrying when a concurrent writer got there first."""
    for attempt in range(RETRIES):
        counts = IngestResult()

        def change(session: Session, counts: IngestResult = counts) -> tuple[IngestResult, dict[str, Any]]:
            _apply(svc, session, events, policy, counts)
            return counts, {
                "first_line": events[0][0], "last_line": events[-1][0], "events": counts.events,
                "duplicates": counts.duplicates, "cases_opened": counts.cases_opened, "cases_joined": counts.cases_joined,
            }

        try:
            svc.perform(actor, "ingest", change, target_type="batch")
            break
        except (IntegrityError, OperationalError):
            if attempt == RETRIES - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    result.events += counts.events + counts.duplicates
    result.duplicates += counts.duplicates
    result.cases_opened += counts.cases_opened
    result.cases_joined += counts.cases_joined
    for t, n in counts.by_type.items():
        result.by_type[t] = result.by_type.get(t, 0) + n


# --- one batch ----------------------------------------------------------------------------------


def _apply(svc: Services, session: Session, events: list[tuple[int, Event]], policy: Policy, counts: IngestResult) -> None:
    now = svc.now()
    fresh = _drop_duplicates(session, events, counts)
    known = _load_known(session, fresh)
    batch = _Batch(now=now)
    # only content is scanned: a batch of reports or self-assessments (an urgent alert) never
    # waits for the detector to be built
    detector = svc.detector(session) if any(ev.type == "content" for ev in fresh) else None
    pairs = _load_pairs(session, fresh)
    _load_edits(session, fresh, known, batch)
    for ev in fresh:
        if _HANDLERS[ev.type](ev, batch, known, detector, pairs, policy) is False:
            counts.duplicates += 1  # superseded: changes nothing, and is not taken again
        else:
            counts.by_type[ev.type] = counts.by_type.get(ev.type, 0) + 1
            counts.events += 1
        batch.processed.append({"type": _ptype(ev), "key": ev.key, "applied_at": now})
    _evasion(session, batch, now)
    _no_contact(session, batch, known)
    _write(session, batch, pairs, policy, counts)


def _drop_duplicates(session: Session, events: list[tuple[int, Event]], counts: IngestResult) -> list[Event]:
    by_type: dict[str, set[str]] = {}
    for _, ev in events:
        by_type.setdefault(_ptype(ev), set()).add(ev.key)
    seen: set[tuple[str, str]] = set()
    for etype, keys in by_type.items():
        for part in chunks(sorted(keys)):
            for (key,) in session.execute(
                select(ProcessedEvent.key).where(ProcessedEvent.type == etype, ProcessedEvent.key.in_(part))  # type: ignore[attr-defined]
            ):
                seen.add((etype, key))
    fresh: list[Event] = []
    for _, ev in events:
        ptype = _ptype(ev)
        if (ptype, ev.key) in seen:
            counts.duplicates += 1
            continue
        seen.add((ptype, ev.key))
        fresh.append(ev)
    return fresh


MEMBER_REFS = {
    "member": ("id",), "content": ("author", "recipient", "wall_of"), "report": ("reporter", "member"),
    "self_assessment": ("member",), "ask_moderator": ("member",), "deletion_request": ("member",),
    "block": ("blocker", "blocked"), "unblock": ("blocker", "blocked"), "appeal": ("member",),
}
CONTENT_REFS = {"content": ("id", "parent"), "report": ("content",)}


def _load_known(session: Session, events: list[Event]) -> _Known:
    known = _Known()
    member_ids = {ev.data[f] for ev in events for f in MEMBER_REFS[ev.type] if ev.data.get(f)}
    content_ids = {ev.data[f] for ev in events for f in CONTENT_REFS.get(ev.type, ()) if ev.data.get(f)}
    for part in chunks(sorted(member_ids)):
        for mid, placeholder in session.execute(select(Member.id, Member.placeholder).where(Member.id.in_(part))):  # type: ignore[attr-defined]
            known.members[mid] = placeholder
    for part in chunks(sorted(content_ids)):
        for cid, author, placeholder in session.execute(
            select(Content.id, Content.author_id, Content.placeholder).where(Content.id.in_(part))  # type: ignore[attr-defined]
        ):
            known.content[cid] = (author, placeholder)
    return known


def _load_pairs(session: Session, events: list[Event]) -> dict[tuple[str, str], dict[str, Any]]:
    """The harassment counters of every pair (both directions) messaging in this batch."""
    wanted = set()
    for ev in events:
        if ev.type == "content" and ev.data["kind"] == "message":
            a, b = ev.data["author"], ev.data["recipient"]
            wanted.add((a, b))
            wanted.add((b, a))
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    items = sorted(wanted)
    for part in chunks(items, 250):
        cond = tuple_(HarassmentPair.sender_id, HarassmentPair.recipient_id).in_(part)
        for row in session.execute(select(HarassmentPair).where(cond).with_for_update()).scalars():
            pairs[(row.sender_id, row.recipient_id)] = {
                "sender_id": row.sender_id, "recipient_id": row.recipient_id, "unanswered": row.unanswered,
                "first_at": row.first_at, "last_at": row.last_at, "flagged": row.flagged, "_stored": True, "_dirty": False,
            }
    return pairs


def _load_edits(session: Session, events: list[Event], known: _Known, batch: _Batch) -> None:
    """The state of the stored content this batch edits (one locked query; none without edits)."""
    ids = sorted({ev.data["id"] for ev in events
                  if ev.type == "content" and ev.data.get("edited_at") is not None and ev.data["id"] in known.content})
    for part in chunks(ids):
        rows = session.execute(
            select(Content.id, Content.visibility, Content.edited_at, Member.pseudonymised)  # type: ignore[call-overload]
            .outerjoin(Member, Member.id == Content.author_id)
            .where(Content.id.in_(part)).with_for_update(of=Content)  # type: ignore[attr-defined]
        )
        for cid, visibility, edited_at, erased in rows:
            batch.edits[cid] = {"visibility": visibility, "edited_at": edited_at, "_dirty": False, "erased": bool(erased)}


def _ensure_member(member_id: str | None, batch: _Batch, known: _Known) -> None:
    if member_id and member_id not in known.members and member_id not in batch.members_new:
        batch.members_new[member_id] = {"id": member_id, "placeholder": True}


def _ensure_content(content_id: str | None, batch: _Batch, known: _Known) -> None:
    if content_id and content_id not in known.content and content_id not in batch.content_new:
        batch.content_new[content_id] = {"id": content_id, "placeholder": True, "visibility": "visible"}


def _author_of(content_id: str, batch: _Batch, known: _Known) -> str | None:
    if content_id in batch.content_new:
        return batch.content_new[content_id].get("author_id")
    return known.content.get(content_id, (None, True))[0]


def _on_member(ev: Event, batch: _Batch, known: _Known, *_: Any) -> None:
    d = ev.data
    row = {
        "id": d["id"], "handle": d["handle"], "created_at": d["created_at"], "device": d["device"],
        "language": (d["language"] or None), "placeholder": False, "extra": ev.extra,
    }
    if d["id"] in known.members:
        batch.members_fill.append({f"b_{k}": v for k, v in row.items()})
    else:
        batch.members_new[d["id"]] = row  # replaces a placeholder made earlier in the batch
    if d["email"] or d["real_name"] or d["phone"]:
        batch.registrations.append({"member_id": d["id"], "email": d["email"], "real_name": d["real_name"], "phone": d["phone"]})
    if d["device"]:
        batch.devices[d["id"]] = d["device"]


def _is_real(content_id: str, batch: _Batch, known: _Known) -> bool:
    """Whether the content itself (not a placeholder) is stored or taken earlier in this batch."""
    row = batch.content_new.get(content_id)
    if row is not None:
        return not row.get("placeholder")
    return content_id in known.content and not known.content[content_id][1]


def _on_content(ev: Event, batch: _Batch, known: _Known, detector: Any, pairs: dict, policy: Policy) -> bool | None:
    d = ev.data
    edited_at = d.get("edited_at")
    if (d["id"] in batch.content_new or d["id"] in known.content) and _is_real(d["id"], batch, known):
        if edited_at is None:
            return False  # the original, arriving after one of its edits: superseded
        return _on_edit(ev, batch, known, detector)
    for ref in (d["author"], d["recipient"], d["wall_of"]):
        _ensure_member(ref, batch, known)
    if d["parent"]:
        _ensure_content(d["parent"], batch, known)
    row = {
        "id": d["id"], "kind": d["kind"], "author_id": d["author"], "body": d["body"], "created_at": d["created_at"] or batch.now,
        "recipient_id": d["recipient"], "thread": d["thread"], "parent_id": d["parent"], "wall_of": d["wall_of"],
        "placeholder": False, "visibility": "visible", "extra": ev.extra, "edited_at": edited_at,
    }
    if d["id"] in known.content:
        batch.content_fill.append({f"b_{k}": v for k, v in row.items()})
        known.content[d["id"]] = (d["author"], False)
        if d["id"] in batch.edits:  # a later edit in this batch compares with this one
            batch.edits[d["id"]]["edited_at"] = edited_at
    else:
        batch.content_new[d["id"]] = row
    _detect(d["id"], d["author"], d["body"], detector, batch)
    if d["kind"] == "message":
        _harassment_rule(d["author"], d["recipient"], d["id"], row["created_at"], pairs, policy, batch)
    batch.contacts.append((d["id"], d["author"], row["created_at"], d["body"], d["recipient"], d["wall_of"], d["parent"]))
    return None


def _on_edit(ev: Event, batch: _Batch, known: _Known, detector: Any) -> bool | None:
    """An edit of content already taken: newer than the last edit, it replaces the body."""
    d = ev.data
    cid, at, body = d["id"], d["edited_at"], d["body"]
    row = batch.content_new.get(cid)
    state = row if row is not None else batch.edits.get(cid)
    if state is None:  # a placeholder filled earlier in this batch: nothing stored to compare with
        state = batch.edits[cid] = {"visibility": "visible", "edited_at": None, "_dirty": False}
    if state["edited_at"] is not None and at <= state["edited_at"]:
        return False
    if state.get("erased"):  # the author was erased: an edit never puts a body back
        return False
    state.update(body=body, edited_at=at)
    author = row["author_id"] if row is not None else known.content[cid][0]
    if row is None:
        state["_dirty"] = True
    categories = _detect(cid, author, body, detector, batch)
    if state["visibility"] == "pending_edit" and "pii" not in categories:
        state["visibility"] = "visible"
        batch.outbox.append({"kind": "content", "member_id": author, "content_id": cid,
                             "payload": {"action": "show", "reason": "edited"}, "created_at": batch.now})
    if author:
        batch.contacts.append((cid, author, at, body, None, None, None))
    return None


def _detect(content_id: str, author: str | None, body: str, detector: Any, batch: _Batch) -> dict[str, int]:
    """Signals for the detector's hits on a body; returns the categories hit (with their counts)."""
    per_category: dict[str, int] = {}
    for hit in detector.scan(body):
        n = per_category.get(hit.category, 0)
        if n >= MAX_HITS_PER_CATEGORY:
            continue
        per_category[hit.category] = n + 1
        source = "pii" if hit.category == "pii" else "lexicon"  # grammar frames are automatic detection too
        if hit.category == "pii":
            detail = hit.kind
        elif hit.kind == "grammar":
            detail = f"rule {hit.term} ({hit.lang})"  # the frame that fired, so the moderator sees why
        else:
            detail = f"{hit.term} ({hit.lang})"
        batch.drafts.append(
            SignalDraft(
                queue=hit.category, source=source, severity=hit.severity, subject_type="content", subject_id=content_id,
                member_id=author, detail=detail, content_id=content_id, span_start=hit.start, span_end=hit.end,
                matched=body[hit.start : hit.end],
            )
        )
    return per_category


def _harassment_rule(sender: str, recipient: str, content_id: str, at: datetime, pairs: dict, policy: Policy, batch: _Batch) -> None:
    """Meetic's rule: the initial message and then the Nth follow-up with no reply opens a case."""
    back = pairs.get((recipient, sender))
    if back is not None and back["unanswered"]:
        back.update(unanswered=0, flagged=False, first_at=None, _dirty=True)  # the sender answered
    pair = pairs.setdefault(
        (sender, recipient),
        {"sender_id": sender, "recipient_id": recipient, "unanswered": 0, "first_at": None, "last_at": None,
         "flagged": False, "_stored": False, "_dirty": True},
    )
    pair["unanswered"] += 1
    pair["first_at"] = pair["first_at"] or at
    pair["last_at"] = at
    pair["_dirty"] = True
    n, threshold = pair["unanswered"], policy.harassment_threshold
    if n >= threshold and (n - threshold) % threshold == 0:
        pair["flagged"] = True
        batch.drafts.append(
            SignalDraft(
                queue="harassment", source="harassment_rule", severity=2, subject_type="member", subject_id=sender,
                member_id=sender, detail=f"{n} messages to {recipient} without a reply", content_id=content_id,
                ref=f"pair:{sender}>{recipient}"[:160],
            )
        )


def _on_report(ev: Event, batch: _Batch, known: _Known, *_: Any) -> None:
    d = ev.data
    _ensure_member(d["reporter"], batch, known)
    _ensure_member(d["member"], batch, known)
    _ensure_content(d["content"], batch, known)
    queue, severity = REPORT_ROUTES[d["reason"]]
    if d["content"]:
        subject_type, subject_id = "content", d["content"]
        member = _author_of(d["content"], batch, known) or d["member"]
    else:
        subject_type, subject_id, member = "member", d["member"], d["member"]
    draft = SignalDraft(queue=queue, source="report", severity=severity, subject_type=subject_type, subject_id=subject_id,
                        member_id=member, detail=d["reason"], content_id=d["content"], ref=f"report:{d['id']}")
    batch.drafts.append(draft)
    batch.linked.append((Report, {
        "id": d["id"], "reporter_id": d["reporter"], "content_id": d["content"], "member_id": d["member"],
        "reason": d["reason"], "note": d["note"], "created_at": d["created_at"] or batch.now, "extra": ev.extra,
    }, draft.open_key))


def _on_self_assessment(ev: Event, batch: _Batch, known: _Known, *_: Any) -> None:
    d = ev.data
    _ensure_member(d["member"], batch, known)
    key = None
    if d["suicidal"]:
        draft = SignalDraft(queue="urgent", source="self_assessment", severity=4, subject_type="member", subject_id=d["member"],
                            member_id=d["member"], detail=f"suicidal on {d['instrument'] or 'self-assessment'}"[:200],
                            ref=f"self_assessment:{d['id']}")
        batch.drafts.append(draft)
        key = draft.open_key
    batch.linked.append((SelfAssessment, {
        "id": d["id"], "member_id": d["member"], "instrument": d["instrument"], "score": d["score"],
        "suicidal": bool(d["suicidal"]), "created_at": d["created_at"] or batch.now, "extra": ev.extra,
    }, key))


def _member_request(queue: str, severity: int, model: Any, fields: Callable[[dict[str, Any]], dict[str, Any]],  # type: ignore[no-untyped-def]
                    detail: Callable[[dict[str, Any]], str], scope: Callable[[dict[str, Any]], str | None] | None = None):
    """A member's request (question, deletion, appeal): one open case per member, or per member
    and `scope` when given (an appeal: per contested decision, see `casework.appeal_scope`)."""
    def handler(ev: Event, batch: _Batch, known: _Known, *_: Any) -> None:
        d = ev.data
        _ensure_member(d["member"], batch, known)
        draft = SignalDraft(queue=queue, source=ev.type, severity=severity, subject_type="member", subject_id=d["member"],
                            member_id=d["member"], detail=detail(d), ref=f"{ev.type}:{d['id']}",
                            scope=scope(d) if scope is not None else None)
        batch.drafts.append(draft)
        row = {"id": d["id"], "member_id": d["member"], "created_at": d["created_at"] or batch.now, "extra": ev.extra, **fields(d)}
        batch.linked.append((model, row, draft.open_key))

    return handler


def _on_block(ev: Event, batch: _Batch, known: _Known, *_: Any) -> None:
    d = ev.data
    _ensure_member(d["blocker"], batch, known)
    _ensure_member(d["blocked"], batch, known)
    batch.blocks[(d["blocker"], d["blocked"])] = {
        "blocker_id": d["blocker"], "blocked_id": d["blocked"], "created_at": d["created_at"] or batch.now,
        "active": ev.type == "block",
    }


_HANDLERS: dict[str, Callable[..., bool | None]] = {  # False: the event was superseded
    "member": _on_member,
    "content": _on_content,
    "report": _on_report,
    "self_assessment": _on_self_assessment,
    "ask_moderator": _member_request("ask_moderator", 1, Question, lambda d: {"body": d["body"]}, lambda d: "question"),
    "deletion_request": _member_request(
        "deletion", 2, DeletionRequest, lambda d: {"scope": d["scope"], "note": d["note"], "state": "pending"},
        lambda d: f"scope {d['scope']}",
    ),
    "appeal": _member_request(
        "appeal", 1, Appeal,
        lambda d: {"sanction_ref": d["sanction"], "case_ref": d["case"], "body": d["body"], "state": "pending"},
        lambda d: f"contests sanction {d['sanction']}" if d["sanction"] else f"contests case {d['case']}",
        scope=lambda d: appeal_scope(d["sanction"], d["case"]),
    ),
    "block": _on_block,
    "unblock": _on_block,
}


def _evasion(session: Session, batch: _Batch, now: datetime) -> None:
    """A member event whose device is shared with a member banned or muted right now."""
    if not batch.devices:
        return
    devices = sorted(set(batch.devices.values()))
    sanctioned: dict[str, list[tuple[str, str]]] = {}
    for part in chunks(devices):
        rows = session.execute(
            select(Member.device, Member.id, Sanction.kind)
            .join(Sanction, Sanction.member_id == Member.id)
            .where(
                Member.device.in_(part),  # type: ignore[union-attr]
                Sanction.kind.in_(("ban", "mute")),  # type: ignore[attr-defined]
                Sanction.lifted_at.is_(None),  # type: ignore[union-attr]
                Sanction.starts_at <= now,
                or_(Sanction.ends_at.is_(None), Sanction.ends_at > now),  # type: ignore[union-attr,operator]
            )
        ).all()
        for device, mid, kind in rows:
            sanctioned.setdefault(device, []).append((mid, kind))
    for member_id, device in batch.devices.items():
        for other, kind in sanctioned.get(device, []):
            if other != member_id:
                batch.drafts.append(
                    SignalDraft(queue="evasion", source="device", severity=2, subject_type="member", subject_id=member_id,
                                member_id=member_id, detail=f"shares a device with {other} ({kind} in force)"[:200],
                                ref=f"linked:{other}")
                )


_AT = "[@\uff20]"
_MA, _MB = aliased(Member), aliased(Member)
_ORDERS = (
    select(NoContactOrder.id, NoContactOrder.member_a, NoContactOrder.member_b, NoContactOrder.starts_at,  # type: ignore[call-overload]
           NoContactOrder.lifted_at, _MA.handle, _MB.handle)
    .join(_MA, _MA.id == NoContactOrder.member_a, isouter=True)
    .join(_MB, _MB.id == NoContactOrder.member_b, isouter=True)
)


@lru_cache(maxsize=4096)
def _mention(handle: str) -> re.Pattern[str]:
    """"@handle" as a mention (see the module docstring), for a casefolded handle and body."""
    return re.compile(rf"(?<!\w){_AT}{re.escape(handle)}(?![\w]|[.\-]\w)")


def _no_contact(session: Session, batch: _Batch, known: _Known) -> None:
    """Content breaching a no-contact order in force at its time → harassment (SPEC §4).

    One query per batch, none without content: the orders in force during the batch's time span
    (with both members' handles) when there are at most ORDER_SCAN of them, which is nearly free
    when there are none; past that, the orders of the batch's authors only. The rest of the work
    is done only for the authors who have an order."""
    if not batch.contacts:
        return
    times = [c[2] for c in batch.contacts]
    o = NoContactOrder
    lifted_after = or_(o.lifted_at.is_(None), o.lifted_at > min(times))  # type: ignore[union-attr,operator,arg-type]
    stmt = _ORDERS.where(o.starts_at <= max(times), lifted_after)
    rows = session.execute(stmt.limit(ORDER_SCAN + 1)).all()
    if not rows:
        return
    authors = {c[1] for c in batch.contacts}
    if len(rows) > ORDER_SCAN:
        rows = []
        for part in chunks(sorted(authors), ORDER_CHUNK):
            rows += session.execute(stmt.where(or_(o.member_a.in_(part), o.member_b.in_(part)))).all()  # type: ignore[attr-defined]
    orders: dict[int, tuple[str, str, datetime, datetime | None]] = {}
    handles: dict[str, set[str]] = {}
    for oid, a, b, starts, lifted, handle_a, handle_b in rows:
        if a not in authors and b not in authors:
            continue
        orders[oid] = (a, b, starts, lifted)
        for mid, handle in ((a, handle_a), (b, handle_b)):
            if handle:
                handles.setdefault(mid, set()).add(handle)
    if not orders:
        return
    by_member: dict[str, list[tuple[int, str, datetime, datetime | None]]] = {}
    for oid, (a, b, starts, lifted) in sorted(orders.items()):
        by_member.setdefault(a, []).append((oid, b, starts, lifted))
        by_member.setdefault(b, []).append((oid, a, starts, lifted))
    others = {other for mine in by_member.values() for _, other, _, _ in mine}
    for mid in others:  # a handle set in this batch counts too
        row = batch.members_new.get(mid)
        if row is not None and row.get("handle"):
            handles.setdefault(mid, set()).add(row["handle"])
    for fill in batch.members_fill:
        if fill["b_id"] in others and fill["b_handle"]:
            handles.setdefault(fill["b_id"], set()).add(fill["b_handle"])
    patterns = {mid: [_mention(h.lstrip("@").casefold()) for h in hs if h.lstrip("@")] for mid, hs in handles.items()}
    for content_id, author, at, body, recipient, wall_of, parent in batch.contacts:
        mine = by_member.get(author)
        if not mine:
            continue
        folded: str | None = None
        for oid, other, starts, lifted in mine:
            if not (starts <= at and (lifted is None or lifted > at)):
                continue
            how = []
            if recipient == other:
                how.append("message")
            if wall_of == other:
                how.append("wall")
            if parent and _author_of(parent, batch, known) == other:
                how.append("reply")
            if patterns.get(other):
                folded = body.casefold() if folded is None else folded
                if any(p.search(folded) for p in patterns[other]):
                    how.append("mention")
            if how:
                batch.drafts.append(
                    SignalDraft(queue="harassment", source="no_contact", severity=3, subject_type="content",
                                subject_id=content_id, member_id=author, content_id=content_id,
                                detail=f"no-contact order #{oid} with {other}: {', '.join(how)}"[:200],
                                ref=f"no_contact:{oid}")
                )


def _write(session: Session, batch: _Batch, pairs: dict, policy: Policy, counts: IngestResult) -> None:
    def table(model: Any) -> Any:
        return model.__table__

    member_cols = ("id", "handle", "created_at", "device", "language", "placeholder", "extra")
    if batch.members_new:
        rows = [{c: r.get(c) for c in member_cols} | {"placeholder": r.get("placeholder", False), "pseudonymised": False}
                for r in batch.members_new.values()]
        session.execute(insert(table(Member)), rows)
    if batch.members_fill:
        t = table(Member)
        session.execute(
            update(t).where(t.c.id == bindparam("b_id")).values(
                handle=bindparam("b_handle"), created_at=bindparam("b_created_at"), device=bindparam("b_device"),
                language=bindparam("b_language"), placeholder=False, extra=bindparam("b_extra"),
            ),
            batch.members_fill,
        )
    if batch.registrations:
        vault.store_registrations(session, batch.registrations)
    content_cols = ("id", "kind", "author_id", "body", "created_at", "recipient_id", "thread", "parent_id", "wall_of",
                    "placeholder", "visibility", "extra", "edited_at")
    if batch.content_new:
        session.execute(insert(table(Content)), [{c: r.get(c) for c in content_cols} for r in batch.content_new.values()])
    if batch.content_fill:
        t = table(Content)
        session.execute(
            update(t).where(t.c.id == bindparam("b_id")).values(
                kind=bindparam("b_kind"), author_id=bindparam("b_author_id"), body=bindparam("b_body"),
                created_at=bindparam("b_created_at"), recipient_id=bindparam("b_recipient_id"), thread=bindparam("b_thread"),
                parent_id=bindparam("b_parent_id"), wall_of=bindparam("b_wall_of"), placeholder=False, extra=bindparam("b_extra"),
                edited_at=bindparam("b_edited_at"),
            ),
            batch.content_fill,
        )
        # cases opened on a placeholder (a report that came first) now know whose content it is
        c = Case.__table__  # type: ignore[attr-defined]
        session.execute(
            update(c).where(c.c.subject_type == "content", c.c.subject_id == bindparam("b_id"), c.c.member_id.is_(None))
            .values(member_id=bindparam("b_author_id")),
            [{"b_id": r["b_id"], "b_author_id": r["b_author_id"]} for r in batch.content_fill],
        )
    edited = [{"b_id": cid, "b_body": e["body"], "b_edited_at": e["edited_at"], "b_visibility": e["visibility"]}
              for cid, e in batch.edits.items() if e["_dirty"]]
    if edited:  # after the fills: an edit may follow, in this batch, the content that filled a placeholder
        t = table(Content)
        session.execute(
            update(t).where(t.c.id == bindparam("b_id")).values(
                body=bindparam("b_body"), edited_at=bindparam("b_edited_at"), visibility=bindparam("b_visibility"),
            ),
            edited,
        )
    if batch.outbox:
        session.execute(insert(table(Outbox)), batch.outbox)
    for d in batch.drafts:  # a report that came before its content, in this batch or as a placeholder
        if d.member_id is None and d.subject_type == "content":
            d.member_id = (batch.content_new.get(d.subject_id) or {}).get("author_id") or known_author(session, d.subject_id)
    applied = apply_signals(session, batch.drafts, batch.now, policy)
    counts.cases_opened += applied.opened
    counts.cases_joined += applied.joined
    by_model: dict[Any, list[dict[str, Any]]] = {}
    for model, row, key in batch.linked:
        by_model.setdefault(model, []).append(row | ({"case_id": applied.ids.get(key)} if model is not SelfAssessment else {}))
    for model, rows in by_model.items():
        session.execute(insert(table(model)), rows)
    if batch.blocks:
        _upsert_blocks(session, list(batch.blocks.values()))
    _save_pairs(session, pairs)
    if batch.processed:
        session.execute(insert(table(ProcessedEvent)), batch.processed)


def known_author(session: Session, content_id: str) -> str | None:
    return session.execute(select(Content.author_id).where(Content.id == content_id)).scalar()


def _upsert_blocks(session: Session, rows: list[dict[str, Any]]) -> None:
    t = Block.__table__  # type: ignore[attr-defined]
    existing = set()
    for part in chunks(rows, 250):
        cond = tuple_(t.c.blocker_id, t.c.blocked_id).in_([(r["blocker_id"], r["blocked_id"]) for r in part])
        existing.update(session.execute(select(t.c.blocker_id, t.c.blocked_id).where(cond)).all())
    new = [r for r in rows if (r["blocker_id"], r["blocked_id"]) not in existing]
    old = [{"b_" + k: v for k, v in r.items()} for r in rows if (r["blocker_id"], r["blocked_id"]) in existing]
    if new:
        session.execute(insert(t), new)
    if old:
        session.execute(
            update(t).where(t.c.blocker_id == bindparam("b_blocker_id"), t.c.blocked_id == bindparam("b_blocked_id"),
                            or_(t.c.created_at.is_(None), t.c.created_at <= bindparam("b_created_at")))
            .values(created_at=bindparam("b_created_at"), active=bindparam("b_active")),
            old,
        )


def _save_pairs(session: Session, pairs: dict[tuple[str, str], dict[str, Any]]) -> None:
    t = HarassmentPair.__table__  # type: ignore[attr-defined]
    cols = ("sender_id", "recipient_id", "unanswered", "first_at", "last_at", "flagged")
    new = [{c: p[c] for c in cols} for p in pairs.values() if p["_dirty"] and not p["_stored"]]
    old = [{"b_" + c: p[c] for c in cols} for p in pairs.values() if p["_dirty"] and p["_stored"]]
    if new:
        session.execute(insert(t), new)
    if old:
        session.execute(
            update(t).where(t.c.sender_id == bindparam("b_sender_id"), t.c.recipient_id == bindparam("b_recipient_id"))
            .values(unanswered=bindparam("b_unanswered"), first_at=bindparam("b_first_at"), last_at=bindparam("b_last_at"),
                    flagged=bindparam("b_flagged")),
            old,
        )

"""The audit log: one entry per action or refused attempt, chained by a keyed hash.

Each entry carries `key_id` and an HMAC-SHA-256, under that key, of the previous entry's hash
and its own fields: the key lives outside the database (`domain/audit_key.py`), so whoever can
write the database but has not the key cannot add, rewrite or re-chain an entry without
`audit verify` reporting it as not authentic — nor can the same program run with another key
against a copy of the store. Entries written before keying (`key_id` NULL) keep their unkeyed
SHA-256 chain; the first keyed entry covers their head, and no unkeyed entry may follow it. A
store with a key whose log has entries but no keyed one was rewritten. A key rotation
(`audit rotate-key`) is itself an entry, `audit.key_rotated`, signed with the new key and
naming the key it retires; an entry signed later with a retired key is not authentic.

Each entry's hash covers the previous entry's hash and every field of the entry except the
free-text `reason`, whose SHA-256 digest is covered instead. Editing, removing or reordering
an entry breaks the chain at that entry; erasure may blank a reason (it can quote a member)
and the chain still verifies: the erasure's own entry lists the entries it blanked, so a reason
removed any other way is reported as tampering. Removing the newest entries cannot be seen from inside the
store: `audit verify` prints the head hash so that it can be kept elsewhere and compared.
Entries carry ids, never member text or registration data.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlmodel import Session

from modconsole.schemas import AuditEntryPublic, AuditKeyRotation, AuditVerifyResult

from .clock import to_utc
from .models import AuditEntry

GENESIS = "0" * 64
ERASURE_ACTION = "member.erase"  # its detail lists the entries whose reasons it blanked
ROTATION_ACTION = "audit.key_rotated"
KEYED_ACTION = "audit.keyed"
STORE_KEY = "modconsole.store"  # Store.write() puts itself in session.info under this name


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_hash(entry: AuditEntry, ring: Any = None) -> str:
    """The hash an entry must carry, given its fields and its `prev_hash`: HMAC-SHA-256 under
    the key `entry.key_id` of `ring` (an audit_key.KeyRing), or the legacy SHA-256 when the
    entry has no key id. Raises KeyError for a key the ring does not hold."""
    at = to_utc(entry.at).isoformat(timespec="microseconds")
    body = {
        "id": entry.id,
        "at": at,
        "staff_id": entry.staff_id,
        "staff_name": entry.staff_name,
        "role": entry.role,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "outcome": entry.outcome,
        "detail": entry.detail,
        "reason_digest": entry.reason_digest,
    }
    key_id = getattr(entry, "key_id", None)
    if key_id is None:
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return _digest(entry.prev_hash + "\n" + canonical)
    body["key_id"] = key_id
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return str(ring.sign(key_id, entry.prev_hash + "\n" + canonical))


# Built once: constructing a statement costs more than running it on this path.
_LAST = select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)  # type: ignore[union-attr]
_INSERT = insert(AuditEntry.__table__)  # type: ignore[attr-defined]


def append(
    session: Session | Connection,
    *,
    at: datetime,
    staff_id: int | None,
    staff_name: str,
    role: str,
    action: str,
    outcome: str = "ok",
    target_type: str | None = None,
    target_id: str | int | None = None,
    detail: dict[str, Any] | None = None,
    reason: str | None = None,
) -> SimpleNamespace:
    """Append one entry inside the caller's transaction (which must hold the chain lock).

    `session` is an ORM Session or a Core Connection: the row goes in with one Core INSERT
    (no unit-of-work flush), so a refusal costs two statements. The entry is signed with the
    store's current audit key (the session was opened by `Store.write()`/`write_conn()`, which
    leave the store in `session.info`); raises Unavailable when the key file is missing."""
    store = session.info.get(STORE_KEY)
    if store is None:
        raise RuntimeError("audit.append needs a session opened by Store.write() or Store.write_conn()")
    ring = store.audit_keys()
    last = session.execute(_LAST).first()
    fields: dict[str, Any] = {
        "id": (last[0] + 1) if last else 1,  # gapless under the chain lock
        "at": at,
        "staff_id": staff_id,
        "staff_name": staff_name,
        "role": role,
        "action": action,
        "outcome": outcome,
        "target_type": target_type,
        "target_id": None if target_id is None else str(target_id),
        "detail": detail,
        "reason": reason,
        "reason_digest": None if reason is None else _digest(reason),
        "prev_hash": last[1] if last else GENESIS,
        "key_id": ring.current,
    }
    fields["hash"] = entry_hash(SimpleNamespace(**fields), ring)  # type: ignore[arg-type]
    session.execute(_INSERT, fields)
    return SimpleNamespace(**fields)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    head: str
    first_bad_id: int | None = None
    problem: str | None = None
    erased_reasons: int = 0


def verify(session: Session, ring: Any = None, batch: int = 5000) -> VerifyResult:
    """Walk the whole chain in id order; stop at the first entry that does not hold. `ring`
    is the store's audit key ring (`Store.audit_keys()`, taken from the session's store when
    not given)."""
    if ring is None:
        ring = session.info[STORE_KEY].audit_keys()
    prev_hash = GENESIS
    prev_id: int | None = None
    count = 0
    keyed = False
    retired: set[str] = set()
    blanked: list[int] = []  # reasons gone: fine only when a later erasure entry lists them
    erased: set[int] = set()
    for entry in _stream(session, batch):
        if entry.prev_hash != prev_hash:
            where = f"entry {prev_id}" if prev_id is not None else "the start of the log"
            return VerifyResult(
                False, count, prev_hash, entry.id,
                f"entry {entry.id} does not follow {where}: an entry before it was removed, "
                "inserted or reordered",
            )
        if entry.key_id is None:
            if keyed:
                return VerifyResult(False, count, prev_hash, entry.id,
                                    f"entry {entry.id} is not authentic: it was written without the audit key, "
                                    "after the log was keyed")
            if entry.hash != entry_hash(entry):
                return VerifyResult(False, count, prev_hash, entry.id, f"entry {entry.id} was edited: its hash does not match its fields")
        else:
            if entry.key_id not in ring.keys:
                return VerifyResult(False, count, prev_hash, entry.id,
                                    f"entry {entry.id} is not authentic: it is signed with a key this store does not have "
                                    f"({entry.key_id!r}; written by another copy of the program, or the key file is not this store's)")
            if entry.key_id in retired:
                return VerifyResult(False, count, prev_hash, entry.id,
                                    f"entry {entry.id} is not authentic: it is signed with the key {entry.key_id!r}, "
                                    "retired by an earlier rotation")
            if entry.hash != entry_hash(entry, ring):
                return VerifyResult(False, count, prev_hash, entry.id,
                                    f"entry {entry.id} is not authentic or was edited: its signature does not match its fields")
            keyed = True
            if entry.action == ROTATION_ACTION and entry.outcome == "ok" and isinstance(entry.detail, dict):
                old = entry.detail.get("retired")
                if isinstance(old, str) and old != entry.key_id:
                    retired.add(old)
        if entry.reason is not None and entry.reason_digest != _digest(entry.reason):
            return VerifyResult(False, count, prev_hash, entry.id, f"entry {entry.id} was edited: its reason does not match its digest")
        if entry.reason is None and entry.reason_digest is not None:
            blanked.append(entry.id or 0)
        if entry.action == ERASURE_ACTION and entry.outcome == "ok" and isinstance(entry.detail, dict):
            erased.update(int(i) for i in entry.detail.get("blanked_reasons", []) if isinstance(i, int))
        prev_hash, prev_id = entry.hash, entry.id
        count += 1
    if count and not keyed:
        return VerifyResult(False, count, prev_hash, None,
                            "the log has no entry signed with this store's audit key: it was rewritten without the key")
    unexplained = [i for i in blanked if i not in erased]
    if unexplained:
        return VerifyResult(False, count, prev_hash, unexplained[0],
                            f"entry {unexplained[0]} lost its reason and no erasure records blanking it")
    return VerifyResult(True, count, prev_hash, erased_reasons=len(blanked))


def _stream(session: Session, batch: int) -> Iterator[AuditEntry]:
    last = 0
    while True:
        rows = session.execute(
            select(AuditEntry).where(AuditEntry.id > last).order_by(AuditEntry.id).limit(batch)
        ).scalars().all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id or last


def list_entries(svc: Any, actor: Any, *, limit: int = 100, before: int | None = None) -> list[AuditEntryPublic]:
    """The newest entries first (admin); `before` pages back from an entry id."""
    svc.check(actor, "audit.list")
    with svc.store.read() as s:
        stmt = select(AuditEntry).order_by(AuditEntry.id.desc())  # type: ignore[union-attr]
        if before is not None:
            stmt = stmt.where(AuditEntry.id < before)  # type: ignore[operator]
        if limit:
            stmt = stmt.limit(limit)
        return [
            AuditEntryPublic(
                id=e.id or 0, at=e.at, staff=e.staff_name, role=e.role, action=e.action, target_type=e.target_type,
                target_id=e.target_id, outcome=e.outcome, detail=e.detail, reason=e.reason, hash=e.hash,
            )
            for e in s.execute(stmt).scalars()
        ]


def verify_chain(svc: Any, actor: Any, anchor_entries: int | None = None, anchor_head: str | None = None) -> AuditVerifyResult:
    """`verify` for an admin, as the interfaces show it.

    With an anchor (the entry count and head hash recorded by an earlier verify, and kept
    outside the database — `audit verify --anchor FILE`), it also checks that entry number
    `anchor_entries` is still there with that hash: removing the newest entries, which the chain
    alone cannot show, is then detected."""
    svc.check(actor, "audit.verify")
    ring = svc.store.audit_keys()
    with svc.store.read() as s:
        r = verify(s, ring)
        result = AuditVerifyResult(ok=r.ok, entries=r.entries, head=r.head, first_bad_id=r.first_bad_id, problem=r.problem,
                                   erased_reasons=r.erased_reasons)
        if r.ok and anchor_entries is not None and anchor_head is not None:
            row = s.execute(select(AuditEntry.hash).where(AuditEntry.id == anchor_entries)).first() if anchor_entries > 0 else None
            if anchor_entries > 0 and (row is None or row[0] != anchor_head):
                result.ok, result.first_bad_id = False, anchor_entries
                result.problem = (f"the log was cut or rewritten: entry {anchor_entries} with the recorded head "
                                  f"{anchor_head[:16]}… is {'missing' if row is None else 'different'} "
                                  f"(the log now has {r.entries} entries)")
            else:
                result.anchor_ok = True
    return result


def rotate_key(svc: Any, actor: Any) -> AuditKeyRotation:
    """A new audit key version (admin): written to the key file, then the rotation entry,
    signed with the new key and naming the one it retires. Returns the two key ids."""
    from . import audit_key

    svc.check(actor, "audit.rotate_key")
    old = svc.store.audit_keys()
    new = audit_key.rotate(old)
    svc.store.set_audit_keys(new)
    detail = {"retired": old.current, "new_key": new.current, "nonce": secrets.token_hex(4)}
    svc.perform(actor, "audit.rotate_key", lambda s: (None, detail), target_type="audit", audit_action=ROTATION_ACTION)
    return AuditKeyRotation(retired=old.current, current=new.current)

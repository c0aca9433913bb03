"""The audit log: one entry per action or refused attempt, chained by a keyed hash.

Each entry carries `key_id` and an HMAC-SHA-256, under that key, of the previous entry's hash
and its own fields: the key lives outside the database (`domain/audit_key.py`), so whoever can
write the database but has not the key cannot add, rewrite or re-chain an entry without
`audit verify` reporting it as not authentic — nor can the same program run with another key
against a copy of the store. Entries written before keying (`key_id` NULL) keep their unkeyed
SHA-256 chain; the first keyed entry covers their head, and no unkeyed entry may follow it. A
store with a key whose log has entries but no keyed one was rewritten.

One key signs at a time, and the chain itself says which: the key of the entry before. A key
rotation (`audit rotate-key`) is the only entry that may change it: `audit.key_rotated`,
signed with the new key and naming in `retired` the key it takes over from (the key file gets
the new version, under the chain lock, before the entry is written). After it, an entry
signed with any other key — a retired one, or a newer one never announced — is not
authentic. A rotation whose entry failed leaves an unannounced key at the end of the key
file: the next rotation announces that one instead of making another.

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
SIGN_WITH = "modconsole.audit_sign_with"  # session.info: the key a rotation's own entry is signed with


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
_LAST = select(AuditEntry.id, AuditEntry.hash, AuditEntry.key_id).order_by(AuditEntry.id.desc()).limit(1)  # type: ignore[union-attr]
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
    key_id = session.info.get(SIGN_WITH) or current_key(last, ring)
    if key_id not in ring.keys:
        ring = store.audit_keys(reload=True)
        if key_id not in ring.keys:
            from modconsole.errors import Unavailable

            raise Unavailable(f"the audit log is signed with the key {key_id!r}, which the key file {ring.path} does not "
                              "hold: restore the key file from your backup (README, 'Security notes'); nothing was changed",
                              title="Audit key missing")
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
        "key_id": key_id,
    }
    fields["hash"] = entry_hash(SimpleNamespace(**fields), ring)  # type: ignore[arg-type]
    session.execute(_INSERT, fields)
    return SimpleNamespace(**fields)


def current_key(last: Any, ring: Any) -> str:
    """The key that signs the entry after `last` (a row of id, hash, key_id): the one that
    signed `last`; the ring's newest for the first keyed entry of a log."""
    return str(last[2]) if last is not None and last[2] is not None else str(ring.current)


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
        ring = session.info[STORE_KEY].audit_keys(reload=True)
    prev_hash = GENESIS
    prev_id: int | None = None
    count = 0
    keyed = False
    in_use: str | None = None  # the key that signed the entry before
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
            rotation = (entry.action == ROTATION_ACTION and entry.outcome == "ok" and isinstance(entry.detail, dict)
                        and entry.detail.get("retired") == in_use)
            if in_use is not None and entry.key_id != in_use and not rotation:
                why = "retired by an earlier rotation" if entry.key_id in retired else "never put in use by a rotation"
                return VerifyResult(False, count, prev_hash, entry.id,
                                    f"entry {entry.id} is not authentic: it is signed with the key {entry.key_id!r}, "
                                    f"{why}, where the key {in_use!r} signs")
            if entry.hash != entry_hash(entry, ring):
                return VerifyResult(False, count, prev_hash, entry.id,
                                    f"entry {entry.id} is not authentic or was edited: its signature does not match its fields")
            keyed = True
            if in_use is not None and entry.key_id != in_use:
                retired.add(in_use)
            in_use = entry.key_id
        if entry.reason is not None and entry.reason_digest != _digest(entry.reason):
            return VerifyResult(False, count, prev_hash, entry.id, f"entry {entry.id} was edited: its reason does not match its digest")
        if entry.reason is None and entry.reason_digest is not None:
            blanked.append(entry.id or 0)
        if entry.action == ERASURE_ACTION and entry.outcome == "ok" and isinstance(entry.detail, dict):
            erased.update(int(i) for i in entry.detail.get("blanked_reasons", []) if isinstance(i, int))
        prev_hash, prev_id = entry.hash, entry.id
        count += 1
    if count and not keyed:
        return VerifyResult(False, count, prev_hash, 1,
                            "the log has no entry signed with this store's audit key: it was rewritten without the key "
                            "(its entries from the first on are not authentic)")
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
    ring = svc.store.audit_keys(reload=True)
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
    """A new audit key version (admin). Under the chain lock: the key file gets the new
    version (or, after a rotation whose entry failed, the version it left unannounced is
    taken), then the rotation entry, signed with the new key and naming the key it retires,
    all in one transaction. Returns the two key ids."""
    from . import audit_key

    def change(s: Session) -> tuple[AuditKeyRotation, dict[str, Any]]:
        svc.store.lock_audit_chain(s)
        ring = svc.store.audit_keys(reload=True)
        old = current_key(s.execute(_LAST).first(), ring)
        ids = list(ring.keys)
        if old in ids and ids.index(old) < len(ids) - 1:
            new = ids[-1]  # an earlier rotation wrote it, and its entry never landed
        else:
            ring = audit_key.rotate(ring)
            svc.store.set_audit_keys(ring)
            new = ring.current
        s.info[SIGN_WITH] = new
        return AuditKeyRotation(retired=old, current=new), {"retired": old, "new_key": new}

    return svc.perform(actor, "audit.rotate_key", change, target_type="audit", audit_action=ROTATION_ACTION)  # type: ignore[no-any-return]

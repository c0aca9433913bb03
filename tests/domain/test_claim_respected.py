"""A live claim is respected by every action that names a case (SPEC §3: "a claim is a lease …
so that no two moderators work the same case"): whoever acts on a case someone else holds is
refused with ClaimHeld naming the holder, the refusal is audited, and nothing changes.

The actions that name a case, and where each is checked:
- case resolve, case escalate (cases.py), appeal decide (appeals.py), deletion decide
  (deletion.py), confirm evasion (sanctions.py): checked before issue 14, kept here as the rule;
- sanction apply --case, sanction preview --case, sanction bulk (a `case` column), sanction lift
  (the sanction's case, while still open), member message --case: issue 14.
Notes stay open to everyone who may see the case (a note is how a shift hands over), and a
claim held by the actor, or one run out, is no obstacle. SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from modconsole.domain import appeals, bulk, cases, deletion, messages, sanctions, staff
from modconsole.domain.models import AuditEntry, Case, Outbox, Sanction
from modconsole.domain.service import Services
from modconsole.errors import ClaimHeld
from modconsole.schemas import BulkRow

from .helpers import feed

EVENTS = [
    {"type": "member", "id": "u1", "handle": "lune", "language": "fr", "device": "dev-1"},
    {"type": "member", "id": "u2", "handle": "soleil"},
    {"type": "content", "id": "p1", "kind": "post", "author": "u1", "body": "espèce de connard"},
]


def case_where(svc: Services, **where: Any) -> int:
    with svc.store.read() as s:
        q = select(Case.id)
        for k, v in where.items():
            q = q.where(getattr(Case, k) == v)
        return int(s.execute(q.order_by(Case.id.desc()).limit(1)).scalar_one())


def counts(svc: Services) -> tuple[int, int, int]:
    with svc.store.read() as s:
        return tuple(int(s.execute(select(func.count()).select_from(m)).scalar_one()) for m in (Sanction, Outbox, Case))  # type: ignore[return-value]


def last_refusal(svc: Services) -> AuditEntry:
    with svc.store.read() as s:
        row = s.execute(select(AuditEntry).where(AuditEntry.outcome == "refused").order_by(AuditEntry.id.desc()).limit(1)).scalar_one()
        s.expunge(row)
        return row


def _offensive(svc: Services) -> int:
    return case_where(svc, subject_id="p1")


def _evasion(svc: Services) -> int:
    sanctions.apply(svc, svc.actor("ines"), member="u1", kind="mute", duration="7d", reason="respect: insults")
    feed(svc, [{"type": "member", "id": "u1bis", "handle": "lune2", "device": "dev-1"}])
    return case_where(svc, queue="evasion")


def _appeal(svc: Services) -> int:
    ban = sanctions.apply(svc, svc.actor("root"), member="u1", kind="ban", duration="7d", reason="respect: threats")
    feed(svc, [{"type": "appeal", "id": "ap1", "member": "u1", "sanction": str(ban.id), "body": "injuste"}])
    return case_where(svc, queue="appeal")


def _deletion(svc: Services) -> int:
    feed(svc, [{"type": "deletion_request", "id": "d1", "member": "u2", "scope": "data", "note": "bye"}])
    return case_where(svc, queue="deletion")


def _held_sanction(svc: Services, cid: int) -> int:
    """A mute applied on the case by its holder, the case still open: lifting it is an action on it."""
    return sanctions.apply(svc, svc.actor("ines"), member="u1", kind="mute", duration="24h", reason="respect: x",
                           case_id=cid).id


# (holder, the one refused, how the case is made, the attempt, the action audited); the attempt
# gets the case id and what `BEFORE` (run by the holder once the claim is taken) returned
ATTEMPTS: dict[str, tuple[str, str, Callable[[Services], int], Callable[[Services, int, Any], Any], str]] = {
    "case resolve": ("lea", "sam", _offensive, lambda svc, cid, _: cases.resolve(svc, svc.actor("sam"), cid, "dismiss"),
                     "case.resolve"),
    "case escalate": ("lea", "sam", _offensive,
                      lambda svc, cid, _: cases.escalate(svc, svc.actor("sam"), cid, "senior", "threats"), "case.escalate"),
    "sanction apply --case": ("lea", "sam", _offensive, lambda svc, cid, _: sanctions.apply(
        svc, svc.actor("sam"), member="u1", kind="warning", duration=None, reason="respect: insults", case_id=cid),
        "sanction.apply"),
    "sanction apply --case (senior)": ("lea", "ines", _offensive, lambda svc, cid, _: sanctions.apply(
        svc, svc.actor("ines"), member="u1", kind="ban", duration="permanent", reason="respect: insults", case_id=cid),
        "sanction.apply"),
    "sanction lift (its case held)": ("ines", "root", _offensive, lambda svc, cid, sid: sanctions.lift(
        svc, svc.actor("root"), sid, "second look"), "sanction.lift"),
    "member message --case": ("lea", "sam", _offensive, lambda svc, cid, _: messages.send(
        svc, svc.actor("sam"), "u1", template="pii_notice", case_id=cid), "member.message"),
    "member message --case (own text)": ("lea", "sam", _offensive, lambda svc, cid, _: messages.send(
        svc, svc.actor("sam"), "u1", body="please mind the house rules", case_id=cid), "member.message"),
    "confirm evasion": ("ines", "root", _evasion,
                        lambda svc, cid, _: sanctions.confirm_evasion(svc, svc.actor("root"), cid, "same device"),
                        "evasion.confirm"),
    "appeal decide": ("lea", "sam", _appeal, lambda svc, cid, _: appeals.decide(svc, svc.actor("sam"), cid, "uphold", "plain"),
                      "appeal.decide"),
}
BEFORE: dict[str, Callable[[Services, int], Any]] = {"sanction lift (its case held)": _held_sanction}


@pytest.mark.parametrize("attempt", list(ATTEMPTS))
def test_an_action_naming_a_case_held_by_someone_else_is_refused(svc: Services, attempt: str) -> None:
    holder, other, make, act, action = ATTEMPTS[attempt]
    feed(svc, EVENTS)
    cid = make(svc)
    cases.claim(svc, svc.actor(holder), cid)
    extra = BEFORE[attempt](svc, cid) if attempt in BEFORE else None
    before = counts(svc)
    with pytest.raises(ClaimHeld) as held:
        act(svc, cid, extra)
    assert held.value.holder == holder and f"held by {holder}" in held.value.message
    assert counts(svc) == before, "a refused action changed something"
    refusal = last_refusal(svc)
    assert (refusal.staff_name, refusal.action) == (other, action)
    assert f"held by {holder}" in (refusal.detail or {}).get("why", "")
    # once the holder gives it back, the same attempt goes through
    cases.release(svc, svc.actor(holder), cid)
    act(svc, cid, extra)


def test_deletion_decide_respects_a_clinical_colleagues_claim(svc: Services) -> None:
    feed(svc, EVENTS)
    cid = _deletion(svc)
    staff.add(svc, svc.actor("root"), "drb", "clinical")
    cases.claim(svc, svc.actor("drm"), cid)
    with pytest.raises(ClaimHeld, match="held by drm"):
        deletion.decide(svc, svc.actor("drb"), cid, "contacted", "called")
    assert (last_refusal(svc).staff_name, last_refusal(svc).action) == ("drb", "deletion.decide")


def test_preview_tells_the_claim_without_an_audit_entry(svc: Services) -> None:
    feed(svc, EVENTS)
    cid = _offensive(svc)
    cases.claim(svc, svc.actor("lea"), cid)
    with svc.store.read() as s:
        entries = s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    with pytest.raises(ClaimHeld, match="held by lea"):
        sanctions.preview(svc, svc.actor("sam"), member="u1", kind="warning", duration=None, reason="respect: x", case_id=cid)
    with svc.store.read() as s:
        assert s.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == entries


def test_a_bulk_row_on_a_case_held_by_someone_else_fails_the_run(svc: Services) -> None:
    feed(svc, EVENTS)
    cid = _offensive(svc)
    cases.claim(svc, svc.actor("lea"), cid)
    rows = [BulkRow(line=2, member="u2", kind="warning", reason="respect: spam"),
            BulkRow(line=3, member="u1", kind="warning", reason="respect: insults", case=cid)]
    before = counts(svc)
    for dry in (True, False):
        result = bulk.run(svc, svc.actor("sam"), rows, dry_run=dry)
        assert result.applied == 0 and result.errors == 1
        bad = next(r for r in result.rows if r.line == 3)
        assert bad.status == "error" and "held by lea" in (bad.error or "")
        refusal = last_refusal(svc)
        assert (refusal.staff_name, refusal.action) == ("sam", "sanction.bulk")
        assert "held by someone else (lea)" in refusal.detail["why"] and "line 3" in refusal.detail["why"]
    assert counts(svc) == before
    assert bulk.run(svc, svc.actor("lea"), rows).applied == 2  # the holder's own run goes through


def test_own_claim_a_lapsed_claim_and_a_resolved_case_are_no_obstacle(svc: Services) -> None:
    feed(svc, EVENTS)
    cid = _offensive(svc)
    cases.claim(svc, svc.actor("lea"), cid)
    sanctions.apply(svc, svc.actor("lea"), member="u1", kind="warning", duration=None, reason="respect: a", case_id=cid)
    messages.send(svc, svc.actor("lea"), "u1", template="pii_notice", case_id=cid)
    svc.store.clock.advance(timedelta(hours=1))  # the lease ran out
    mute = sanctions.apply(svc, svc.actor("sam"), member="u1", kind="mute", duration="24h", reason="respect: b",
                           case_id=cid)
    cases.claim(svc, svc.actor("sam"), cid)
    cases.resolve(svc, svc.actor("sam"), cid, "remove")
    sanctions.lift(svc, svc.actor("ines"), mute.id, "too harsh")  # the case is resolved: nobody holds it
    messages.send(svc, svc.actor("lea"), "u1", body="about your post", case_id=cid)

"""Every service action × every role: allowed ones succeed, refused ones change nothing and are audited.

The expected answers come from the SPEC's table written out by hand (test_spec_policy.LITERAL), not from
`auth.PERMISSIONS`: a permission widened in the code fails here as well as there."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from modconsole.domain import cases, lexicons, sanctions, staff, vault
from modconsole.domain.models import AuditEntry, Case, CaseNote, LexiconChange, Sanction, Staff
from modconsole.domain.service import Services
from modconsole.errors import Forbidden

from .helpers import make_cases
from .test_spec_policy import LITERAL

ROLES = {"moderator": "lea", "senior": "ines", "clinical": "drm", "admin": "root", "platform": "feed"}


def _snapshot(svc: Services) -> tuple[int, ...]:
    with svc.store.read() as s:
        return tuple(
            s.execute(select(func.count()).select_from(m)).scalar_one() for m in (Staff, CaseNote, Sanction, LexiconChange)
        ) + tuple(s.execute(select(func.count()).select_from(Case).where(Case.active.is_(False))).scalars())


ACTIONS: dict[str, tuple[str, Callable[[Services, Any, int], Any]]] = {
    "staff.add": ("staff.add", lambda svc, a, cid: staff.add(svc, a, "newbie", "moderator")),
    "staff.list": ("staff.list", lambda svc, a, cid: staff.list_all(svc, a)),
    "queue.list": ("queue.list", lambda svc, a, cid: cases.list_queue(svc, a)),
    "case.show": ("case.show", lambda svc, a, cid: cases.show(svc, a, cid)),
    "case.claim": ("case.claim", lambda svc, a, cid: cases.claim(svc, a, cid)),
    "case.note": ("case.note", lambda svc, a, cid: cases.note(svc, a, cid, "a note")),
    "case.resolve": ("case.resolve", lambda svc, a, cid: cases.resolve(svc, a, cid, "dismiss")),
    "case.escalate": ("case.escalate", lambda svc, a, cid: cases.escalate(svc, a, cid, "senior", "why")),
    "sanction.apply": ("sanction.apply", lambda svc, a, cid: sanctions.apply(
        svc, a, member="c-author", kind="mute", duration="24h", reason="respect: house rule 3")),
    "vault.read": ("vault.read", lambda svc, a, cid: vault.read(svc, a, "c-author", "safety check")),
    "lexicon.list": ("lexicon.list", lambda svc, a, cid: lexicons.list_terms(svc, a)),
    "lexicon.edit": ("lexicon.edit", lambda svc, a, cid: lexicons.add(svc, a, "zorglub", "offensive", "fr", 2)),
}

# clinical may see and note urgent/self_harm cases but acts only on escalations to clinical
EXPECTED_FOR_OFFENSIVE_CASE = {
    "case.show": {"moderator", "senior", "admin"},
    "case.claim": {"moderator", "senior", "admin"},
    "case.note": {"moderator", "senior", "admin"},
    "case.resolve": {"moderator", "senior", "admin"},
    "case.escalate": {"moderator", "senior", "admin"},
}


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_action_by_role(svc: Services, role: str, action: str) -> None:
    [cid] = make_cases(svc, 1)
    perm, call = ACTIONS[action]
    expected = EXPECTED_FOR_OFFENSIVE_CASE.get(action, LITERAL[perm][0])  # the SPEC's words, not auth's table
    actor = svc.actor(ROLES[role])
    before = _snapshot(svc)
    with svc.store.read() as s:
        audit_before = s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    if role in expected:
        call(svc, actor, cid)
    else:
        with pytest.raises(Forbidden):
            call(svc, actor, cid)
        assert _snapshot(svc) == before, "a refused action changed something"
        with svc.store.read() as s:
            last = s.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).scalar_one()
            count = s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
        assert count == audit_before + 1
        assert (last.outcome, last.staff_name, last.action) == ("refused", ROLES[role], perm)


def test_moderator_cannot_ban_permanently_and_it_is_audited(svc: Services) -> None:
    make_cases(svc, 1)
    with pytest.raises(Forbidden, match="permanent"):
        sanctions.apply(svc, svc.actor("lea"), member="c-author", kind="ban", duration="permanent", reason="respect: r")
    sanctions.apply(svc, svc.actor("lea"), member="c-author", kind="ban", duration="72h", reason="respect: r")
    sanctions.apply(svc, svc.actor("ines"), member="c-author", kind="ban", duration="permanent", reason="respect: r")
    with svc.store.read() as s:
        kinds = [(x.kind, x.ends_at is None) for x in s.execute(select(Sanction)).scalars()]
        refused = s.execute(select(AuditEntry).where(AuditEntry.outcome == "refused")).scalars().all()
    assert kinds == [("ban", False), ("ban", True)]
    assert [r.action for r in refused] == ["sanction.apply"]


def test_escalated_case_belongs_to_its_target(svc: Services) -> None:
    [cid] = make_cases(svc, 1)
    cases.escalate(svc, svc.actor("lea"), cid, "senior", "threat of violence")
    with pytest.raises(Forbidden, match="escalated to a senior"):
        cases.claim(svc, svc.actor("sam"), cid)
    cases.note(svc, svc.actor("sam"), cid, "context for the senior")  # notes stay open to the team
    assert cases.claim(svc, svc.actor("ines"), cid).claimed_by == "ines"


def test_clinical_sees_only_its_queues(svc: Services) -> None:
    make_cases(svc, 2, queue="offensive")
    make_cases(svc, 1, queue="urgent", severity=4, prefix="u")
    make_cases(svc, 1, queue="deletion", severity=2, prefix="d")
    seen = {c.queue for c in cases.list_queue(svc, svc.actor("drm"))}
    assert seen == {"urgent", "deletion"}
    mod_seen = {c.queue for c in cases.list_queue(svc, svc.actor("lea"))}
    assert mod_seen == {"urgent", "offensive"}
    with pytest.raises(Forbidden):
        cases.list_queue(svc, svc.actor("lea"), queue="deletion")


def test_clinical_lists_cases_escalated_to_it_from_any_queue(svc: Services) -> None:
    [cid] = make_cases(svc, 1, queue="harassment")
    cases.escalate(svc, svc.actor("lea"), cid, "clinical", "talks about ending it")
    listed = cases.list_queue(svc, svc.actor("drm"))
    assert [c.id for c in listed] == [cid]
    assert {c.queue: c.open for c in cases.queue_counts(svc, svc.actor("drm"))}["harassment"] == 1
    assert cases.claim(svc, svc.actor("drm"), cid).claimed_by == "drm"


def test_appeal_cases_are_not_closed_by_a_generic_resolve(svc: Services) -> None:
    from modconsole.errors import Conflict

    [cid] = make_cases(svc, 1, queue="appeal", severity=1)
    with pytest.raises(Conflict, match="appeal decide"):
        cases.resolve(svc, svc.actor("ines"), cid, "dismiss")


def test_messages_to_members_by_role_and_language(svc: Services) -> None:
    from modconsole.domain import messages
    from modconsole.errors import InvalidInput

    make_cases(svc, 1)
    outbox_id = messages.send(svc, svc.actor("lea"), "c-author", template="harassment_coaching")
    assert outbox_id > 0
    with pytest.raises(Forbidden):
        messages.send(svc, svc.actor("drm"), "c-author", template="warning")
    with pytest.raises(InvalidInput, match="unknown template"):
        messages.send(svc, svc.actor("lea"), "c-author", template="nope")
    from modconsole.domain.models import Outbox

    with svc.store.read() as s:
        row = s.get(Outbox, outbox_id)
    assert row is not None and "arretonslesviolences.gouv.fr" in row.payload["body"]

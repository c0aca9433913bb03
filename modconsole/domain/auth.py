"""Who may do what (SPEC §1), decided here and nowhere else.

`PERMISSIONS` answers "may this role attempt this action at all"; `check_case_action` adds the
rules that depend on the case (the deletion queue is clinical-only, an escalated case belongs
to the role it was escalated to). Reads of lists are not audited; every refusal is.

tests/domain/test_spec_policy.py holds SPEC §1's table written out by hand, each row beside the
SPEC's words: a change here, or a new permission, needs its row there.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, true

from modconsole.errors import Forbidden

from .models import Case

STAFF = frozenset({"moderator", "senior", "clinical", "admin"})
CASEWORKERS = frozenset({"moderator", "senior", "clinical", "admin"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "staff.add": frozenset({"admin"}),
    "staff.list": frozenset({"admin", "senior"}),
    "staff.token": frozenset({"admin"}),
    "policy.set": frozenset({"admin"}),
    "ingest": frozenset({"admin", "platform"}),
    "queue.list": CASEWORKERS,
    "case.show": CASEWORKERS,
    "case.claim": CASEWORKERS,
    "case.reassign": frozenset({"senior", "admin"}),
    "case.release": CASEWORKERS,
    "case.note": CASEWORKERS,
    "case.resolve": CASEWORKERS,
    "case.escalate": CASEWORKERS,
    "member.show": CASEWORKERS,
    "member.message": frozenset({"moderator", "senior", "admin"}),
    "member.status": frozenset({"moderator", "senior", "clinical", "admin", "platform"}),
    "outbox.read": frozenset({"platform", "admin"}),
    "outbox.ack": frozenset({"platform", "admin"}),
    "sanction.apply": frozenset({"moderator", "senior", "admin"}),
    "sanction.lift": frozenset({"senior", "admin"}),
    "evasion.confirm": frozenset({"senior", "admin"}),
    "appeal.list": frozenset({"moderator", "senior", "admin"}),
    "appeal.decide": frozenset({"moderator", "senior", "admin"}),
    "audit.list": frozenset({"admin"}),
    "report.read": frozenset({"admin"}),
    "shift.view": frozenset({"senior", "admin"}),
    "shift.handover": frozenset({"moderator", "senior", "admin"}),  # SPEC §1 moderator: "hands over the shift"
    "audit.verify": frozenset({"admin"}),
    "audit.rotate_key": frozenset({"admin"}),
    "lexicon.list": frozenset({"moderator", "senior", "admin"}),
    "lexicon.edit": frozenset({"admin"}),
    "vault.read": frozenset({"clinical", "admin"}),
    "deletion.list": frozenset({"clinical"}),
    "deletion.decide": frozenset({"clinical"}),
}

CLINICAL_VISIBLE_QUEUES = frozenset({"urgent", "self_harm", "deletion"})


@dataclass(frozen=True)
class Actor:
    """The staff member (or service account) on whose behalf an action runs."""

    id: int | None
    name: str
    role: str


def allowed(role: str, action: str) -> bool:
    return role in PERMISSIONS.get(action, frozenset())


PHRASES = {
    "staff.add": "add staff members (an admin does)",
    "staff.list": "list staff members",
    "staff.token": "manage API tokens (an admin does)",
    "policy.set": "change the policy (an admin does)",
    "ingest": "post events (the platform does)",
    "queue.list": "see the queues",
    "case.show": "open cases",
    "case.claim": "claim cases",
    "case.reassign": "take a case over from someone (a senior does)",
    "case.resolve": "resolve cases",
    "case.escalate": "escalate cases",
    "member.show": "see members' histories",
    "member.message": "message members",
    "member.status": "read members' effective status",
    "outbox.read": "read the outbox (the platform does)",
    "outbox.ack": "acknowledge the outbox (the platform does)",
    "sanction.apply": "sanction members",
    "sanction.lift": "lift sanctions (a senior decides)",
    "evasion.confirm": "confirm ban evasion (a senior decides)",
    "appeal.list": "see appeals",
    "appeal.decide": "decide appeals",
    "audit.list": "read the audit log (an admin does)",
    "report.read": "produce compliance reports (an admin does)",
    "shift.view": "see the shift dashboard (seniors and admins do)",
    "shift.handover": "write handover notes (moderators, seniors and admins do)",
    "audit.verify": "verify the audit log (an admin does)",
    "audit.rotate_key": "rotate the audit key (an admin does)",
    "lexicon.list": "see the lexicons",
    "lexicon.edit": "edit the lexicons (an admin does)",
    "vault.read": "read registration data (the clinical team and admins do, with a reason)",
    "deletion.list": "see deletion requests (the clinical team does)",
    "deletion.decide": "decide deletion requests (the clinical team does)",
}


def require(actor: Actor, action: str) -> None:
    """Raise Forbidden unless the actor's role may attempt `action`."""
    if not allowed(actor.role, action):
        raise Forbidden(f"{actor.name} ({actor.role}) may not {PHRASES.get(action, action.replace('.', ' '))}")


def visible_queues(role: str) -> frozenset[str] | None:
    """The queues a role sees; None means all of them."""
    if role == "clinical":
        return CLINICAL_VISIBLE_QUEUES
    if role in ("moderator", "senior"):
        from .policy import DEFAULT_SLA_MINUTES

        return frozenset(q for q in DEFAULT_SLA_MINUTES if q != "deletion")
    if role == "admin":
        return None
    return frozenset()


def escalations_seen(role: str) -> str | None:
    """Cases escalated to this target are listed for the role whatever their queue."""
    return "clinical" if role == "clinical" else None


def can_view_case(role: str, case: Case) -> bool:
    if role == "admin":
        return True
    if role == "clinical":
        return case.queue in CLINICAL_VISIBLE_QUEUES or case.escalated_to == "clinical"
    if role in ("moderator", "senior"):
        return case.queue != "deletion"
    return False


def visible_case_clause(role: str) -> ColumnElement[bool]:
    """`can_view_case` as a WHERE clause on Case, for reads that reach cases through a join
    (a member's notes): the same rule, so no list shows what opening the case would refuse."""
    if role == "admin":
        return true()
    if role == "clinical":
        return or_(Case.queue.in_(CLINICAL_VISIBLE_QUEUES), Case.escalated_to == "clinical")  # type: ignore[attr-defined]
    if role in ("moderator", "senior"):
        return Case.queue != "deletion"  # type: ignore[return-value]
    return false()


def check_case_view(actor: Actor, case: Case) -> None:
    if not can_view_case(actor.role, case):
        raise Forbidden(f"{actor.name} ({actor.role}) may not see case {case.id} ({case.queue} queue)")


def check_case_action(actor: Actor, case: Case, action: str) -> None:
    """Raise Forbidden when the case's queue or escalation keeps this actor from acting on it."""
    check_case_view(actor, case)
    if action == "case.note":
        return
    who = f"{actor.name} ({actor.role})"
    if case.queue == "deletion":
        if actor.role != "clinical":
            raise Forbidden(f"{who} may not act on case {case.id}: deletion requests are decided by the clinical team")
        return
    if case.escalated_to == "senior" and actor.role not in ("senior", "admin") and case.state != "resolved":
        raise Forbidden(f"{who} may not act on case {case.id}: it is escalated to a senior")
    if case.escalated_to == "clinical" and actor.role not in ("clinical", "admin") and case.state != "resolved":
        raise Forbidden(f"{who} may not act on case {case.id}: it is escalated to the clinical team")
    if actor.role == "clinical" and case.escalated_to != "clinical":
        raise Forbidden(f"{who} may not act on case {case.id}: clinical staff act on cases escalated to them")

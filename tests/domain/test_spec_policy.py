"""The authorization policy itself, written out by hand from the words of SPEC §1, §3, §4, §5, §6
(the matrix suites check that the code enforces `auth.PERMISSIONS`; this checks that
`auth.PERMISSIONS` says what the SPEC says). Nothing here is read from `auth`: every row below
was typed from the SPEC sentence quoted beside it, and a permission the code has and this table
has not makes the test fail, so a new permission gets its literal row.

Where the SPEC is silent on a cell, the row says "SPEC silent" and the choice made (with where
it is documented); those cells are choices, the others are the contract.
"""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from modconsole.domain import auth, cases, deletion, ingest, sanctions, vault
from modconsole.domain.models import ROLES, AuditEntry, Case, Sanction
from modconsole.domain.service import Services
from modconsole.errors import Forbidden, InvalidInput

MOD, SEN, CLI, ADM, PLA = "moderator", "senior", "clinical", "admin", "platform"

# (action) -> (roles allowed, the SPEC's words it was written from)
LITERAL: dict[str, tuple[set[str], str]] = {
    # §1 admin: "manages staff, roles, tokens, keyword lists and policies"
    "staff.add": ({ADM}, "§1 admin: manages staff, roles, tokens"),
    "staff.token": ({ADM}, "§1 admin: manages … tokens"),
    "policy.set": ({ADM}, "§1 admin: manages … keyword lists and policies"),
    "lexicon.edit": ({ADM}, "§1 admin: manages … keyword lists"),
    "staff.list": ({SEN, ADM}, "§1 admin: manages staff; senior: reassigning claims (SPEC silent on who lists "
                               "staff: seniors see who is on, to take cases over — choice, auth.PERMISSIONS)"),
    # §1 admin: "exports reports"; §7/§1 platform: must never "read … the audit log"
    "report.read": ({ADM}, "§1 admin: exports reports"),
    "audit.list": ({ADM}, "§1 admin: exports reports; platform: must never read the audit log (SPEC silent on "
                          "other staff: the log names who did what to whom — admins only, a choice)"),
    "audit.verify": ({ADM}, "§7 `audit verify` detects any entry changed or removed (SPEC silent on who: admins, "
                            "who keep the log — a choice)"),
    # §1 moderator: "works the queues on a 24/7 shift: claims a case, reads it in context, acts (dismiss,
    # remove or hide content, …, escalate), writes notes"; senior: "all of the moderator's"; clinical:
    # "reviews urgent-risk escalations and account-deletion … requests"; platform: must never "read cases,
    # notes"; admin: must never "—"
    "queue.list": ({MOD, SEN, CLI, ADM}, "§1 moderator: works the queues; clinical: reviews urgent-risk escalations"),
    "case.show": ({MOD, SEN, CLI, ADM}, "§1 moderator: reads it in context; platform: must never read cases"),
    "case.claim": ({MOD, SEN, CLI, ADM}, "§1 moderator: claims a case; §3 a moderator claims a case before acting"),
    "case.release": ({MOD, SEN, CLI, ADM}, "§4 other actions on a case: … release the claim"),
    "case.note": ({MOD, SEN, CLI, ADM}, "§1 moderator: writes notes; platform: must never read … notes"),
    "case.resolve": ({MOD, SEN, CLI, ADM}, "§1 moderator: acts (dismiss, remove or hide content)"),
    "case.escalate": ({MOD, SEN, CLI, ADM}, "§1 moderator: acts (… escalate); §4 escalate (to senior or to clinical)"),
    "case.reassign": ({SEN, ADM}, "§1 senior: all of the moderator's, plus: … reassigning claims"),
    "member.show": ({MOD, SEN, CLI, ADM}, "§1 moderator: reads it in context; §5 the member may be at risk: their "
                                          "recent cases are shown beside the request (clinical)"),
    "member.message": ({MOD, SEN, ADM}, "§1 moderator: acts (… message the member) (SPEC silent on clinical: they "
                                        "do not act on members — a choice)"),
    # §4 sanctions, the "who" column (the kind-by-kind rules are checked below)
    "sanction.apply": ({MOD, SEN, ADM}, "§4 who: moderator (warning, comment_mute, mute, temporary ban); "
                                        "§1 clinical: must never sanction members; admin: scripts bulk actions"),
    "sanction.lift": ({SEN, ADM}, "§1 senior: all of the moderator's, plus: … lifting sanctions"),
    "evasion.confirm": ({SEN, ADM}, "§4 evasion of a mute or ban makes the ban permanent; who: senior: permanent"),
    # §3 appeal queue: "decided by a human other than the one who decided first; reversing lifts the sanction"
    "appeal.list": ({MOD, SEN, ADM}, "§3 appeal: decided by a human other than the one who decided first"),
    "appeal.decide": ({MOD, SEN, ADM}, "§3 appeal: decided by a human … (reversing lifts: a senior's, §1); "
                                       "§1 clinical: must never sanction members"),
    # §3 "the stream's coverage … is shown on the board and the shift dashboard"; §1 moderator: "hands over the shift"
    "shift.view": ({SEN, ADM}, "§3 the shift dashboard (SPEC silent on who sees it: seniors and admins, who run the "
                               "shift — a choice, README)"),
    "shift.handover": ({MOD, SEN, ADM}, "§1 moderator: … writes notes, hands over the shift; senior: all of the "
                                        "moderator's"),
    "lexicon.list": ({MOD, SEN, ADM}, "§1 admin: manages … keyword lists (SPEC silent on who reads them: the "
                                      "moderators who work their hits — a choice)"),
    # §5 "Registration data live apart from the moderation data; only clinical and admin can read them"
    "vault.read": ({CLI, ADM}, "§5 only clinical and admin can read them, each reading with a reason and an audit "
                               "entry; §1 moderator, senior: must never see registration data"),
    # §3 deletion queue: "worked by clinical only"; §1 moderator: must never "decide a deletion request"
    "deletion.list": ({CLI}, "§3 deletion: deletion, erasure and temporary-closure requests — worked by clinical only"),
    "deletion.decide": ({CLI}, "§3 worked by clinical only; §5 a deletion request is reviewed by the clinical team"),
    # §1 platform: "posts the community's events into the console's API and reads members' effective status
    # and the outbox"; §6 "read the outbox and acknowledge what was carried out"
    "ingest": ({PLA, ADM}, "§1 platform: posts the community's events; §9 `modconsole ingest FILE.jsonl` "
                           "(admin: scripts bulk actions with the CLI)"),
    "member.status": ({MOD, SEN, CLI, ADM, PLA}, "§1 platform: reads members' effective status; §6 read a member's "
                                                 "effective status"),
    "outbox.read": ({PLA, ADM}, "§1 platform: reads … the outbox; §6 read the outbox"),
    "outbox.ack": ({PLA, ADM}, "§6 read the outbox and acknowledge what was carried out"),
}
# Rows for permissions being added in issue 14 by other work: checked when the code has them.
LITERAL_WHEN_PRESENT: dict[str, tuple[set[str], str]] = {
    "audit.rotate_key": ({ADM}, "issue 14: the audit chain is keyed; a rotation is itself an entry (§1 admin: "
                                "manages staff, roles, tokens … — the key is the admin's)"),
}

# §6 and §1: the platform account does these four things, and nothing else
PLATFORM_DOES = {"ingest", "member.status", "outbox.read", "outbox.ack"}


def test_every_permission_has_a_literal_row() -> None:
    missing = sorted(set(auth.PERMISSIONS) - set(LITERAL) - set(LITERAL_WHEN_PRESENT))
    assert not missing, f"permissions without a row written from the SPEC: {missing}"
    gone = sorted(set(LITERAL) - set(auth.PERMISSIONS))
    assert not gone, f"the SPEC's actions missing from auth.PERMISSIONS: {gone}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(set(LITERAL) | (set(LITERAL_WHEN_PRESENT) & set(auth.PERMISSIONS))))
def test_the_code_allows_what_the_spec_says(action: str, role: str) -> None:
    roles, words = LITERAL.get(action) or LITERAL_WHEN_PRESENT[action]
    assert (role in auth.PERMISSIONS.get(action, frozenset())) == (role in roles), \
        f"{action} for {role}: the SPEC says {'allowed' if role in roles else 'refused'} ({words})"


def test_the_platform_account_does_four_things() -> None:
    """§1 platform: posts events, reads effective status and the outbox; must never read cases,
    notes, or the audit log. §6: and acknowledges what was carried out."""
    assert {a for a, roles in auth.PERMISSIONS.items() if PLA in roles} == PLATFORM_DOES
    assert {a for a, (roles, _) in LITERAL.items() if PLA in roles} == PLATFORM_DOES


def test_the_vault_is_for_clinical_and_admin_only() -> None:
    """§5 only clinical and admin; §1 moderator and senior: must never see registration data."""
    assert set(LITERAL["vault.read"][0]) == {CLI, ADM}
    for role in (MOD, SEN, PLA):
        assert not auth.allowed(role, "vault.read"), role


def test_deletion_requests_are_the_clinical_teams() -> None:
    """§3 "worked by clinical only"; §1 moderator: must never decide a deletion request."""
    for action in ("deletion.list", "deletion.decide"):
        assert {r for r in ROLES if auth.allowed(r, action)} == {CLI}, action


def test_clinical_never_sanctions() -> None:
    """§1 clinical: must never sanction members (nor lift, confirm evasion or reverse an appeal,
    which lift or make sanctions)."""
    for action in ("sanction.apply", "sanction.lift", "evasion.confirm", "appeal.decide"):
        assert not auth.allowed(CLI, action), action


# --- the same rules, acted: through the service layer -------------------------------------------------

NAMES = {MOD: "lea", SEN: "ines", CLI: "drm", ADM: "root", PLA: "feed"}

# §4 "who": warning, comment_mute, mute: moderator; ban: "moderator: temporary; senior: permanent";
# no_contact: senior. §1 senior: all of the moderator's; clinical: must never sanction members;
# admin: "—" (and scripts bulk actions); platform: posts events and reads, never acts.
WHO = [
    ("warning", None, {MOD, SEN, ADM}),
    ("comment_mute", "24h", {MOD, SEN, ADM}),
    ("mute", "72h", {MOD, SEN, ADM}),
    ("ban", "7d", {MOD, SEN, ADM}),
    ("ban", "permanent", {SEN, ADM}),
    ("no_contact", None, {SEN, ADM}),
]


def _members(svc: Services, n: int) -> None:
    data = "\n".join(json.dumps({"type": "member", "id": f"m{i}", "handle": f"h{i}"}) for i in range(n)).encode()
    assert not ingest.ingest_file(svc, svc.actor("feed"), io.BytesIO(data)).rejected


def _refusals(svc: Services) -> int:
    with svc.store.read() as s:
        return int(s.execute(select(func.count()).select_from(AuditEntry).where(AuditEntry.outcome == "refused")).scalar_one())


def test_who_may_apply_each_sanction(svc: Services) -> None:
    _members(svc, 2 * len(WHO) * len(ROLES))
    wrong: list[str] = []
    n = 0
    for kind, duration, who in WHO:
        for role in ROLES:
            member, other = f"m{n}", f"m{n + 1}"
            n += 2
            refused_before = _refusals(svc)
            try:
                sanctions.apply(svc, svc.actor(NAMES[role]), member=member, kind=kind, duration=duration,
                                reason="respect: policy test", other=other if kind == "no_contact" else None)
                allowed = True
            except Forbidden:
                allowed = False
                if _refusals(svc) != refused_before + 1:
                    wrong.append(f"{kind} {duration} by {role}: refused but not audited")
            if allowed != (role in who):
                wrong.append(f"{kind} {duration} by {role}: {'allowed' if allowed else 'refused'}, the SPEC says "
                             f"{'allowed' if role in who else 'refused'}")
    assert not wrong, wrong
    with svc.store.read() as s:
        assert s.execute(select(func.count()).select_from(Sanction)).scalar_one() == sum(len(w) for _, _, w in WHO)


def test_registration_data_only_to_clinical_and_admin_with_a_reason(svc: Services) -> None:
    """§5 "only clinical and admin can read them, each reading with a reason and an audit entry"."""
    _members(svc, 1)
    for role in ROLES:
        actor = svc.actor(NAMES[role])
        with svc.store.read() as s:
            entries = s.execute(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "vault.read")).scalar_one()
        if role in (CLI, ADM):
            with pytest.raises(InvalidInput, match="reason"):
                vault.read(svc, actor, "m0", "  ")
            vault.read(svc, actor, "m0", "safety check")
            outcome = "ok"
        else:
            with pytest.raises(Forbidden):
                vault.read(svc, actor, "m0", "safety check")
            outcome = "refused"
        with svc.store.read() as s:
            last = s.execute(select(AuditEntry).where(AuditEntry.action == "vault.read").order_by(AuditEntry.id.desc())
                             .limit(1)).scalar_one()
            now = s.execute(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "vault.read")).scalar_one()
        assert (now, last.staff_name, last.outcome) == (entries + 1, NAMES[role], outcome), role


def test_a_deletion_request_is_decided_by_the_clinical_team_only(svc: Services) -> None:
    """§3 deletion queue "worked by clinical only"; §1 moderator: must never decide a deletion
    request; admin is no exception (the queue is the clinical team's)."""
    data = "\n".join(json.dumps(e) for e in [
        {"type": "member", "id": "m0", "handle": "h0"},
        {"type": "deletion_request", "id": "d0", "member": "m0", "scope": "temporary_close", "note": "pause"},
    ]).encode()
    ingest.ingest_file(svc, svc.actor("feed"), io.BytesIO(data))
    with svc.store.read() as s:
        cid = s.execute(select(Case.id).where(Case.queue == "deletion")).scalar_one()
    for role in (MOD, SEN, ADM, PLA):
        with pytest.raises(Forbidden):
            deletion.decide(svc, svc.actor(NAMES[role]), cid, "contacted", "called")
        with pytest.raises(Forbidden):
            cases.resolve(svc, svc.actor(NAMES[role]), cid, "dismiss")
    assert deletion.decide(svc, svc.actor("drm"), cid, "contacted", "called").state == "contacted"

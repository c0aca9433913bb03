"""Sanctions (SPEC §4): applying and lifting them, their statements of reasons, evasion.

Who may do what:
- moderators: warning, comment_mute, mute, temporary ban;
- seniors and admins: also permanent bans, no-contact orders, lifting any sanction, and
  confirming ban evasion.

Every sanction names a house rule (modconsole/data/house_rules.json): given as `rule`, or as
the start of the reason ("respect: insulted a member"), or taken from the case's queue
(offensive → respect, harassment → harassment, pii → privacy, evasion → evasion, a breach of
a no-contact order → no_contact). With none of these the sanction is refused, naming the rules.

The statement of reasons is written when the sanction is applied, in the member's language
(notice_* templates in modconsole/data/message_templates.json): what was decided, on what
facts, under which rule, until when, and how to appeal. The facts name the member's own
content and how it came to the team (a report by a member, automatic detection, the messaging
rule, account linking) and never who reported. It is stored on the sanction and written to
the outbox twice over: a `sanction` item the platform enforces and a `message` item it
delivers (to both members for a no-contact order).

A member's effective status is derived from the sanctions in force at an instant (see
`platform.status`), so an expiry needs no job. Lifting stamps `lifted_at`; the history keeps it.

Evasion: a new profile sharing a device with a banned or muted member opens an `evasion` case
(see `ingest`). A senior who confirms it bans every linked profile permanently (the evaded
sanction's own member included: evading a mute or a ban makes the ban permanent), each ban
pointing at the sanction it extends, and the case is resolved.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlmodel import Session

from modconsole.errors import Conflict, Forbidden, InvalidInput, NotFound
from modconsole.rules import house_rules, language, render_notice, rule_text
from modconsole.schemas import EnforcedSanction, SanctionPublic

from . import auth
from . import cases as cases_mod
from .auth import Actor
from .models import Case, CaseEvent, Content, Member, NoContactOrder, Outbox, Sanction, Signal
from .service import Services, reason_text

KINDS = ("warning", "comment_mute", "mute", "ban", "no_contact")
_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
MAX_TEMPORARY = timedelta(days=365)
RULE_FOR_QUEUE = {"offensive": "respect", "harassment": "harassment", "pii": "privacy", "evasion": "evasion"}

KIND_WORDS = {
    "en": {"warning": "warning", "comment_mute": "comment mute", "mute": "mute", "ban": "ban",
           "no_contact": "no-contact order"},
    "fr": {"warning": "avertissement", "comment_mute": "interdiction de commenter (tonnelet)",
           "mute": "mise en muet (tonneau)", "ban": "bannissement", "no_contact": "ordonnance d'interdiction de contact"},
}
CONTENT_WORDS = {
    "en": {"post": "post", "comment": "comment", "brick": "brick", "message": "private message", "profile": "profile"},
    "fr": {"post": "message", "comment": "commentaire", "brick": "brique", "message": "message privé", "profile": "profil"},
}
SOURCE_WORDS = {
    "en": {"report": "reported by a member", "lexicon": "found by automatic detection and confirmed by a moderator",
           "pii": "found by automatic detection and confirmed by a moderator",
           "harassment_rule": "found by our messaging rule and confirmed by a moderator",
           "no_contact": "found by our no-contact check and confirmed by a moderator",
           "device": "found by account linking and confirmed by a moderator", None: "seen by a moderator"},
    "fr": {"report": "signalé par un membre", "lexicon": "repéré par la détection automatique et confirmé par un modérateur",
           "pii": "repéré par la détection automatique et confirmé par un modérateur",
           "harassment_rule": "repéré par notre règle sur les messages et confirmé par un modérateur",
           "no_contact": "repéré par notre contrôle des interdictions de contact et confirmé par un modérateur",
           "device": "repéré par le rapprochement de comptes et confirmé par un modérateur", None: "vu par un modérateur"},
}


def parse_duration(text: str | None) -> timedelta | None:
    """'72h', '7d', '30m', '2w' to a timedelta; 'permanent' (or None) to None. Raises InvalidInput."""
    if text is None or text.strip().lower() in ("permanent", "perm", "forever"):
        return None
    m = _DURATION.match(text.lower())
    if not m or int(m.group(1)) <= 0:
        raise InvalidInput(f"not a duration: {text!r} (use e.g. 24h, 72h, 7d, 30d or permanent)")
    span = timedelta(**{_UNITS[m.group(2)]: min(int(m.group(1)), 10**7)})
    if span > MAX_TEMPORARY:
        raise InvalidInput(f"{text!r} is longer than {MAX_TEMPORARY.days} days: a longer sanction is a permanent one")
    return span


def to_public(s: Sanction, names: dict[int, str] | None = None) -> SanctionPublic:
    return SanctionPublic(
        id=s.id or 0, member=s.member_id, kind=s.kind, other_member=s.other_member_id, starts_at=s.starts_at,
        ends_at=s.ends_at, reason=s.reason, case_id=s.case_id, lifted_at=s.lifted_at, rule=s.rule,
        statement=s.statement, lift_reason=s.lift_reason, extends=s.extends_id,
        decided_by=(names or {}).get(s.created_by) if s.created_by is not None else None,
    )


def to_enforced(s: Sanction) -> EnforcedSanction:
    """The platform account's view of a sanction: what it enforces, no staff text."""
    return EnforcedSanction(
        id=s.id or 0, member=s.member_id, kind=s.kind, other_member=s.other_member_id, starts_at=s.starts_at,
        ends_at=s.ends_at, lifted_at=s.lifted_at, rule=s.rule, statement=s.statement, extends=s.extends_id,
    )


def in_force(session: Session, member_id: str, at: datetime) -> list[Sanction]:
    """The member's sanctions in force at `at`: started, not ended, not lifted yet at that
    instant (a sanction lifted later was in force before, and the past stays as it was)."""
    return list(
        session.execute(
            select(Sanction).where(
                Sanction.member_id == member_id, Sanction.starts_at <= at,
                or_(Sanction.lifted_at.is_(None), Sanction.lifted_at > at),  # type: ignore[union-attr,operator]
                or_(Sanction.ends_at.is_(None), Sanction.ends_at > at),  # type: ignore[union-attr,operator]
            ).order_by(Sanction.id)
        ).scalars()
    )


def rule_ids() -> list[str]:
    return [r["id"] for r in house_rules()]


def choose_rule(reason: str, rule: str | None, case: Case | None, breach: bool = False) -> str:
    """The house rule a sanction rests on (see the module docstring). Raises InvalidInput."""
    ids = rule_ids()
    if rule is not None:
        if rule not in ids:
            raise InvalidInput(f"unknown house rule {rule!r}: one of {', '.join(ids)}")
        return rule
    head = reason.split(":", 1)[0].strip().lower()
    if head in ids:
        return head
    if breach:
        return "no_contact"
    if case is not None and case.queue in RULE_FOR_QUEUE:
        return RULE_FOR_QUEUE[case.queue]
    raise InvalidInput(
        f"name the house rule this sanction rests on: start the reason with it (\"respect: …\") or pass a rule; "
        f"rules: {', '.join(ids)}"
    )


def _until(ends_at: datetime | None, lang: str) -> str:
    if ends_at is None:
        return "permanently" if lang == "en" else "définitivement"
    when = ends_at.strftime("%Y-%m-%d %H:%M UTC")
    return f"until {when}" if lang == "en" else f"jusqu'au {when}"


def facts(s: Session, case: Case | None, member_id: str, lang: str) -> str:
    """What the decision rests on, in the member's words: their own content and how it reached
    the team. Never who reported, never another member's text."""
    if case is None:
        return "a moderator's review of your activity" if lang == "en" else "l'examen de votre activité par un modérateur"
    sources = [src for (src,) in s.execute(select(Signal.source).where(Signal.case_id == case.id).order_by(Signal.id))]
    source = next((x for x in ("report", "no_contact", "harassment_rule", "device", "lexicon", "pii") if x in sources), None)
    how = SOURCE_WORDS[lang][source]
    if case.subject_type == "content":
        content = s.get(Content, case.subject_id)
        kind = CONTENT_WORDS[lang].get(content.kind or "post", content.kind or "") if content else ""
        when = content.created_at.strftime("%Y-%m-%d") if content is not None and content.created_at else "?"
        if lang == "en":
            return f"your {kind} {case.subject_id} of {when}, {how}".replace("  ", " ")
        return f"votre {kind} {case.subject_id} du {when}, {how}".replace("  ", " ")
    if case.queue == "harassment":
        return (f"messages you sent to another member who did not answer, {how}" if lang == "en"
                else f"des messages envoyés à un membre qui n'y a pas répondu, {how}")
    if case.queue == "evasion":
        return (f"a profile created while a sanction was in force on a linked profile, {how}" if lang == "en"
                else f"un profil créé alors qu'une sanction visait un profil lié, {how}")
    return f"your profile {member_id}, {how}" if lang == "en" else f"votre profil {member_id}, {how}"


def statement(s: Session, row: Sanction, member: Member, case: Case | None, other_handle: str | None = None) -> str:
    """The statement of reasons for `member`, in their language."""
    lang = language(member.language)
    return render_notice(
        f"notice_{row.kind}", lang, handle=member.handle or member.id, facts=facts(s, case, member.id, lang),
        rule=rule_text(row.rule or "respect", lang), until=_until(row.ends_at, lang), other=other_handle or "",
    )


def _outbox_notice(s: Session, row: Sanction, member: Member, text: str, now: datetime, extra: dict[str, Any] | None = None) -> None:
    s.add(Outbox(kind="message", member_id=member.id, created_at=now, payload={
        "template": f"notice_{row.kind}", "lang": language(member.language), "body": text, "sanction_id": row.id,
        "case_id": row.case_id, **(extra or {}),
    }))


def _insert(s: Session, svc: Services, actor: Actor, *, member: Member, kind: str, span: timedelta | None, reason: str,
            rule: str, case: Case | None, other: Member | None = None, extends: int | None = None) -> Sanction:
    """One sanction with its statement and outbox items, inside the caller's transaction."""
    now = svc.now()
    row = Sanction(
        member_id=member.id, kind=kind, other_member_id=other.id if other else None, starts_at=now,
        ends_at=None if span is None else now + span, reason=reason, rule=rule, case_id=case.id if case else None,
        created_by=actor.id, created_at=now, extends_id=extends,
    )
    s.add(row)
    s.flush()
    row.statement = statement(s, row, member, case, other.handle or other.id if other else None)
    s.add(row)
    s.add(Outbox(kind="sanction", member_id=member.id, created_at=now, payload={
        "sanction_id": row.id, "action": "apply", "kind": kind, "other": row.other_member_id,
        "ends_at": row.ends_at.isoformat() if row.ends_at else None,
    }))
    _outbox_notice(s, row, member, row.statement, now)
    if kind == "no_contact" and other is not None:
        a, b = sorted((member.id, other.id))
        s.add(NoContactOrder(member_a=a, member_b=b, sanction_id=row.id, starts_at=now))
        other_text = statement(s, row, other, case, member.handle or member.id)
        _outbox_notice(s, row, other, other_text, now, {"as_other_member": True})
    return row


def _validate(kind: str, duration: str | None, reason: str, other: str | None, member: str) -> tuple[str, timedelta | None]:
    if kind not in KINDS:
        raise InvalidInput(f"unknown sanction {kind!r}: one of {', '.join(KINDS)}")
    reason = reason_text(reason, "a sanction needs a reason")
    span = None if kind in ("warning", "no_contact") else parse_duration(duration)
    if kind in ("comment_mute", "mute") and span is None:
        raise InvalidInput(f"a {kind} needs a duration (e.g. 24h, 72h, 7d)")
    if kind == "no_contact" and not other:
        raise InvalidInput("a no-contact order needs the other member (--other)")
    if kind != "no_contact" and other:
        raise InvalidInput("--other is for no-contact orders only")
    if other is not None and other == member:
        raise InvalidInput("a no-contact order binds two different members")
    return reason, span


def _prepare(s: Session, actor: Actor, *, member: str, kind: str, span: timedelta | None, reason: str,
             other: str | None, case_id: int | None, rule: str | None,
             now: datetime) -> tuple[Member, Member | None, Case | None, str]:
    """The checks that need the store: the role's limits, the members, the case (its queue,
    its escalation, and a live claim by someone else: ClaimHeld naming the holder, as a
    resolve is refused), the rule."""
    if actor.role == "moderator" and kind == "ban" and span is None:
        raise Forbidden(f"{actor.name} (moderator) may not ban permanently: a senior decides permanent bans")
    if actor.role == "moderator" and kind == "no_contact":
        raise Forbidden(f"{actor.name} (moderator) may not issue a no-contact order: a senior decides them")
    target = s.get(Member, member)
    if target is None:
        raise NotFound(f"no member {member}")
    other_row = s.get(Member, other) if other is not None else None
    if other is not None and other_row is None:
        raise NotFound(f"no member {other}")
    case = s.get(Case, case_id) if case_id is not None and 0 < case_id <= 2**63 - 1 else None
    if case_id is not None and case is None:
        raise NotFound(f"no case {case_id}")
    if case is not None:  # an escalated case belongs to the role it went to, its sanctions too
        auth.check_case_action(actor, case, "sanction.apply")
        cases_mod._ensure_not_held_by_other(s, case, actor, now)
        if case.member_id is not None and case.member_id != member and kind != "no_contact":
            raise InvalidInput(f"case {case_id} is about member {case.member_id}, not {member}")
    if kind == "no_contact":
        a, b = sorted((member, other or ""))
        live = s.execute(select(NoContactOrder.id).where(
            NoContactOrder.member_a == a, NoContactOrder.member_b == b, NoContactOrder.lifted_at.is_(None)  # type: ignore[union-attr]
        )).first()
        if live is not None:
            raise Conflict(f"a no-contact order between {member} and {other} is already in force (order #{live[0]})")
    breach = case is not None and bool(s.execute(
        select(Signal.id).where(Signal.case_id == case.id, Signal.source == "no_contact").limit(1)).first())
    return target, other_row, case, choose_rule(reason, rule, case, breach)


def apply(
    svc: Services, actor: Actor, *, member: str, kind: str, duration: str | None, reason: str,
    other: str | None = None, case_id: int | None = None, rule: str | None = None,
) -> SanctionPublic:
    """Apply a sanction. Raises Forbidden (audited), ClaimHeld (audited: `case_id` is held by
    someone else), InvalidInput, NotFound, Conflict."""
    reason, span = _validate(kind, duration, reason, other, member)

    def change(s: Session) -> tuple[SanctionPublic, dict[str, Any]]:
        target, other_row, case, chosen = _prepare(s, actor, member=member, kind=kind, span=span, reason=reason,
                                                   other=other, case_id=case_id, rule=rule, now=svc.now())
        row = _insert(s, svc, actor, member=target, kind=kind, span=span, reason=reason, rule=chosen, case=case,
                      other=other_row)
        return to_public(row, {actor.id or 0: actor.name}), {
            "sanction_id": row.id, "kind": kind, "member": member, "other": other, "rule": chosen,
            "ends_at": row.ends_at.isoformat() if row.ends_at else None, "case_id": case_id}

    return svc.perform(actor, "sanction.apply", change, target_type="member", target_id=member, reason=reason)


def preview(
    svc: Services, actor: Actor, *, member: str, kind: str, duration: str | None, reason: str,
    other: str | None = None, case_id: int | None = None, rule: str | None = None,
) -> SanctionPublic:
    """What `apply` would do, without doing it: the same checks and the statement of reasons
    the member would read. Its id is 0. A role that may not sanction at all is refused and
    audited; the limits of a role that may (a moderator previewing a permanent ban, a case held
    by someone else) are told but not audited: a preview is a look at a form, not an attempt —
    the apply is."""
    reason, span = _validate(kind, duration, reason, other, member)
    svc.check(actor, "sanction.apply", target_type="member", target_id=member)
    now = svc.now()
    with svc.store.read() as s:
        target, other_row, case, chosen = _prepare(s, actor, member=member, kind=kind, span=span, reason=reason,
                                                   other=other, case_id=case_id, rule=rule, now=now)
        row = Sanction(member_id=member, kind=kind, other_member_id=other, starts_at=now,
                       ends_at=None if span is None else now + span, reason=reason, rule=chosen,
                       case_id=case.id if case else None, created_by=actor.id, created_at=now)
        row.statement = statement(s, row, target, case, other_row.handle or other_row.id if other_row else None)
        s.expunge_all()
        return to_public(row, {actor.id or 0: actor.name})


def lift_in(s: Session, svc: Services, actor: Actor, row: Sanction, reason: str, *, why: str = "lifted") -> None:
    """Lift inside the caller's transaction (also used by appeals): stamps the sanction, ends
    a no-contact order, tells the platform and the member."""
    now = svc.now()
    if row.lifted_at is not None:
        raise Conflict(f"sanction {row.id} was already lifted on {row.lifted_at.isoformat()}")
    if row.ends_at is not None and row.ends_at <= now:
        raise Conflict(f"sanction {row.id} already ended on {row.ends_at.isoformat()}: there is nothing to lift")
    row.lifted_at, row.lifted_by, row.lift_reason = now, actor.id, reason
    s.add(row)
    if row.kind == "no_contact":
        s.execute(update(NoContactOrder).where(NoContactOrder.sanction_id == row.id, NoContactOrder.lifted_at.is_(None))  # type: ignore[union-attr]
                  .values(lifted_at=now))
    s.add(Outbox(kind="sanction", member_id=row.member_id, created_at=now, payload={
        "sanction_id": row.id, "action": "lift", "kind": row.kind, "other": row.other_member_id, "why": why}))
    for mid in filter(None, (row.member_id, row.other_member_id)):
        member = s.get(Member, mid)
        if member is None:
            continue
        lang = language(member.language)
        public = ("the decision was reviewed" if lang == "en" else "la décision a été réexaminée") if why == "appeal" else \
                 ("a moderator reviewed it" if lang == "en" else "un modérateur l'a réexaminée")
        text = render_notice("notice_lifted", lang, handle=member.handle or member.id, what=KIND_WORDS[lang][row.kind],
                             date=row.starts_at.strftime("%Y-%m-%d"), reason_public=public)
        s.add(Outbox(kind="message", member_id=mid, created_at=now, payload={
            "template": "notice_lifted", "lang": lang, "body": text, "sanction_id": row.id}))


def lift(svc: Services, actor: Actor, sanction_id: int, reason: str) -> SanctionPublic:
    """Lift a sanction (senior, admin). Raises Forbidden (audited), NotFound, Conflict, InvalidInput.

    A sanction applied on a case that is still open and held by someone else is not lifted
    under their feet: ClaimHeld (audited) names the holder, who releases it or a senior takes
    it over (`case claim --force`). A resolved case, or one held by the lifter, is no obstacle.
    (Reversing on appeal lifts through `lift_in` and acts on the appeal's own case.)"""
    reason = reason_text(reason, "lifting a sanction needs a reason")

    def change(s: Session) -> tuple[SanctionPublic, dict[str, Any]]:
        row = s.get(Sanction, sanction_id, with_for_update=True) if 0 < sanction_id <= 2**63 - 1 else None
        if row is None:
            raise NotFound(f"no sanction {sanction_id}")
        case = s.get(Case, row.case_id) if row.case_id is not None else None
        if case is not None:
            cases_mod._ensure_not_held_by_other(s, case, actor, svc.now())
        lift_in(s, svc, actor, row, reason)
        return to_public(row, svc.staff_names(s, {row.created_by} if row.created_by else None)), {
            "sanction_id": row.id, "member": row.member_id, "kind": row.kind}

    return svc.perform(actor, "sanction.lift", change, target_type="sanction", target_id=sanction_id, reason=reason)


def linked_profiles(s: Session, member: Member) -> list[Member]:
    """Members sharing the device fingerprint (the member itself excluded)."""
    if not member.device:
        return []
    return list(s.execute(select(Member).where(Member.device == member.device, Member.id != member.id).order_by(Member.id)).scalars())


def confirm_evasion(svc: Services, actor: Actor, case_id: int, reason: str) -> list[SanctionPublic]:
    """Confirm a ban-evasion case (senior, admin): every linked profile is banned permanently,
    each ban extending the evaded sanction; the case is resolved. Returns the new bans."""
    reason = reason_text(reason, "confirming evasion needs a reason")

    def change(s: Session) -> tuple[list[SanctionPublic], dict[str, Any]]:
        from . import cases as cases_mod  # the case helpers (lock, claim rule, history)

        now = svc.now()
        case = cases_mod._get(s, case_id, lock=True)
        auth.check_case_action(actor, case, "case.resolve")
        if case.queue != "evasion" or case.subject_type != "member":
            raise InvalidInput(f"case {case_id} is not a ban-evasion case (it is in {case.queue})")
        cases_mod._ensure_active(case)
        cases_mod._ensure_not_held_by_other(s, case, actor, now)
        newcomer = s.get(Member, case.subject_id)
        if newcomer is None:
            raise NotFound(f"no member {case.subject_id}")
        linked = linked_profiles(s, newcomer)
        evaded = [x for m in linked for x in in_force(s, m.id, now) if x.kind in ("ban", "mute")]
        if not evaded:
            raise Conflict(f"no linked profile of {newcomer.id} has a ban or mute in force any more: nothing was evaded")
        extends = min(evaded, key=lambda x: x.id or 0).id
        new: list[Sanction] = []
        for m in [newcomer, *linked]:
            current = in_force(s, m.id, now)
            if any(x.kind == "ban" and x.ends_at is None for x in current):
                continue  # already banned for good
            new.append(_insert(s, svc, actor, member=m, kind="ban", span=None, reason=reason, rule="evasion",
                               case=case, extends=extends))
        cases_mod._release(s, case, now)
        case.state, case.active, case.open_key, case.resolved_at, case.resolution = "resolved", False, None, now, "evasion_confirmed"
        s.add(case)
        cases_mod._history(s, case, now, actor.id, "resolved", resolution="evasion_confirmed")
        s.flush()
        return [to_public(x, {actor.id or 0: actor.name}) for x in new], {
            "banned": [x.member_id for x in new], "extends": extends, "case_id": case_id}

    return svc.perform(actor, "evasion.confirm", change, target_type="case", target_id=case_id, reason=reason)


def first_decider(s: Session, case: Case) -> int | None:
    """The staff member who resolved a case (the last 'resolved' entry of its history)."""
    row = s.execute(select(CaseEvent.staff_id).where(CaseEvent.case_id == case.id, CaseEvent.action == "resolved")
                    .order_by(CaseEvent.id.desc()).limit(1)).first()
    return row[0] if row else None

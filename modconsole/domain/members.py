"""A member's history as moderators see it, and the ladder's suggested next step.

The ladder (SPEC §4): warning, then mute, then ban. The suggestion looks at the sanctions the
member has had (lifted ones included, since they happened) and says what comes next; the
moderator decides. Registration data are never part of it (see `vault`).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import Session

from modconsole.errors import NotFound
from modconsole.schemas import MemberDetail, MemberPublic, NotePublic

from . import appeals, auth, queues, sanctions
from .auth import Actor, visible_queues
from .cases import content_public
from .models import Case, CaseNote, Content, Member, Sanction
from .service import Services

RECENT = 50


def member_public(m: Member) -> MemberPublic:
    return MemberPublic(id=m.id, handle=m.handle, created_at=m.created_at, language=m.language, placeholder=m.placeholder)


VIOLATION_QUEUES = ("offensive", "harassment", "pii", "evasion")
LADDER = ["warning", "mute (e.g. 72 hours)", "ban (temporary, e.g. 7 days)", "ban (permanent — a senior decides)"]


def suggest(history: list[Sanction], severity: int = 0, reversed_ids: frozenset[int] | set[int] = frozenset()) -> tuple[str, str]:
    """(next step, why): the ladder's step after the member's history (sanctions reversed on
    appeal do not count; lifted ones do, they happened), one step further for a serious breach
    (severity 3: threats, slurs, a no-contact breach). The moderator decides."""
    counted = [x for x in history if x.id not in reversed_ids and x.kind != "no_contact"]
    kinds = [x.kind for x in counted]
    if any(x.kind == "ban" and x.ends_at is None and x.lifted_at is None for x in counted):
        return "ban (permanent, in force)", "already banned permanently"
    if "ban" in kinds:
        step, why = 3, f"{kinds.count('ban')} temporary ban(s) before"
    elif "mute" in kinds:
        step, why = 2, f"{kinds.count('mute')} mute(s) before"
    elif "warning" in kinds or "comment_mute" in kinds:
        step, why = 1, f"{kinds.count('warning') + kinds.count('comment_mute')} warning(s) or comment-mute(s) before"
    else:
        step, why = 0, "no sanction before"
    if severity >= 3 and step < 3:
        step, why = step + 1, f"{why}; a serious breach (severity {severity}) is open"
    return LADDER[step], why


def show(svc: Services, actor: Actor, member_id: str) -> MemberDetail:
    """Raises NotFound, Forbidden (audited)."""
    svc.check(actor, "member.show", target_type="member", target_id=member_id)
    now = svc.now()
    with svc.store.read() as s:
        m = s.get(Member, member_id)
        if m is None:
            raise NotFound(f"no member {member_id}")
        detail = MemberDetail(member=member_public(m))
        handles = {m.id: m.handle}
        rows = s.execute(
            select(Content).where(Content.author_id == member_id).order_by(Content.created_at.desc()).limit(RECENT)  # type: ignore[union-attr]
        ).scalars().all()
        detail.content = [content_public(s, c, handles) for c in rows]
        detail.content_total = s.execute(select(func.count()).select_from(Content).where(Content.author_id == member_id)).scalar_one()
        visible = visible_queues(actor.role)
        case_rows = queues.list_cases(s, now, visible=visible, member=member_id, limit=RECENT)
        resolved = queues.list_cases(s, now, visible=visible, member=member_id, state="resolved", limit=RECENT)
        names = svc.staff_names(s, {c.claimed_by for c in case_rows if c.claimed_by})
        detail.cases = queues.publics(s, case_rows + resolved, now, names)
        history = list(s.execute(select(Sanction).where(Sanction.member_id == member_id).order_by(Sanction.starts_at)).scalars())
        in_force = {x.id for x in sanctions.in_force(s, member_id, now)}
        detail.sanctions_in_force = [sanctions.to_public(x) for x in history if x.id in in_force]
        detail.sanctions_past = [sanctions.to_public(x) for x in history if x.id not in in_force]
        detail.notes = _notes(svc, s, member_id, actor)
        if m.device:
            linked = s.execute(
                select(Member).where(Member.device == m.device, Member.id != member_id).limit(RECENT)
            ).scalars().all()
            detail.linked = [member_public(x) for x in linked]
        severity = max((c.priority for c in case_rows if c.queue in VIOLATION_QUEUES and c.active), default=0)
        names_all = svc.staff_names(s, {x.created_by for x in history if x.created_by})
        detail.sanctions_in_force = [sanctions.to_public(x, names_all) for x in history if x.id in in_force]
        detail.sanctions_past = [sanctions.to_public(x, names_all) for x in history if x.id not in in_force]
        detail.suggested_next, detail.suggestion_reason = suggest(history, severity, appeals.reversed_sanction_ids(s, member_id))
        return detail


def _notes(svc: Services, s: Session, member_id: str, actor: Actor) -> list[NotePublic]:
    """The notes on the member's cases that the actor may open (clinical notes on a deletion
    request are not for moderators; notes on an offensive case are not for the clinical team)."""
    rows = s.execute(
        select(CaseNote).join(Case, Case.id == CaseNote.case_id)
        .where(Case.member_id == member_id, auth.visible_case_clause(actor.role))
        .order_by(CaseNote.id.desc()).limit(RECENT)
    ).scalars().all()
    names = svc.staff_names(s, {n.staff_id for n in rows})
    return [NotePublic(id=n.id or 0, author=names.get(n.staff_id, "?"), body=n.body, created_at=n.created_at) for n in rows]

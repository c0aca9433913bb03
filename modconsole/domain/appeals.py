"""Appeals (SPEC §3 `appeal` queue; EU DSA Art. 20): a member contests a sanction or the
hiding or removal of their content.

The platform's `appeal` event names what is contested: `sanction` (the sanction id the
platform got in its outbox) or `case` (the case id of a hide/remove, or the content id itself).
Each appeal has a case of its own in the `appeal` queue; `appeal decide` takes that case id.

Rules:
- the appeal is decided by a human other than the one who decided first (the sanction's
  author, or whoever resolved the case that hid or removed the content); that person is
  refused, and the refusal audited;
- upholding: moderators, seniors, admins;
- reversing a sanction lifts it, which is a senior's decision (SPEC §1): seniors and admins;
  reversing a hide or removal restores the content: moderators may;
- the member is told the outcome in their language, with the decision's reason (so the
  reason is written for the member), and where to turn next when it is upheld (Art. 21);
- a reversed sanction no longer counts on the ladder.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, tuple_
from sqlmodel import Session

from modconsole.errors import Conflict, Forbidden, InvalidInput
from modconsole.rules import language, render_notice
from modconsole.schemas import AppealPublic

from . import auth, sanctions
from .auth import Actor
from .models import Appeal, Case, Content, Member, Outbox, Sanction
from .service import Services, reason_text

DECISIONS = ("uphold", "reverse")
STATES = ("pending", "upheld", "reversed", "all")


def _contested(s: Session, appeal: Appeal) -> tuple[str, Sanction | None, Content | None, Case | None]:
    """(what, sanction, content, the case that hid/removed the content); what is
    "sanction", "content" or "unknown" (a reference we cannot find, or another member's)."""
    if appeal.sanction_ref:
        ref = appeal.sanction_ref.strip()
        row = s.get(Sanction, int(ref)) if ref.isdigit() and 0 < int(ref) <= 2**63 - 1 else None
        if row is not None and row.member_id == appeal.member_id:
            return "sanction", row, None, None
        return "unknown", None, None, None
    if appeal.case_ref:
        ref = appeal.case_ref.strip()
        case = s.get(Case, int(ref)) if ref.isdigit() and 0 < int(ref) <= 2**63 - 1 else None
        if case is None or case.subject_type != "content":  # a content id rather than a case id
            case = s.execute(
                select(Case).where(Case.subject_type == "content", Case.subject_id == ref,
                                   Case.resolution.in_(("hide", "remove")))  # type: ignore[union-attr]
                .order_by(Case.id.desc()).limit(1)
            ).scalars().first()
        if case is not None and case.subject_type == "content" and case.resolution in ("hide", "remove"):
            content = s.get(Content, case.subject_id)
            if content is not None and content.author_id == appeal.member_id:
                return "content", None, content, case
    return "unknown", None, None, None


def _first_decider(s: Session, sanction: Sanction | None, content_case: Case | None) -> int | None:
    if sanction is not None:
        return sanction.created_by
    if content_case is not None:
        return sanctions.first_decider(s, content_case)
    return None


def to_public(s: Session, svc: Services, appeal: Appeal) -> AppealPublic:
    what, sanction, content, content_case = _contested(s, appeal)
    first = _first_decider(s, sanction, content_case)
    names = svc.staff_names(s, {x for x in (first, appeal.decided_by, sanction.created_by if sanction else None) if x})
    return AppealPublic(
        id=appeal.case_id or 0, appeal=appeal.id, member=appeal.member_id, state=appeal.state,
        created_at=appeal.created_at, body=appeal.body, contests=what,
        sanction=sanctions.to_public(sanction, names) if sanction else None,
        content=content.id if content else None, content_case=content_case.id if content_case else None,
        first_decided_by=names.get(first) if first else None,
        decided_by=names.get(appeal.decided_by) if appeal.decided_by else None,
        decided_at=appeal.decided_at, decision_reason=appeal.decision_reason,
    )


def list_appeals(svc: Services, actor: Actor, state: str = "pending", limit: int = 200,
                 after: str | None = None) -> list[AppealPublic]:
    """Appeals, oldest first (pending by default); `limit` at most (0: all), after the appeal
    `after` (an appeal id, the last of the page before) when given, so a screen pages through
    them. Raises Forbidden (audited), InvalidInput."""
    if state not in STATES:
        raise InvalidInput(f"unknown appeal state {state!r}: one of {', '.join(STATES)}")
    if limit < 0:
        raise InvalidInput("limit must be zero or more")
    svc.check(actor, "appeal.list")
    with svc.store.read() as s:
        q = select(Appeal).where(Appeal.case_id.is_not(None))  # type: ignore[union-attr]
        if state != "all":
            q = q.where(Appeal.state == state)
        if after is not None:
            cursor = s.get(Appeal, after)
            if cursor is None:
                raise InvalidInput(f"no appeal {after!r} to page after")
            q = q.where(after_row(Appeal.created_at, Appeal.id, cursor.created_at, cursor.id, svc.store.is_sqlite))
        rows = s.execute(q.order_by(Appeal.created_at, Appeal.id).limit(limit if limit > 0 else None)).scalars().all()
        loaded = _prefetch(s, rows)  # held here: the session's identity map only keeps weak references
        out = [to_public(s, svc, a) for a in rows]
        del loaded
        return out


def after_row(at_col: Any, id_col: Any, at: datetime | None, ident: str, nulls_first: bool) -> Any:
    """Rows after (at, ident) in the order `at_col, id_col` (keyset paging). NULL times sort
    first on SQLite and last on PostgreSQL, as a plain ORDER BY does on each."""
    if at is None:
        tail = and_(at_col.is_(None), id_col > ident)
        return or_(tail, at_col.is_not(None)) if nulls_first else tail
    later = tuple_(at_col, id_col) > tuple_(at, ident)
    return later if nulls_first else or_(later, at_col.is_(None))


def _prefetch(s: Session, rows: Sequence[Appeal]) -> list[Any]:
    """Load in a few queries the sanctions, cases and contents a page of appeals contests, so
    `to_public`'s lookups of them by primary key find them in the session (one query each
    otherwise)."""
    sanction_ids = {int(r) for a in rows if (r := (a.sanction_ref or "").strip()).isdigit() and 0 < int(r) <= 2**63 - 1}
    case_ids = {int(r) for a in rows if not a.sanction_ref and (r := (a.case_ref or "").strip()).isdigit()
                and 0 < int(r) <= 2**63 - 1}
    loaded: list[Any] = []
    for ids, model in ((sanction_ids, Sanction), (case_ids, Case)):
        for part in _chunks(sorted(ids)):
            loaded += s.execute(select(model).where(model.id.in_(part))).scalars().all()  # type: ignore[attr-defined]
    content_ids = {c.subject_id for c in loaded if isinstance(c, Case) and c.subject_type == "content"}
    for part in _chunks(sorted(content_ids)):
        loaded += s.execute(select(Content).where(Content.id.in_(part))).scalars().all()  # type: ignore[attr-defined]
    return loaded


def _chunks(ids: list[Any], size: int = 500) -> list[list[Any]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def show(svc: Services, actor: Actor, case_id: int) -> AppealPublic:
    svc.check(actor, "appeal.list", target_type="case", target_id=case_id)
    with svc.store.read() as s:
        appeal = _appeal_of(s, case_id)
        return to_public(s, svc, appeal)


def _appeal_of(s: Session, case_id: int) -> Appeal:
    from .cases import _get

    case = _get(s, case_id)
    if case.queue != "appeal":
        raise InvalidInput(f"case {case_id} is not an appeal (it is in the {case.queue} queue)")
    appeal = s.execute(select(Appeal).where(Appeal.case_id == case_id)).scalars().first()
    if appeal is None:
        raise InvalidInput(f"case {case_id} has no appeal attached")
    return appeal


def _what(lang: str, sanction: Sanction | None, content: Content | None) -> tuple[str, str]:
    """(what was contested, what reversing it undoes), in the member's language."""
    if sanction is not None:
        kind = sanctions.KIND_WORDS[lang][sanction.kind]
        date = sanction.starts_at.strftime("%Y-%m-%d")
        if lang == "en":
            return f"the {kind} decided on {date}", f"the {kind} is lifted"
        return f"la mesure ({kind}) décidée le {date}", "la mesure est levée"
    if content is not None:
        kind = sanctions.CONTENT_WORDS[lang].get(content.kind or "post", "content")
        if lang == "en":
            return f"the removal of your {kind} {content.id}", f"your {kind} is visible again"
        return f"le retrait de votre {kind} {content.id}", "votre contenu est de nouveau visible"
    return ("our decision", "") if lang == "en" else ("notre décision", "")


def decide(svc: Services, actor: Actor, case_id: int, decision: str, reason: str) -> AppealPublic:
    """Uphold or reverse. Raises Forbidden (audited), InvalidInput, Conflict, NotFound, ClaimHeld."""
    if decision not in DECISIONS:
        raise InvalidInput(f"unknown decision {decision!r}: --uphold or --reverse")
    reason = reason_text(reason, "an appeal decision needs a reason (it is sent to the member)")

    def change(s: Session) -> tuple[AppealPublic, dict[str, Any]]:
        from . import cases as cases_mod

        now: datetime = svc.now()
        case = cases_mod._get(s, case_id, lock=True)
        auth.check_case_action(actor, case, "case.resolve")
        appeal = _appeal_of(s, case_id)
        if appeal.state != "pending" or not case.active:
            raise Conflict(f"appeal {appeal.id} (case {case_id}) was already decided: {appeal.state}")
        cases_mod._ensure_not_held_by_other(s, case, actor, now)
        what, sanction, content, content_case = _contested(s, appeal)
        first = _first_decider(s, sanction, content_case)
        if first is not None and first == actor.id:
            raise Forbidden(f"{actor.name} took the decision under appeal: someone else decides the appeal (DSA Art. 20)")
        detail: dict[str, Any] = {"appeal": appeal.id, "decision": decision, "contests": what}
        if decision == "reverse":
            if what == "unknown":
                raise InvalidInput(f"appeal {appeal.id} names nothing of this member's that can be reversed "
                                   f"(sanction {appeal.sanction_ref!r}, case {appeal.case_ref!r}): uphold it with a reason")
            if sanction is not None:
                if actor.role not in ("senior", "admin"):
                    raise Forbidden(f"{actor.name} ({actor.role}) may not reverse a sanction: reversing lifts it, a senior decides")
                detail["sanction_id"] = sanction.id
                if sanction.lifted_at is None and (sanction.ends_at is None or sanction.ends_at > now):
                    sanctions.lift_in(s, svc, actor, sanction, f"appeal {appeal.id} reversed: {reason}", why="appeal")
            elif content is not None:
                detail["content_id"] = content.id
                content.visibility = "visible"
                s.add(content)
                s.add(Outbox(kind="content", member_id=content.author_id, content_id=content.id, created_at=now,
                             payload={"case_id": content_case.id if content_case else None, "action": "restore",
                                      "appeal": appeal.id}))
        appeal.state = "upheld" if decision == "uphold" else "reversed"
        appeal.decision, appeal.decided_by, appeal.decided_at, appeal.decision_reason = appeal.state, actor.id, now, reason
        s.add(appeal)
        member = s.get(Member, appeal.member_id)
        if member is not None:
            lang = language(member.language)
            contested, undo = _what(lang, sanction, content)
            text = render_notice(f"appeal_{appeal.state}", lang, handle=member.handle or member.id, what=contested,
                                 undo=undo, reason=reason)
            s.add(Outbox(kind="message", member_id=member.id, created_at=now, payload={
                "template": f"appeal_{appeal.state}", "lang": lang, "body": text, "appeal": appeal.id, "case_id": case_id}))
        cases_mod._release(s, case, now)
        case.state, case.active, case.open_key, case.resolved_at = "resolved", False, None, now
        case.resolution = f"appeal_{appeal.state}"
        s.add(case)
        cases_mod._history(s, case, now, actor.id, "resolved", resolution=case.resolution)
        s.flush()
        return to_public(s, svc, appeal), detail

    return svc.perform(actor, "appeal.decide", change, target_type="case", target_id=case_id, reason=reason)


def reversed_sanction_ids(s: Session, member_id: str) -> set[int]:
    """Sanctions of this member reversed on appeal (they no longer count on the ladder)."""
    refs = s.execute(select(Appeal.sanction_ref).where(Appeal.member_id == member_id, Appeal.state == "reversed")).scalars()
    return {int(r) for r in refs if r and r.strip().isdigit()}

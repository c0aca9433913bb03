"""Appeals (SPEC §3 `appeal` queue; EU DSA Art. 20): a member contests a sanction or the
hiding or removal of their content.

The platform's `appeal` event names what is contested: `sanction` (the sanction id the
platform got in its outbox) or `case` (the case id of a hide/remove, or the content id itself).
`appeal decide` takes the appeal's case id.

One case per contested decision. An appeal's case is keyed by the member and what the event
names, as named (`casework.appeal_scope`: "sanction:<id>" or "case:<id>", spaces around the id
ignored; the sanction wins when both are given). So two appeals of one member on two sanctions,
or one naming a sanction and one a case, are two cases, each decided on its own and each checked
against its own first deciders. The same appeal sent again while its case is open (same member,
same reference) joins that case: `appeal list` shows each appeal, and one decision decides all
of them, every one checked, with one answer to the member. Sent again after the decision, it
opens a new case, decided again like any appeal. Two references to one decision (the sanction
id and the case it was applied with) stay two cases: each decision is checked on its own, and a
reversal that finds the sanction already lifted has nothing left to lift.

What an appeal contests:
- `sanction` N: that sanction, when it is the member's (a no-contact order binds both members:
  either may appeal it);
- `case` N: what case N decided about the member: the sanctions applied with it (`--case N`:
  an appeal naming a case that ended in a sanction contests that sanction) and, when the case
  hid or removed their content, that content;
- `case` naming a content id: the same, for the newest case of that content that decided
  something about the member;
- anything else (unknown, or another member's): "unknown", which can only be upheld.

Who decided first (`first_deciders`), and so may not decide the appeal, is everyone who took
part in the contested decision: each contested sanction's author and whoever resolved the case
it was applied with (the case may be resolved by one person and the sanction applied by
another: both decided); for an evasion ban, also whoever decided the sanction it extends
(`extends_id`), and so on down the chain, since the ban rests on that decision; whoever resolved
the case that hid or removed the content, and whoever resolved the case the appeal named.

Rules:
- the appeal is decided by a human other than the ones who decided first; they are refused,
  and the refusal audited, nothing changed;
- upholding: moderators, seniors, admins;
- reversing a sanction lifts it, which is a senior's decision (SPEC §1): seniors and admins;
  reversing a hide or removal restores the content: moderators may;
- the member is told the outcome in their language, with the decision's reason (so the
  reason is written for the member), and where to turn next when it is upheld (Art. 21);
- a reversed sanction no longer counts on the ladder.

Stores from before this rule (every appeal of a member on one case, only the first ever
decided) are split by migration 0007.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, or_, select, tuple_
from sqlmodel import Session

from modconsole.errors import Conflict, Forbidden, InvalidInput
from modconsole.rules import language, render_notice
from modconsole.schemas import AppealPublic

from . import auth, sanctions
from .auth import Actor
from .models import Appeal, Case, CaseEvent, Content, Member, Outbox, Sanction
from .policy import ISOLATED_QUEUES
from .service import Services, reason_text

DECISIONS = ("uphold", "reverse")
STATES = ("pending", "upheld", "reversed", "all")


@dataclass(slots=True)
class Contested:
    """What an appeal contests, found in the store."""

    what: str  # "sanction" (one or more sanctions, with the content when the case also hid it) | "content" | "unknown"
    sanctions: list[Sanction] = field(default_factory=list)
    content: Content | None = None
    content_case: Case | None = None  # the case that hid or removed the content
    case: Case | None = None  # the case the appeal named (or found by the content id it named)

    @property
    def sanction(self) -> Sanction | None:
        return self.sanctions[0] if self.sanctions else None


def _ref_id(ref: str) -> int | None:
    return int(ref) if ref.isdigit() and 0 < int(ref) <= 2**63 - 1 else None


def _binds(row: Sanction, member_id: str) -> bool:
    """The sanction is this member's, or a no-contact order that binds them as the other member."""
    return row.member_id == member_id or (row.kind == "no_contact" and row.other_member_id == member_id)


def _on_case(s: Session, appeal: Appeal, case: Case) -> Contested:
    """What the case decided about the appealing member: the sanctions applied with it and,
    for a content case resolved by hiding or removing their content, that content."""
    members = {appeal.member_id} | ({case.member_id} if case.member_id else set())  # by member: indexed
    found = [x for x in s.execute(select(Sanction).where(Sanction.member_id.in_(sorted(members)),  # type: ignore[attr-defined]
                                                          Sanction.case_id == case.id).order_by(Sanction.id)).scalars()
             if _binds(x, appeal.member_id)]
    content = None
    if case.subject_type == "content" and case.resolution in ("hide", "remove"):
        row = s.get(Content, case.subject_id)
        content = row if row is not None and row.author_id == appeal.member_id else None
    if not found and content is None:
        return Contested("unknown")
    return Contested("sanction" if found else "content", found, content, case if content else None, case)


def _contested(s: Session, appeal: Appeal) -> Contested:
    """What the appeal contests; "unknown" for a reference we cannot find, or another member's."""
    ref = (appeal.sanction_ref or "").strip()
    if ref:
        rid = _ref_id(ref)
        row = s.get(Sanction, rid) if rid is not None else None
        if row is not None and _binds(row, appeal.member_id):
            return Contested("sanction", [row])
        return Contested("unknown")
    ref = (appeal.case_ref or "").strip()
    if not ref:
        return Contested("unknown")
    rid = _ref_id(ref)
    case = s.get(Case, rid) if rid is not None else None
    if case is not None and case.queue not in ISOLATED_QUEUES:
        found = _on_case(s, appeal, case)
        if found.what != "unknown":
            return found
    # a content id rather than a case id: the newest case of that content that decided something about the member
    for case in s.execute(select(Case).where(Case.subject_type == "content", Case.subject_id == ref,
                                             Case.queue.not_in(ISOLATED_QUEUES))  # type: ignore[attr-defined]
                          .order_by(Case.id.desc()).limit(50)).scalars():
        found = _on_case(s, appeal, case)
        if found.what != "unknown":
            return found
    return Contested("unknown")


def _resolvers(s: Session, case_id: int | None) -> list[int]:
    """Everyone who resolved the case (its 'resolved' history entries), oldest first."""
    if case_id is None:
        return []
    rows = s.execute(select(CaseEvent.staff_id).where(CaseEvent.case_id == case_id, CaseEvent.action == "resolved",
                                                      CaseEvent.staff_id.is_not(None))  # type: ignore[union-attr]
                     .order_by(CaseEvent.id)).scalars()
    return [r for r in rows if r is not None]


def first_deciders(s: Session, contested: Contested) -> list[int]:
    """Everyone who took part in the decision under appeal (none of them may decide it), the
    sanction's author first: each sanction's author and whoever resolved the case it was applied
    with, following an evasion ban to the sanction it extends (and so on); whoever resolved the
    case that hid or removed the content, or the case the appeal named."""
    out: list[int] = []

    def add(ids: Iterable[int | None]) -> None:
        out.extend(i for i in ids if i is not None and i not in out)

    seen: set[int] = set()
    todo = list(contested.sanctions)
    while todo and len(seen) < 100:  # a chain of extensions, cut short should it ever loop
        row = todo.pop(0)
        if row.id in seen:
            continue
        seen.add(row.id or 0)
        add([row.created_by])
        add(_resolvers(s, row.case_id))
        if row.extends_id is not None and row.extends_id not in seen:
            extended = s.get(Sanction, row.extends_id)
            if extended is not None:
                todo.append(extended)
    for case in (contested.content_case, contested.case):
        if case is not None:
            add(_resolvers(s, case.id))
    return out


def to_public(s: Session, svc: Services, appeal: Appeal) -> AppealPublic:
    c = _contested(s, appeal)
    first = first_deciders(s, c)
    sanction = c.sanction
    names = svc.staff_names(s, {x for x in (*first, appeal.decided_by, sanction.created_by if sanction else None) if x})
    return AppealPublic(
        id=appeal.case_id or 0, appeal=appeal.id, member=appeal.member_id, state=appeal.state,
        created_at=appeal.created_at, body=appeal.body, contests=c.what,
        sanction=sanctions.to_public(sanction, names) if sanction else None,
        content=c.content.id if c.content else None, content_case=c.content_case.id if c.content_case else None,
        first_decided_by=", ".join(names.get(x, f"#{x}") for x in first) or None,
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
    """The appeal of an appeal case (the oldest still pending, when the member sent the same
    appeal more than once)."""
    svc.check(actor, "appeal.list", target_type="case", target_id=case_id)
    with svc.store.read() as s:
        appeal = _appeals_of(s, case_id)[0]
        return to_public(s, svc, appeal)


def _appeals_of(s: Session, case_id: int) -> list[Appeal]:
    """The appeals a case carries, the pending ones first, each group oldest first. Raises
    NotFound, InvalidInput."""
    from .cases import _get

    case = _get(s, case_id)
    if case.queue != "appeal":
        raise InvalidInput(f"case {case_id} is not an appeal (it is in the {case.queue} queue)")
    rows = list(s.execute(select(Appeal).where(Appeal.case_id == case_id)).scalars())
    if not rows:
        raise InvalidInput(f"case {case_id} has no appeal attached")
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(rows, key=lambda a: (a.state != "pending", a.created_at or far, a.id))


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
    """Uphold or reverse every pending appeal of the case (one contested decision, see the
    module docstring). Raises Forbidden (audited), InvalidInput, Conflict, NotFound, ClaimHeld."""
    if decision not in DECISIONS:
        raise InvalidInput(f"unknown decision {decision!r}: --uphold or --reverse")
    reason = reason_text(reason, "an appeal decision needs a reason (it is sent to the member)")

    def change(s: Session) -> tuple[AppealPublic, dict[str, Any]]:
        from . import cases as cases_mod

        now: datetime = svc.now()
        case = cases_mod._get(s, case_id, lock=True)
        auth.check_case_action(actor, case, "case.resolve")
        carried = _appeals_of(s, case_id)
        pending = [a for a in carried if a.state == "pending"]
        if not pending or not case.active:
            raise Conflict(f"appeal {carried[0].id} (case {case_id}) was already decided: {carried[0].state}")
        cases_mod._ensure_not_held_by_other(s, case, actor, now)
        contested = [(a, _contested(s, a)) for a in pending]
        for appeal, c in contested:  # each appeal checked against its own first deciders
            if actor.id in first_deciders(s, c):
                raise Forbidden(f"{actor.name} took the decision under appeal {appeal.id}: "
                                "someone else decides the appeal (DSA Art. 20)")
        first, c0 = contested[0]
        detail: dict[str, Any] = {"appeal": first.id, "decision": decision, "contests": c0.what}
        if len(pending) > 1:
            detail["appeals"] = [a.id for a in pending]
        if decision == "reverse":
            for appeal, c in contested:
                if c.what == "unknown":
                    raise InvalidInput(f"appeal {appeal.id} names nothing of this member's that can be reversed "
                                       f"(sanction {appeal.sanction_ref!r}, case {appeal.case_ref!r}): uphold it with a reason")
            lifting = {x.id: x for _, c in contested for x in c.sanctions}
            restoring = {c.content.id: (c.content, c.content_case) for _, c in contested if c.content is not None}
            if lifting and actor.role not in ("senior", "admin"):
                raise Forbidden(f"{actor.name} ({actor.role}) may not reverse a sanction: reversing lifts it, a senior decides")
            if lifting:
                detail["sanction_id"] = next(iter(lifting))
                if len(lifting) > 1:
                    detail["sanction_ids"] = sorted(i for i in lifting if i is not None)
            for row in lifting.values():
                if row.lifted_at is None and (row.ends_at is None or row.ends_at > now):
                    sanctions.lift_in(s, svc, actor, row, f"appeal {first.id} reversed: {reason}", why="appeal")
            if restoring:
                detail["content_id"] = next(iter(restoring))
            for content, content_case in restoring.values():
                content.visibility = "visible"
                s.add(content)
                s.add(Outbox(kind="content", member_id=content.author_id, content_id=content.id, created_at=now,
                             payload={"case_id": content_case.id if content_case else None, "action": "restore",
                                      "appeal": first.id}))
        state = "upheld" if decision == "uphold" else "reversed"
        for appeal in pending:
            appeal.state = state
            appeal.decision, appeal.decided_by, appeal.decided_at, appeal.decision_reason = state, actor.id, now, reason
            s.add(appeal)
        member = s.get(Member, first.member_id)
        if member is not None:  # one answer for the one decision, however many times it was asked
            lang = language(member.language)
            contested_words, undo = _what(lang, c0.sanction, c0.content)
            text = render_notice(f"appeal_{state}", lang, handle=member.handle or member.id, what=contested_words,
                                 undo=undo, reason=reason)
            s.add(Outbox(kind="message", member_id=member.id, created_at=now, payload={
                "template": f"appeal_{state}", "lang": lang, "body": text, "appeal": first.id, "case_id": case_id,
                **({"appeals": [a.id for a in pending]} if len(pending) > 1 else {})}))
        cases_mod._release(s, case, now)
        case.state, case.active, case.open_key, case.resolved_at = "resolved", False, None, now
        case.resolution = f"appeal_{state}"
        s.add(case)
        cases_mod._history(s, case, now, actor.id, "resolved", resolution=case.resolution)
        s.flush()
        return to_public(s, svc, first), detail

    return svc.perform(actor, "appeal.decide", change, target_type="case", target_id=case_id, reason=reason)


def reversed_sanction_ids(s: Session, member_id: str) -> set[int]:
    """Sanctions of this member reversed on appeal (they no longer count on the ladder): those
    the reversed appeals contested, as they stood when the appeal was decided."""
    out: set[int] = set()
    for appeal in s.execute(select(Appeal).where(Appeal.member_id == member_id, Appeal.state == "reversed")).scalars():
        for row in _contested(s, appeal).sanctions:
            if row.id is not None and (appeal.decided_at is None or row.created_at is None or row.created_at <= appeal.decided_at):
                out.add(row.id)
    return out

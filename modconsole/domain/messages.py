"""Messages to members, written to the outbox for the platform to deliver (SPEC §4, §6).

A message is a template in the member's language (data: modconsole/data/message_templates.json)
or a moderator's own text. The audit entry names the outbox row and the template, not the text.

The personal-details notice (template "pii_notice") also hides the content it is about until
the member edits the details out: given a `content_id`, or a `case_id` whose subject is a
content item by that member, visible content becomes "pending_edit" and an outbox row (kind
"content", action "hide_until_edited") asks the platform to hide it, in the same transaction
as the message. Ingest shows it again when an edit leaves no personal details (see
`ingest`). Content already hidden, removed or pending stays as it is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from modconsole.errors import InvalidInput, NotFound
from modconsole.rules import message_templates, render_template

from . import auth, cases
from .auth import Actor
from .models import Case, Content, Member, Outbox
from .service import Services

MAX_MESSAGE = 5000
HIDING_TEMPLATE = "pii_notice"


def _noticed_content(s: Session, member_id: str, case_id: int | None, content_id: str | None) -> Content | None:
    """The content a personal-details notice is about: the one named, else the case's subject
    when it is content by the member; None when there is none."""
    if content_id is not None:
        content = s.get(Content, content_id)
        if content is None or content.placeholder:
            raise NotFound(f"no content {content_id}")
        if content.author_id != member_id:
            raise InvalidInput(f"content {content_id} is not by member {member_id}")
        return content
    if case_id is None:
        return None
    case = s.get(Case, case_id) if case_id <= 2**63 - 1 else None
    if case is None:
        raise NotFound(f"no case {case_id}")
    if case.subject_type != "content":
        return None
    content = s.get(Content, case.subject_id)
    if content is None or content.author_id != member_id:
        return None
    return content


def _check_case(s: Session, actor: Actor, case_id: int, now: datetime) -> None:
    """A message sent on a case is an action on it: the case exists, the actor may act on it
    (its queue, its escalation), and nobody else holds a live claim on it (ClaimHeld names the
    holder, as a resolve is refused). A resolved case is no obstacle: the claim is gone."""
    case = s.get(Case, case_id) if 0 < case_id <= 2**63 - 1 else None
    if case is None:
        raise NotFound(f"no case {case_id}")
    auth.check_case_action(actor, case, "member.message")
    cases._ensure_not_held_by_other(s, case, actor, now)


def send(svc: Services, actor: Actor, member_id: str, *, template: str | None = None, body: str | None = None,
         case_id: int | None = None, content_id: str | None = None) -> int:
    """Queue a message to a member; returns the outbox id. Raises InvalidInput, NotFound,
    Forbidden (audited), ClaimHeld (audited: `case_id` is held by someone else).

    With the "pii_notice" template, the content (`content_id`, or the subject of `case_id`) is
    hidden until edited (see the module docstring)."""
    if template is not None and template not in message_templates():
        raise InvalidInput(f"unknown template {template!r}: one of {', '.join(message_templates())}")
    if template is None and not (body or "").strip():
        raise InvalidInput("a message needs a template or some text")
    if body is not None and len(body) > MAX_MESSAGE:
        raise InvalidInput(f"a message is at most {MAX_MESSAGE} characters")
    if content_id is not None and template != HIDING_TEMPLATE:
        raise InvalidInput(f"a content id goes with the {HIDING_TEMPLATE} template only")

    def change(s: Session) -> tuple[int, dict[str, Any]]:
        member = s.get(Member, member_id)
        if member is None:
            raise NotFound(f"no member {member_id}")
        now = svc.now()
        if case_id is not None:
            _check_case(s, actor, case_id, now)
        detail: dict[str, Any] = {}
        if template == HIDING_TEMPLATE:
            content = _noticed_content(s, member_id, case_id, content_id)
            if content is not None:
                hidden = content.visibility == "visible"
                if hidden:
                    content.visibility = "pending_edit"
                    s.add(content)
                    s.add(Outbox(kind="content", member_id=member_id, content_id=content.id, created_at=now,
                                 payload={"action": "hide_until_edited", "template": HIDING_TEMPLATE}))
                detail = {"content_id": content.id, "hidden_until_edited": hidden}
        text = body.strip() if body and body.strip() else render_template(template or "", member.language, member.handle)
        row = Outbox(kind="message", member_id=member_id, created_at=now,
                     payload={"template": template, "lang": member.language or "en", "body": text, "case_id": case_id})
        s.add(row)
        s.flush()
        return row.id or 0, {"outbox_id": row.id, "template": template, "case_id": case_id, **detail}

    return svc.perform(actor, "member.message", change, target_type="member", target_id=member_id)

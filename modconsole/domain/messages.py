"""Messages to members, written to the outbox for the platform to deliver (SPEC §4, §6).

A message is a template in the member's language (data: modconsole/data/message_templates.json)
or a moderator's own text. The audit entry names the outbox row and the template, not the text.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from modconsole.errors import InvalidInput, NotFound
from modconsole.rules import message_templates, render_template

from .auth import Actor
from .models import Member, Outbox
from .service import Services

MAX_MESSAGE = 5000


def send(svc: Services, actor: Actor, member_id: str, *, template: str | None = None, body: str | None = None,
         case_id: int | None = None) -> int:
    """Queue a message to a member; returns the outbox id. Raises InvalidInput, NotFound, Forbidden."""
    if template is not None and template not in message_templates():
        raise InvalidInput(f"unknown template {template!r}: one of {', '.join(message_templates())}")
    if template is None and not (body or "").strip():
        raise InvalidInput("a message needs a template or some text")
    if body is not None and len(body) > MAX_MESSAGE:
        raise InvalidInput(f"a message is at most {MAX_MESSAGE} characters")

    def change(s: Session) -> tuple[int, dict[str, Any]]:
        member = s.get(Member, member_id)
        if member is None:
            raise NotFound(f"no member {member_id}")
        text = body.strip() if body and body.strip() else render_template(template or "", member.language, member.handle)
        row = Outbox(kind="message", member_id=member_id, created_at=svc.now(),
                     payload={"template": template, "lang": member.language or "en", "body": text, "case_id": case_id})
        s.add(row)
        s.flush()
        return row.id or 0, {"outbox_id": row.id, "template": template, "case_id": case_id}

    return svc.perform(actor, "member.message", change, target_type="member", target_id=member_id)

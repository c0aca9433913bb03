"""A member's history, and messages to the member (through the outbox).

Each route is one line over the domain services; authorization and audit live there.
Anything that can take long stays in the threadpool (plain `def`) so it never stalls the loop.
"""

from __future__ import annotations

from fastapi import APIRouter

from modconsole.domain import members, messages
from modconsole.schemas import MemberDetail

from ..deps import ActorDep, SvcDep
from .bodies import MessageIn

router = APIRouter()


@router.get("/members/{member_id}", tags=["members"])
def member_show(member_id: str, actor: ActorDep, svc: SvcDep) -> MemberDetail:
    return members.show(svc, actor, member_id)


@router.post("/members/{member_id}/messages", tags=["members"])
def member_message(member_id: str, body: MessageIn, actor: ActorDep, svc: SvcDep) -> dict[str, int]:
    return {"outbox_id": messages.send(svc, actor, member_id, template=body.template, body=body.body, case_id=body.case_id)}

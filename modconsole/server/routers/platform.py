"""What the platform reads: effective status, and the outbox with acknowledgement.

Each route is one line over the domain services; authorization and audit live there.
Anything that can take long stays in the threadpool (plain `def`) so it never stalls the loop.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from modconsole.domain import platform
from modconsole.schemas import EffectiveStatus, OutboxItem

from ..deps import ActorDep, SvcDep, short
from .bodies import AckIn, UtcTime

router = APIRouter()


@router.get("/members/{member_id}/status", tags=["platform"])
async def member_status(member_id: str, actor: ActorDep, svc: SvcDep, at: UtcTime | None = None,
                  with_member: Annotated[str | None, Query(alias="with")] = None) -> EffectiveStatus:
    """can_login, can_post, can_comment (and can_message with another member) at an instant."""
    return await short(svc, platform.status, svc, actor, member_id, at, with_member)  # a refusal is written


@router.get("/outbox", tags=["platform"])
def outbox_read(actor: ActorDep, svc: SvcDep, after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
                limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[OutboxItem]:
    """Unacknowledged messages, removals and sanctions to carry out, oldest first."""
    return platform.outbox(svc, actor, after, limit)


@router.post("/outbox/ack", tags=["platform"])
def outbox_ack(body: AckIn, actor: ActorDep, svc: SvcDep) -> dict[str, int]:
    """Acknowledge items carried out; repeating an acknowledgement is harmless."""
    return {"acknowledged": platform.acknowledge(svc, actor, body.ids)}

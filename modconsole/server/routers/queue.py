"""The queues: pages in board order, counts, and the long-poll of changes.

Each route is one line over the domain services; authorization and audit live there.
Anything that can take long stays in the threadpool (plain `def`) so it never stalls the loop.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from modconsole.domain import cases
from modconsole.domain import changes as changes_mod
from modconsole.schemas import CasePublic, Changes, QueueCount

from ..deps import ActorDep, SvcDep

router = APIRouter()


@router.get("/queue", tags=["queue"])
def queue_list(actor: ActorDep, svc: SvcDep, queue: str | None = None, state: str | None = None, member: str | None = None,
               limit: Annotated[int, Query(ge=0, le=100_000)] = 50, offset: Annotated[int, Query(ge=0)] = 0,
               mine: bool = False) -> list[CasePublic]:
    """Cases in board order, paged."""
    return cases.list_queue(svc, actor, queue=queue, state=state, member=member, limit=limit, offset=offset, mine=mine)


@router.get("/queue/counts", tags=["queue"])
def queue_counts(actor: ActorDep, svc: SvcDep) -> list[QueueCount]:
    """Unresolved and breached cases per visible queue."""
    return cases.queue_counts(svc, actor)


@router.get("/changes", tags=["queue"])
async def changes(actor: ActorDep, svc: SvcDep, since: Annotated[int | None, Query(ge=0, le=2**63 - 1)] = None,
                  wait: Annotated[float, Query(ge=0, le=60)] = 25.0) -> Changes:
    """Long-poll: the cases touched after the cursor `since`, answered as soon as there are some
    (or after `wait` seconds with none). Without `since`: the current cursor, at once."""
    import asyncio

    from starlette.concurrency import run_in_threadpool

    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        result = await run_in_threadpool(changes_mod.since, svc, actor, since)
        if result.cases or since is None or loop.time() >= deadline:
            return result
        await asyncio.sleep(changes_mod.POLL_S)

"""Dependencies: the services of the app, and the actor a bearer token stands for."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request

from modconsole.domain import tokens
from modconsole.domain.auth import Actor
from modconsole.domain.service import Services
from modconsole.errors import StoreBusy

T = TypeVar("T")


async def get_services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


async def current_actor(
    request: Request,
    services: Annotated[Services, Depends(get_services)],
    authorization: Annotated[str | None, Header()] = None,
) -> Actor:
    """The actor the gate (`guard.Gate`) authenticated before the body was read; checked here
    again only for an app mounted without the gate. Raises Unauthenticated (401)."""
    actor = getattr(request.state, "actor", None)
    if isinstance(actor, Actor):
        return actor
    token = authorization[7:].strip() if authorization and authorization[:7].lower() == "bearer " else None
    return tokens.authenticate(services, token)


SvcDep = Annotated[Services, Depends(get_services)]
ActorDep = Annotated[Actor, Depends(current_actor)]


async def short(svc: Services, action: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a short action (one small transaction) on the event loop, where it is cheapest — but
    never let the loop wait for another writer's SQLite lock: then it runs in a worker thread,
    which waits (up to the busy timeout), while the loop goes on serving reads and alerts."""
    try:
        with svc.store.no_wait():
            return action(*args, **kwargs)
    except StoreBusy:
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(action, *args, **kwargs)

"""Dependencies: the services of the app, and the actor a bearer token stands for."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from modconsole.domain import tokens
from modconsole.domain.auth import Actor
from modconsole.domain.service import Services


async def get_services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


async def current_actor(
    services: Annotated[Services, Depends(get_services)],
    authorization: Annotated[str | None, Header()] = None,
) -> Actor:
    """Raises Unauthenticated (401) for a missing, forged, expired or revoked token."""
    token = authorization[7:].strip() if authorization and authorization[:7].lower() == "bearer " else None
    return tokens.authenticate(services, token)


SvcDep = Annotated[Services, Depends(get_services)]
ActorDep = Annotated[Actor, Depends(current_actor)]

"""Request and response bodies of the API, and the limits on them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator, BaseModel, Field

from modconsole.domain.clock import checked_utc

from ..errors import PayloadTooLarge as PayloadTooLarge
from ..guard import BODY_LIMITS

MAX_EVENTS_BYTES = BODY_LIMITS[("POST", "/events")]
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


# Every time the API takes (query parameters and bodies): converted to UTC and checked against
# the times the product accepts (`clock.checked_utc`), so a time that cannot be represented in
# UTC is FastAPI's 422 naming the field, never a 500.
UtcTime = Annotated[datetime, AfterValidator(checked_utc)]


class NoteIn(BaseModel):
    body: str = Field(max_length=20_000)


class ResolveIn(BaseModel):
    action: str
    reason: str | None = None


class EscalateIn(BaseModel):
    to: str
    reason: str


class StaffIn(BaseModel):
    name: str
    role: str


class LexiconIn(BaseModel):
    term: str
    category: str
    lang: str
    severity: int = 2


class PolicyIn(BaseModel):
    value: str


class SanctionIn(BaseModel):
    member: str
    kind: str
    reason: str
    duration: str | None = None
    other: str | None = None
    case_id: Id | None = None
    rule: str | None = None


class ReasonIn(BaseModel):
    reason: str = Field(max_length=2000)


class AppealDecisionIn(BaseModel):
    decision: str
    reason: str = Field(max_length=2000)


class MessageIn(BaseModel):
    template: str | None = None
    body: str | None = None
    case_id: Id | None = None


class AckIn(BaseModel):
    ids: list[Id] = Field(min_length=1, max_length=1000)


class TokenOut(BaseModel):
    token: str


CasePath = Annotated[int, Path(ge=1, le=2**63 - 1)]

"""The detection lexicons (admin).

Each route is one line over the domain services; authorization and audit live there.
Anything that can take long stays in the threadpool (plain `def`) so it never stalls the loop.
"""

from __future__ import annotations

from fastapi import APIRouter

from modconsole.domain import lexicons
from modconsole.schemas import LexiconTermPublic

from ..deps import ActorDep, SvcDep
from .bodies import LexiconIn

router = APIRouter()


@router.get("/lexicon", tags=["lexicon"])
def lexicon_list(actor: ActorDep, svc: SvcDep) -> list[LexiconTermPublic]:
    return lexicons.list_terms(svc, actor)


@router.post("/lexicon", tags=["lexicon"])
def lexicon_add(body: LexiconIn, actor: ActorDep, svc: SvcDep) -> LexiconTermPublic:
    return lexicons.add(svc, actor, body.term, body.category, body.lang, body.severity)


@router.delete("/lexicon/{term}", tags=["lexicon"])
def lexicon_remove(term: str, actor: ActorDep, svc: SvcDep, lang: str | None = None) -> dict[str, int]:
    return {"removed": lexicons.remove(svc, actor, term, lang)}

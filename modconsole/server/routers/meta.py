"""Liveness.

Each route is one line over the domain services; authorization and audit live there.
Anything that can take long stays in the threadpool (plain `def`) so it never stalls the loop.
"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()


@router.get("/healthz", tags=["meta"])
def healthz() -> dict[str, str]:
    """Liveness; no authentication."""
    return {"status": "ok"}

"""`modconsole serve`: the FastAPI app over the same domain services as the local backend.

Every request passes the gate first (`guard.Gate`): the token is checked before any body is
read, bodies are bounded, failed authentications are limited per address. There is no `/docs`
nor `/redoc`: FastAPI's pages load Swagger UI and ReDoc from a CDN, unpinned, and no package
installed here ships those assets. The schema stays public at `/openapi.json` (it holds the
API's shape, nothing of the store); point any OpenAPI viewer at it.
"""

from __future__ import annotations

from fastapi import FastAPI

from modconsole.domain.clock import Clock
from modconsole.domain.service import Services
from modconsole.domain.store import Store

from . import errors
from .guard import FailedLogins, Gate
from .routers import ROUTERS


def create_app(db_url: str, *, clock: Clock | None = None, failures: FailedLogins | None = None) -> FastAPI:
    """The API over the store at `db_url` (initialized with `modconsole init`). `clock` and
    `failures` are for tests: the store's clock, and the failed-authentication counter."""
    store = Store(db_url, clock=clock)
    store.require_initialized()
    app = FastAPI(title="modconsole", version="0.1.0",
                  description="Trust-and-safety console API: the same service layer as the local store.",
                  docs_url=None, redoc_url=None, swagger_ui_oauth2_redirect_url=None)
    app.state.services = Services(store)
    # The detector (lexicons, forms, phrase grammar) takes a second or two to build: the server
    # builds it before it answers, not on the first content batch (which may be an urgent post).
    app.state.services.detector()
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(Gate, services=app.state.services, failures=failures)  # type: ignore[arg-type]
    return app


def create_app_from_env() -> FastAPI:
    """For uvicorn's factory mode (several workers): the store comes from MODCONSOLE_DB; the
    failed authentications allowed per client address and minute from MODCONSOLE_AUTH_FAILURES
    (default `guard.FAILURES_PER_WINDOW`; each worker counts its own)."""
    import os

    from modconsole.config import Settings

    from .guard import FAILURES_PER_WINDOW

    raw = os.environ.get("MODCONSOLE_AUTH_FAILURES", "").strip()
    limit = int(raw) if raw.isdigit() and int(raw) >= 1 else FAILURES_PER_WINDOW
    return create_app(Settings.from_env().db, failures=FailedLogins(limit=limit))
